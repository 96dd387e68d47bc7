// Validation of untrusted requests. Every error is INVALID_ARGUMENT and names the offending field
// by its path, e.g. `event.purchase.items[2].quantity: must be 0..10000, got -1`.
#ifndef NBO_CORE_REQUEST_VALIDATION_H_
#define NBO_CORE_REQUEST_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/event.pb.h"

namespace nbo::core {

// How far in the future of the server's clock an event's occurred_at may be (clock skew).
inline constexpr absl::Duration kMaxEventClockSkew = absl::Minutes(5);
// Most offers one decision may ask for.
inline constexpr int kMaxOffersLimit = 20;

// OK when `ref` names exactly one well-formed customer id or source identity.
absl::Status ValidateCustomerRef(const v1::CustomerRef& ref, absl::string_view path);

// OK when `event` has an id, a channel, a kind, sane field values and an occurred_at not more than
// kMaxEventClockSkew after `now`.
absl::Status ValidateEvent(const v1::Event& event, absl::Time now, absl::string_view path);

// OK when the whole request is acceptable; nothing of a refused request may be applied.
absl::Status ValidateDecideRequest(const v1::DecideRequest& request, absl::Time now);

}  // namespace nbo::core

#endif  // NBO_CORE_REQUEST_VALIDATION_H_
