#include "core/merge.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "core/apply_event.h"
#include "core/offer_policy.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

using google::protobuf::Timestamp;

// A Timestamp field of message type M, by its accessors.
template <typename M>
struct TimeField {
  bool (M::*has)() const;
  const Timestamp& (M::*get)() const;
  Timestamp* (M::*mutable_get)();
};

// Sets `field` of `into` to that of `from` when only `from` has it, or when `from`'s is earlier
// (keep_earlier) or later (otherwise).
template <typename M>
void TakeTime(M& into, const M& from, TimeField<M> field, bool keep_earlier) {
  if (!(from.*field.has)()) return;
  const absl::Time f = FromProto((from.*field.get)());
  if ((into.*field.has)()) {
    const absl::Time i = FromProto((into.*field.get)());
    if (keep_earlier ? f >= i : f <= i) return;
  }
  *(into.*field.mutable_get)() = (from.*field.get)();
}

#define NBO_TIME_FIELD(M, name) \
  TimeField<M> { &M::has_##name, &M::name, &M::mutable_##name }

template <typename M>
void MinTime(M& into, const M& from, TimeField<M> field) {
  TakeTime(into, from, field, true);
}
template <typename M>
void MaxTime(M& into, const M& from, TimeField<M> field) {
  TakeTime(into, from, field, false);
}

// Adds `from` to `into`, both decayed to the later of their times (exact).
void AddDecayedValue(v1::DecayedValue& into, const v1::DecayedValue& from,
                     absl::Duration half_life) {
  if (!from.has_at()) {
    into.set_value(into.value() + from.value());
    return;
  }
  AddDecayed(into, from.value(), FromProto(from.at()), half_life);
}

void MergeChannelUsage(v1::Profile& s, const v1::Profile& a) {
  for (const auto& from : a.channel_usage()) {
    v1::ChannelUsage* into = nullptr;
    for (auto& u : *s.mutable_channel_usage()) {
      if (u.channel() == from.channel()) into = &u;
    }
    if (into == nullptr) {
      *s.add_channel_usage() = from;
      continue;
    }
    into->set_interactions(into->interactions() + from.interactions());
    MaxTime(*into, from, NBO_TIME_FIELD(v1::ChannelUsage, last_seen));
  }
}

void MergeHoldings(v1::Profile& s, const v1::Profile& a) {
  for (const auto& from : a.holdings()) {
    v1::Holding* into = nullptr;
    for (auto& h : *s.mutable_holdings()) {
      if (h.product() == from.product()) into = &h;
    }
    if (into == nullptr) {
      *s.add_holdings() = from;
      continue;
    }
    MinTime(*into, from, NBO_TIME_FIELD(v1::Holding, since));
    if (into->category().empty()) into->set_category(from.category());
  }
}

void MergeInterests(v1::Profile& s, const v1::Profile& a, absl::Time now,
                    const ProfileSettings& settings) {
  auto* list = s.mutable_interests();
  for (const auto& from : a.interests()) {
    v1::CategoryInterest* into = nullptr;
    for (auto& ci : *list) {
      if (ci.category() == from.category()) into = &ci;
    }
    if (into == nullptr) {
      *list->Add() = from;
    } else {
      AddDecayedValue(*into->mutable_score(), from.score(), settings.interest_half_life);
    }
  }
  // Drop the weakest beyond the bound; merges are rare and the lists short.
  while (list->size() > std::max(0, settings.max_interests)) {
    int weakest = 0;
    double weakest_score = std::numeric_limits<double>::infinity();
    for (int i = 0; i < list->size(); ++i) {
      const double v = DecayedValueAt(list->Get(i).score(), now, settings.interest_half_life);
      if (v < weakest_score) {
        weakest = i;
        weakest_score = v;
      }
    }
    list->DeleteSubrange(weakest, 1);
  }
}

// Interleaves both rings by time (the survivor's first among equal times), keeping the newest.
void MergeRecentEvents(v1::Profile& s, const v1::Profile& a, int max) {
  const auto& x = s.recent_events();
  const auto& y = a.recent_events();
  std::vector<const v1::RecentEvent*> all;
  all.reserve(x.size() + y.size());
  int i = 0, j = 0;
  while (i < x.size() || j < y.size()) {
    if (j == y.size() ||
        (i < x.size() && FromProto(x[i].occurred_at()) <= FromProto(y[j].occurred_at()))) {
      all.push_back(&x[i++]);
    } else {
      all.push_back(&y[j++]);
    }
  }
  const size_t keep = std::min(all.size(), static_cast<size_t>(std::max(0, max)));
  google::protobuf::RepeatedPtrField<v1::RecentEvent> merged;
  merged.Reserve(static_cast<int>(keep));
  for (size_t k = all.size() - keep; k < all.size(); ++k) *merged.Add() = *all[k];
  s.mutable_recent_events()->Swap(&merged);
}

void MergeContacts(v1::Profile& s, const v1::Profile& a) {
  for (const auto& from : a.contacts()) {
    v1::OfferContact* into = nullptr;
    for (auto& c : *s.mutable_contacts()) {
      if (c.offer_id() == from.offer_id()) into = &c;
    }
    if (into == nullptr) {
      *s.add_contacts() = from;
      continue;
    }
    into->set_presented(into->presented() + from.presented());
    into->set_accepted(into->accepted() + from.accepted());
    into->set_declined(into->declined() + from.declined());
    into->set_ignored(into->ignored() + from.ignored());
    MaxTime(*into, from, NBO_TIME_FIELD(v1::OfferContact, last_presented));
    MaxTime(*into, from, NBO_TIME_FIELD(v1::OfferContact, last_accepted));
    MaxTime(*into, from, NBO_TIME_FIELD(v1::OfferContact, last_declined));
    MaxTime(*into, from, NBO_TIME_FIELD(v1::OfferContact, last_ignored));
    // The longer streak counts, unless an accept or decline (of either) came after every ignore.
    into->set_ignored_streak(std::max(into->ignored_streak(), from.ignored_streak()));
    const absl::Time answered =
        std::max(FromProto(into->last_accepted()), FromProto(into->last_declined()));
    if (into->has_last_ignored() && answered > FromProto(into->last_ignored())) {
      into->set_ignored_streak(0);
    }
  }
  // Both contact logs count towards the caps: merged in time order, newest kept.
  if (!a.contact_log().empty()) {
    std::vector<v1::ContactLogEntry> log(s.contact_log().begin(), s.contact_log().end());
    log.insert(log.end(), a.contact_log().begin(), a.contact_log().end());
    std::stable_sort(log.begin(), log.end(),
                     [](const v1::ContactLogEntry& x, const v1::ContactLogEntry& y) {
                       return FromProto(x.at()) < FromProto(y.at());
                     });
    const size_t keep = std::min(log.size(), static_cast<size_t>(kMaxContactLog));
    s.clear_contact_log();
    for (size_t i = log.size() - keep; i < log.size(); ++i) *s.add_contact_log() = log[i];
  }
}

void MergeTriggers(v1::Profile& s, const v1::Profile& a, absl::Time now) {
  for (const auto& from : a.triggers()) {
    v1::ActiveTrigger* into = nullptr;
    for (auto& t : *s.mutable_triggers()) {
      if (t.kind() == from.kind()) into = &t;
    }
    if (into == nullptr) {
      *s.add_triggers() = from;
    } else if (FromProto(from.expires_at()) > FromProto(into->expires_at())) {
      *into = from;
    }
  }
  PruneExpiredTriggers(s, now);
}

void MergeService(v1::Profile& s, const v1::Profile& a, const ProfileSettings& settings) {
  if (!a.has_service()) return;
  const v1::ServiceSignals& from = a.service();
  v1::ServiceSignals& into = *s.mutable_service();
  AddDecayedValue(*into.mutable_complaints(), from.complaints(), settings.complaints_half_life);
  into.set_complaints_total(into.complaints_total() + from.complaints_total());
  MaxTime(into, from, NBO_TIME_FIELD(v1::ServiceSignals, last_complaint));
  if (from.has_last_nps() &&
      (!into.has_last_nps() || FromProto(from.last_nps_at()) > FromProto(into.last_nps_at()))) {
    into.set_last_nps(from.last_nps());
    *into.mutable_last_nps_at() = from.last_nps_at();
  }
}

void MergeIdentities(v1::Profile& s, const v1::Profile& a) {
  for (const auto& from : a.identities()) {
    bool known = false;
    for (const auto& id : s.identities()) {
      known = known || (id.source() == from.source() && id.external_id() == from.external_id());
    }
    if (!known) *s.add_identities() = from;
  }
}

void AddMergedId(v1::Profile& s, const std::string& id) {
  if (id.empty() || id == s.customer_id()) return;
  for (const auto& m : s.merged_ids()) {
    if (m == id) return;
  }
  s.add_merged_ids(id);
}

}  // namespace

bool MergeProfiles(v1::Profile& survivor, const v1::Profile& absorbed, absl::Time now,
                   const ProfileSettings& settings) {
  const std::string& absorbed_id = absorbed.customer_id();
  if (absorbed_id.empty() || absorbed_id == survivor.customer_id()) return false;
  for (const auto& m : survivor.merged_ids()) {
    if (m == absorbed_id) return false;
  }
  v1::Profile& s = survivor;
  const v1::Profile& a = absorbed;

  MergeIdentities(s, a);
  MinTime(s, a, NBO_TIME_FIELD(v1::Profile, first_seen));
  MaxTime(s, a, NBO_TIME_FIELD(v1::Profile, last_seen));
  s.set_interactions(s.interactions() + a.interactions());
  MergeChannelUsage(s, a);
  MergeHoldings(s, a);
  s.set_purchases(s.purchases() + a.purchases());
  s.set_monetary_total(s.monetary_total() + a.monetary_total());
  s.set_margin_total(s.margin_total() + a.margin_total());

  v1::Rfm& rfm = *s.mutable_rfm();
  AddDecayedValue(*rfm.mutable_frequency(), a.rfm().frequency(), settings.frequency_half_life);
  AddDecayedValue(*rfm.mutable_monetary(), a.rfm().monetary(), settings.monetary_half_life);
  AddDecayedValue(*rfm.mutable_margin(), a.rfm().margin(), settings.monetary_half_life);
  MaxTime(rfm, a.rfm(), NBO_TIME_FIELD(v1::Rfm, last_purchase));

  MergeInterests(s, a, now, settings);
  MergeRecentEvents(s, a, settings.recent_events);
  MergeTriggers(s, a, now);
  MergeService(s, a, settings);
  MergeContacts(s, a);
  for (const auto& c : a.consents()) {
    ApplyConsent(s, c.channel(), c.opted_in(), FromProto(c.at()), c.source());
  }

  AddMergedId(s, absorbed_id);
  for (const auto& m : a.merged_ids()) AddMergedId(s, m);

  s.clear_segment_id();
  s.clear_segment_since();
  s.clear_segment_strategy_version();
  *s.mutable_value() = ComputeValue(s, now, settings);
  return true;
}

}  // namespace nbo::core
