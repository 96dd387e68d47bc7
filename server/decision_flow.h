// The Decide flow behind the gRPC adapter: resolve the customer, lock it, answer a retried event
// from its dedupe record, otherwise read the profile -> apply and decide (core) -> one atomic
// write -> answer. No gRPC here, so tests drive it with plain values.
#ifndef NBO_SERVER_DECISION_FLOW_H_
#define NBO_SERVER_DECISION_FLOW_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/profile.pb.h"
#include "server/budget_ledger.h"
#include "server/customer_access.h"
#include "server/decide_call.h"
#include "server/flow_options.h"
#include "server/id_generator.h"
#include "server/learning_stats.h"
#include "server/strategy_holder.h"
#include "storage/store.h"

namespace nbo::server {

// What the flows report for metrics. Implementations must be thread-safe and cheap.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  // One Decide call. `result` is "offers", "fallback", "no_offer", "duplicate", "suppressed",
  // "invalid" or "error".
  virtual void OnDecision(v1::Channel channel, absl::string_view result,
                          absl::Duration latency) = 0;
  // A decision answered from the fallback list, and why ("no_eligible_offer", "budget_exhausted",
  // "latency_budget").
  virtual void OnFallback(v1::Channel channel, absl::string_view cause) {}
  // A decision made (and written) by `arm` ("model", "explore" or "control"); not called for
  // duplicates answered from their dedupe record, nor for failed calls.
  virtual void OnArm(absl::string_view arm) {}
  // A customer moved from one segment to another ("" = first segment).
  virtual void OnSegmentTransition(absl::string_view from, absl::string_view to) = 0;
  // Events of one IngestEvents batch.
  virtual void OnIngest(int64_t applied, int64_t duplicates, int64_t rejected, int64_t suppressed) {
  }
};

// Thread-safe: all methods may be called concurrently. Requests for one customer are serialised
// by a striped lock; requests for different customers proceed in parallel.
class DecisionFlow {
 public:
  // All references must outlive the flow. `observer` may be null. `budgets` counts the budgets
  // and capacities of every decision (one ledger per store). `learning` is the evidence the
  // propensities are learned from (shared with the OutcomeFlow that updates it); the flow keeps
  // its half-life in step with the strategy of each decision (LearningStats::SetHalfLife).
  DecisionFlow(CustomerAccess& customers, StrategyHolder& strategies, const core::Clock& clock,
               IdGenerator& ids, BudgetLedger& budgets, LearningStats& learning,
               FlowObserver* observer, FlowOptions options = {});

  // Applies the request's event to the customer's profile, decides, logs the decision and
  // persists everything in one atomic write; answers only after the write. Propensities come
  // from the learned evidence (`learning`); the randomness of the arm draw and of exploration
  // comes from Rng(). An unknown source
  // identity creates a new customer; a merged-away customer id reaches its survivor.
  // Errors: InvalidArgument naming the field; AlreadyExists when the event_id was used for a
  // different request; FailedPrecondition for an erased, suppressed customer; Unavailable when
  // no strategy is loaded or the store cannot write.
  // Latency budget: the time until `deadline` (the client's), capped by
  // FlowOptions.latency_budget. When reading the customer used up more than
  // FlowOptions.fallback_at of it, the event is still applied but the offers come from the
  // fallback list (fallback_cause "latency_budget").
  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request,
                                            absl::Time deadline = absl::InfiniteFuture());

  // The same Decide, raced against a timer (server/decide_call.h): StartCall mints the call and
  // its decision id; the caller runs Decide(call) on a worker thread and, at FallbackTime(call),
  // AnswerLate(call) on its timer. The worker answers with Decide's result only if
  // call.ClaimForWorker() afterwards; otherwise AnswerLate already answered with the latency
  // fallback, and Decide recorded the event and that fallback (the result is then to be dropped).
  std::shared_ptr<DecideCall> StartCall(const v1::DecideRequest& request, absl::Time deadline);
  // When the timer should answer: FlowOptions.fallback_at of the call's latency budget.
  absl::Time FallbackTime(const DecideCall& call) const;
  absl::StatusOr<v1::DecideResponse> Decide(DecideCall& call);
  // Timer side: if the worker has not claimed the call, claims it and fills `response` with the
  // latency fallback (core::LatencyFallback); returns whether it did. An invalid request or a
  // server without a strategy is left to the worker (false).
  bool AnswerLate(DecideCall& call, v1::DecideResponse* response);

 private:
  // The generator for a decision on this thread: one std::mt19937_64 per thread, seeded from the
  // hash of the decision id of the thread's first decision with this flow (ids are unique, so
  // threads draw different sequences; with a fixed IdGenerator key a single-threaded test is
  // reproducible). Not reproducible across processes, nor meant to be: constructing and seeding
  // a generator per request would cost about 2 us of CPU, some 10% of a decision's.
  std::mt19937_64& Rng(absl::string_view decision_id);

  // The latency budget of a call started at `start`: until `deadline`, capped by the option.
  absl::Duration BudgetOf(absl::Time start, absl::Time deadline) const;

  // Both Decides: validate, decide, observe. `call` is null when nothing races the worker.
  absl::StatusOr<v1::DecideResponse> Run(const v1::DecideRequest& request, absl::Time start,
                                         absl::Time deadline, std::string decision_id,
                                         DecideCall* call);

  absl::StatusOr<v1::DecideResponse> DecideLocked(const v1::DecideRequest& request,
                                                  const LoadedStrategy& strategy, absl::Time now,
                                                  absl::Duration budget, std::string decision_id,
                                                  DecideCall* call, absl::string_view* result);

  CustomerAccess& customers_;
  StrategyHolder& strategies_;
  const core::Clock& clock_;
  IdGenerator& ids_;
  BudgetLedger& budgets_;
  LearningStats& learning_;
  FlowObserver* observer_;
  const FlowOptions options_;
  const uint64_t instance_;  // unique per flow in the process, for Rng()
};

}  // namespace nbo::server

#endif  // NBO_SERVER_DECISION_FLOW_H_
