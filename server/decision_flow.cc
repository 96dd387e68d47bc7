#include "server/decision_flow.h"

#include <algorithm>
#include <atomic>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/decision.h"
#include "core/request_validation.h"
#include "core/time_util.h"
#include "server/hashing.h"
#include "server/outcome_report.h"

namespace nbo::server {
namespace {

// FNV-1a of a decision id: its last 16 hex digits are already a mixed 64-bit value (IdGenerator),
// so this only has to be cheap and stable (absl::Hash is salted per process, which would make
// tests with a fixed IdGenerator key irreproducible).
uint64_t SeedOf(absl::string_view decision_id) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : decision_id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Tells flows apart in ThreadRng (an address could be reused by a later flow).
std::atomic<uint64_t> next_flow_instance{1};

// The generator of this thread and the flow it was seeded for.
struct ThreadRng {
  uint64_t flow_instance = 0;
  std::mt19937_64 rng;
};
thread_local ThreadRng thread_rng;

// The answer a dedupe record stands for: inline (records written before DedupeRecord.decision_id,
// or with --decision_ttl shorter than --dedupe_window), or that of the decision it names.
absl::StatusOr<v1::DecideResponse> StoredAnswer(storage::Store& store, absl::string_view event_id,
                                                const v1::DedupeRecord& seen) {
  if (seen.decision_id().empty()) return seen.response();
  absl::StatusOr<v1::DecisionRecord> decision = store.GetDecision(seen.decision_id());
  if (decision.ok()) return std::move(*decision->mutable_response());
  if (absl::IsNotFound(decision.status())) {
    // The server never writes one without the other, and the decision outlives the dedupe
    // record; only a store edited by hand gets here. Not applying the event again is the safe
    // side: it was applied once.
    return absl::InternalError(absl::StrCat("event.event_id \"", event_id,
                                            "\" was already processed, but its decision \"",
                                            seen.decision_id(), "\" is no longer stored"));
  }
  return decision.status();
}

}  // namespace

DecisionFlow::DecisionFlow(CustomerAccess& customers, StrategyHolder& strategies,
                           const core::Clock& clock, IdGenerator& ids, BudgetLedger& budgets,
                           LearningStats& learning, FlowObserver* observer, FlowOptions options)
    : customers_(customers),
      strategies_(strategies),
      clock_(clock),
      ids_(ids),
      budgets_(budgets),
      learning_(learning),
      observer_(observer),
      options_(std::move(options)),
      instance_(next_flow_instance.fetch_add(1, std::memory_order_relaxed)) {}

std::mt19937_64& DecisionFlow::Rng(absl::string_view decision_id) {
  ThreadRng& t = thread_rng;
  if (t.flow_instance != instance_) {
    t.flow_instance = instance_;
    t.rng.seed(SeedOf(decision_id));
  }
  return t.rng;
}

absl::Duration DecisionFlow::BudgetOf(absl::Time start, absl::Time deadline) const {
  return std::max(absl::ZeroDuration(), std::min(options_.latency_budget, deadline - start));
}

absl::StatusOr<v1::DecideResponse> DecisionFlow::Decide(const v1::DecideRequest& request,
                                                        absl::Time deadline) {
  const absl::Time start = clock_.Now();
  return Run(request, start, deadline, ids_.NextDecisionId(start), nullptr);
}

std::shared_ptr<DecideCall> DecisionFlow::StartCall(const v1::DecideRequest& request,
                                                    absl::Time deadline) {
  const absl::Time start = clock_.Now();
  return std::make_shared<DecideCall>(request, start, deadline, ids_.NextDecisionId(start));
}

absl::Time DecisionFlow::FallbackTime(const DecideCall& call) const {
  return call.start() + BudgetOf(call.start(), call.deadline()) * options_.fallback_at;
}

absl::StatusOr<v1::DecideResponse> DecisionFlow::Decide(DecideCall& call) {
  return Run(call.request(), call.start(), call.deadline(), call.decision_id(), &call);
}

bool DecisionFlow::AnswerLate(DecideCall& call, v1::DecideResponse* response) {
  const absl::Time now = clock_.Now();
  // An invalid request gets its error from the worker, and without a strategy there is no
  // fallback list: both leave the call to the worker.
  if (!core::ValidateDecideRequest(call.request(), call.start()).ok()) return false;
  const auto strategy = strategies_.Current();
  if (strategy == nullptr || !call.ClaimForTimer()) return false;
  v1::DecideResponse answer = core::LatencyFallback(*strategy->strategy, call.request(), now);
  answer.set_decision_id(call.decision_id());
  answer.set_strategy_checksum(strategy->info.checksum());
  *response = answer;
  call.SetAnswered(std::move(answer), now);
  if (observer_ != nullptr) {
    observer_->OnFallback(call.request().event().channel(), "latency_budget");
  }
  return true;
}

absl::StatusOr<v1::DecideResponse> DecisionFlow::Run(const v1::DecideRequest& request,
                                                     absl::Time start, absl::Time deadline,
                                                     std::string decision_id, DecideCall* call) {
  const absl::Duration budget = BudgetOf(start, deadline);
  absl::string_view result = "error";
  absl::StatusOr<v1::DecideResponse> response;
  if (absl::Status s = core::ValidateDecideRequest(request, start); !s.ok()) {
    result = "invalid";
    response = s;
  } else if (const auto strategy = strategies_.Current(); strategy == nullptr) {
    response = absl::UnavailableError("no strategy is loaded");
  } else {
    response =
        DecideLocked(request, *strategy, start, budget, std::move(decision_id), call, &result);
  }
  // Claimed here at the latest (an error before the read claims nothing in DecideLocked), so the
  // timer cannot answer after this result was observed.
  const bool late = call != nullptr && !call->ClaimForWorker();
  if (observer_ != nullptr) {
    // A call the timer answered took, for its client, until the fallback was sent.
    if (late) call->WaitAnswered();
    observer_->OnDecision(request.event().channel(), late ? "fallback" : result,
                          (late ? call->answered_at() : clock_.Now()) - start);
  }
  return response;
}

absl::StatusOr<v1::DecideResponse> DecisionFlow::DecideLocked(
    const v1::DecideRequest& request, const LoadedStrategy& strategy, absl::Time now,
    absl::Duration budget, std::string decision_id, DecideCall* call, absl::string_view* result) {
  storage::Store& store = customers_.store();
  absl::StatusOr<std::unique_ptr<CustomerWrite>> customer =
      CustomerWrite::Open(customers_, request.customer());
  if (!customer.ok()) {
    if (absl::IsFailedPrecondition(customer.status())) *result = "suppressed";
    return customer.status();
  }
  v1::Profile& profile = (*customer)->profile();
  const std::string customer_id = profile.customer_id();

  // A retried event gets its original answer; a reused id with another payload is refused.
  const uint64_t fingerprint = Fingerprint(request);
  if (absl::StatusOr<v1::DedupeRecord> seen = store.GetDedupe(request.event().event_id());
      seen.ok()) {
    if (seen->fingerprint() != fingerprint) {
      *result = "invalid";
      return absl::AlreadyExistsError(
          absl::StrCat("event.event_id \"", request.event().event_id(),
                       "\" was already used for a different request; event ids must be unique"));
    }
    *result = "duplicate";
    return StoredAnswer(store, request.event().event_id(), *seen);
  } else if (!absl::IsNotFound(seen.status())) {
    return seen.status();
  }

  // Reading the customer (locks, profile, dedupe) is where a slow store shows. When the timer
  // already sent the latency fallback, record that answer; past the threshold but not yet
  // answered, answer from the fallback list rather than miss the deadline.
  core::DecisionOptions decide_options;
  const bool answered_late = call != nullptr && !call->ClaimForWorker();
  if (answered_late) decide_options.answered = &call->WaitAnswered();
  RequestBudget charges(budgets_);
  decide_options.budgets = &charges;
  decide_options.fallback_only = clock_.Now() - now > budget * options_.fallback_at;
  const core::Strategy& compiled = *strategy.strategy;
  learning_.SetHalfLife(compiled.learning.half_life);
  decide_options.evidence = &learning_;
  decide_options.rng = &Rng(decision_id);
  core::DecisionResult decided =
      core::MakeDecision(profile, request, compiled, now, options_.profile, decide_options);
  decided.response.set_decision_id(std::move(decision_id));
  decided.response.set_strategy_checksum(strategy.info.checksum());

  v1::DecisionRecord record;
  *record.mutable_response() = decided.response;
  record.set_event_id(request.event().event_id());
  record.set_channel(request.event().channel());
  record.set_placement(request.placement());
  core::ToProto(now + options_.decision_ttl, record.mutable_expires_at());
  record.mutable_candidates()->Reserve(static_cast<int>(decided.explanations.size()));
  for (v1::CandidateExplanation& c : decided.explanations) {
    *record.add_candidates() = std::move(c);
  }
  record.set_segment_rule(std::move(decided.segment_rule));
  for (int t : decided.arbitration.active_triggers) {
    record.add_active_triggers(compiled.triggers[t].def->id());
  }
  for (int w : decided.arbitration.active_context_weights) {
    record.add_active_context_weights(compiled.context_weights[w].def->id());
  }
  for (std::string& level : decided.dimension_levels) record.add_dimension_levels(std::move(level));
  for (v1::BudgetState& b : decided.arbitration.budgets) *record.add_budgets() = std::move(b);

  v1::DedupeRecord dedupe;
  dedupe.set_customer_id(customer_id);
  dedupe.set_fingerprint(fingerprint);
  // The answer is stored once, in the decision record, when that outlives the dedupe window (the
  // default: both 7 days); a retry reads it from there. It is 700-1,000 bytes a Decide less to
  // serialize and write.
  if (options_.decision_ttl >= options_.dedupe_window) {
    dedupe.set_decision_id(decided.response.decision_id());
  } else {
    *dedupe.mutable_response() = decided.response;
  }
  core::ToProto(now + options_.dedupe_window, dedupe.mutable_expires_at());

  storage::WriteSet writes;
  (*customer)->AddTo(writes);
  writes.decisions.push_back(&record);
  writes.dedupe.emplace_back(request.event().event_id(), &dedupe);
  charges.AddTo(writes);
  AddOfferedCounts(decided.response, writes);
  if (absl::Status s = store.Commit(writes); !s.ok()) {
    charges.Rollback();
    return s;
  }
  charges.Commit();

  if (observer_ != nullptr) observer_->OnArm(decided.response.arm());
  if (decided.segment_changed && observer_ != nullptr) {
    observer_->OnSegmentTransition(decided.previous_segment_id, decided.response.segment_id());
  }
  if (decided.response.fallback() && !answered_late && observer_ != nullptr) {
    observer_->OnFallback(request.event().channel(), decided.response.fallback_cause());
  }
  *result = decided.response.fallback()         ? "fallback"
            : decided.response.offers().empty() ? "no_offer"
                                                : "offers";
  return std::move(decided.response);
}

}  // namespace nbo::server
