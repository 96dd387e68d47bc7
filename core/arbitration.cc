#include "core/arbitration.h"

#include <algorithm>
#include <climits>
#include <cstddef>
#include <optional>

#include "core/apply_event.h"

namespace nbo::core {
namespace {

bool Holds(const v1::Profile& profile, absl::string_view product) {
  for (const auto& h : profile.holdings()) {
    if (h.product() == product) return true;
  }
  return false;
}

// What is the same for every candidate of one decision.
struct DecisionScope {
  const Strategy& strategy;
  const DecisionInputs& in;
  BudgetGate& budgets;
  bool marketing_allowed;   // consent
  int marketing_allowance;  // contact caps: marketing offers this decision may still answer
  const ArbitrationOptions& options;
  std::mt19937_64& rng;
  BudgetPeriod& period;  // the day and hour budget counters are keyed by, formatted once
};

bool Learns(const DecisionScope& scope) {
  return scope.options.evidence != nullptr && scope.options.arm != Arm::kControl &&
         scope.strategy.learning.mode == LearningMode::kAdaptive;
}

Posterior PosteriorOf(const DecisionScope& scope, int offer) {
  const CompiledOffer& o = scope.strategy.offers[offer];
  if (!Learns(scope)) return PosteriorFor(o, Evidence{}, Evidence{}, 0);
  const EvidenceSource& source = *scope.options.evidence;
  const Evidence all =
      source.Get(scope.options.segment_id, o.def->id(), v1::CHANNEL_UNSPECIFIED, scope.in.now);
  const Evidence channel =
      source.Get(scope.options.segment_id, o.def->id(), scope.in.event.channel(), scope.in.now);
  return PosteriorFor(o, all, channel, scope.strategy.learning.min_channel_evidence);
}

bool Mandatory(const Strategy& strategy, const Candidate& c) {
  return strategy.offers[c.offer].action_class == ActionClass::kMandatory;
}

// Indices of `kept` in policy order: mandatory first, then by score (ties keep list order).
void SortByScore(const Strategy& strategy, const std::vector<Candidate>& candidates,
                 const std::vector<double>& scores, std::vector<int>& kept) {
  std::stable_sort(kept.begin(), kept.end(), [&](int a, int b) {
    const bool ma = Mandatory(strategy, candidates[a]);
    const bool mb = Mandatory(strategy, candidates[b]);
    if (ma != mb) return ma;
    return scores[a] > scores[b];
  });
}

// Adds 1 to `counts` for each of the first `n` of `kept` in policy order (`mandatory` flags the
// mandatory candidates): the same offers as the head of SortByScore, found with a small insertion
// list rather than a sort of every candidate (SelectionProbabilities does this once per Thompson
// draw). `top` is scratch space.
void CountTopN(const std::vector<char>& mandatory, const std::vector<double>& scores,
               const std::vector<int>& kept, size_t n, std::vector<int>& top,
               std::vector<double>& counts) {
  const auto before = [&](int a, int b) {
    if (mandatory[a] != mandatory[b]) return mandatory[a] != 0;
    return scores[a] > scores[b];
  };
  top.clear();
  for (int k : kept) {
    // A later candidate passes an earlier one only when strictly ahead (stable).
    size_t at = top.size();
    while (at > 0 && before(k, top[at - 1])) --at;
    if (at >= n) continue;
    if (top.size() == n) top.pop_back();
    top.insert(top.begin() + static_cast<std::ptrdiff_t>(at), k);
  }
  for (int k : top) counts[k] += 1;
}

// The probability that the policy shows each chosen offer: 1 when the policy is deterministic;
// for the random control, n / k; for the learning arms, (1 - share) x [in the greedy top n] +
// share x P(in the top n of a Thompson draw), the latter estimated with `samples` draws.
std::vector<double> SelectionProbabilities(const DecisionScope& scope,
                                           const std::vector<Candidate>& candidates,
                                           const std::vector<int>& kept,
                                           const std::vector<Posterior>& posteriors,
                                           const std::vector<int>& chosen) {
  std::vector<double> out(chosen.size(), 1.0);
  const Strategy& strategy = scope.strategy;
  const size_t n = chosen.size();
  if (n == 0 || kept.empty()) return out;
  // Every candidate left was shown: any policy would have shown it, so each probability is 1 and
  // the Monte Carlo rounds (most of a learning decision's time) are not needed.
  if (n >= kept.size()) return out;
  if (scope.options.arm == Arm::kControl) {
    if (strategy.learning.control_policy == ControlPolicy::kRandom) {
      for (double& p : out) p = std::min(1.0, static_cast<double>(n) / kept.size());
    }
    return out;
  }
  const double share = strategy.learning.exploration_share;
  if (!Learns(scope) || share <= 0) return out;
  std::vector<double> rest(candidates.size(), 0), scores(candidates.size(), 0);
  std::vector<char> mandatory(candidates.size(), 0);
  for (int k : kept) {
    const Candidate& c = candidates[k];
    mandatory[k] = Mandatory(strategy, c);
    rest[k] = c.parts.value() * c.parts.weight() * c.parts.context() * c.parts.pacing();
    scores[k] = posteriors[k].Mean() * rest[k];
  }
  std::vector<double> greedy(candidates.size(), 0), hits(candidates.size(), 0);
  std::vector<int> top;
  top.reserve(n + 1);
  CountTopN(mandatory, scores, kept, n, top, greedy);
  const int samples = strategy.learning.selection_probability_samples;
  for (int s = 0; s < samples; ++s) {
    for (int k : kept) scores[k] = SampleBeta(posteriors[k], scope.rng) * rest[k];
    CountTopN(mandatory, scores, kept, n, top, hits);
  }
  for (size_t i = 0; i < n; ++i) {
    const int k = chosen[i];
    // Smoothed so that an offer the draws never showed still gets a probability above 0.
    const double ts = (hits[k] + 0.5) / (samples + 1);
    out[i] = (1 - share) * greedy[k] + share * ts;
  }
  return out;
}

// The fit filters, then the contact policy, in the documented order. Budgets come after scoring.
DropReason Filter(const DecisionScope& scope, const CompiledOffer& offer) {
  const DecisionInputs& in = scope.in;
  const v1::Offer& def = *offer.def;
  if (!offer.AllowedOn(in.event.channel())) return DropReason::kChannel;
  if (!offer.AllowedIn(in.placement)) return DropReason::kPlacement;
  if (in.now < offer.valid_from || in.now >= offer.valid_until) return DropReason::kValidity;
  // Consent never has an exception for marketing; SERVICE offers help with the customer's issue.
  if (offer.kind != v1::OFFER_KIND_SERVICE && !scope.marketing_allowed) {
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
  if (offer.marketing()) {
    if (DropReason r = CheckContactHistory(scope.strategy, offer, in.profile, in.now);
        r != DropReason::kNone) {
      return r;
    }
    if (scope.marketing_allowance <= 0) return DropReason::kContactCap;
  }
  return DropReason::kNone;
}

void FindActiveContext(const Strategy& strategy, const DecisionInputs& in,
                       ArbitrationResult& result) {
  for (size_t i = 0; i < strategy.triggers.size(); ++i) {
    if (strategy.triggers[i].rule.Matches(in))
      result.active_triggers.push_back(static_cast<int>(i));
  }
  for (size_t i = 0; i < strategy.context_weights.size(); ++i) {
    if (strategy.context_weights[i].rule.Matches(in)) {
      result.active_context_weights.push_back(static_cast<int>(i));
    }
  }
}

// Fills `c.factors` and `c.parts.context` from the active triggers and context weights.
void ApplyContext(const Strategy& strategy, const ArbitrationResult& active, Candidate& c) {
  const CompiledOffer& offer = strategy.offers[c.offer];
  double context = 1;
  for (int t : active.active_triggers) {
    const CompiledTrigger& trigger = strategy.triggers[t];
    if (!trigger.Covers(c.offer)) continue;
    c.factors.push_back(ContextFactor{trigger.weight, t, -1});
    context *= trigger.weight;
  }
  for (int w : active.active_context_weights) {
    const CompiledContextWeight& weight = strategy.context_weights[w];
    if (!weight.AppliesTo(c.offer, offer.kind)) continue;
    c.factors.push_back(ContextFactor{weight.weight, -1, w});
    context *= weight.weight;
  }
  c.parts.set_context(context);
}

bool IsBudgetDrop(DropReason r) {
  return r == DropReason::kBudget || r == DropReason::kPacing || r == DropReason::kCapacity;
}

// Filters, scores and chooses the candidates `result.candidates[first..]` (offer, weight and
// source set), appending the chosen to `result.chosen`. Returns the number chosen; sets
// `budget_drop` when a candidate that passed every other filter was stopped by a budget.
int Rank(const DecisionScope& scope, size_t first, int max_offers, ArbitrationResult& result,
         bool& budget_drop) {
  const Strategy& strategy = scope.strategy;
  std::vector<int> kept;
  kept.reserve(result.candidates.size() - first);
  std::vector<Posterior> posteriors(first);
  posteriors.reserve(result.candidates.size());
  for (size_t i = first; i < result.candidates.size(); ++i) {
    Candidate& c = result.candidates[i];
    const CompiledOffer& offer = strategy.offers[c.offer];
    for (size_t j = first; j < i; ++j) {
      if (result.candidates[j].offer == c.offer) c.dropped = DropReason::kDuplicate;
    }
    if (c.dropped == DropReason::kNone) c.dropped = Filter(scope, offer);
    double pacing = 1;
    if (c.dropped == DropReason::kNone) {
      const BudgetCheck check = CheckBudgets(strategy, c.offer, scope.in.event.channel(),
                                             scope.period, scope.budgets, &result.budgets);
      c.dropped = check.dropped;
      pacing = check.pacing;
      budget_drop |= IsBudgetDrop(c.dropped);
    }
    // Propensities are only worth learning for candidates that can still be chosen.
    const Posterior posterior =
        c.dropped == DropReason::kNone || c.source != CandidateSource::kFallback
            ? PosteriorOf(scope, c.offer)
            : PosteriorFor(offer, Evidence{}, Evidence{}, 0);
    posteriors.push_back(posterior);
    c.parts.set_propensity(scope.options.arm == Arm::kExplore && c.dropped == DropReason::kNone &&
                                   Learns(scope)
                               ? SampleBeta(posterior, scope.rng)
                               : posterior.Mean());
    c.parts.set_value(offer.value);
    c.parts.set_weight(c.weight);
    c.parts.set_pacing(pacing);
    ApplyContext(strategy, result, c);
    c.score = c.parts.propensity() * c.parts.value() * c.parts.weight() * c.parts.context() *
              c.parts.pacing();
    if (c.dropped == DropReason::kNone) kept.push_back(static_cast<int>(i));
  }
  std::vector<int> order = kept;
  if (scope.options.arm == Arm::kControl &&
      strategy.learning.control_policy == ControlPolicy::kRandom) {
    std::shuffle(order.begin(), order.end(), scope.rng);
  } else {
    std::vector<double> scores(result.candidates.size(), 0);
    for (int k : order) scores[k] = result.candidates[k].score;
    SortByScore(strategy, result.candidates, scores, order);
  }
  int chosen = 0;
  int marketing = 0;
  const size_t chosen_before = result.chosen.size();
  for (int k : order) {
    Candidate& c = result.candidates[k];
    const CompiledOffer& offer = strategy.offers[c.offer];
    if (chosen >= max_offers) {
      c.dropped = DropReason::kRankedOut;
      continue;
    }
    if (offer.marketing() && marketing >= scope.marketing_allowance) {
      c.dropped = DropReason::kContactCap;
      continue;
    }
    // Charged best first, so a budget that runs out mid-decision passes to the next best.
    c.dropped =
        ChargeDecision(strategy, c.offer, scope.in.event.channel(), scope.period, scope.budgets);
    if (c.dropped != DropReason::kNone) {
      budget_drop = true;
      continue;
    }
    result.chosen.push_back(k);
    ++chosen;
    marketing += offer.marketing();
  }
  const std::vector<int> mine(result.chosen.begin() + chosen_before, result.chosen.end());
  const std::vector<double> p =
      SelectionProbabilities(scope, result.candidates, kept, posteriors, mine);
  result.selection_probabilities.insert(result.selection_probabilities.end(), p.begin(), p.end());
  return chosen;
}

}  // namespace

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

ArbitrationResult Arbitrate(const Strategy& strategy,
                            const std::vector<CompiledTreatment>& treatments,
                            const DecisionInputs& in, const ArbitrationOptions& options) {
  ArbitrationResult result;
  LocalBudgetGate local;
  // Seeding a generator costs about as much as ranking a few candidates: only without one given.
  std::optional<std::mt19937_64> local_rng;
  const v1::Channel channel = in.event.channel();
  BudgetPeriod period(strategy, in.now);
  const DecisionScope scope{
      strategy,
      in,
      options.budgets != nullptr ? *options.budgets : local,
      MarketingAllowed(in.profile, channel),
      MarketingAllowance(strategy.contact_policy, in.profile, channel, in.now),
      options,
      options.rng != nullptr ? *options.rng : local_rng.emplace(0),
      period};
  FindActiveContext(strategy, in, result);
  bool budget_drop = false;
  if (!options.fallback_only) {
    // Candidates are ranked where they end up, in one allocation (a Candidate is large; each
    // reallocation copies them all).
    size_t most = treatments.size();
    for (int t : result.active_triggers) most += strategy.triggers[t].offers.size();
    result.candidates.reserve(most);
    for (const auto& t : treatments) {
      Candidate& c = result.candidates.emplace_back();
      c.offer = t.offer;
      c.weight = t.weight;
    }
    // Trigger offers join once; an offer already a candidate only gets the trigger's boost.
    for (int t : result.active_triggers) {
      for (int offer : strategy.triggers[t].offers) {
        if (std::any_of(result.candidates.begin(), result.candidates.end(),
                        [&](const Candidate& c) { return c.offer == offer; })) {
          continue;
        }
        Candidate& c = result.candidates.emplace_back();
        c.offer = offer;
        c.source = CandidateSource::kTrigger;
        c.trigger = t;
      }
    }
    if (Rank(scope, 0, options.max_offers, result, budget_drop) > 0) return result;
  }

  // The fallback list is ranked on its own (duplicates only within it); the treatments' candidates
  // stay in front with their drop reasons, for explanations.
  const size_t first = result.candidates.size();
  const std::vector<int>& fallbacks = strategy.FallbacksFor(channel, in.placement);
  result.candidates.reserve(first + fallbacks.size());
  for (int offer : fallbacks) {
    Candidate& c = result.candidates.emplace_back();
    c.offer = offer;
    c.source = CandidateSource::kFallback;
  }
  bool fallback_budget_drop = false;
  Rank(scope, first, options.max_offers, result, fallback_budget_drop);
  result.fallback = true;
  result.fallback_cause = options.fallback_only ? "latency_budget"
                          : budget_drop         ? "budget_exhausted"
                                                : "no_eligible_offer";
  return result;
}

}  // namespace nbo::core
