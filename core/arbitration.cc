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

// The triggers and context weights whose rules hold for this decision (indices, strategy order).
struct ActiveContext {
  std::vector<int> triggers;
  std::vector<int> weights;
};

ActiveContext FindActiveContext(const Strategy& strategy, const DecisionInputs& in) {
  ActiveContext active;
  for (size_t i = 0; i < strategy.triggers.size(); ++i) {
    if (strategy.triggers[i].rule.Matches(in)) active.triggers.push_back(static_cast<int>(i));
  }
  for (size_t i = 0; i < strategy.context_weights.size(); ++i) {
    if (strategy.context_weights[i].rule.Matches(in)) active.weights.push_back(static_cast<int>(i));
  }
  return active;
}

// Fills `c.factors` and `c.parts.context` from the active triggers and context weights.
void ApplyContext(const Strategy& strategy, const ActiveContext& active, Candidate& c) {
  const CompiledOffer& offer = strategy.offers[c.offer];
  double context = 1;
  for (int t : active.triggers) {
    const CompiledTrigger& trigger = strategy.triggers[t];
    if (!trigger.Covers(c.offer)) continue;
    c.factors.push_back(ContextFactor{trigger.weight, t, -1});
    context *= trigger.weight;
  }
  for (int w : active.weights) {
    const CompiledContextWeight& weight = strategy.context_weights[w];
    if (!weight.AppliesTo(c.offer, offer.kind)) continue;
    c.factors.push_back(ContextFactor{weight.weight, -1, w});
    context *= weight.weight;
  }
  c.parts.set_context(context);
}

// Fills `result` from candidates (offer, weight and source set); returns the number that
// survived the filters.
int Rank(const Strategy& strategy, std::vector<Candidate> candidates, const ActiveContext& active,
         const DecisionInputs& in, int max_offers, ArbitrationResult& result) {
  result.candidates.clear();
  result.chosen.clear();
  std::vector<int> kept;
  for (Candidate& c : candidates) {
    const int offer_index = c.offer;
    const double weight = c.weight;
    const CompiledOffer& offer = strategy.offers[offer_index];
    for (const Candidate& earlier : result.candidates) {
      if (earlier.offer == offer_index) c.dropped = DropReason::kDuplicate;
    }
    if (c.dropped == DropReason::kNone) c.dropped = Filter(offer, in);
    c.parts.set_propensity(offer.prior_rate);
    c.parts.set_value(offer.def->margin());
    c.parts.set_weight(weight);
    ApplyContext(strategy, active, c);
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

absl::string_view CandidateSourceName(CandidateSource source) {
  switch (source) {
    case CandidateSource::kSegment:
      return "segment";
    case CandidateSource::kTrigger:
      return "trigger";
    case CandidateSource::kFallback:
      return "fallback";
  }
  return "unknown";
}

ArbitrationResult Arbitrate(const Strategy& strategy, const CompiledSegment& segment,
                            const DecisionInputs& in, int max_offers) {
  ArbitrationResult result;
  const ActiveContext active = FindActiveContext(strategy, in);
  std::vector<Candidate> candidates;
  candidates.reserve(segment.treatments.size());
  for (const auto& t : segment.treatments) {
    Candidate& c = candidates.emplace_back();
    c.offer = t.offer;
    c.weight = t.weight;
  }
  // Trigger offers join once; an offer already a candidate only gets the trigger's context boost.
  for (int t : active.triggers) {
    for (int offer : strategy.triggers[t].offers) {
      if (std::any_of(candidates.begin(), candidates.end(),
                      [&](const Candidate& c) { return c.offer == offer; })) {
        continue;
      }
      Candidate& c = candidates.emplace_back();
      c.offer = offer;
      c.source = CandidateSource::kTrigger;
      c.trigger = t;
    }
  }
  if (Rank(strategy, std::move(candidates), active, in, max_offers, result) > 0) return result;

  candidates.clear();
  const int channel = in.event.channel();
  if (channel >= 0 && channel < kChannelSlots) {
    for (int offer : strategy.fallbacks[channel]) {
      Candidate& c = candidates.emplace_back();
      c.offer = offer;
      c.source = CandidateSource::kFallback;
    }
  }
  ArbitrationResult fallback;
  Rank(strategy, std::move(candidates), active, in, max_offers, fallback);
  // Keep the segment's candidates (with their drop reasons) for explanations.
  fallback.candidates.insert(fallback.candidates.begin(), result.candidates.begin(),
                             result.candidates.end());
  for (int& i : fallback.chosen) i += static_cast<int>(result.candidates.size());
  fallback.fallback = true;
  fallback.fallback_cause = "no_eligible_offer";
  return fallback;
}

}  // namespace nbo::core
