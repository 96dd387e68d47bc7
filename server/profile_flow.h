// The ProfileService flows: the single customer view, linking identities (merging profiles),
// consent, and erasure. Same locking rules as the decision flow (server/customer_access.h).
#ifndef NBO_SERVER_PROFILE_FLOW_H_
#define NBO_SERVER_PROFILE_FLOW_H_

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "nbo/v1/profile.pb.h"
#include "server/customer_access.h"
#include "server/decision_flow.h"
#include "server/flow_options.h"
#include "server/strategy_holder.h"

namespace nbo::server {

// Thread-safe: all methods may be called concurrently.
class ProfileFlow {
 public:
  ProfileFlow(CustomerAccess& customers, const StrategyHolder& strategies, const core::Clock& clock,
              FlowOptions options = {})
      : customers_(customers),
        strategies_(strategies),
        clock_(clock),
        options_(std::move(options)) {}

  // The profile with plain-language highlights. NotFound when never seen (or erased).
  absl::StatusOr<v1::GetProfileResponse> GetProfile(const v1::GetProfileRequest& request);

  // Attaches an identity to a customer. When the identity belongs to another customer, that
  // profile is merged into this one in one atomic write: the absorbed id becomes an alias, its
  // identities move over. Repeating a link changes nothing. NotFound when the customer has no
  // profile.
  absl::StatusOr<v1::LinkIdentityResponse> LinkIdentity(const v1::LinkIdentityRequest& request);

  // Records an opt-in or opt-out. NotFound when the customer has no profile.
  absl::StatusOr<v1::UpdateConsentResponse> UpdateConsent(const v1::UpdateConsentRequest& request);

  // Deletes the profile, every identity and alias, the dedupe and decision records of the
  // customer in one atomic write; with suppress_future_events, keeps salted hashes of its ids so
  // later events for them are dropped. NotFound when the customer has no profile.
  absl::StatusOr<v1::ForgetCustomerResponse> ForgetCustomer(
      const v1::ForgetCustomerRequest& request);

 private:
  // The customer a reference names now (identity resolved, aliases followed); NotFound when
  // nobody has it.
  absl::StatusOr<std::string> Resolve(const v1::CustomerRef& ref);

  CustomerAccess& customers_;
  const StrategyHolder& strategies_;
  const core::Clock& clock_;
  const FlowOptions options_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_PROFILE_FLOW_H_
