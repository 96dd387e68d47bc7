// One decision, end to end and pure: apply the event, assign the segment, arbitrate, explain.
#ifndef NBO_CORE_DECISION_H_
#define NBO_CORE_DECISION_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/arbitration.h"
#include "core/profile_settings.h"
#include "core/strategy.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core {

struct DecisionOptions {
  // Budget and capacity counters, charged for the chosen offers. Null: a fresh local gate.
  BudgetGate* budgets = nullptr;
  // Apply the event and assign the segment, but answer from the fallback list (the request's
  // latency budget is nearly spent): fallback_cause "latency_budget".
  bool fallback_only = false;
  // Learned evidence (server/learning_stats.h). Null: priors only (the arm is still assigned).
  const EvidenceSource* evidence = nullptr;
  // Randomness for the explore draw, Thompson sampling and selection probabilities. Null: a
  // generator seeded from the customer and event ids (reproducible).
  std::mt19937_64* rng = nullptr;
  // The answer was already given without this decision (LatencyFallback, sent when reading the
  // customer outlived the latency budget): apply the event and assign the segment and arm as
  // usual, but arbitrate nothing and charge no budget; the response is `answered` completed with
  // the customer, segment and arm, and its offers join the contact log. Null: decide.
  const v1::DecideResponse* answered = nullptr;
};

struct DecisionResult {
  // The answer, complete but for decision_id (the caller mints ids).
  v1::DecideResponse response;
  ArbitrationResult arbitration;
  // Every candidate considered, in evaluation order, with why it was chosen or dropped
  // (ExplainCandidates; at most kMaxExplainedCandidates). For the decision log.
  std::vector<v1::CandidateExplanation> explanations;
  std::string segment_rule;  // the rule source of the segment that matched
  bool segment_changed = false;
  std::string previous_segment_id;  // "" for a customer's first decision
  // The customer's dimension levels, "dimension=level" in dimension order (none: omitted).
  std::vector<std::string> dimension_levels;
};

// Applies `request.event` to `profile` (whose customer_id the caller has set) and decides the
// offers under `strategy` at `now`. `settings` tune the profile aggregates (ApplyEvent) and the
// segment history (RecordSegment). The marketing offers answered join the profile's contact log.
// REQUIRES: `request` passed ValidateDecideRequest.
DecisionResult MakeDecision(v1::Profile& profile, const v1::DecideRequest& request,
                            const Strategy& strategy, absl::Time now,
                            const ProfileSettings& settings = DefaultProfileSettings(),
                            const DecisionOptions& options = {});

// The answer for a request whose customer could not be read within its latency budget: the
// fallback offers for the request's channel and placement that are safe to show to anyone
// without knowing the profile — service offers (no marketing consent needed) that are valid at
// `now`, hold no product, need no base product, have no eligibility rule and spend no budget or
// capacity. Marked fallback with fallback_cause "latency_budget"; no customer, segment or arm.
// May hold no offers. REQUIRES: `request` passed ValidateDecideRequest.
v1::DecideResponse LatencyFallback(const Strategy& strategy, const v1::DecideRequest& request,
                                   absl::Time now);

}  // namespace nbo::core

#endif  // NBO_CORE_DECISION_H_
