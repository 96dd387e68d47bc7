// The request flows behind the gRPC adapters: per customer, lock -> read profile -> apply and
// decide (core) -> one atomic write -> answer. No gRPC here, so tests drive it with plain values.
#ifndef NBO_SERVER_DECISION_FLOW_H_
#define NBO_SERVER_DECISION_FLOW_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/profile.pb.h"
#include "server/id_generator.h"
#include "server/strategy_holder.h"
#include "storage/store.h"
#include "storage/striped_lock.h"

namespace nbo::server {

// What the flow reports for metrics. Implementations must be thread-safe and cheap.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  // One Decide call. `result` is "offers", "fallback", "no_offer", "invalid" or "error".
  virtual void OnDecision(v1::Channel channel, absl::string_view result,
                          absl::Duration latency) = 0;
  // A customer moved from one segment to another ("" = first segment).
  virtual void OnSegmentTransition(absl::string_view from, absl::string_view to) = 0;
};

struct DecisionFlowOptions {
  // How long decisions are kept for outcome attribution. Default: 7 days.
  absl::Duration decision_ttl = absl::Hours(24 * 7);
};

// Thread-safe: all methods may be called concurrently. Requests for one customer are serialised by
// a striped lock; requests for different customers proceed in parallel.
class DecisionFlow {
 public:
  // All references must outlive the flow. `observer` may be null.
  DecisionFlow(storage::Store& store, StrategyHolder& strategies, const core::Clock& clock,
               IdGenerator& ids, FlowObserver* observer, DecisionFlowOptions options = {});

  // Applies the request's event to the customer's profile, decides, logs the decision and
  // persists both in one atomic write; answers only after the write. Errors: InvalidArgument
  // naming the field; Unimplemented for source identities (single customer view work);
  // Unavailable when no strategy is loaded or the store cannot write.
  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request);

  // The customer's profile with plain-language highlights. NotFound when never seen.
  absl::StatusOr<v1::GetProfileResponse> GetProfile(const v1::GetProfileRequest& request);

 private:
  absl::StatusOr<v1::DecideResponse> DecideLocked(const v1::DecideRequest& request,
                                                  const LoadedStrategy& strategy, absl::Time now);

  storage::Store& store_;
  StrategyHolder& strategies_;
  const core::Clock& clock_;
  IdGenerator& ids_;
  FlowObserver* observer_;
  const DecisionFlowOptions options_;
  storage::StripedMutex locks_;
};

// Short lines an agent can read at a glance, most important first.
std::vector<std::string> ProfileHighlights(const v1::Profile& profile, absl::Time now);

}  // namespace nbo::server

#endif  // NBO_SERVER_DECISION_FLOW_H_
