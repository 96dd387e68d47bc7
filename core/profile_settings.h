// Tuning of the single customer view: decay half-lives, list bounds and trigger windows.
// docs/profile.md explains how each setting enters the maths.
#ifndef NBO_CORE_PROFILE_SETTINGS_H_
#define NBO_CORE_PROFILE_SETTINGS_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nbo::core {

// How the profile aggregates are maintained. A plain value; copy it freely. Thread-safe to read
// concurrently.
struct ProfileSettings {
  // Half-life of the decayed interaction count (Rfm.frequency).
  // Default: 30 days.
  absl::Duration frequency_half_life = absl::Hours(24 * 30);
  // Half-life of the decayed spend and margin (Rfm.monetary, Rfm.margin); the margin drives the
  // potential value.
  // Default: 90 days.
  absl::Duration monetary_half_life = absl::Hours(24 * 90);
  // Half-life of the per-category interest scores.
  // Default: 30 days.
  absl::Duration interest_half_life = absl::Hours(24 * 30);
  // Half-life of the decayed, severity-weighted complaint count.
  // Default: 90 days.
  absl::Duration complaints_half_life = absl::Hours(24 * 90);

  // Most events kept in Profile.recent_events (the oldest are dropped).
  // Default: 50.
  int recent_events = 50;
  // Most categories kept in Profile.interests (the weakest are dropped).
  // Default: 50.
  int max_interests = 50;
  // Most segment changes kept in Profile.segment_history (the oldest are dropped).
  // Default: 20.
  int segment_history = 20;

  // How long a life event stays an active trigger after it happened, per life-event kind.
  // Default: moved_home 60 days, married 90 days, new_child 180 days, new_job 90 days,
  // retired 180 days, bereavement 90 days.
  absl::flat_hash_map<std::string, absl::Duration> trigger_windows = {
      {"moved_home", absl::Hours(24 * 60)}, {"married", absl::Hours(24 * 90)},
      {"new_child", absl::Hours(24 * 180)}, {"new_job", absl::Hours(24 * 90)},
      {"retired", absl::Hours(24 * 180)},   {"bereavement", absl::Hours(24 * 90)},
  };
  // Window of life-event kinds not listed in trigger_windows.
  // Default: 30 days.
  absl::Duration default_trigger_window = absl::Hours(24 * 30);

  // The window of a life-event kind: its entry in trigger_windows, else default_trigger_window.
  absl::Duration TriggerWindow(absl::string_view kind) const {
    auto it = trigger_windows.find(kind);
    return it == trigger_windows.end() ? default_trigger_window : it->second;
  }
};

// Settings with every field at its default. Built once; use it instead of `ProfileSettings{}` on
// hot paths (constructing one allocates the trigger-window map).
inline const ProfileSettings& DefaultProfileSettings() {
  static const ProfileSettings* settings = new ProfileSettings();
  return *settings;
}

}  // namespace nbo::core

#endif  // NBO_CORE_PROFILE_SETTINGS_H_
