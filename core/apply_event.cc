#include "core/apply_event.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/names.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

constexpr double kLn2 = 0.693147180559945309417;
constexpr double kDaysPerYear = 365;

// Interest weights per event (docs/profile.md, "Interests").
constexpr double kInterestPageView = 1;
constexpr double kInterestSearch = 1;
constexpr double kInterestCartAdd = 3;
constexpr double kInterestCartRemove = -3;
constexpr double kInterestPurchase = 10;
constexpr double kInterestStated = 5;
// InterestLevel is score / (score + kInterestHalfLevel): this raw score reads as 0.5.
constexpr double kInterestHalfLevel = 5;

// Retention heuristic (docs/profile.md, "Customer value").
constexpr double kRetentionBase = 0.9;
constexpr double kRetentionRecencyHalfLifeDays = 180;
constexpr double kRetentionPerComplaint = 0.25;
constexpr double kRetentionMin = 0.05;
constexpr double kRetentionMax = 0.99;

double Days(absl::Duration d) { return absl::FDivDuration(d, absl::Hours(24)); }

double DecayFactor(absl::Duration elapsed, absl::Duration half_life) {
  if (elapsed == absl::ZeroDuration()) return 1;
  return std::exp2(-absl::FDivDuration(elapsed, half_life));
}

// Moves `*ts` forward to `t`. An unset Timestamp reads as the Unix epoch, before every valid
// event time (validation refuses earlier ones), so calling mutable_*() first is harmless.
void SetMax(google::protobuf::Timestamp* ts, absl::Time t) {
  if (FromProto(*ts) < t) ToProto(t, ts);
}

void CountChannel(v1::Profile& profile, v1::Channel channel, absl::Time at) {
  v1::ChannelUsage* usage = nullptr;
  for (auto& u : *profile.mutable_channel_usage()) {
    if (u.channel() == channel) {
      usage = &u;
      break;
    }
  }
  if (usage == nullptr) {
    usage = profile.add_channel_usage();
    usage->set_channel(channel);
  }
  usage->set_interactions(usage->interactions() + 1);
  SetMax(usage->mutable_last_seen(), at);
}

void RemoveHolding(v1::Profile& profile, absl::string_view product) {
  auto* holdings = profile.mutable_holdings();
  for (int i = 0; i < holdings->size(); ++i) {
    if (holdings->Get(i).product() == product) {
      holdings->DeleteSubrange(i, 1);
      return;
    }
  }
}

// Adds `weight` to the interest in `category`. A category whose score drops to 0 or below is
// removed (the floor); a full list replaces its weakest entry, unless the newcomer is weaker.
void AddInterest(v1::Profile& profile, absl::string_view category, double weight, absl::Time at,
                 absl::Time now, const ProfileSettings& s) {
  if (category.empty() || weight == 0 || s.max_interests <= 0) return;
  auto* list = profile.mutable_interests();
  for (int i = 0; i < list->size(); ++i) {
    v1::CategoryInterest& ci = *list->Mutable(i);
    if (ci.category() != category) continue;
    AddDecayed(*ci.mutable_score(), weight, at, s.interest_half_life);
    if (ci.score().value() <= 0) list->DeleteSubrange(i, 1);
    return;
  }
  if (weight < 0) return;  // nothing to take away from
  v1::CategoryInterest* slot;
  if (list->size() >= s.max_interests) {
    int weakest = 0;
    double weakest_score = std::numeric_limits<double>::infinity();
    for (int i = 0; i < list->size(); ++i) {
      const double v = DecayedValueAt(list->Get(i).score(), now, s.interest_half_life);
      if (v < weakest_score) {
        weakest = i;
        weakest_score = v;
      }
    }
    if (weight * DecayFactor(now - at, s.interest_half_life) <= weakest_score) return;
    slot = list->Mutable(weakest);
    slot->Clear();
  } else {
    slot = list->Add();
  }
  slot->mutable_category()->assign(category.data(), category.size());
  AddDecayed(*slot->mutable_score(), weight, at, s.interest_half_life);
}

// Appends `v` with two decimals ("30.00"), without the cost of printf.
void AppendAmount(double v, std::string* out) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e15) {
    absl::StrAppend(out, v);
    return;
  }
  const long long cents = std::llround(v * 100);
  const long long abs_cents = std::llabs(cents);
  const long long frac = abs_cents % 100;
  absl::StrAppend(out, cents < 0 ? "-" : "", abs_cents / 100, frac < 10 ? ".0" : ".", frac);
}

absl::string_view ConsentTarget(v1::Channel channel) {
  return channel == v1::CHANNEL_UNSPECIFIED ? "marketing" : ChannelName(channel);
}

// The one-line summary of an event in the recent-events ring.
void AppendSummary(const v1::Event& e, std::string* out) {
  switch (e.kind_case()) {
    case v1::Event::kPageView: {
      const auto& pv = e.page_view();
      absl::string_view what = !pv.product().empty()    ? pv.product()
                               : !pv.category().empty() ? pv.category()
                                                        : pv.page();
      absl::StrAppend(out, what.empty() ? "viewed a page" : "viewed ", what);
      return;
    }
    case v1::Event::kSearch:
      absl::StrAppend(out, "searched \"", e.search().query(), "\"");
      if (!e.search().category().empty()) absl::StrAppend(out, " in ", e.search().category());
      return;
    case v1::Event::kCartAdd:
      absl::StrAppend(out, "added ", e.cart_add().product(), " to cart");
      return;
    case v1::Event::kCartRemove:
      absl::StrAppend(out, "removed ", e.cart_remove().product(), " from cart");
      return;
    case v1::Event::kPurchase: {
      constexpr int kListed = 3;
      const auto& items = e.purchase().items();
      double amount = 0;
      out->append("bought ");
      for (int i = 0; i < items.size(); ++i) {
        amount += items[i].amount();
        if (i < kListed) absl::StrAppend(out, i > 0 ? ", " : "", items[i].product());
      }
      if (items.size() > kListed) absl::StrAppend(out, " and ", items.size() - kListed, " more");
      out->append(" (");
      AppendAmount(amount, out);
      out->append(")");
      return;
    }
    case v1::Event::kCallStarted:
      out->append("called");
      if (!e.call_started().reason().empty()) absl::StrAppend(out, ": ", e.call_started().reason());
      return;
    case v1::Event::kStoreVisit:
      out->append("visited a store");
      if (!e.store_visit().store_id().empty())
        absl::StrAppend(out, ": ", e.store_visit().store_id());
      return;
    case v1::Event::kAppOpen:
      out->append("opened the app");
      if (!e.app_open().screen().empty()) absl::StrAppend(out, ": ", e.app_open().screen());
      return;
    case v1::Event::kComplaint:
      absl::StrAppend(out, "complaint (severity ", e.complaint().severity(), ")");
      if (!e.complaint().topic().empty()) absl::StrAppend(out, ": ", e.complaint().topic());
      return;
    case v1::Event::kLifeEvent:
      absl::StrAppend(out, "life event: ", e.life_event().kind());
      return;
    case v1::Event::kSurveyAnswer: {
      const auto& s = e.survey_answer();
      if (s.has_nps()) absl::StrAppend(out, "NPS ", s.nps());
      if (!s.interests().empty()) {
        absl::StrAppend(out, s.has_nps() ? "; " : "", "interested in ");
        for (int i = 0; i < s.interests_size(); ++i) {
          absl::StrAppend(out, i > 0 ? ", " : "", s.interests(i));
        }
      }
      if (!s.has_nps() && s.interests().empty()) out->append("answered a survey");
      return;
    }
    case v1::Event::kConsentChange:
      absl::StrAppend(out, e.consent_change().opted_in() ? "opted in to " : "opted out of ",
                      ConsentTarget(e.consent_change().channel()));
      return;
    case v1::Event::kProductRemoved:
      absl::StrAppend(out, "no longer holds ", e.product_removed().product());
      if (!e.product_removed().reason().empty()) {
        absl::StrAppend(out, " (", e.product_removed().reason(), ")");
      }
      return;
    case v1::Event::KIND_NOT_SET:
      return;
  }
}

// Inserts the event into the ring in time order (after events of the same time), dropping the
// oldest beyond the bound. The dropped entry's storage is reused for the new one.
void RecordRecentEvent(v1::Profile& profile, const v1::Event& e, absl::Time at, int max) {
  auto* ring = profile.mutable_recent_events();
  if (max <= 0) {
    ring->Clear();
    return;
  }
  if (ring->size() > max) ring->DeleteSubrange(0, ring->size() - max);
  int pos = ring->size();
  while (pos > 0 && FromProto(ring->Get(pos - 1).occurred_at()) > at) --pos;
  v1::RecentEvent* slot;
  if (ring->size() == max) {
    if (pos == 0) return;  // older than every kept event: it would be dropped at once
    // Move the oldest entry to pos - 1, shifting the ones before it down by one.
    for (int i = 0; i + 1 < pos; ++i) ring->SwapElements(i, i + 1);
    slot = ring->Mutable(pos - 1);
    slot->Clear();
  } else {
    slot = ring->Add();
    for (int i = ring->size() - 1; i > pos; --i) ring->SwapElements(i, i - 1);
  }
  slot->set_event_id(e.event_id());
  const absl::string_view kind = EventKindName(e);
  slot->mutable_kind()->assign(kind.data(), kind.size());
  slot->set_channel(e.channel());
  ToProto(at, slot->mutable_occurred_at());
  slot->set_source(e.source());
  AppendSummary(e, slot->mutable_summary());
}

void ApplyLifeEvent(v1::Profile& profile, const v1::Event& e, absl::Time at, absl::Time now,
                    const ProfileSettings& s) {
  const v1::LifeEvent& le = e.life_event();
  const absl::Time happened = le.has_happened_at() ? FromProto(le.happened_at()) : at;
  const absl::Time expires = happened + s.TriggerWindow(le.kind());
  v1::ActiveTrigger* trigger = nullptr;
  for (auto& t : *profile.mutable_triggers()) {
    if (t.kind() == le.kind()) {
      if (FromProto(t.happened_at()) >= happened) return;  // the stored one is as new or newer
      trigger = &t;
      break;
    }
  }
  if (trigger == nullptr) {
    if (expires <= now) return;  // over already
    trigger = profile.add_triggers();
    trigger->set_kind(le.kind());
  }
  ToProto(happened, trigger->mutable_happened_at());
  ToProto(expires, trigger->mutable_expires_at());
  trigger->set_event_id(e.event_id());
}

void ApplyComplaint(v1::Profile& profile, const v1::Complaint& c, absl::Time at,
                    const ProfileSettings& s) {
  v1::ServiceSignals& svc = *profile.mutable_service();
  AddDecayed(*svc.mutable_complaints(), c.severity() / 3.0, at, s.complaints_half_life);
  svc.set_complaints_total(svc.complaints_total() + 1);
  SetMax(svc.mutable_last_complaint(), at);
}

void ApplySurvey(v1::Profile& profile, const v1::SurveyAnswer& survey, absl::Time at,
                 absl::Time now, const ProfileSettings& s) {
  if (survey.has_nps()) {
    v1::ServiceSignals& svc = *profile.mutable_service();
    if (!svc.has_last_nps() || FromProto(svc.last_nps_at()) <= at) {
      svc.set_last_nps(survey.nps());
      ToProto(at, svc.mutable_last_nps_at());
    }
  }
  for (const auto& category : survey.interests()) {
    AddInterest(profile, category, kInterestStated, at, now, s);
  }
}

void ApplyPurchase(v1::Profile& profile, const v1::Purchase& purchase, absl::Time at,
                   absl::Time now, const ProfileSettings& s) {
  profile.set_purchases(profile.purchases() + 1);
  double amount = 0, margin = 0;
  for (const auto& item : purchase.items()) {
    amount += item.amount();
    margin += item.margin();
    AddHolding(profile, item.product(), item.category(), at);
    AddInterest(profile, item.category(), kInterestPurchase, at, now, s);
  }
  profile.set_monetary_total(profile.monetary_total() + amount);
  profile.set_margin_total(profile.margin_total() + margin);
  v1::Rfm& rfm = *profile.mutable_rfm();
  AddDecayed(*rfm.mutable_monetary(), amount, at, s.monetary_half_life);
  AddDecayed(*rfm.mutable_margin(), margin, at, s.monetary_half_life);
  SetMax(rfm.mutable_last_purchase(), at);
}

double NpsFactor(int nps) {
  if (nps >= 9) return 1.1;
  if (nps >= 7) return 1.0;
  return 0.7 + 0.05 * nps;
}

}  // namespace

absl::Time OccurredAt(const v1::Event& event, absl::Time now) {
  return event.has_occurred_at() ? FromProto(event.occurred_at()) : now;
}

double DecayedValueAt(const v1::DecayedValue& value, absl::Time t, absl::Duration half_life) {
  if (!value.has_at()) return value.value();
  return value.value() * DecayFactor(t - FromProto(value.at()), half_life);
}

void AddDecayed(v1::DecayedValue& value, double x, absl::Time t, absl::Duration half_life) {
  if (!value.has_at()) {
    value.set_value(value.value() + x);
    ToProto(t, value.mutable_at());
    return;
  }
  const absl::Time at = FromProto(value.at());
  if (t <= at) {
    value.set_value(value.value() + x * DecayFactor(at - t, half_life));
  } else {
    value.set_value(value.value() * DecayFactor(t - at, half_life) + x);
    ToProto(t, value.mutable_at());
  }
}

double RetentionProbability(const v1::Profile& profile, absl::Time now,
                            const ProfileSettings& settings) {
  double p = kRetentionBase;
  if (profile.has_last_seen()) {
    const double days = std::max(0.0, Days(now - FromProto(profile.last_seen())));
    p *= std::exp2(-days / kRetentionRecencyHalfLifeDays);
  }
  const double complaints = std::max(
      0.0, DecayedValueAt(profile.service().complaints(), now, settings.complaints_half_life));
  p /= 1 + kRetentionPerComplaint * complaints;
  if (profile.service().has_last_nps()) p *= NpsFactor(profile.service().last_nps());
  return std::clamp(p, kRetentionMin, kRetentionMax);
}

v1::CustomerValue ComputeValue(const v1::Profile& profile, absl::Time now,
                               const ProfileSettings& settings) {
  v1::CustomerValue v;
  const double retention = RetentionProbability(profile, now, settings);
  const double margin_now =
      DecayedValueAt(profile.rfm().margin(), now, settings.monetary_half_life);
  const double yearly = margin_now * kLn2 / Days(settings.monetary_half_life) * kDaysPerYear;
  v.set_actual(profile.margin_total());
  v.set_potential(yearly * retention);
  v.set_total(v.actual() + v.potential());
  v.set_retention_probability(retention);
  return v;
}

void ApplyEvent(v1::Profile& profile, const v1::Event& event, absl::Time now,
                const ProfileSettings& settings) {
  const absl::Time at = OccurredAt(event, now);
  if (!profile.has_first_seen() || FromProto(profile.first_seen()) > at) {
    ToProto(at, profile.mutable_first_seen());
  }
  SetMax(profile.mutable_last_seen(), at);
  profile.set_interactions(profile.interactions() + 1);
  CountChannel(profile, event.channel(), at);
  AddDecayed(*profile.mutable_rfm()->mutable_frequency(), 1, at, settings.frequency_half_life);
  PruneExpiredTriggers(profile, now);

  switch (event.kind_case()) {
    case v1::Event::kPageView:
      AddInterest(profile, event.page_view().category(), kInterestPageView, at, now, settings);
      break;
    case v1::Event::kSearch:
      AddInterest(profile, event.search().category(), kInterestSearch, at, now, settings);
      break;
    case v1::Event::kCartAdd:
      AddInterest(profile, event.cart_add().category(), kInterestCartAdd, at, now, settings);
      break;
    case v1::Event::kCartRemove:
      AddInterest(profile, event.cart_remove().category(), kInterestCartRemove, at, now, settings);
      break;
    case v1::Event::kPurchase:
      ApplyPurchase(profile, event.purchase(), at, now, settings);
      break;
    case v1::Event::kComplaint:
      ApplyComplaint(profile, event.complaint(), at, settings);
      break;
    case v1::Event::kLifeEvent:
      ApplyLifeEvent(profile, event, at, now, settings);
      break;
    case v1::Event::kSurveyAnswer:
      ApplySurvey(profile, event.survey_answer(), at, now, settings);
      break;
    case v1::Event::kConsentChange:
      ApplyConsent(profile, event.consent_change().channel(), event.consent_change().opted_in(), at,
                   event.source());
      break;
    case v1::Event::kProductRemoved:
      RemoveHolding(profile, event.product_removed().product());
      break;
    case v1::Event::kCallStarted:
    case v1::Event::kStoreVisit:
    case v1::Event::kAppOpen:
    case v1::Event::KIND_NOT_SET:
      break;
  }
  RecordRecentEvent(profile, event, at, settings.recent_events);
  *profile.mutable_value() = ComputeValue(profile, now, settings);
}

double InterestLevel(const v1::Profile& profile, absl::string_view category, absl::Time now,
                     const ProfileSettings& settings) {
  for (const auto& ci : profile.interests()) {
    if (ci.category() != category) continue;
    const double score =
        std::max(0.0, DecayedValueAt(ci.score(), now, settings.interest_half_life));
    return score / (score + kInterestHalfLevel);
  }
  return 0;
}

v1::Channel PreferredChannel(const v1::Profile& profile) {
  const v1::ChannelUsage* best = nullptr;
  for (const auto& u : profile.channel_usage()) {
    if (best == nullptr || u.interactions() > best->interactions()) best = &u;
  }
  return best == nullptr ? v1::CHANNEL_UNSPECIFIED : best->channel();
}

const v1::ActiveTrigger* FindActiveTrigger(const v1::Profile& profile, absl::string_view kind,
                                           absl::Time now) {
  for (const auto& t : profile.triggers()) {
    if (t.kind() == kind) return FromProto(t.expires_at()) > now ? &t : nullptr;
  }
  return nullptr;
}

void PruneExpiredTriggers(v1::Profile& profile, absl::Time now) {
  auto* triggers = profile.mutable_triggers();
  int kept = 0;
  for (int i = 0; i < triggers->size(); ++i) {
    if (FromProto(triggers->Get(i).expires_at()) <= now) continue;
    if (kept != i) triggers->SwapElements(kept, i);
    ++kept;
  }
  if (kept < triggers->size()) triggers->DeleteSubrange(kept, triggers->size() - kept);
}

void ApplyConsent(v1::Profile& profile, v1::Channel channel, bool opted_in, absl::Time at,
                  absl::string_view source) {
  v1::ConsentEntry* entry = nullptr;
  for (auto& c : *profile.mutable_consents()) {
    if (c.channel() == channel) {
      if (FromProto(c.at()) > at) return;  // a newer decision is on record
      entry = &c;
      break;
    }
  }
  if (entry == nullptr) {
    entry = profile.add_consents();
    entry->set_channel(channel);
  }
  entry->set_opted_in(opted_in);
  ToProto(at, entry->mutable_at());
  entry->mutable_source()->assign(source.data(), source.size());
}

bool MarketingAllowed(const v1::Profile& profile, v1::Channel channel) {
  for (const auto& c : profile.consents()) {
    if ((c.channel() == channel || c.channel() == v1::CHANNEL_UNSPECIFIED) && !c.opted_in()) {
      return false;
    }
  }
  return true;
}

// ignored_streak counts the IGNORED outcomes since the last ACCEPTED or DECLINED one: IGNORED adds
// one, ACCEPTED and DECLINED reset it to 0, PRESENTED leaves it. Exact when outcomes arrive in time
// order; an IGNORED older than the last ACCEPTED/DECLINED is counted in `ignored` but not in the
// streak.
void RecordContact(v1::Profile& profile, absl::string_view offer_id, v1::Outcome outcome,
                   absl::Time at) {
  if (outcome == v1::OUTCOME_UNSPECIFIED || !v1::Outcome_IsValid(outcome)) return;
  v1::OfferContact* contact = nullptr;
  for (auto& c : *profile.mutable_contacts()) {
    if (c.offer_id() == offer_id) {
      contact = &c;
      break;
    }
  }
  if (contact == nullptr) {
    contact = profile.add_contacts();
    contact->set_offer_id(std::string(offer_id));
  }
  switch (outcome) {
    case v1::OUTCOME_PRESENTED:
      contact->set_presented(contact->presented() + 1);
      SetMax(contact->mutable_last_presented(), at);
      break;
    case v1::OUTCOME_ACCEPTED:
      contact->set_accepted(contact->accepted() + 1);
      SetMax(contact->mutable_last_accepted(), at);
      contact->set_ignored_streak(0);
      break;
    case v1::OUTCOME_DECLINED:
      contact->set_declined(contact->declined() + 1);
      SetMax(contact->mutable_last_declined(), at);
      contact->set_ignored_streak(0);
      break;
    case v1::OUTCOME_IGNORED: {
      contact->set_ignored(contact->ignored() + 1);
      SetMax(contact->mutable_last_ignored(), at);
      // An ignore older than the last answer (a late delivery) is not "since" it.
      const bool after_last_answer =
          (!contact->has_last_accepted() || at >= FromProto(contact->last_accepted())) &&
          (!contact->has_last_declined() || at >= FromProto(contact->last_declined()));
      if (after_last_answer) contact->set_ignored_streak(contact->ignored_streak() + 1);
      break;
    }
    default:
      break;
  }
}

void AddHolding(v1::Profile& profile, absl::string_view product, absl::string_view category,
                absl::Time at) {
  for (auto& h : *profile.mutable_holdings()) {
    if (h.product() == product) {
      if (FromProto(h.since()) > at) ToProto(at, h.mutable_since());
      if (h.category().empty()) h.set_category(std::string(category));
      return;
    }
  }
  auto* h = profile.add_holdings();
  h->set_product(std::string(product));
  h->set_category(std::string(category));
  ToProto(at, h->mutable_since());
}

}  // namespace nbo::core
