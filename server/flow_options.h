// Settings shared by the request flows. Filled from flags in main.cc.
#ifndef NBO_SERVER_FLOW_OPTIONS_H_
#define NBO_SERVER_FLOW_OPTIONS_H_

#include "absl/time/time.h"
#include "core/profile_settings.h"

namespace nbo::server {

struct FlowOptions {
  // How long decisions are kept for outcome attribution. Default: 7 days.
  absl::Duration decision_ttl = absl::Hours(24 * 7);
  // How long an event id is remembered: a retry within it gets the original answer.
  // Default: 7 days.
  absl::Duration dedupe_window = absl::Hours(24 * 7);
  // Longest a Decide may take (the client's deadline caps it further). Default: 50 ms.
  absl::Duration latency_budget = absl::Milliseconds(50);
  // Share of the latency budget after which a Decide answers from the fallback list rather than
  // arbitrate, (0, 1]. Default: 0.8.
  double fallback_at = 0.8;
  // Half-lives, ring sizes and trigger windows of the profile aggregates.
  core::ProfileSettings profile = core::DefaultProfileSettings();
};

}  // namespace nbo::server

#endif  // NBO_SERVER_FLOW_OPTIONS_H_
