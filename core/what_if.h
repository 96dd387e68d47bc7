// The strategy what-if: the decision funnel a strategy would produce over sample profiles, before
// it goes live (ValidateStrategy, `nbo strategy validate FILE`; docs/strategy.md).
#ifndef NBO_CORE_WHAT_IF_H_
#define NBO_CORE_WHAT_IF_H_

#include <vector>

#include "absl/time/time.h"
#include "core/profile_settings.h"
#include "core/strategy.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core {

// Simulates one decision per profile under `strategy` at `now` and aggregates them. Each profile is
// copied and given a page view on `channel` (event id "what-if-<i>", i = its 0-based index;
// customer_id = the profile's; no placement, context or max_offers, so the strategy's
// default_max_offers applies), then MakeDecision runs on the copy: `profiles` is never changed and
// nothing is stored. CHANNEL_UNSPECIFIED means CHANNEL_WEB (and is reported as such).
//
// The result has every segment in strategy order (customers, share = customers / profiles, 0 when
// there are no profiles) and every offer in catalogue order: candidates (entries among the
// decisions' arbitration candidates, fallback candidates included), wins (chosen at any rank),
// top_wins (ranked first), drops (DropReasonName -> count, never "kept") and top_drop_reason (the
// most frequent, ties broken by the smaller name; "" when never dropped); fallback_decisions
// counts decisions answered from the fallback list. Pure and thread-safe; O(profiles × treatments).
v1::WhatIf SimulateStrategy(const Strategy& strategy, const std::vector<v1::Profile>& profiles,
                            v1::Channel channel, absl::Time now,
                            const ProfileSettings& settings = DefaultProfileSettings());

}  // namespace nbo::core

#endif  // NBO_CORE_WHAT_IF_H_
