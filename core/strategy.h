// A loaded strategy: the strategy document plus everything compiled from it once at load time
// (rules, reason templates, offer index, fallbacks per channel). Immutable once built; shared by
// all decisions through std::shared_ptr<const Strategy> and swapped whole on reload.
#ifndef NBO_CORE_STRATEGY_H_
#define NBO_CORE_STRATEGY_H_

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/learning.h"
#include "core/reason_template.h"
#include "core/rule.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core {

inline constexpr double kDefaultPriorRate = 0.05;
inline constexpr double kDefaultPriorWeight = 20;
inline constexpr int kDefaultMaxOffers = 2;
inline constexpr int kChannelSlots = 16;  // > largest Channel value
inline constexpr double kDefaultTriggerWeight = 1.5;

// Offer.action_class: whether the contact policy applies.
enum class ActionClass { kMarketing, kService, kMandatory };
// Budget.charge_on.
enum class ChargeOn { kDecision, kAcceptance };

// An offer's budget with money in hundredths of the currency; 0 = no limit.
struct CompiledBudget {
  int64_t daily_count = 0;
  int64_t total_count = 0;
  int64_t daily_amount = 0;
  int64_t total_amount = 0;
  ChargeOn charge_on = ChargeOn::kDecision;
  bool paced = true;  // even pacing of the daily limits
  // Share of the day's plan due by the start of local hour h (index 0..24: 0 at midnight, 1 at
  // the end of the day), from Budget.hourly_shape.
  std::array<double, 25> plan_by_hour{};
};

struct CompiledOffer {
  const v1::Offer* def = nullptr;  // points into Strategy::document
  v1::OfferKind kind = v1::OFFER_KIND_UNSPECIFIED;
  uint32_t channel_mask = 0;  // bit per Channel value; 0 = every channel
  double prior_rate = kDefaultPriorRate;
  double prior_weight = kDefaultPriorWeight;
  std::optional<Rule> eligibility;
  ReasonTemplate reason;
  ActionClass action_class = ActionClass::kMarketing;
  absl::Time valid_from = absl::InfinitePast();     // inclusive
  absl::Time valid_until = absl::InfiniteFuture();  // exclusive
  double value = 0;        // margin - cost, at least 0: the value part of the score
  int64_t cost_cents = 0;  // cost in hundredths, what money budgets spend per charge
  std::optional<CompiledBudget> budget;
  std::vector<int> capacities;  // indices into Strategy::capacities that cover this offer

  bool marketing() const { return action_class == ActionClass::kMarketing; }

  bool AllowedOn(v1::Channel channel) const {
    return channel_mask == 0 || (channel_mask & (1u << channel)) != 0;
  }
  // No placements listed: every placement (and a request without one).
  bool AllowedIn(absl::string_view placement) const {
    return def->placements().empty() ||
           std::find(def->placements().begin(), def->placements().end(), placement) !=
               def->placements().end();
  }
};

struct CompiledTreatment {
  int offer = 0;  // index into Strategy::offers
  double weight = 1;
};

// A micro-segment with its treatments already merged with its segment's.
struct CompiledMicroSegment {
  const v1::MicroSegment* def = nullptr;  // points into Strategy::document
  std::vector<std::pair<int, int>> when;  // (index into Strategy::dimensions, level index)
  std::vector<CompiledTreatment> treatments;
};

struct CompiledSegment {
  const v1::Segment* def = nullptr;  // points into Strategy::document
  Rule rule;
  std::vector<CompiledTreatment> treatments;
  std::vector<CompiledMicroSegment> micro_segments;
};

struct CompiledDimension {
  const v1::Dimension* def = nullptr;  // points into Strategy::document
  std::vector<Rule> levels;            // parallel to def->levels()
};

struct CompiledCapacity {
  const v1::Capacity* def = nullptr;  // points into Strategy::document
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  int64_t per_hour = 0;  // 0 = no limit
  int64_t per_day = 0;
};

// The contact policy; 0 / zero durations mean no limit.
struct CompiledContactPolicy {
  struct ChannelCaps {
    int max_per_day = 0;
    int max_per_week = 0;
    int max_per_interaction = 0;
  };
  int max_per_day = 0;
  int max_per_week = 0;
  std::array<ChannelCaps, kChannelSlots> channels{};
  absl::Duration decline_cooldown;
  absl::Duration group_decline_cooldown;
  bool allow_repeat_accepted = false;
  int ignore_limit = 0;
  absl::Duration ignore_pause;
  // True when some day or week cap is set: decisions then log the marketing offers they answer.
  bool has_caps = false;
};

// Strategy.challenger: per segment (index into Strategy::segments) the challenger's effective
// treatments, or nullopt where it decides as the champion.
struct CompiledChallenger {
  const v1::Challenger* def = nullptr;  // points into Strategy::document
  double share = 0;
  std::vector<std::optional<std::vector<CompiledTreatment>>> treatments;
};

// A fallback list for one channel (or every channel) and placement.
struct PlacementFallback {
  int channel = -1;  // Channel value, or -1 for "*"
  std::string placement;
  std::vector<int> offers;
};

struct CompiledTrigger {
  const v1::Trigger* def = nullptr;  // points into Strategy::document
  Rule rule;
  std::vector<int> offers;  // indices into Strategy::offers, in order, no repeats
  double weight = kDefaultTriggerWeight;

  bool Covers(int offer) const {
    for (int o : offers) {
      if (o == offer) return true;
    }
    return false;
  }
};

struct CompiledContextWeight {
  const v1::ContextWeight* def = nullptr;  // points into Strategy::document
  Rule rule;
  uint32_t kind_mask = 0;   // bit per OfferKind value; 0 = every kind
  std::vector<int> offers;  // indices into Strategy::offers; empty = every offer
  double weight = 1;

  bool AppliesTo(int offer, v1::OfferKind kind) const {
    if (kind_mask != 0 && (kind_mask & (1u << kind)) == 0) return false;
    if (offers.empty()) return true;
    for (int o : offers) {
      if (o == offer) return true;
    }
    return false;
  }
};

struct Strategy {
  v1::Strategy document;
  std::vector<CompiledOffer> offers;
  std::vector<CompiledSegment> segments;
  absl::flat_hash_map<std::string, int> offer_index;  // offer id -> index into offers
  // Fallback offer indices per channel value, with the "*" list filled in where a channel has none.
  std::array<std::vector<int>, kChannelSlots> fallbacks;
  // Fallback lists of particular placements; looked up before `fallbacks`.
  std::vector<PlacementFallback> placement_fallbacks;
  std::vector<CompiledDimension> dimensions;
  std::vector<CompiledCapacity> capacities;
  CompiledContactPolicy contact_policy;
  absl::TimeZone time_zone = absl::UTCTimeZone();
  CompiledLearning learning;
  std::optional<CompiledChallenger> challenger;
  std::vector<CompiledTrigger> triggers;
  std::vector<CompiledContextWeight> context_weights;
  int default_max_offers = kDefaultMaxOffers;
  std::vector<v1::StrategyProblem> warnings;

  // The fallback list for `channel` and `placement`: the channel's list for that placement, else
  // the "*" list for it, else the channel's list.
  const std::vector<int>& FallbacksFor(v1::Channel channel, absl::string_view placement) const;

  Strategy() = default;
  Strategy(const Strategy&) = delete;  // offers and segments point into document
  Strategy& operator=(const Strategy&) = delete;
};

}  // namespace nbo::core

#endif  // NBO_CORE_STRATEGY_H_
