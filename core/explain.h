// Plain-language explanations of a decision's candidates: which offers were considered, where
// they came from, their score parts, and why each was chosen or dropped. Used for the decision
// log (DecisionRecord.candidates) and ExplainDecision.
#ifndef NBO_CORE_EXPLAIN_H_
#define NBO_CORE_EXPLAIN_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/arbitration.h"
#include "core/strategy.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core {

// At most this many candidates are explained (and logged) per decision; the rest are left out.
// A segment has ~20 treatments in practice, so this only bounds a pathological strategy.
inline constexpr size_t kMaxExplainedCandidates = 256;

// One entry per candidate of `arbitration` in evaluation order (the segment's treatments, then the
// fallback list when it fell back), at most kMaxExplainedCandidates: offer id, source ("segment" or
// "fallback"), weight, score parts and score, outcome ("chosen" or DropReasonName), rank (1-based
// among the chosen, 0 otherwise) and one sentence, e.g.
//   "Chosen (rank 1): score 4.20 = propensity 0.05 x value 84.00 x weight 1.00 x context 1.00."
//   "Dropped: the customer already holds broadband_basic."
// `profile_after_event` is the profile the decision saw (to name an excluding holding and the
// consent); `channel` is the event's channel. Pure and thread-safe.
std::vector<v1::CandidateExplanation> ExplainCandidates(const Strategy& strategy,
                                                        const ArbitrationResult& arbitration,
                                                        const v1::Profile& profile_after_event,
                                                        v1::Channel channel);

// "1st", "2nd", "3rd", "4th", "11th", "21st", ...
std::string Ordinal(int n);

}  // namespace nbo::core

#endif  // NBO_CORE_EXPLAIN_H_
