#include "core/learning.h"

#include <cmath>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/arbitration.h"
#include "core/decision.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

CompiledOffer OfferWithPrior(double rate, double weight) {
  CompiledOffer o;
  o.prior_rate = rate;
  o.prior_weight = weight;
  return o;
}

TEST(PosteriorTest, PriorIsWorthItsWeightInOutcomes) {
  const CompiledOffer o = OfferWithPrior(0.05, 20);
  struct Case {
    std::string name;
    Evidence segment, channel;
    double min_channel;
    double mean;
  };
  for (const Case& tc : std::vector<Case>{
           {"no evidence: the prior", {}, {}, 50, 0.05},
           {"20 outcomes at 50%: halfway", {10, 10}, {}, 50, (1 + 10) / 40.0},
           {"1000 outcomes at 20%: the data", {200, 800}, {}, 50, (1 + 200) / 1020.0},
           {"channel below the gate: segment level", {10, 90}, {30, 10}, 50, (1 + 10) / 120.0},
           {"channel past the gate: its own", {10, 90}, {40, 20}, 50, (1 + 40) / 80.0},
       }) {
    SCOPED_TRACE(tc.name);
    const Posterior p = PosteriorFor(o, tc.segment, tc.channel, tc.min_channel);
    EXPECT_NEAR(p.Mean(), tc.mean, 1e-12);
  }
}

TEST(PosteriorTest, ThompsonDrawsFollowTheBetaDistribution) {
  std::mt19937_64 rng(42);
  const Posterior p{3, 7};
  double sum = 0, sum_sq = 0;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) {
    const double x = SampleBeta(p, rng);
    ASSERT_GE(x, 0);
    ASSERT_LE(x, 1);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / kDraws;
  const double var = sum_sq / kDraws - mean * mean;
  EXPECT_NEAR(mean, 0.3, 0.005);
  EXPECT_NEAR(var, 0.3 * 0.7 / 11, 0.002);  // ab / ((a+b)^2 (a+b+1))
  // Seeded: the same seed gives the same draws.
  std::mt19937_64 a(7), b(7);
  EXPECT_EQ(SampleBeta(p, a), SampleBeta(p, b));
}

// abseil's sampler switches algorithm by shape (both < 1, one < 1, both >= 1, very skewed): each
// regime a posterior can reach keeps the Beta's mean and variance and stays inside [0, 1].
TEST(PosteriorTest, SampleBetaHasTheRightMomentsInEveryShapeRegime) {
  const Posterior shapes[] = {{0.02, 0.98},  {0.3, 0.6},        {0.5, 40.0}, {4.0, 0.7},
                              {51.0, 949.0}, {1200.0, 30000.0}, {1e-6, 1.0}};
  std::mt19937_64 rng(11);
  constexpr int kDraws = 40000;
  for (const Posterior& p : shapes) {
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < kDraws; ++i) {
      const double x = SampleBeta(p, rng);
      ASSERT_TRUE(x >= 0 && x <= 1) << p.alpha << "," << p.beta << ": " << x;
      sum += x;
      sum_sq += x * x;
    }
    const double n = p.alpha + p.beta;
    const double mean = p.alpha / n;
    const double var = p.alpha * p.beta / (n * n * (n + 1));
    // Within 5 standard errors of the mean; the variance within 10%, except for Beta(1e-6, 1),
    // whose variance sits in draws near 1 that come once in a million.
    EXPECT_NEAR(sum / kDraws, mean, 5 * std::sqrt(var / kDraws) + 1e-9) << p.alpha << "," << p.beta;
    if (p.alpha < 1e-3) continue;
    EXPECT_NEAR(sum_sq / kDraws - (sum / kDraws) * (sum / kDraws), var, 0.1 * var)
        << p.alpha << "," << p.beta;
  }
}

TEST(ControlGroupTest, StableShareAndRedrawnEachPeriod) {
  CompiledLearning learning;
  learning.control_share = 0.02;
  int in = 0, moved = 0;
  constexpr int kCustomers = 100000;
  const absl::Time next_year = kT0 + absl::Hours(24 * 366);
  for (int i = 0; i < kCustomers; ++i) {
    const std::string id = absl::StrCat("c-", i);
    const bool now = InControlGroup(id, kT0, learning);
    in += now;
    // Stable within the period.
    EXPECT_EQ(now, InControlGroup(id, kT0 + absl::Hours(24 * 100), learning));
    moved += now != InControlGroup(id, next_year, learning);
  }
  EXPECT_NEAR(in / static_cast<double>(kCustomers), 0.02, 0.002);
  EXPECT_GT(moved, 0);  // a new year draws afresh
  learning.control_period = ControlPeriod::kNever;
  EXPECT_EQ(InControlGroup("c-1", kT0, learning), InControlGroup("c-1", next_year, learning));
}

class FixedEvidence : public EvidenceSource {
 public:
  Evidence Get(absl::string_view segment, absl::string_view offer, v1::Channel channel,
               absl::Time) const override {
    auto it = map.find(absl::StrCat(segment, "/", offer, "/", channel));
    return it == map.end() ? Evidence{} : it->second;
  }
  std::map<std::string, Evidence> map;
};

TEST(LearningArbitrationTest, EvidenceMovesTheRankingAndExplorationIsLogged) {
  auto strategy = testing::MustLoad(R"json({
    "version": "l", "offers": [
      {"id": "a", "name": "A", "kind": "cross_sell", "margin": 10, "prior": {"rate": 0.2, "weight": 10}, "reason": "r"},
      {"id": "b", "name": "B", "kind": "cross_sell", "margin": 10, "prior": {"rate": 0.1, "weight": 10}, "reason": "r"}],
    "segments": [{"id": "all", "name": "All", "rule": "true",
                  "treatments": [{"offer_id": "a"}, {"offer_id": "b"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["a"]}],
    "learning": {"exploration_share": 0.2}})json");
  v1::Profile profile;
  const v1::Event event = testing::PageView("e");
  const DecisionInputs in{profile, event, "", "", "", kT0};
  FixedEvidence evidence;
  // b is taken more often than its prior says, a less.
  evidence.map["all/b/0"] = {4, 6};
  evidence.map["all/a/0"] = {1, 9};
  std::mt19937_64 rng(1);
  ArbitrationOptions options;
  options.max_offers = 1;
  options.evidence = &evidence;
  options.segment_id = "all";
  options.rng = &rng;
  ArbitrationResult r = Arbitrate(*strategy, strategy->segments[0].treatments, in, options);
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(strategy->offers[r.candidates[r.chosen[0]].offer].def->id(), "b");
  EXPECT_NEAR(r.candidates[r.chosen[0]].parts.propensity(), (1 + 4) / 20.0, 1e-12);
  // The greedy choice shown with probability 1 - share + share x P(Thompson picks it).
  ASSERT_EQ(r.selection_probabilities.size(), 1u);
  EXPECT_GT(r.selection_probabilities[0], 0.8);
  EXPECT_LE(r.selection_probabilities[0], 1.0);

  // The control arm ignores the evidence: the priors rank a first, deterministically.
  options.arm = Arm::kControl;
  r = Arbitrate(*strategy, strategy->segments[0].treatments, in, options);
  EXPECT_EQ(strategy->offers[r.candidates[r.chosen[0]].offer].def->id(), "a");
  EXPECT_DOUBLE_EQ(r.selection_probabilities[0], 1);

  // Exploring: Thompson draws make a show up sometimes, never deterministically.
  options.arm = Arm::kExplore;
  int a_wins = 0;
  for (int i = 0; i < 2000; ++i) {
    r = Arbitrate(*strategy, strategy->segments[0].treatments, in, options);
    a_wins += strategy->offers[r.candidates[r.chosen[0]].offer].def->id() == "a";
    ASSERT_GT(r.selection_probabilities[0], 0);
  }
  EXPECT_GT(a_wins, 20);
  EXPECT_LT(a_wins, 1000);

  // Room for both: each is shown whatever the draws, so with probability exactly 1, and no
  // Monte Carlo draw is spent on it (the generator is left where it was).
  options.arm = Arm::kModel;
  options.max_offers = 2;
  const std::mt19937_64 before = rng;
  r = Arbitrate(*strategy, strategy->segments[0].treatments, in, options);
  ASSERT_EQ(r.selection_probabilities.size(), 2u);
  EXPECT_DOUBLE_EQ(r.selection_probabilities[0], 1);
  EXPECT_DOUBLE_EQ(r.selection_probabilities[1], 1);
  EXPECT_TRUE(rng == before);
}

TEST(LearningArbitrationTest, DecisionsRecordTheirArm) {
  auto strategy = testing::MustLoad(R"json({
    "version": "l", "offers": [
      {"id": "a", "name": "A", "kind": "cross_sell", "margin": 10, "reason": "r"}],
    "segments": [{"id": "all", "name": "All", "rule": "true", "treatments": [{"offer_id": "a"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["a"]}],
    "learning": {"exploration_share": 0.3, "control_share": 0.1}})json");
  std::map<std::string, int> arms;
  for (int i = 0; i < 3000; ++i) {
    v1::Profile profile;
    profile.set_customer_id(absl::StrCat("c-", i));
    const DecisionResult r = MakeDecision(
        profile, testing::Request(profile.customer_id(), testing::PageView("e")), *strategy, kT0);
    ++arms[r.response.arm()];
  }
  EXPECT_NEAR(arms["control"] / 3000.0, 0.1, 0.02);
  EXPECT_NEAR(arms["explore"] / 3000.0, 0.9 * 0.3, 0.03);
  EXPECT_NEAR(arms["model"] / 3000.0, 0.9 * 0.7, 0.03);
}

TEST(LearningLoaderTest, LocatedErrors) {
  const std::string base = R"json({"version": "l", "offers": [{"id": "a", "name": "A",
    "kind": "cross_sell", "margin": 1, "reason": "r"}], "segments": [{"id": "all", "name": "All",
    "rule": "true", "treatments": [{"offer_id": "a"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["a"]}], "learning": LEARNING})json";
  for (const auto& [learning, error] : std::vector<std::pair<std::string, std::string>>{
           {R"({"mode": "smart"})", "learning.mode: unknown \"smart\""},
           {R"({"exploration_share": 1.5})", "learning.exploration_share: must be in [0, 1]"},
           {R"({"control_share": 0.9})", "learning.control_share: must be in [0, 0.5]"},
           {R"({"half_life_days": 5000})", "learning.half_life_days: must be 0.01..3650"},
           {R"({"control_policy": "coin"})", "learning.control_policy: unknown \"coin\""},
           {R"({"control_period": "week"})", "learning.control_period: unknown \"week\""},
           {R"({"selection_probability_samples": 5000})",
            "learning.selection_probability_samples: must be 1..1000"},
       }) {
    SCOPED_TRACE(learning);
    std::string json = base;
    json.replace(json.find("LEARNING"), 8, learning);
    const StrategyLoadResult r = LoadStrategy(json);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(FormatProblems(r.problems, false).find(error), std::string::npos)
        << FormatProblems(r.problems, false);
  }
}

TEST(ChallengerTest, AStableShareDecidesWithTheChallengersTreatments) {
  auto strategy = testing::MustLoad(R"json({
    "version": "c", "offers": [
      {"id": "a", "name": "A", "kind": "cross_sell", "margin": 10, "prior": {"rate": 0.2}, "reason": "r"},
      {"id": "b", "name": "B", "kind": "cross_sell", "margin": 10, "prior": {"rate": 0.1}, "reason": "r"}],
    "segments": [{"id": "all", "name": "All", "rule": "true", "treatments": [{"offer_id": "a"}, {"offer_id": "b"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["a"]}],
    "learning": {"exploration_share": 1e-9, "control_share": 0.1},
    "challenger": {"id": "b_first", "share": 0.2,
                   "segments": [{"segment_id": "all", "treatments": [{"offer_id": "b", "weight": 5}]}]}})json");
  std::map<std::string, int> arms;
  constexpr int kCustomers = 5000;
  for (int i = 0; i < kCustomers; ++i) {
    v1::Profile profile;
    profile.set_customer_id(absl::StrCat("c-", i));
    v1::DecideRequest request = testing::Request(profile.customer_id(), testing::PageView("e"));
    request.set_max_offers(1);
    const DecisionResult r = MakeDecision(profile, request, *strategy, kT0);
    ++arms[r.response.arm()];
    ASSERT_EQ(r.response.offers_size(), 1);
    // b x5 (0.1 x 10 x 5 = 5) beats a (2) only in the challenger's table.
    EXPECT_EQ(r.response.offers(0).offer_id(), r.response.arm() == "challenger" ? "b" : "a");
    // Stable: the same customer lands in the same arm again.
    v1::Profile again;
    again.set_customer_id(profile.customer_id());
    if (i < 200) {
      EXPECT_EQ(MakeDecision(again, request, *strategy, kT0 + absl::Hours(5)).response.arm(),
                r.response.arm());
    }
  }
  EXPECT_NEAR(arms["control"] / double(kCustomers), 0.1, 0.015);
  EXPECT_NEAR(arms["challenger"] / double(kCustomers), 0.9 * 0.2, 0.02);
}

TEST(ChallengerTest, LocatedErrors) {
  const std::string base = R"json({"version": "c", "offers": [{"id": "a", "name": "A",
    "kind": "cross_sell", "margin": 1, "reason": "r"}], "segments": [{"id": "all", "name": "All",
    "rule": "true", "treatments": [{"offer_id": "a"}]}],
    "fallbacks": [{"channel": "*", "offer_ids": ["a"]}], "challenger": CHALLENGER})json";
  for (
      const auto& [challenger, error] : std::vector<std::pair<std::string, std::string>>{
          {R"({"id": "x", "share": 0.7, "segments": []})", "challenger.share: must be in (0, 0.5]"},
          {R"({"id": "X!", "share": 0.1})", "challenger.id:"},
          {R"({"id": "x", "share": 0.1, "segments": [{"segment_id": "nope"}]})",
           "challenger.segments[0].segment_id: unknown segment \"nope\""},
          {R"({"id": "x", "share": 0.1, "segments": [{"segment_id": "all", "treatments": [{"offer_id": "zz"}]}]})",
           "challenger.segments[0].treatments[0].offer_id: unknown offer \"zz\""},
      }) {
    SCOPED_TRACE(challenger);
    std::string json = base;
    json.replace(json.find("CHALLENGER"), 10, challenger);
    const StrategyLoadResult r = LoadStrategy(json);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(FormatProblems(r.problems, false).find(error), std::string::npos)
        << FormatProblems(r.problems, false);
  }
}

}  // namespace
}  // namespace nbo::core
