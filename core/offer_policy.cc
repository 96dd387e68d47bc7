#include "core/offer_policy.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr absl::Duration kWeek = absl::Hours(24 * 7);

const v1::OfferContact* FindContact(const v1::Profile& profile, absl::string_view offer_id) {
  for (const auto& c : profile.contacts()) {
    if (c.offer_id() == offer_id) return &c;
  }
  return nullptr;
}

bool Within(const google::protobuf::Timestamp& at, absl::Duration window, absl::Time now) {
  if (at.seconds() == 0 && at.nanos() == 0) return false;
  return now - FromProto(at) < window;
}

// What the limit allows by now: the paced plan (at least one charge), or the limit.
// Hours the hourly shape gives no weight allow nothing more; otherwise at least one charge, so
// the first request of the day can be served.
int64_t Allowance(const BudgetLimit& l) {
  if (!l.paced) return l.limit;
  if (l.plan_share <= 0) return 0;
  const auto plan = static_cast<int64_t>(std::ceil(static_cast<double>(l.limit) * l.plan_share));
  return std::min(l.limit, std::max(l.amount, plan));
}

DropReason RefusalOf(const BudgetLimit& l, int64_t spent) {
  if (l.capacity) return DropReason::kCapacity;
  if (!l.paced || spent + l.amount > l.limit) return DropReason::kBudget;
  return DropReason::kPacing;
}

void AddBudgetLimits(const CompiledOffer& offer, BudgetPeriod& period,
                     std::vector<BudgetLimit>& out) {
  const CompiledBudget& b = *offer.budget;
  const std::string& id = offer.def->id();
  const bool paced = b.paced;
  const double share = paced ? period.PlanShare(b) : 0;
  if (b.daily_count > 0 || b.daily_amount > 0) {
    const std::string& day = period.day();
    if (b.daily_count > 0) {
      out.push_back({absl::StrCat("budget/", id, "/day/", day, "/count"), 1, b.daily_count, paced,
                     share, false, false});
    }
    if (b.daily_amount > 0 && offer.cost_cents > 0) {
      out.push_back({absl::StrCat("budget/", id, "/day/", day, "/amount"), offer.cost_cents,
                     b.daily_amount, paced, share, true, false});
    }
  }
  if (b.total_count > 0) {
    out.push_back(
        {absl::StrCat("budget/", id, "/total/count"), 1, b.total_count, false, 0, false, false});
  }
  if (b.total_amount > 0 && offer.cost_cents > 0) {
    out.push_back({absl::StrCat("budget/", id, "/total/amount"), offer.cost_cents, b.total_amount,
                   false, 0, true, false});
  }
}

void AddDecisionLimits(const Strategy& strategy, int offer, v1::Channel channel,
                       BudgetPeriod& period, std::vector<BudgetLimit>& out) {
  const CompiledOffer& o = strategy.offers[offer];
  if (o.budget && o.budget->charge_on == ChargeOn::kDecision) AddBudgetLimits(o, period, out);
  for (int c : o.capacities) {
    const CompiledCapacity& cap = strategy.capacities[c];
    if (cap.channel != channel) continue;
    const std::string& id = cap.def->id();
    if (cap.per_hour > 0) {
      out.push_back({absl::StrCat("capacity/", id, "/hour/", period.hour()), 1, cap.per_hour, false,
                     0, false, true});
    }
    if (cap.per_day > 0) {
      out.push_back({absl::StrCat("capacity/", id, "/day/", period.day()), 1, cap.per_day, false, 0,
                     false, true});
    }
  }
}

void AddAcceptanceLimits(const Strategy& strategy, int offer, BudgetPeriod& period,
                         std::vector<BudgetLimit>& out) {
  const CompiledOffer& o = strategy.offers[offer];
  if (o.budget && o.budget->charge_on == ChargeOn::kAcceptance) AddBudgetLimits(o, period, out);
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
    case DropReason::kPlacement:
      return "placement";
    case DropReason::kValidity:
      return "validity";
    case DropReason::kNotEligible:
      return "not_eligible";
    case DropReason::kNoConsent:
      return "no_consent";
    case DropReason::kAlreadyAccepted:
      return "already_accepted";
    case DropReason::kDeclineCooldown:
      return "decline_cooldown";
    case DropReason::kGroupCooldown:
      return "group_cooldown";
    case DropReason::kIgnorePause:
      return "ignore_pause";
    case DropReason::kContactCap:
      return "contact_cap";
    case DropReason::kBudget:
      return "budget";
    case DropReason::kPacing:
      return "pacing";
    case DropReason::kCapacity:
      return "capacity";
    case DropReason::kDuplicate:
      return "duplicate";
    case DropReason::kRankedOut:
      return "ranked_out";
  }
  return "unknown";
}

int MarketingAllowance(const CompiledContactPolicy& policy, const v1::Profile& profile,
                       v1::Channel channel, absl::Time now) {
  const CompiledContactPolicy::ChannelCaps none;
  const CompiledContactPolicy::ChannelCaps& caps =
      channel >= 0 && channel < kChannelSlots ? policy.channels[channel] : none;
  int allowance = caps.max_per_interaction > 0 ? caps.max_per_interaction : INT_MAX;
  if (!policy.has_caps) return allowance;
  int day = 0, week = 0, channel_day = 0, channel_week = 0;
  for (const v1::ContactLogEntry& e : profile.contact_log()) {
    const absl::Duration age = now - FromProto(e.at());
    if (age >= kWeek) continue;
    const bool today = age < kDay;
    const bool here = e.channel() == channel;
    ++week;
    day += today;
    channel_week += here;
    channel_day += here && today;
  }
  const auto cap = [&](int max, int used) {
    if (max > 0) allowance = std::min(allowance, std::max(0, max - used));
  };
  cap(policy.max_per_day, day);
  cap(policy.max_per_week, week);
  cap(caps.max_per_day, channel_day);
  cap(caps.max_per_week, channel_week);
  return allowance;
}

DropReason CheckContactHistory(const Strategy& strategy, const CompiledOffer& offer,
                               const v1::Profile& profile, absl::Time now) {
  if (!offer.marketing()) return DropReason::kNone;
  const CompiledContactPolicy& policy = strategy.contact_policy;
  if (const v1::OfferContact* c = FindContact(profile, offer.def->id()); c != nullptr) {
    if (!policy.allow_repeat_accepted && c->accepted() > 0) return DropReason::kAlreadyAccepted;
    if (policy.decline_cooldown > absl::ZeroDuration() &&
        Within(c->last_declined(), policy.decline_cooldown, now)) {
      return DropReason::kDeclineCooldown;
    }
    if (policy.ignore_limit > 0 && c->ignored_streak() >= policy.ignore_limit &&
        Within(c->last_ignored(), policy.ignore_pause, now)) {
      return DropReason::kIgnorePause;
    }
  }
  const std::string& group = offer.def->group();
  if (!group.empty() && policy.group_decline_cooldown > absl::ZeroDuration()) {
    for (const auto& c : profile.contacts()) {
      if (!Within(c.last_declined(), policy.group_decline_cooldown, now)) continue;
      auto it = strategy.offer_index.find(c.offer_id());
      if (it != strategy.offer_index.end() && strategy.offers[it->second].def->group() == group) {
        return DropReason::kGroupCooldown;
      }
    }
  }
  return DropReason::kNone;
}

void LogContacts(const Strategy& strategy, const std::vector<int>& offers, v1::Channel channel,
                 absl::Time now, v1::Profile& profile) {
  auto* log = profile.mutable_contact_log();
  // Oldest first: drop the expired head, then make room.
  int expired = 0;
  while (expired < log->size() && now - FromProto(log->Get(expired).at()) >= kWeek) ++expired;
  if (!strategy.contact_policy.has_caps) {
    if (expired > 0) log->DeleteSubrange(0, expired);
    return;
  }
  int logged = 0;
  for (int o : offers) logged += strategy.offers[o].marketing();
  const int overflow = std::max(0, log->size() - expired + logged - kMaxContactLog);
  if (expired + overflow > 0) log->DeleteSubrange(0, std::min(log->size(), expired + overflow));
  for (int o : offers) {
    if (!strategy.offers[o].marketing()) continue;
    v1::ContactLogEntry* e = log->Add();
    e->set_offer_id(strategy.offers[o].def->id());
    e->set_channel(channel);
    ToProto(now, e->mutable_at());
  }
}

const absl::CivilSecond& BudgetPeriod::Local() {
  if (!local_) local_ = absl::ToCivilSecond(now_, time_zone_);
  return *local_;
}

const std::string& BudgetPeriod::day() {
  if (day_.empty()) day_ = absl::FormatTime("%Y-%m-%d", now_, time_zone_);
  return day_;
}

const std::string& BudgetPeriod::hour() {
  if (hour_.empty()) hour_ = absl::FormatTime("%Y-%m-%dT%H", now_, time_zone_);
  return hour_;
}

double BudgetPeriod::PlanShare(const CompiledBudget& budget) {
  const absl::CivilSecond& local = Local();
  const int hour = local.hour();
  const double into_hour = (local.minute() * 60 + local.second()) / 3600.0;
  const double share = budget.plan_by_hour[hour] +
                       (budget.plan_by_hour[hour + 1] - budget.plan_by_hour[hour]) * into_hour;
  return std::clamp(share, 0.0, 1.0);
}

std::vector<BudgetLimit> DecisionLimits(const Strategy& strategy, int offer, v1::Channel channel,
                                        absl::Time now) {
  BudgetPeriod period(strategy, now);
  return DecisionLimits(strategy, offer, channel, period);
}

std::vector<BudgetLimit> DecisionLimits(const Strategy& strategy, int offer, v1::Channel channel,
                                        BudgetPeriod& period) {
  std::vector<BudgetLimit> out;
  AddDecisionLimits(strategy, offer, channel, period, out);
  return out;
}

std::vector<BudgetLimit> AcceptanceLimits(const Strategy& strategy, int offer, absl::Time now) {
  BudgetPeriod period(strategy, now);
  std::vector<BudgetLimit> out;
  AddAcceptanceLimits(strategy, offer, period, out);
  return out;
}

BudgetCheck CheckBudgets(const Strategy& strategy, int offer, v1::Channel channel, absl::Time now,
                         BudgetGate& gate, std::vector<v1::BudgetState>* states) {
  BudgetPeriod period(strategy, now);
  return CheckBudgets(strategy, offer, channel, period, gate, states);
}

BudgetCheck CheckBudgets(const Strategy& strategy, int offer, v1::Channel channel,
                         BudgetPeriod& period, BudgetGate& gate,
                         std::vector<v1::BudgetState>* states) {
  BudgetCheck check;
  const CompiledOffer& o = strategy.offers[offer];
  if (!o.budget && o.capacities.empty()) return check;
  std::vector<BudgetLimit> limits;
  AddDecisionLimits(strategy, offer, channel, period, limits);
  AddAcceptanceLimits(strategy, offer, period, limits);
  bool paced = false;
  for (const BudgetLimit& l : limits) {
    const int64_t spent = gate.Spent(l.key);
    double pacing = 1;
    double plan = static_cast<double>(l.limit);
    if (l.paced) {
      plan = static_cast<double>(l.limit) * l.plan_share;
      // Behind plan by a tenth of the day's limit doubles the score; ahead of it halves it.
      const double scale =
          std::max(static_cast<double>(l.amount), 0.1 * static_cast<double>(l.limit));
      pacing = std::clamp(1 + (plan - static_cast<double>(spent)) / scale, kMinPacing, kMaxPacing);
      // Several paced limits: the one furthest ahead of its plan sets the factor.
      check.pacing = paced ? std::min(check.pacing, pacing) : pacing;
      paced = true;
    }
    if (check.dropped == DropReason::kNone && spent + l.amount > Allowance(l)) {
      check.dropped = RefusalOf(l, spent);
    }
    if (states != nullptr) {
      v1::BudgetState& s = states->emplace_back();
      const double unit = l.money ? 0.01 : 1;
      s.set_key(l.key);
      s.set_offer_id(o.def->id());
      s.set_spent(static_cast<double>(spent) * unit);
      s.set_limit(static_cast<double>(l.limit) * unit);
      s.set_plan(plan * unit);
      s.set_pacing(pacing);
    }
  }
  return check;
}

DropReason ChargeDecision(const Strategy& strategy, int offer, v1::Channel channel, absl::Time now,
                          BudgetGate& gate) {
  BudgetPeriod period(strategy, now);
  return ChargeDecision(strategy, offer, channel, period, gate);
}

DropReason ChargeDecision(const Strategy& strategy, int offer, v1::Channel channel,
                          BudgetPeriod& period, BudgetGate& gate) {
  const CompiledOffer& o = strategy.offers[offer];
  if ((!o.budget || o.budget->charge_on != ChargeOn::kDecision) && o.capacities.empty()) {
    return DropReason::kNone;
  }
  const std::vector<BudgetLimit> limits = DecisionLimits(strategy, offer, channel, period);
  for (size_t i = 0; i < limits.size(); ++i) {
    const BudgetLimit& l = limits[i];
    if (gate.TryCharge(l.key, l.amount, Allowance(l))) continue;
    const DropReason reason = RefusalOf(l, gate.Spent(l.key));
    for (size_t j = 0; j < i; ++j) gate.Refund(limits[j].key, limits[j].amount);
    return reason;
  }
  return DropReason::kNone;
}

}  // namespace nbo::core
