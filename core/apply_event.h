// Applying one interaction event to a customer profile: the pure heart of the single customer view.
// The maths of every aggregate (decay, value, interests, triggers) is in docs/profile.md.
#ifndef NBO_CORE_APPLY_EVENT_H_
#define NBO_CORE_APPLY_EVENT_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/profile_settings.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/event.pb.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

// When the event happened: its occurred_at, or `now` when unset.
absl::Time OccurredAt(const v1::Event& event, absl::Time now);

// Applies `event` (happening at OccurredAt(event, now)) to `profile`:
// - interactions, per-channel usage and the decayed frequency count up; first_seen / last_seen
//   take the min / max of the event time, so an out-of-order event never moves last_seen back;
// - a purchase counts one order, adds amounts and margins to the totals and to the decayed
//   monetary / margin, moves last_purchase forward, and adds each item's product to the holdings
//   (keeping the earliest `since` when already held); product_removed drops the holding;
// - category interest, the recent-events ring, life-event triggers (expired ones are pruned on
//   every call), complaints, NPS and consent are updated;
// - the customer value is recomputed as of `now`.
// Every change is a bounded amount of work (the lists are capped by `settings`).
// REQUIRES: `event` passed ValidateEvent; the half-lives in `settings` are positive.
void ApplyEvent(v1::Profile& profile, const v1::Event& event, absl::Time now,
                const ProfileSettings& settings = DefaultProfileSettings());

// --- Exponentially decayed values (docs/profile.md, "Decay"). ---

// `value` decayed from its `at` to `t` with `half_life`: value * 2^(-(t - at) / half_life).
// An unset `at` returns value unchanged.
double DecayedValueAt(const v1::DecayedValue& value, absl::Time t, absl::Duration half_life);

// Adds `x`, observed at `t`, to `value`: both are decayed to max(value.at, t) and summed, which is
// exact for exponential decay, so the order in which additions arrive does not matter.
void AddDecayed(v1::DecayedValue& value, double x, absl::Time t, absl::Duration half_life);

// --- Customer value (docs/profile.md, "Customer value"). ---

// Estimated probability that the customer stays 12 months, in [0.05, 0.99], from recency
// (days since last_seen), decayed complaints and the last NPS.
double RetentionProbability(const v1::Profile& profile, absl::Time now,
                            const ProfileSettings& settings = DefaultProfileSettings());

// actual = margin_total; potential = yearly margin rate from the decayed margin × retention
// probability; total = actual + potential.
v1::CustomerValue ComputeValue(const v1::Profile& profile, absl::Time now,
                               const ProfileSettings& settings = DefaultProfileSettings());

// --- Reading the profile. ---

// Interest in `category` as of `now`, normalised to [0, 1): score / (score + 5) where score is
// the decayed raw score (0 when the category is unknown).
double InterestLevel(const v1::Profile& profile, absl::string_view category, absl::Time now,
                     const ProfileSettings& settings = DefaultProfileSettings());

// The channel with the most interactions (the first used among equals); CHANNEL_UNSPECIFIED when
// the customer has none.
v1::Channel PreferredChannel(const v1::Profile& profile);

// The trigger of `kind` that is active at `now` (expires_at > now), or nullptr.
const v1::ActiveTrigger* FindActiveTrigger(const v1::Profile& profile, absl::string_view kind,
                                           absl::Time now);
inline bool TriggerActive(const v1::Profile& profile, absl::string_view kind, absl::Time now) {
  return FindActiveTrigger(profile, kind, now) != nullptr;
}

// Removes the triggers that expired at or before `now`.
void PruneExpiredTriggers(v1::Profile& profile, absl::Time now);

// --- Consent and contacts. ---

// Records a consent decision for `channel` (CHANNEL_UNSPECIFIED: marketing as a whole). The entry
// with the newer `at` wins: a change older than the stored one is ignored (equal times: the later
// call wins).
void ApplyConsent(v1::Profile& profile, v1::Channel channel, bool opted_in, absl::Time at,
                  absl::string_view source);

// False when the customer opted out of `channel` or of marketing as a whole
// (CHANNEL_UNSPECIFIED); true otherwise (no entry means opted in).
bool MarketingAllowed(const v1::Profile& profile, v1::Channel channel);

// Adds `product` to the holdings, held since `at`; an existing holding keeps the earlier date and
// gains the category if it had none.
void AddHolding(v1::Profile& profile, absl::string_view product, absl::string_view category,
                absl::Time at);

// Counts one `outcome` of `offer_id` at `at` in the profile's contact history (the last_* time
// moves forward only). IGNORED extends ignored_streak (unless older than the last accept or
// decline), ACCEPTED and DECLINED end it. OUTCOME_UNSPECIFIED changes nothing.
void RecordContact(v1::Profile& profile, absl::string_view offer_id, v1::Outcome outcome,
                   absl::Time at);

}  // namespace nbo::core

#endif  // NBO_CORE_APPLY_EVENT_H_
