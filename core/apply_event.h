// Applying one interaction event to a customer profile: the pure heart of the single customer view.
#ifndef NBO_CORE_APPLY_EVENT_H_
#define NBO_CORE_APPLY_EVENT_H_

#include "absl/time/time.h"
#include "nbo/v1/event.pb.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

// When the event happened: its occurred_at, or `now` when unset.
absl::Time OccurredAt(const v1::Event& event, absl::Time now);

// Applies `event` to `profile`:
// - interactions and per-channel usage count up; first_seen / last_seen take the min / max of the
//   event time, so an out-of-order event never moves last_seen backwards;
// - a purchase counts one order, adds amounts and margins to the totals, and adds each item's
//   product to the holdings (keeping the earliest `since` when already held).
// REQUIRES: `event` passed ValidateEvent.
void ApplyEvent(v1::Profile& profile, const v1::Event& event, absl::Time now);

}  // namespace nbo::core

#endif  // NBO_CORE_APPLY_EVENT_H_
