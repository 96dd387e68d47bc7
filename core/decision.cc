#include "core/decision.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/explain.h"
#include "core/names.h"
#include "core/segmentation.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

void AddReasonCodes(const Strategy& strategy, const Candidate& c, v1::RankedOffer& out) {
  const CompiledOffer& offer = strategy.offers[c.offer];
  switch (c.source) {
    case CandidateSource::kSegment:
      out.add_reason_codes("SEGMENT_TREATMENT");
      break;
    case CandidateSource::kTrigger:
      out.add_reason_codes("TRIGGER");
      break;
    case CandidateSource::kFallback:
      out.add_reason_codes("FALLBACK");
      break;
  }
  // The reason codes of the triggers that added or boosted the offer, once each.
  for (const ContextFactor& f : c.factors) {
    if (f.trigger < 0) continue;
    const std::string& code = strategy.triggers[f.trigger].def->reason_code();
    if (code.empty() || std::find(out.reason_codes().begin(), out.reason_codes().end(), code) !=
                            out.reason_codes().end()) {
      continue;
    }
    out.add_reason_codes(code);
  }
  if (!offer.def->requires_any().empty()) out.add_reason_codes("HOLDS_BASE_PRODUCT");
  if (!offer.def->product().empty()) out.add_reason_codes("PRODUCT_NOT_HELD");
  if (offer.eligibility) out.add_reason_codes("ELIGIBILITY_RULE_MET");
}

// The customer, segment, micro-segment and arm of a response, whoever chose its offers.
void SetWho(const v1::Profile& profile, const CompiledSegment& segment,
            const CompiledMicroSegment* micro, Arm arm, v1::DecideResponse& r) {
  r.set_customer_id(profile.customer_id());
  r.set_segment_id(segment.def->id());
  r.set_segment_name(segment.def->name());
  if (micro != nullptr) r.set_micro_segment_id(micro->def->id());
  r.set_arm(std::string(ArmName(arm)));
}

// The part of MakeDecision after the arm when the answer was already given (a latency
// fallback): the offers answered join the contact log; nothing is arbitrated or charged.
DecisionResult RecordAnswered(v1::Profile& profile, const Strategy& strategy,
                              const CompiledSegment& segment, const CompiledMicroSegment* micro,
                              Arm arm, v1::Channel channel, absl::Time now,
                              const v1::DecideResponse& answered, DecisionResult result) {
  std::vector<int> shown;
  for (const v1::RankedOffer& o : answered.offers()) {
    if (auto it = strategy.offer_index.find(o.offer_id()); it != strategy.offer_index.end()) {
      shown.push_back(it->second);
    }
  }
  LogContacts(strategy, shown, channel, now, profile);
  result.segment_rule = segment.def->rule();
  result.arbitration.fallback = answered.fallback();
  result.response = answered;
  // Control and challenger are the customer's (by hash) whatever was answered; the explore draw
  // is the decision's, and a fallback explored nothing.
  SetWho(profile, segment, micro, arm == Arm::kExplore ? Arm::kModel : arm, result.response);
  return result;
}

}  // namespace

v1::DecideResponse LatencyFallback(const Strategy& strategy, const v1::DecideRequest& request,
                                   absl::Time now) {
  static const v1::Profile* const kUnknown = new v1::Profile();
  v1::DecideResponse r;
  r.set_strategy_version(strategy.document.version());
  r.set_fallback(true);
  r.set_fallback_cause("latency_budget");
  ToProto(now, r.mutable_decided_at());
  const int max_offers =
      request.max_offers() > 0 ? request.max_offers() : strategy.default_max_offers;
  const v1::Channel channel = request.event().channel();
  for (int index : strategy.FallbacksFor(channel, request.placement())) {
    if (r.offers_size() >= max_offers) break;
    const CompiledOffer& offer = strategy.offers[index];
    const v1::Offer& def = *offer.def;
    // Without the profile neither consent nor holdings nor eligibility can be checked, and a
    // budget charged here could not be written with the decision: only what is safe for anyone.
    const bool safe = offer.kind == v1::OFFER_KIND_SERVICE && offer.AllowedOn(channel) &&
                      offer.AllowedIn(request.placement()) && now >= offer.valid_from &&
                      now < offer.valid_until && def.product().empty() &&
                      def.requires_any().empty() && def.excludes().empty() && !offer.eligibility &&
                      !offer.budget && offer.capacities.empty();
    if (!safe) continue;
    v1::RankedOffer* o = r.add_offers();
    o->set_offer_id(def.id());
    o->set_name(def.name());
    o->set_kind(offer.kind);
    o->mutable_parts()->set_propensity(offer.prior_rate);
    o->mutable_parts()->set_value(offer.value);
    o->mutable_parts()->set_weight(1);
    o->mutable_parts()->set_context(1);
    o->mutable_parts()->set_pacing(1);
    o->set_score(offer.prior_rate * offer.value);
    o->set_reason(offer.reason.Render(ReasonInputs{def.name(), "", "", kUnknown, now}));
    o->add_reason_codes("FALLBACK");
    o->set_selection_probability(1);
  }
  return r;
}

DecisionResult MakeDecision(v1::Profile& profile, const v1::DecideRequest& request,
                            const Strategy& strategy, absl::Time now,
                            const ProfileSettings& settings, const DecisionOptions& options) {
  const v1::Event& event = request.event();
  ApplyEvent(profile, event, now, settings);

  absl::string_view call_reason = request.context().call_reason();
  if (call_reason.empty() && event.has_call_started()) call_reason = event.call_started().reason();
  absl::string_view product_in_view = request.context().product_in_view();
  if (product_in_view.empty() && event.has_page_view())
    product_in_view = event.page_view().product();
  const DecisionInputs in{profile, event,    request.placement(), call_reason, product_in_view,
                          now,     &settings};

  DecisionResult result;
  result.previous_segment_id = profile.segment_id();
  const int segment_index = AssignSegment(strategy, in);
  const CompiledSegment& segment = strategy.segments[segment_index];
  result.segment_changed = RecordSegment(profile, strategy, segment_index, now, settings);
  const CompiledMicroSegment* micro = nullptr;
  if (!strategy.dimensions.empty()) {
    const std::vector<int> levels = AssignLevels(strategy, in);
    for (size_t d = 0; d < levels.size(); ++d) {
      if (levels[d] < 0) continue;
      const v1::Dimension& dim = *strategy.dimensions[d].def;
      result.dimension_levels.push_back(absl::StrCat(dim.id(), "=", dim.levels(levels[d]).id()));
    }
    if (const int m = AssignMicroSegment(segment, levels); m >= 0) {
      micro = &segment.micro_segments[m];
    }
  }

  // The arm: the control group by a stable hash of the customer, then the challenger's share by
  // another; otherwise explore with the configured share (adaptive learning only).
  std::mt19937_64 local_rng(
      std::hash<std::string>()(absl::StrCat(profile.customer_id(), "|", event.event_id())));
  std::mt19937_64& rng = options.rng != nullptr ? *options.rng : local_rng;
  const CompiledLearning& learning = strategy.learning;
  Arm arm = Arm::kModel;
  const std::vector<CompiledTreatment>* treatments =
      micro != nullptr ? &micro->treatments : &segment.treatments;
  if (InControlGroup(profile.customer_id(), now, learning)) {
    arm = Arm::kControl;
  } else if (strategy.challenger && strategy.challenger->share > 0 &&
             InChallenger(profile.customer_id(), strategy.challenger->def->id(),
                          strategy.challenger->share, now, learning.control_period)) {
    arm = Arm::kChallenger;
    if (const auto& own = strategy.challenger->treatments[segment_index]; own.has_value()) {
      treatments = &*own;
      micro = nullptr;  // the challenger's table replaces the segment's refinements too
    }
  } else if (learning.mode == LearningMode::kAdaptive && learning.exploration_share > 0 &&
             std::uniform_real_distribution<double>(0, 1)(rng) < learning.exploration_share) {
    arm = Arm::kExplore;
  }

  if (options.answered != nullptr) {
    return RecordAnswered(profile, strategy, segment, micro, arm, event.channel(), now,
                          *options.answered, std::move(result));
  }

  ArbitrationOptions arbitration;
  arbitration.evidence = options.evidence;
  arbitration.segment_id = segment.def->id();
  arbitration.arm = arm;
  arbitration.rng = &rng;
  arbitration.max_offers =
      request.max_offers() > 0 ? request.max_offers() : strategy.default_max_offers;
  arbitration.budgets = options.budgets;
  arbitration.fallback_only = options.fallback_only;
  result.arbitration = Arbitrate(strategy, *treatments, in, arbitration);
  result.explanations = ExplainCandidates(strategy, result.arbitration, profile, event.channel());
  result.segment_rule = segment.def->rule();
  {
    std::vector<int> answered;
    for (int chosen : result.arbitration.chosen) {
      answered.push_back(result.arbitration.candidates[chosen].offer);
    }
    LogContacts(strategy, answered, event.channel(), now, profile);
  }

  v1::DecideResponse& r = result.response;
  SetWho(profile, segment, micro, arm, r);
  r.set_strategy_version(strategy.document.version());
  r.set_fallback(result.arbitration.fallback);
  r.set_fallback_cause(std::string(result.arbitration.fallback_cause));
  ToProto(now, r.mutable_decided_at());
  if (!MarketingAllowed(profile, event.channel())) {
    r.set_consent_note(absl::StrCat("The customer opted out of marketing on ",
                                    ChannelName(event.channel()),
                                    "; only service offers are shown."));
  }
  for (size_t i = 0; i < result.arbitration.chosen.size(); ++i) {
    const Candidate& c = result.arbitration.candidates[result.arbitration.chosen[i]];
    const CompiledOffer& offer = strategy.offers[c.offer];
    v1::RankedOffer* o = r.add_offers();
    o->set_offer_id(offer.def->id());
    o->set_name(offer.def->name());
    o->set_kind(offer.kind);
    o->set_product(offer.def->product());
    o->set_score(c.score);
    *o->mutable_parts() = c.parts;
    o->set_reason(offer.reason.Render(ReasonInputs{
        offer.def->name(), segment.def->name(), offer.def->product(), &profile, now, &settings}));
    AddReasonCodes(strategy, c, *o);
    if (i < result.arbitration.selection_probabilities.size()) {
      o->set_selection_probability(result.arbitration.selection_probabilities[i]);
    }
  }
  return result;
}

}  // namespace nbo::core
