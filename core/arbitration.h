// Choosing the offers: candidates from the segment's treatments, filters that record why an offer
// was dropped, scoring, ranking, and the fallback path.
#ifndef NBO_CORE_ARBITRATION_H_
#define NBO_CORE_ARBITRATION_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "core/rule.h"
#include "core/strategy.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::core {

// Why a candidate was not offered.
enum class DropReason {
  kNone = 0,         // kept
  kAlreadyHeld,      // the customer holds the offer's product
  kMissingBase,      // upsell: none of requires_any is held
  kExcludedHolding,  // a product in excludes is held
  kChannel,          // not allowed on this channel
  kNotEligible,      // the eligibility rule is false
  kNoConsent,        // a marketing offer, and the customer opted out of marketing here
  kDuplicate,        // the same offer appears earlier in the candidate list
  kRankedOut,        // eligible, but max_offers better offers won
};
absl::string_view DropReasonName(DropReason reason);

// Where a candidate came from.
enum class CandidateSource { kSegment, kTrigger, kFallback };
absl::string_view CandidateSourceName(CandidateSource source);  // "segment", "trigger", "fallback"

// One multiplier of a candidate's context part: a Strategy::triggers or ::context_weights entry
// whose rule held.
struct ContextFactor {
  double weight = 1;
  int trigger = -1;         // index into Strategy::triggers, or -1
  int context_weight = -1;  // index into Strategy::context_weights, or -1
};

struct Candidate {
  int offer = 0;      // index into Strategy::offers
  double weight = 1;  // treatment weight (1 for trigger offers and fallbacks)
  CandidateSource source = CandidateSource::kSegment;
  int trigger = -1;  // kTrigger: the index into Strategy::triggers that added it
  // Multipliers making up parts.context, in strategy order (triggers first); empty = 1.
  std::vector<ContextFactor> factors;
  DropReason dropped = DropReason::kNone;
  v1::ScoreParts parts;
  double score = 0;
};

struct ArbitrationResult {
  // Every candidate considered: the segment's treatments, the active triggers' offers not already
  // among them, then (when it fell back) the fallback list.
  std::vector<Candidate> candidates;
  std::vector<int> chosen;  // indices into candidates, best first
  bool fallback = false;
  absl::string_view fallback_cause;  // "no_eligible_offer" when fallback
};

// Filters, scores and ranks the treatments of `segment` plus the offers of the triggers whose rule
// holds, for `channel`; when none survives, does the same for the channel's fallback list and
// marks the result as fallback. score = propensity x value x weight x context, where context is
// the product of the weights of the matching active triggers and context weights. At most
// `max_offers` chosen. Ties in score keep candidate order. Pure and thread-safe.
ArbitrationResult Arbitrate(const Strategy& strategy, const CompiledSegment& segment,
                            const DecisionInputs& in, int max_offers);

}  // namespace nbo::core

#endif  // NBO_CORE_ARBITRATION_H_
