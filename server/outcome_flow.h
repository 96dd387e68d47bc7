// The RecordOutcome flow behind the gRPC adapter: what happened to an offer of a logged decision
// (presented, accepted, declined, ignored) is checked against that decision and counted once on
// the customer's contact history, in one atomic write with its dedupe record. No gRPC here, so
// tests drive it with plain values.
#ifndef NBO_SERVER_OUTCOME_FLOW_H_
#define NBO_SERVER_OUTCOME_FLOW_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/record.pb.h"
#include "server/budget_ledger.h"
#include "server/customer_access.h"
#include "server/learning_stats.h"
#include "server/strategy_holder.h"
#include "storage/store.h"

namespace nbo::server {

// What the outcome flow reports for metrics. Implementations must be thread-safe and cheap.
class OutcomeObserver {
 public:
  virtual ~OutcomeObserver() = default;
  // One RecordOutcome call. `channel` is the decision's channel (CHANNEL_UNSPECIFIED when the
  // decision could not be read); `outcome` is OutcomeName(request.outcome()); `result` is
  // "recorded", "duplicate", "invalid" (a refused request, ALREADY_EXISTS included),
  // "not_found" (unknown decision, or its customer erased), "expired" (the outcome falls after
  // the attribution window) or "error".
  virtual void OnOutcome(v1::Channel channel, absl::string_view outcome,
                         absl::string_view result) = 0;
  // One recorded (not duplicate) outcome of a decision made by `arm` (the decision record's
  // response.arm: "model", "explore", "control"; "" for decisions logged before arms existed).
  virtual void OnArmOutcome(absl::string_view arm, absl::string_view outcome) {}
};

// "presented", "accepted", "declined", "ignored"; "unspecified" for OUTCOME_UNSPECIFIED and for
// numbers the enum does not know. Never allocates; a bounded set (safe as a metric label).
absl::string_view OutcomeName(v1::Outcome outcome);

// Longest offer id accepted in an OutcomeRequest.
inline constexpr size_t kMaxOutcomeOfferIdLength = 128;

// The checks that need no stored data. OK, or InvalidArgument naming the field:
// "decision_id is required" (and ValidateDecisionId's length/charset errors), "offer_id is
// required" (at most kMaxOutcomeOfferIdLength printable ASCII characters without spaces),
// "outcome: ..." (must be PRESENTED, ACCEPTED, DECLINED or IGNORED), "value_realised: ..." (finite,
// >= 0), "at: ..." (a valid timestamp at most core::kMaxEventClockSkew after `now`).
absl::Status ValidateOutcomeRequest(const v1::OutcomeRequest& request, absl::Time now);

// The dedupe-family key of one (decision, offer, outcome): "outcome " + decision_id + " " +
// offer_id + " " + outcome number. Event ids are printable ASCII without spaces, so this key can
// never be an event id; validated decision and offer ids contain no spaces, so it is unambiguous.
std::string OutcomeDedupeKey(absl::string_view decision_id, absl::string_view offer_id,
                             v1::Outcome outcome);

// Thread-safe: all methods may be called concurrently. Outcomes of one customer are serialised by
// the customer's stripe lock (server/customer_access.h); others proceed in parallel.
class OutcomeFlow {
 public:
  // All references must outlive the flow. `observer` may be null. `budgets` is the ledger the
  // decisions charge (ACCEPTED outcomes charge the offer's "acceptance" budgets through it).
  // `learning` receives every recorded outcome as evidence (shared with the DecisionFlow).
  OutcomeFlow(CustomerAccess& customers, StrategyHolder& strategies, const core::Clock& clock,
              BudgetLedger& budgets, LearningStats& learning, OutcomeObserver* observer);

  // Records `request.outcome` of `request.offer_id` in decision `request.decision_id`, happening
  // at `request.at` (unset: now): counts it in the customer's contacts (core::RecordContact) and
  // stores a dedupe record (expiring with the decision) in one atomic write; answers after the
  // write. The customer is the decision's response.customer_id, or the survivor it was merged
  // into. An exact repeat of a recorded (decision, offer, outcome) is OK with duplicate = true and
  // writes nothing.
  // Learning: after the write, the outcome counts as evidence for (the decision's segment, the
  // offer, the decision's channel) in `learning`, whatever the decision's arm, decayed with the
  // serving strategy's half-life (LearningStats::Record). It is in memory until the next flush
  // (server/learning_stats.h); a duplicate or a failed write never counts.
  // Errors:
  // - InvalidArgument: see ValidateOutcomeRequest; the offer is not among the decision's answered
  //   offers (the message lists them); `at` is before the decision's decided_at.
  // - NotFound: the decision is unknown or past its attribution window (the store forgets it at
  //   expires_at); the decision's customer was erased.
  // - FailedPrecondition: `at` is at or after the decision's expires_at (the window's end is
  //   named); the customer was erased with suppression.
  // - AlreadyExists: this (decision, offer, outcome) was recorded with another value_realised or
  //   at.
  // - Aborted (merged again meanwhile; retry), or the store's Unavailable/DataLoss/Internal.
  absl::StatusOr<v1::OutcomeResponse> Record(const v1::OutcomeRequest& request);

 private:
  // Record() after validation; `channel` receives the decision's channel once it is read and
  // `result` the metric result.
  absl::StatusOr<v1::OutcomeResponse> RecordValid(const v1::OutcomeRequest& request, absl::Time now,
                                                  v1::Channel* channel, absl::string_view* result);

  // ACCEPTED: the offer's product (in the serving strategy) joins the holdings, unless the offer
  // says hold_on_accept false.
  void HoldAccepted(absl::string_view offer_id, absl::Time at, v1::Profile& profile) const;

  // The effects of an outcome beyond the contact history, added to the same WriteSet so they
  // commit atomically with the profile and the dedupe record (and exactly once, since a
  // duplicate never reaches this): an ACCEPTED outcome charges the offer's "acceptance" budgets
  // (of the serving strategy, counted on the day of `at`) through `charges`. (Learning evidence
  // is in memory, not in the WriteSet: it is recorded after the commit.) Called with the
  // customer's lock held: it must not take an identity lock (server/customer_access.h, lock
  // order).
  absl::Status AddOutcomeEffects(const v1::OutcomeRequest& request, absl::Time at,
                                 RequestBudget& charges, storage::WriteSet& writes) const;

  CustomerAccess& customers_;
  StrategyHolder& strategies_;
  const core::Clock& clock_;
  BudgetLedger& budgets_;
  LearningStats& learning_;
  OutcomeObserver* observer_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_OUTCOME_FLOW_H_
