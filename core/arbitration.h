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

struct Candidate {
  int offer = 0;      // index into Strategy::offers
  double weight = 1;  // treatment weight
  DropReason dropped = DropReason::kNone;
  v1::ScoreParts parts;
  double score = 0;
};

struct ArbitrationResult {
  std::vector<Candidate> candidates;  // every candidate considered, in treatment order
  std::vector<int> chosen;            // indices into candidates, best first
  bool fallback = false;
  absl::string_view fallback_cause;  // "no_eligible_offer" when fallback
};

// Filters, scores and ranks the treatments of `segment` for `channel`; when none survives, does the
// same for the channel's fallback list and marks the result as fallback. At most `max_offers`
// chosen. Ties in score keep treatment order. Pure and thread-safe.
ArbitrationResult Arbitrate(const Strategy& strategy, const CompiledSegment& segment,
                            const DecisionInputs& in, int max_offers);

}  // namespace nbo::core

#endif  // NBO_CORE_ARBITRATION_H_
