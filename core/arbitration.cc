#include "core/arbitration.h"

#include <algorithm>

#include "core/apply_event.h"

namespace nbo::core {
namespace {

bool Holds(const v1::Profile& profile, absl::string_view product) {
  for (const auto& h : profile.holdings()) {
    if (h.product() == product) return true;
  }
  return false;
}

DropReason Filter(const CompiledOffer& offer, const DecisionInputs& in) {
  const v1::Offer& def = *offer.def;
  if (!offer.AllowedOn(in.event.channel())) return DropReason::kChannel;
  // Consent never has an exception for marketing; SERVICE offers help with the customer's issue.
  if (offer.kind != v1::OFFER_KIND_SERVICE && !MarketingAllowed(in.profile, in.event.channel())) {
    return DropReason::kNoConsent;
  }
  if (!def.product().empty() && Holds(in.profile, def.product())) return DropReason::kAlreadyHeld;
  if (!def.requires_any().empty() &&
      std::none_of(def.requires_any().begin(), def.requires_any().end(),
                   [&](const std::string& p) { return Holds(in.profile, p); })) {
    return DropReason::kMissingBase;
  }
  for (const auto& p : def.excludes()) {
    if (Holds(in.profile, p)) return DropReason::kExcludedHolding;
  }
  if (offer.eligibility && !offer.eligibility->Matches(in)) return DropReason::kNotEligible;
  return DropReason::kNone;
}

// Fills `result` from (offer, weight) pairs; returns the number that survived the filters.
template <typename Pairs>
int Rank(const Strategy& strategy, const Pairs& pairs, const DecisionInputs& in, int max_offers,
         ArbitrationResult& result) {
  result.candidates.clear();
  result.chosen.clear();
  std::vector<int> kept;
  for (const auto& [offer_index, weight] : pairs) {
    Candidate c;
    c.offer = offer_index;
    c.weight = weight;
    const CompiledOffer& offer = strategy.offers[offer_index];
    for (const Candidate& earlier : result.candidates) {
      if (earlier.offer == offer_index) c.dropped = DropReason::kDuplicate;
    }
    if (c.dropped == DropReason::kNone) c.dropped = Filter(offer, in);
    c.parts.set_propensity(offer.prior_rate);
    c.parts.set_value(offer.def->margin());
    c.parts.set_weight(weight);
    c.parts.set_context(1.0);
    c.score = c.parts.propensity() * c.parts.value() * c.parts.weight() * c.parts.context();
    if (c.dropped == DropReason::kNone) kept.push_back(static_cast<int>(result.candidates.size()));
    result.candidates.push_back(std::move(c));
  }
  std::stable_sort(kept.begin(), kept.end(), [&](int a, int b) {
    return result.candidates[a].score > result.candidates[b].score;
  });
  for (size_t i = 0; i < kept.size(); ++i) {
    if (static_cast<int>(i) < max_offers) {
      result.chosen.push_back(kept[i]);
    } else {
      result.candidates[kept[i]].dropped = DropReason::kRankedOut;
    }
  }
  return static_cast<int>(kept.size());
}

}  // namespace

absl::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kNone:
      return "kept";
    case DropReason::kAlreadyHeld:
      return "already_held";
    case DropReason::kMissingBase:
      return "missing_base_product";
    case DropReason::kExcludedHolding:
      return "excluded_holding";
    case DropReason::kChannel:
      return "channel";
    case DropReason::kNotEligible:
      return "not_eligible";
    case DropReason::kNoConsent:
      return "no_consent";
    case DropReason::kDuplicate:
      return "duplicate";
    case DropReason::kRankedOut:
      return "ranked_out";
  }
  return "unknown";
}

ArbitrationResult Arbitrate(const Strategy& strategy, const CompiledSegment& segment,
                            const DecisionInputs& in, int max_offers) {
  ArbitrationResult result;
  std::vector<std::pair<int, double>> pairs;
  pairs.reserve(segment.treatments.size());
  for (const auto& t : segment.treatments) pairs.emplace_back(t.offer, t.weight);
  if (Rank(strategy, pairs, in, max_offers, result) > 0) return result;

  pairs.clear();
  const int channel = in.event.channel();
  if (channel >= 0 && channel < kChannelSlots) {
    for (int offer : strategy.fallbacks[channel]) pairs.emplace_back(offer, 1.0);
  }
  ArbitrationResult fallback;
  Rank(strategy, pairs, in, max_offers, fallback);
  // Keep the segment's candidates (with their drop reasons) for explanations.
  fallback.candidates.insert(fallback.candidates.begin(), result.candidates.begin(),
                             result.candidates.end());
  for (int& i : fallback.chosen) i += static_cast<int>(result.candidates.size());
  fallback.fallback = true;
  fallback.fallback_cause = "no_eligible_offer";
  return fallback;
}

}  // namespace nbo::core
