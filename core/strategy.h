// A loaded strategy: the strategy document plus everything compiled from it once at load time
// (rules, reason templates, offer index, fallbacks per channel). Immutable once built; shared by
// all decisions through std::shared_ptr<const Strategy> and swapped whole on reload.
#ifndef NBO_CORE_STRATEGY_H_
#define NBO_CORE_STRATEGY_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

struct CompiledOffer {
  const v1::Offer* def = nullptr;  // points into Strategy::document
  v1::OfferKind kind = v1::OFFER_KIND_UNSPECIFIED;
  uint32_t channel_mask = 0;  // bit per Channel value; 0 = every channel
  double prior_rate = kDefaultPriorRate;
  double prior_weight = kDefaultPriorWeight;
  std::optional<Rule> eligibility;
  ReasonTemplate reason;

  bool AllowedOn(v1::Channel channel) const {
    return channel_mask == 0 || (channel_mask & (1u << channel)) != 0;
  }
};

struct CompiledTreatment {
  int offer = 0;  // index into Strategy::offers
  double weight = 1;
};

struct CompiledSegment {
  const v1::Segment* def = nullptr;  // points into Strategy::document
  Rule rule;
  std::vector<CompiledTreatment> treatments;
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
  std::vector<CompiledTrigger> triggers;
  std::vector<CompiledContextWeight> context_weights;
  int default_max_offers = kDefaultMaxOffers;
  std::vector<v1::StrategyProblem> warnings;

  Strategy() = default;
  Strategy(const Strategy&) = delete;  // offers and segments point into document
  Strategy& operator=(const Strategy&) = delete;
};

}  // namespace nbo::core

#endif  // NBO_CORE_STRATEGY_H_
