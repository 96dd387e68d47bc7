// Choosing the offers: candidates from the segment's treatments, filters that record why an offer
// was dropped, scoring, ranking, and the fallback path.
#ifndef NBO_CORE_ARBITRATION_H_
#define NBO_CORE_ARBITRATION_H_

#include <random>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/budget.h"
#include "core/learning.h"
#include "core/offer_policy.h"
#include "core/rule.h"
#include "core/strategy.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::core {

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
  // Every candidate considered: the treatments, the active triggers' offers not already among
  // them, then (when it fell back) the fallback list.
  std::vector<Candidate> candidates;
  std::vector<int> chosen;  // indices into candidates, best first
  bool fallback = false;
  // Why it fell back: "no_eligible_offer", "budget_exhausted" (a candidate was eligible but out of
  // budget, pacing or capacity) or "latency_budget" (asked for the fallback path only).
  absl::string_view fallback_cause;
  std::vector<int> active_triggers;         // indices into Strategy::triggers whose rule held
  std::vector<int> active_context_weights;  // indices into Strategy::context_weights
  // The budgets and capacities of the candidates that passed the other filters, as checked.
  std::vector<v1::BudgetState> budgets;
  // Per chosen offer (parallel to `chosen`): the probability that the policy shows it.
  std::vector<double> selection_probabilities;
};

struct ArbitrationOptions {
  int max_offers = kDefaultMaxOffers;
  // Counters of budgets and capacities, charged for the chosen offers. Null: a fresh local gate
  // (every counter at 0), as in a what-if.
  BudgetGate* budgets = nullptr;
  // Skip the treatments and answer from the fallback list ("latency_budget").
  bool fallback_only = false;
  // Learned evidence for the propensities (segment `segment_id`). Null: priors only.
  const EvidenceSource* evidence = nullptr;
  absl::string_view segment_id;
  // The policy: kModel ranks by posterior means, kExplore by Thompson draws, kControl by priors
  // (or at random, per Strategy::learning.control_policy).
  Arm arm = Arm::kModel;
  // Randomness for exploration, random control and selection probabilities. Null: a generator
  // seeded with 0.
  std::mt19937_64* rng = nullptr;
};

// Filters, scores and ranks `treatments` plus the offers of the triggers whose rule holds, for the
// event's channel and the placement; when none survives, does the same for the channel's (and
// placement's) fallback list and marks the result as fallback.
// Filters, in order: channel, placement, validity, consent, holdings, eligibility, the contact
// policy (marketing offers), budgets / pacing / capacities.
// score = propensity x value x weight x context x pacing; ties keep candidate order. Chosen
// offers are charged to their decision budgets and capacities through options.budgets, best
// first, at most options.max_offers, and at most the contact policy's allowance of marketing
// offers. Pure but for the budget gate; thread-safe when the gate is.
ArbitrationResult Arbitrate(const Strategy& strategy,
                            const std::vector<CompiledTreatment>& treatments,
                            const DecisionInputs& in, const ArbitrationOptions& options);

// The segment's own treatments, at most `max_offers`, budgets from a fresh local gate.
inline ArbitrationResult Arbitrate(const Strategy& strategy, const CompiledSegment& segment,
                                   const DecisionInputs& in, int max_offers) {
  ArbitrationOptions options;
  options.max_offers = max_offers;
  return Arbitrate(strategy, segment.treatments, in, options);
}

}  // namespace nbo::core

#endif  // NBO_CORE_ARBITRATION_H_
