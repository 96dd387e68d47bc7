// Filters beyond fit (placement, validity, contact policy, action classes), budgets, capacities,
// pacing over a simulated day, micro-segments and placement fallbacks.
#include "core/offer_policy.h"

#include <map>

#include "core/apply_event.h"
#include "core/arbitration.h"
#include "core/decision.h"
#include "core/segmentation.h"
#include "core/test_util.h"
#include "core/time_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;  // 2026-01-01T00:00:00Z, a Thursday

constexpr absl::string_view kPolicyStrategy = R"json({
  "version": "policy-1",
  "offers": [
    {"id": "tv", "name": "TV", "kind": "cross_sell", "product": "tv", "margin": 50, "group": "tv",
     "prior": {"rate": 0.2}, "reason": "r"},
    {"id": "tv_sport", "name": "TV Sport", "kind": "cross_sell", "product": "tv_sport",
     "margin": 40, "group": "tv", "prior": {"rate": 0.2}, "reason": "r"},
    {"id": "phone", "name": "Phone", "kind": "cross_sell", "product": "phone", "margin": 30,
     "prior": {"rate": 0.2}, "reason": "r"},
    {"id": "xmas", "name": "Christmas", "kind": "cross_sell", "margin": 100,
     "valid_from": "2025-12-01T00:00:00Z", "valid_until": "2025-12-27T00:00:00Z",
     "prior": {"rate": 0.2}, "reason": "r"},
    {"id": "cart_addon", "name": "Add-on", "kind": "cross_sell", "margin": 100,
     "placements": ["cart", "checkout"], "prior": {"rate": 0.2}, "reason": "r"},
    {"id": "contract_end", "name": "Contract ends", "kind": "retention", "margin": 1,
     "action_class": "mandatory", "prior": {"rate": 0.2}, "reason": "r"},
    {"id": "ebill", "name": "E-bill", "kind": "service", "margin": 0.5, "action_class": "service",
     "prior": {"alpha": 1, "beta": 1}, "reason": "r"},
    {"id": "fallback", "name": "Fallback", "kind": "service", "margin": 0.1,
     "action_class": "service", "reason": "r"}
  ],
  "segments": [
    {"id": "all", "name": "All", "rule": "true",
     "treatments": [{"offer_id": "tv"}, {"offer_id": "tv_sport"}, {"offer_id": "phone"},
                    {"offer_id": "xmas"}, {"offer_id": "cart_addon"},
                    {"offer_id": "contract_end"}, {"offer_id": "ebill"}]}
  ],
  "fallbacks": [{"channel": "*", "offer_ids": ["fallback"]}],
  "contact_policy": {
    "max_per_day": 3, "max_per_week": 5,
    "channels": [{"channel": "email", "max_per_day": 1},
                 {"channel": "call_centre", "max_per_interaction": 1}],
    "decline_cooldown_days": 30, "group_decline_cooldown_days": 7,
    "ignore_limit": 3, "ignore_pause_days": 14
  }
})json";

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override { strategy_ = testing::MustLoad(kPolicyStrategy); }

  std::vector<std::string> Chosen(v1::Channel channel = v1::CHANNEL_WEB,
                                  absl::string_view placement = "", absl::Time now = kT0,
                                  int max_offers = 10) {
    event_ = testing::PageView("e", channel);
    const DecisionInputs in{profile_, event_, placement, "", "", now};
    ArbitrationOptions options;
    options.max_offers = max_offers;
    last_ = Arbitrate(*strategy_, strategy_->segments[0].treatments, in, options);
    std::vector<std::string> ids;
    for (int c : last_.chosen) ids.push_back(Id(last_.candidates[c].offer));
    return ids;
  }

  std::string Id(int offer) const { return strategy_->offers[offer].def->id(); }

  std::string Drop(absl::string_view offer_id) const {
    for (const auto& c : last_.candidates) {
      if (Id(c.offer) == offer_id) return std::string(DropReasonName(c.dropped));
    }
    return "absent";
  }

  void Outcome(std::string offer, v1::Outcome outcome, absl::Time at) {
    RecordContact(profile_, offer, outcome, at);
  }

  void Logged(int n, v1::Channel channel, absl::Time at) {
    for (int i = 0; i < n; ++i) {
      v1::ContactLogEntry* e = profile_.add_contact_log();
      e->set_offer_id("phone");
      e->set_channel(channel);
      ToProto(at, e->mutable_at());
    }
  }

  std::shared_ptr<const Strategy> strategy_;
  v1::Profile profile_;
  v1::Event event_;
  ArbitrationResult last_;
};

TEST_F(PolicyTest, FitFilters) {
  // Default: everything but the out-of-season and cart-only offers; the mandatory offer first
  // although its score (0.2) is the lowest.
  EXPECT_EQ(Chosen(),
            (std::vector<std::string>{"contract_end", "tv", "tv_sport", "phone", "ebill"}));
  EXPECT_EQ(Drop("xmas"), "validity");
  EXPECT_EQ(Drop("cart_addon"), "placement");
  // In the cart the add-on joins (and ranks first by value); in December 2025 the seasonal one.
  EXPECT_EQ(Chosen(v1::CHANNEL_WEB, "cart")[1], "cart_addon");
  EXPECT_EQ(Chosen(v1::CHANNEL_WEB, "", absl::FromUnixSeconds(1766016000))[1], "xmas");
  // valid_until is exclusive.
  Chosen(v1::CHANNEL_WEB, "", absl::FromUnixSeconds(1766793600));  // 2025-12-27T00:00Z
  EXPECT_EQ(Drop("xmas"), "validity");
}

TEST_F(PolicyTest, ContactHistoryRules) {
  struct Case {
    std::string name;
    std::string offer;
    v1::Outcome outcome;
    int times;
    absl::Duration ago;
    std::map<std::string, std::string> drops;  // offer -> expected drop (or "kept"/"chosen")
  };
  const absl::Duration kDay = absl::Hours(24);
  const std::vector<Case> cases = {
      {"accepted is never re-offered",
       "phone",
       v1::OUTCOME_ACCEPTED,
       1,
       400 * kDay,
       {{"phone", "already_accepted"}, {"tv", "kept"}}},
      {"decline cools down the offer and its group",
       "tv",
       v1::OUTCOME_DECLINED,
       1,
       2 * kDay,
       {{"tv", "decline_cooldown"}, {"tv_sport", "group_cooldown"}, {"phone", "kept"}}},
      {"group cooldown ends first",
       "tv",
       v1::OUTCOME_DECLINED,
       1,
       8 * kDay,
       {{"tv", "decline_cooldown"}, {"tv_sport", "kept"}}},
      {"decline cooldown ends", "tv", v1::OUTCOME_DECLINED, 1, 31 * kDay, {{"tv", "kept"}}},
      {"two ignores do not pause", "phone", v1::OUTCOME_IGNORED, 2, kDay, {{"phone", "kept"}}},
      {"three ignores pause", "phone", v1::OUTCOME_IGNORED, 3, kDay, {{"phone", "ignore_pause"}}},
      {"the pause ends", "phone", v1::OUTCOME_IGNORED, 3, 15 * kDay, {{"phone", "kept"}}},
      {"service and mandatory bypass the contact policy",
       "ebill",
       v1::OUTCOME_DECLINED,
       1,
       kDay,
       {{"ebill", "kept"}}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    profile_.Clear();
    for (int i = 0; i < tc.times; ++i) Outcome(tc.offer, tc.outcome, kT0 - tc.ago);
    Chosen();
    for (const auto& [offer, drop] : tc.drops) EXPECT_EQ(Drop(offer), drop) << offer;
  }
}

TEST_F(PolicyTest, AnAcceptOrDeclineEndsTheIgnoreStreak) {
  for (int i = 0; i < 3; ++i) Outcome("phone", v1::OUTCOME_IGNORED, kT0 - absl::Hours(30));
  Outcome("phone", v1::OUTCOME_PRESENTED, kT0 - absl::Hours(20));
  Chosen();
  EXPECT_EQ(Drop("phone"), "ignore_pause");
  profile_.Clear();
  for (int i = 0; i < 3; ++i) Outcome("tv", v1::OUTCOME_IGNORED, kT0 - absl::Hours(60 * 24));
  Outcome("tv", v1::OUTCOME_DECLINED, kT0 - absl::Hours(40 * 24));
  Outcome("tv", v1::OUTCOME_IGNORED, kT0 - absl::Hours(24));
  Chosen();
  EXPECT_EQ(Drop("tv"), "kept");
}

TEST_F(PolicyTest, RepeatAcceptedWhenAllowed) {
  auto json = std::string(kPolicyStrategy);
  json.replace(json.find("\"ignore_limit\""), 0, "\"allow_repeat_accepted\": true, ");
  strategy_ = testing::MustLoad(json);
  Outcome("phone", v1::OUTCOME_ACCEPTED, kT0 - absl::Hours(1));
  Chosen();
  EXPECT_EQ(Drop("phone"), "kept");
}

TEST_F(PolicyTest, Caps) {
  struct Case {
    std::string name;
    int logged;
    v1::Channel logged_on;
    absl::Duration ago;
    v1::Channel channel;
    int marketing_chosen;  // tv, tv_sport, phone are the marketing offers that can win
  };
  const std::vector<Case> cases = {
      {"no history: all three", 0, v1::CHANNEL_WEB, absl::ZeroDuration(), v1::CHANNEL_WEB, 3},
      {"one today: two left of 3 a day", 1, v1::CHANNEL_WEB, absl::Hours(2), v1::CHANNEL_WEB, 2},
      {"three today: day cap reached", 3, v1::CHANNEL_WEB, absl::Hours(2), v1::CHANNEL_WEB, 0},
      {"three yesterday: day is free again", 3, v1::CHANNEL_WEB, absl::Hours(25), v1::CHANNEL_WEB,
       2},  // week: 5 - 3 = 2
      {"five this week: week cap reached", 5, v1::CHANNEL_WEB, absl::Hours(48), v1::CHANNEL_WEB, 0},
      {"older than a week does not count", 5, v1::CHANNEL_WEB, absl::Hours(24 * 8), v1::CHANNEL_WEB,
       3},
      {"email: one a day", 0, v1::CHANNEL_EMAIL, absl::ZeroDuration(), v1::CHANNEL_EMAIL, 1},
      {"email: used today on email", 1, v1::CHANNEL_EMAIL, absl::Hours(1), v1::CHANNEL_EMAIL, 0},
      {"email: web contacts do not use the email cap", 1, v1::CHANNEL_WEB, absl::Hours(1),
       v1::CHANNEL_EMAIL, 1},
      {"call centre: one per interaction", 0, v1::CHANNEL_WEB, absl::ZeroDuration(),
       v1::CHANNEL_CALL_CENTRE, 1},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    profile_.Clear();
    Logged(tc.logged, tc.logged_on, kT0 - tc.ago);
    const std::vector<std::string> chosen = Chosen(tc.channel);
    int marketing = 0;
    for (const std::string& id : chosen) {
      marketing += strategy_->offers[strategy_->offer_index.at(id)].marketing();
    }
    EXPECT_EQ(marketing, tc.marketing_chosen);
    // Mandatory and service offers never count against caps and are never capped.
    EXPECT_NE(std::find(chosen.begin(), chosen.end(), "contract_end"), chosen.end());
    EXPECT_NE(std::find(chosen.begin(), chosen.end(), "ebill"), chosen.end());
    if (tc.marketing_chosen < 3) EXPECT_EQ(Drop("phone"), "contact_cap");
  }
}

TEST_F(PolicyTest, ConsentIsNeverBypassed) {
  ApplyConsent(profile_, v1::CHANNEL_UNSPECIFIED, false, kT0, "test");
  Chosen();
  // A mandatory action class bypasses caps, not consent: contract_end is a retention offer.
  EXPECT_EQ(Drop("contract_end"), "no_consent");
  EXPECT_EQ(Drop("tv"), "no_consent");
  EXPECT_EQ(Drop("ebill"), "kept");
}

TEST_F(PolicyTest, LogContactsRecordsMarketingOnlyAndForgetsAfterAWeek) {
  Logged(2, v1::CHANNEL_WEB, kT0 - absl::Hours(24 * 8));
  Logged(1, v1::CHANNEL_WEB, kT0 - absl::Hours(24));
  const std::vector<int> answered = {strategy_->offer_index.at("tv"),
                                     strategy_->offer_index.at("ebill")};
  LogContacts(*strategy_, answered, v1::CHANNEL_WEB, kT0, profile_);
  ASSERT_EQ(profile_.contact_log_size(), 2);
  EXPECT_EQ(profile_.contact_log(1).offer_id(), "tv");
  EXPECT_EQ(FromProto(profile_.contact_log(1).at()), kT0);
  // Bounded: never more than kMaxContactLog entries.
  profile_.Clear();
  Logged(kMaxContactLog, v1::CHANNEL_WEB, kT0 - absl::Hours(1));
  LogContacts(*strategy_, answered, v1::CHANNEL_WEB, kT0, profile_);
  EXPECT_EQ(profile_.contact_log_size(), kMaxContactLog);
  EXPECT_EQ(profile_.contact_log(kMaxContactLog - 1).offer_id(), "tv");
}

constexpr absl::string_view kBudgetStrategy = R"json({
  "version": "budget-1",
  "offers": [
    {"id": "promo", "name": "Promo", "kind": "cross_sell", "margin": 100, "cost": 20,
     "prior": {"rate": 0.5}, "reason": "r",
     "budget": {"daily_count": 5, "total_count": 8, "pacing": "none"}},
    {"id": "voucher", "name": "Voucher", "kind": "cross_sell", "margin": 60, "cost": 10,
     "prior": {"rate": 0.5}, "reason": "r", "budget": {"daily_amount": 25, "pacing": "none"}},
    {"id": "device", "name": "Device", "kind": "cross_sell", "margin": 30, "cost": 10,
     "prior": {"rate": 0.5}, "reason": "r",
     "budget": {"daily_count": 2, "charge_on": "acceptance", "pacing": "none"}},
    {"id": "save", "name": "Save", "kind": "retention", "margin": 20, "prior": {"rate": 0.5},
     "channels": ["call_centre", "web"], "reason": "r"},
    {"id": "fallback", "name": "Fallback", "kind": "service", "margin": 0, "reason": "r"}
  ],
  "segments": [{"id": "all", "name": "All", "rule": "true",
    "treatments": [{"offer_id": "promo"}, {"offer_id": "voucher"}, {"offer_id": "device"},
                   {"offer_id": "save"}]}],
  "fallbacks": [{"channel": "*", "offer_ids": ["fallback"]}],
  "capacities": [{"id": "retention_desk", "channel": "call_centre", "offer_kinds": ["retention"],
                  "per_hour": 2}]
})json";

class BudgetTest : public ::testing::Test {
 protected:
  void SetUp() override { strategy_ = testing::MustLoad(kBudgetStrategy); }

  std::vector<std::string> Decide(v1::Channel channel = v1::CHANNEL_WEB, absl::Time now = kT0,
                                  int max_offers = 1) {
    v1::Profile profile;
    const v1::Event event = testing::PageView("e", channel);
    const DecisionInputs in{profile, event, "", "", "", now};
    ArbitrationOptions options;
    options.max_offers = max_offers;
    options.budgets = &gate_;
    last_ = Arbitrate(*strategy_, strategy_->segments[0].treatments, in, options);
    std::vector<std::string> ids;
    for (int c : last_.chosen)
      ids.push_back(strategy_->offers[last_.candidates[c].offer].def->id());
    return ids;
  }

  std::shared_ptr<const Strategy> strategy_;
  LocalBudgetGate gate_;
  ArbitrationResult last_;
};

TEST_F(BudgetTest, DailyAndTotalCountsMoneyAndTheNextBest) {
  std::vector<std::string> answers;
  for (int i = 0; i < 5; ++i) answers.push_back(Decide()[0]);
  EXPECT_EQ(answers, std::vector<std::string>(5, "promo"));
  // Daily count used up: the voucher (25 EUR a day at 10 each: two) takes over, then the device.
  EXPECT_EQ(Decide()[0], "voucher");
  EXPECT_EQ(Decide()[0], "voucher");
  EXPECT_EQ(Decide()[0], "device");
  EXPECT_EQ(gate_.Spent("budget/promo/day/2026-01-01/count"), 5);
  EXPECT_EQ(gate_.Spent("budget/voucher/day/2026-01-01/amount"), 2000);
  EXPECT_EQ(gate_.Spent("budget/promo/total/count"), 5);
  // Next day: promo again, until the total of 8.
  const absl::Time tomorrow = kT0 + absl::Hours(24);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Decide(v1::CHANNEL_WEB, tomorrow)[0], "promo");
  EXPECT_EQ(Decide(v1::CHANNEL_WEB, tomorrow)[0], "voucher");
  bool saw_promo_budget = false;
  for (const auto& c : last_.candidates) {
    if (strategy_->offers[c.offer].def->id() == "promo") {
      saw_promo_budget = c.dropped == DropReason::kBudget;
    }
  }
  EXPECT_TRUE(saw_promo_budget);
}

TEST_F(BudgetTest, AcceptanceBudgetsAreCheckedNotChargedByDecisions) {
  gate_.Set("budget/promo/day/2026-01-01/count", 5);
  gate_.Set("budget/voucher/day/2026-01-01/amount", 2500);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Decide()[0], "device");
  EXPECT_EQ(gate_.Spent("budget/device/day/2026-01-01/count"), 0);
  // Two acceptances use it up; then it is no longer made.
  gate_.Set("budget/device/day/2026-01-01/count", 2);
  EXPECT_EQ(Decide()[0], "save");
  const std::vector<BudgetLimit> limits =
      AcceptanceLimits(*strategy_, strategy_->offer_index.at("device"), kT0);
  ASSERT_EQ(limits.size(), 1u);
  EXPECT_EQ(limits[0].key, "budget/device/day/2026-01-01/count");
}

TEST_F(BudgetTest, CapacityPerHourOnItsChannelOnly) {
  for (const char* offer : {"promo", "voucher", "device"}) {
    const int index = strategy_->offer_index.at(offer);
    for (const BudgetLimit& l : DecisionLimits(*strategy_, index, v1::CHANNEL_CALL_CENTRE, kT0)) {
      gate_.Set(l.key, l.limit);
    }
  }
  gate_.Set("budget/device/day/2026-01-01/count", 2);
  EXPECT_EQ(Decide(v1::CHANNEL_CALL_CENTRE)[0], "save");
  EXPECT_EQ(Decide(v1::CHANNEL_CALL_CENTRE)[0], "save");
  // The desk is full for this hour: fallback, and the cause says why.
  EXPECT_EQ(Decide(v1::CHANNEL_CALL_CENTRE)[0], "fallback");
  EXPECT_TRUE(last_.fallback);
  EXPECT_EQ(last_.fallback_cause, "budget_exhausted");
  EXPECT_EQ(gate_.Spent("capacity/retention_desk/hour/2026-01-01T00"), 2);
  // The web is not the call centre; the next hour has new capacity.
  EXPECT_EQ(Decide(v1::CHANNEL_WEB)[0], "save");
  EXPECT_EQ(Decide(v1::CHANNEL_CALL_CENTRE, kT0 + absl::Hours(1))[0], "save");
}

TEST_F(BudgetTest, AnOfferIsChargedOnAllOfItsCountersOrNone) {
  // The total is used up but the daily count is not: the daily charge must be refunded.
  gate_.Set("budget/promo/total/count", 8);
  EXPECT_EQ(Decide()[0], "voucher");
  EXPECT_EQ(gate_.Spent("budget/promo/day/2026-01-01/count"), 0);
  // Check the all-or-none path directly (the pre-check normally stops it first).
  EXPECT_EQ(
      ChargeDecision(*strategy_, strategy_->offer_index.at("promo"), v1::CHANNEL_WEB, kT0, gate_),
      DropReason::kBudget);
  EXPECT_EQ(gate_.Spent("budget/promo/day/2026-01-01/count"), 0);
}

TEST_F(BudgetTest, BudgetStatesAreReported) {
  gate_.Set("budget/voucher/day/2026-01-01/amount", 1000);
  Decide();
  bool found = false;
  for (const v1::BudgetState& s : last_.budgets) {
    if (s.key() != "budget/voucher/day/2026-01-01/amount") continue;
    found = true;
    EXPECT_EQ(s.offer_id(), "voucher");
    EXPECT_DOUBLE_EQ(s.spent(), 10);
    EXPECT_DOUBLE_EQ(s.limit(), 25);
    EXPECT_DOUBLE_EQ(s.pacing(), 1);
  }
  EXPECT_TRUE(found);
}

// A simulated day with demand far above the budget, heaviest in the morning: with even pacing the
// spend follows the plan within 10% at every hour and lasts the whole day; without pacing it is
// gone before 9 a.m.
struct DayResult {
  std::array<int64_t, 25> spent_by_hour{};  // at the start of each hour, [24] = end of day
  int exhausted_hour = 24;                  // first hour that ended with the budget used up
};

DayResult SimulateDay(absl::string_view pacing, absl::string_view shape) {
  const std::string json = absl::StrCat(R"json({
    "version": "pacing", "time_zone": "Europe/Berlin",
    "offers": [
      {"id": "promo", "name": "Promo", "kind": "cross_sell", "margin": 100, "prior": {"rate": 0.5},
       "reason": "r", "budget": {"daily_count": 480, "pacing": ")json",
                                        pacing, R"json(")json", shape, R"json(}},
      {"id": "other", "name": "Other", "kind": "cross_sell", "margin": 10, "prior": {"rate": 0.5},
       "reason": "r"}],
    "segments": [{"id": "all", "name": "All", "rule": "true",
                  "treatments": [{"offer_id": "promo"}, {"offer_id": "other"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["other"]}]
  })json");
  auto strategy = testing::MustLoad(json);
  LocalBudgetGate gate;
  // Midnight in Berlin (UTC+1 in January).
  const absl::Time midnight = kT0 - absl::Hours(1);
  const std::string key = "budget/promo/day/2026-01-01/count";
  DayResult day;
  // Requests per minute: 2 until 06:00, 12 from 07:00 to 11:00, 6 otherwise: 8,640 a day.
  for (int minute = 0; minute < 24 * 60; ++minute) {
    const int hour = minute / 60;
    if (minute % 60 == 0) day.spent_by_hour[hour] = gate.Spent(key);
    const int per_minute = hour < 6 ? 2 : hour >= 7 && hour < 11 ? 12 : 6;
    for (int r = 0; r < per_minute; ++r) {
      v1::Profile profile;
      const v1::Event event = testing::PageView("e");
      const absl::Time now = midnight + absl::Minutes(minute) + absl::Seconds(60 * r / per_minute);
      const DecisionInputs in{profile, event, "", "", "", now};
      ArbitrationOptions options;
      options.max_offers = 1;
      options.budgets = &gate;
      (void)Arbitrate(*strategy, strategy->segments[0].treatments, in, options);
    }
    if (minute % 60 == 59 && day.exhausted_hour == 24 && gate.Spent(key) >= 480) {
      day.exhausted_hour = hour;
    }
  }
  day.spent_by_hour[24] = gate.Spent(key);
  return day;
}

TEST(PacingTest, EvenPacingTracksThePlanAllDay) {
  const DayResult day = SimulateDay("even", "");
  for (int h = 1; h <= 24; ++h) {
    const double plan = 480.0 * h / 24;
    SCOPED_TRACE(h);
    EXPECT_NEAR(static_cast<double>(day.spent_by_hour[h]), plan, 0.1 * plan);
  }
  EXPECT_EQ(day.spent_by_hour[24], 480);
  EXPECT_EQ(day.exhausted_hour, 23);  // used up in the last hour, not at 9 a.m.
}

TEST(PacingTest, HourlyShapeMovesThePlan) {
  // Twice the weight from 07:00 to 11:00.
  std::string shape = R"(, "hourly_shape": [)";
  for (int h = 0; h < 24; ++h) absl::StrAppend(&shape, h ? "," : "", h >= 7 && h < 11 ? 2 : 1);
  shape += "]";
  const DayResult day = SimulateDay("even", shape);
  double cumulative = 0;
  for (int h = 1; h <= 24; ++h) {
    cumulative += (h - 1 >= 7 && h - 1 < 11) ? 2 : 1;
    const double plan = 480.0 * cumulative / 28;
    SCOPED_TRACE(h);
    EXPECT_NEAR(static_cast<double>(day.spent_by_hour[h]), plan, 0.1 * plan);
  }
}

TEST(PacingTest, WithoutPacingTheBudgetIsGoneEarly) {
  const DayResult day = SimulateDay("none", "");
  EXPECT_LT(day.exhausted_hour, 9);
}

TEST(PacingTest, FactorRisesBehindPlanAndFallsAhead) {
  auto strategy = testing::MustLoad(R"json({
    "version": "p", "offers": [{"id": "promo", "name": "P", "kind": "cross_sell", "margin": 1,
      "reason": "r", "budget": {"daily_count": 1000}}],
    "segments": [{"id": "all", "name": "All", "rule": "true", "treatments": [{"offer_id": "promo"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["promo"]}]})json");
  const absl::Time noon = kT0 + absl::Hours(12);  // plan: 500
  const std::string key = "budget/promo/day/2026-01-01/count";
  const auto factor = [&](int64_t spent) {
    LocalBudgetGate gate;
    gate.Set(key, spent);
    return CheckBudgets(*strategy, 0, v1::CHANNEL_WEB, noon, gate, nullptr);
  };
  EXPECT_DOUBLE_EQ(factor(500 - 1).pacing, 1.01);
  EXPECT_DOUBLE_EQ(factor(400).pacing, 2);  // a tenth of the limit behind: doubled
  EXPECT_DOUBLE_EQ(factor(0).pacing, 2);    // capped
  EXPECT_EQ(factor(499).dropped, DropReason::kNone);
  EXPECT_EQ(factor(500).dropped, DropReason::kPacing);  // at plan: held back
  EXPECT_EQ(factor(1000).dropped, DropReason::kBudget);
}

constexpr absl::string_view kMicroStrategy = R"json({
  "version": "micro-1",
  "offers": [
    {"id": "a", "name": "A", "kind": "cross_sell", "margin": 10, "reason": "r"},
    {"id": "b", "name": "B", "kind": "cross_sell", "margin": 10, "reason": "r"},
    {"id": "c", "name": "C", "kind": "cross_sell", "margin": 10, "reason": "r"},
    {"id": "fb", "name": "FB", "kind": "service", "margin": 0, "reason": "r"},
    {"id": "fb_cart", "name": "FB cart", "kind": "service", "margin": 0, "reason": "r"},
    {"id": "fb_web_cart", "name": "FB web cart", "kind": "service", "margin": 0, "reason": "r"}
  ],
  "dimensions": [
    {"id": "value_tier", "levels": [{"id": "high", "rule": "monetary_total > 1000"},
                                    {"id": "low", "rule": "true"}]},
    {"id": "channel_pref", "levels": [{"id": "web", "rule": "interactions_on(\"web\") > 0"}]}
  ],
  "segments": [{"id": "all", "name": "All", "rule": "true",
    "treatments": [{"offer_id": "a"}, {"offer_id": "b"}],
    "micro_segments": [
      {"id": "high_web", "when": {"value_tier": "high", "channel_pref": "web"},
       "treatments": [{"offer_id": "c", "weight": 3}], "replace": true},
      {"id": "high", "when": {"value_tier": "high"},
       "treatments": [{"offer_id": "b", "weight": 2}, {"offer_id": "c"}]}
    ]}],
  "fallbacks": [{"channel": "*", "offer_ids": ["fb"]},
                {"channel": "*", "placement": "cart", "offer_ids": ["fb_cart"]},
                {"channel": "web", "placement": "cart", "offer_ids": ["fb_web_cart"]}]
})json";

TEST(PacingTest, HoursWithoutWeightAllowNothing) {
  std::string shape;
  for (int h = 0; h < 24; ++h) absl::StrAppend(&shape, h ? "," : "", h < 8 ? 0 : 1);
  auto strategy = testing::MustLoad(absl::StrCat(R"json({
    "version": "p", "offers": [{"id": "promo", "name": "P", "kind": "cross_sell", "margin": 1,
      "reason": "r", "budget": {"daily_count": 100, "hourly_shape": [)json",
                                                 shape, R"json(]}}],
    "segments": [{"id": "all", "name": "All", "rule": "true", "treatments": [{"offer_id": "promo"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["promo"]}]})json"));
  LocalBudgetGate gate;
  EXPECT_EQ(
      CheckBudgets(*strategy, 0, v1::CHANNEL_WEB, kT0 + absl::Hours(3), gate, nullptr).dropped,
      DropReason::kPacing);
  EXPECT_EQ(ChargeDecision(*strategy, 0, v1::CHANNEL_WEB, kT0 + absl::Hours(3), gate),
            DropReason::kPacing);
  EXPECT_EQ(ChargeDecision(*strategy, 0, v1::CHANNEL_WEB, kT0 + absl::Minutes(8 * 60 + 5), gate),
            DropReason::kNone);
}

TEST(MicroSegmentTest, FirstMatchingMicroSegmentRefinesTheTreatments) {
  auto strategy = testing::MustLoad(kMicroStrategy);
  const CompiledSegment& seg = strategy->segments[0];
  ASSERT_EQ(seg.micro_segments.size(), 2u);
  // "high": overrides b's weight and appends c.
  const auto& high = seg.micro_segments[1].treatments;
  ASSERT_EQ(high.size(), 3u);
  EXPECT_DOUBLE_EQ(high[1].weight, 2);
  EXPECT_EQ(strategy->offers[high[2].offer].def->id(), "c");
  // "high_web" replaces.
  ASSERT_EQ(seg.micro_segments[0].treatments.size(), 1u);

  struct Case {
    std::string name;
    double spend;
    v1::Channel channel;
    std::string micro;
    std::vector<std::string> levels;
  };
  for (const Case& tc : std::vector<Case>{
           {"low value", 10, v1::CHANNEL_STORE, "", {"value_tier=low"}},
           {"high value, store", 5000, v1::CHANNEL_STORE, "high", {"value_tier=high"}},
           {"high value, web",
            5000,
            v1::CHANNEL_WEB,
            "high_web",
            {"value_tier=high", "channel_pref=web"}},
       }) {
    SCOPED_TRACE(tc.name);
    v1::Profile profile;
    profile.set_customer_id("c-1");
    v1::Event purchase = testing::Purchase("p", "x", tc.spend, 1);
    purchase.set_channel(tc.channel);
    ApplyEvent(profile, purchase, kT0);
    v1::Event e = testing::PageView("e2", tc.channel);
    const DecisionResult r = MakeDecision(profile, testing::Request("c-1", e), *strategy, kT0);
    EXPECT_EQ(r.response.micro_segment_id(), tc.micro);
    EXPECT_EQ(r.dimension_levels, tc.levels);
  }
}

TEST(MicroSegmentTest, FallbacksByPlacement) {
  auto strategy = testing::MustLoad(kMicroStrategy);
  const auto id = [&](const std::vector<int>& offers) {
    return offers.empty() ? std::string() : strategy->offers[offers[0]].def->id();
  };
  EXPECT_EQ(id(strategy->FallbacksFor(v1::CHANNEL_WEB, "cart")), "fb_web_cart");
  EXPECT_EQ(id(strategy->FallbacksFor(v1::CHANNEL_STORE, "cart")), "fb_cart");
  EXPECT_EQ(id(strategy->FallbacksFor(v1::CHANNEL_WEB, "home")), "fb");
  EXPECT_EQ(id(strategy->FallbacksFor(v1::CHANNEL_WEB, "")), "fb");
}

TEST(PolicyLoaderTest, LocatedErrors) {
  struct Case {
    std::string name;
    std::string from;
    std::string to;
    std::string error;
  };
  const std::string base(kPolicyStrategy);
  const std::vector<Case> cases = {
      {"action class", R"("action_class": "mandatory")", R"("action_class": "urgent")",
       "offers[5].action_class: unknown \"urgent\"; one of: marketing, service, mandatory"},
      {"validity order", R"("valid_until": "2025-12-27T00:00:00Z")",
       R"("valid_until": "2025-11-27T00:00:00Z")",
       "offers[3].valid_until: must be after valid_from"},
      {"placement twice", R"(["cart", "checkout"])", R"(["cart", "cart"])",
       "offers[4].placements[1]: placement \"cart\" listed twice"},
      {"group chars", R"("group": "tv", "prior")", R"("group": "TV!", "prior")",
       "offers[1].group: \"TV!\" must be 1..64 characters of [a-z0-9_-]"},
      {"cap range", R"("max_per_day": 3)", R"("max_per_day": 500)",
       "contact_policy.max_per_day: must be 0..200 (0 = no cap), got 500"},
      {"cap channel", R"({"channel": "email", "max_per_day": 1})",
       R"({"channel": "fax", "max_per_day": 1})",
       "contact_policy.channels[0].channel: unknown channel \"fax\""},
      {"cooldown", R"("decline_cooldown_days": 30)", R"("decline_cooldown_days": -1)",
       "contact_policy.decline_cooldown_days: must be 0..3650 days, got -1"},
      {"prior both ways", R"({"alpha": 1, "beta": 1})", R"({"alpha": 1, "beta": 1, "rate": 0.1})",
       "offers[6].prior: give either rate and weight, or alpha and beta"},
      {"prior beta", R"({"alpha": 1, "beta": 1})", R"({"alpha": 1, "beta": 0})",
       "offers[6].prior.beta: must be > 0, got 0"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string json = base;
    const size_t at = json.find(tc.from);
    ASSERT_NE(at, std::string::npos);
    json.replace(at, tc.from.size(), tc.to);
    const StrategyLoadResult r = LoadStrategy(json);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(FormatProblems(r.problems, false).find(tc.error), std::string::npos)
        << FormatProblems(r.problems, false);
  }
}

TEST(PolicyLoaderTest, BudgetCapacityAndDimensionErrors) {
  struct Case {
    std::string name;
    std::string from;
    std::string to;
    std::string error;
  };
  const std::string budget(kBudgetStrategy);
  const std::string micro(kMicroStrategy);
  const std::vector<Case> cases = {
      {"charge_on", R"("charge_on": "acceptance")", R"("charge_on": "click")",
       "offers[2].budget.charge_on: unknown \"click\"; one of: decision, acceptance"},
      {"negative count", R"("daily_count": 5,)", R"("daily_count": -5,)",
       "offers[0].budget.daily_count: must be >= 0 (0 = no limit), got -5"},
      {"pacing", R"("pacing": "none"}},)", R"("pacing": "fast"}},)",
       "offers[0].budget.pacing: unknown \"fast\"; one of: even, none"},
      {"capacity channel", R"("channel": "call_centre", "offer_kinds")",
       R"("channel": "pigeon", "offer_kinds")",
       "capacities[0].channel: unknown channel \"pigeon\""},
      {"capacity limits", R"("per_hour": 2)", R"("per_hour": 0)",
       "capacities[0]: needs per_hour or per_day (or both)"},
      {"micro unknown level", R"("value_tier": "high", "channel_pref")",
       R"("value_tier": "mega", "channel_pref")",
       "segments[0].micro_segments[0].when.value_tier: unknown level \"mega\" of dimension "
       "\"value_tier\""},
      {"micro unknown dimension", R"({"value_tier": "high"})", R"({"tier": "high"})",
       "segments[0].micro_segments[1].when.tier: unknown dimension \"tier\""},
      {"level rule", R"("rule": "monetary_total > 1000")", R"("rule": "monetary_total >")",
       "dimensions[0].levels[0].rule:1:"},
      {"fallback placement twice", R"({"channel": "web", "placement": "cart")",
       R"({"channel": "*", "placement": "cart")",
       "fallbacks[2].placement: a second list for \"*\" and placement \"cart\""},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string json = budget.find(tc.from) != std::string::npos ? budget : micro;
    const size_t at = json.find(tc.from);
    ASSERT_NE(at, std::string::npos);
    json.replace(at, tc.from.size(), tc.to);
    const StrategyLoadResult r = LoadStrategy(json);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(FormatProblems(r.problems, false).find(tc.error), std::string::npos)
        << FormatProblems(r.problems, false);
  }
  const StrategyLoadResult tz =
      LoadStrategy(std::string(kBudgetStrategy).replace(1, 0, R"("time_zone": "Mars/Olympus",)"));
  EXPECT_NE(FormatProblems(tz.problems, false).find("time_zone: unknown time zone"),
            std::string::npos);
}

}  // namespace
}  // namespace nbo::core
