// nbo-sim without a server: the world model (seeded, truth in [0, 1], the oracle, its mirror of
// examples/sim_strategy.json checked against the decision engine) and the run driven against an
// in-process engine (core::MakeDecision) instead of nbo-server.
#include "tools/sim/sim.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/decision.h"
#include "core/names.h"
#include "core/strategy_loader.h"
#include "core/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/sim/world.h"

namespace nbo::tools::sim {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(NBO_EXAMPLES_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const core::Strategy> LoadExample(const std::string& name) {
  core::StrategyLoadResult r = core::LoadStrategy(ReadExample(name));
  EXPECT_TRUE(r.ok()) << name << ": " << core::FormatProblems(r.problems, false);
  return r.strategy;
}

World MakeWorld(uint64_t seed, int customers = 500) {
  WorldOptions options;
  options.seed = seed;
  options.customers = customers;
  absl::StatusOr<World> world = World::Create(LoadExample("sim_strategy.json")->document, options);
  EXPECT_TRUE(world.ok()) << world.status();
  return *std::move(world);
}

// The hidden features and holdings of every customer, for comparing worlds.
std::vector<std::tuple<std::string, int, bool, bool, int, std::set<std::string>>> Population(
    const World& w) {
  std::vector<std::tuple<std::string, int, bool, bool, int, std::set<std::string>>> out;
  for (const Customer& c : w.customers()) {
    out.emplace_back(c.id, c.tier, c.streamer, c.family, c.channel, c.holdings);
  }
  return out;
}

TEST(SimWorldTest, SameSeedBuildsTheSameWorld) {
  World a = MakeWorld(7);
  World b = MakeWorld(7);
  EXPECT_EQ(Population(a), Population(b));
  EXPECT_EQ(a.MoveHomes(), b.MoveHomes());
  EXPECT_EQ(a.rng()(), b.rng()());
}

TEST(SimWorldTest, AnotherSeedBuildsAnotherWorld) {
  EXPECT_NE(Population(MakeWorld(7)), Population(MakeWorld(8)));
}

TEST(SimWorldTest, PopulationHasEveryKindOfCustomer) {
  World w = MakeWorld(1, 2000);
  int streamers = 0, families = 0, calls = 0, top = 0;
  std::set<std::string> segments;
  for (const Customer& c : w.customers()) {
    streamers += c.streamer;
    families += c.family;
    calls += c.channel == v1::CHANNEL_CALL_CENTRE;
    top += c.tier == 2;
    segments.insert(std::string(w.SegmentOf(c)));
  }
  EXPECT_NEAR(streamers / 2000.0, 0.35, 0.05);
  EXPECT_NEAR(families / 2000.0, 0.30, 0.05);
  EXPECT_NEAR(calls / 2000.0, 0.30, 0.05);
  EXPECT_NEAR(top / 2000.0, 0.15, 0.05);
  // Nobody has moved yet.
  EXPECT_EQ(segments, (std::set<std::string>{"broadband_only", "mobile_only", "everyone"}));
}

TEST(SimWorldTest, TruthIsAProbability) {
  World w = MakeWorld(3);
  for (Customer& c : w.customers()) {
    for (bool moved : {false, true}) {
      c.moved = moved;
      for (size_t k = 0; k < w.offers().size(); ++k) {
        const double p = w.TrueProbability(c, static_cast<int>(k));
        EXPECT_GT(p, 0) << c.id << " " << w.offers()[k].id;
        EXPECT_LT(p, 1) << c.id << " " << w.offers()[k].id;
      }
    }
  }
}

TEST(SimWorldTest, MovingHomeRaisesBroadbandAcceptance) {
  World w = MakeWorld(3);
  Customer c = w.customers()[0];
  c.moved = false;
  const int fibre = w.OfferIndex("xs_fibre");
  const int basic = w.OfferIndex("xs_broadband_basic");
  const int insurance = w.OfferIndex("xs_device_insurance");
  const double fibre_before = w.TrueProbability(c, fibre);
  const double basic_before = w.TrueProbability(c, basic);
  const double insurance_before = w.TrueProbability(c, insurance);
  c.moved = true;
  EXPECT_GT(w.TrueProbability(c, fibre), 5 * fibre_before);
  EXPECT_GT(w.TrueProbability(c, basic), 2 * basic_before);
  EXPECT_DOUBLE_EQ(w.TrueProbability(c, insurance), insurance_before);
}

TEST(SimWorldTest, MovesAreDrawnDailyAndOnlyOnce) {
  WorldOptions options;
  options.customers = 1000;
  options.move_probability = 0.05;
  absl::StatusOr<World> w = World::Create(LoadExample("sim_strategy.json")->document, options);
  ASSERT_TRUE(w.ok()) << w.status();
  std::set<int> moved;
  for (int day = 0; day < 10; ++day) {
    for (int i : w->MoveHomes()) {
      EXPECT_TRUE(moved.insert(i).second) << "customer " << i << " moved twice";
      EXPECT_TRUE(w->customers()[i].moved);
      EXPECT_EQ(w->SegmentOf(w->customers()[i]), "movers");
    }
  }
  // 1 - 0.95^10 = 40% of the customers.
  EXPECT_NEAR(moved.size() / 1000.0, 0.40, 0.06);
}

TEST(SimWorldTest, OraclePicksTheHighestTrueExpectedValue) {
  World w = MakeWorld(5);
  int with_offer = 0;
  for (size_t i = 0; i < w.customers().size(); ++i) {
    Customer& c = w.customers()[i];
    c.moved = i % 3 == 0;
    const std::vector<int> eligible = w.EligibleOffers(c);
    const OracleChoice best = w.Oracle(c);
    if (eligible.empty()) {
      EXPECT_EQ(best.offer, -1);
      continue;
    }
    ++with_offer;
    ASSERT_NE(std::find(eligible.begin(), eligible.end(), best.offer), eligible.end());
    EXPECT_DOUBLE_EQ(best.expected_value, w.ExpectedValue(c, best.offer));
    EXPECT_DOUBLE_EQ(best.probability, w.TrueProbability(c, best.offer));
    for (int k : eligible) EXPECT_LE(w.ExpectedValue(c, k), best.expected_value) << c.id;
  }
  EXPECT_EQ(with_offer, static_cast<int>(w.customers().size()));
}

TEST(SimWorldTest, AcceptedOffersAreNotEligibleAgain) {
  World w = MakeWorld(5);
  Customer c = w.customers()[0];
  c.holdings = {"mobile_basic"};
  const int unlimited = w.OfferIndex("up_mobile_unlimited");
  std::vector<int> eligible = w.EligibleOffers(c);
  ASSERT_NE(std::find(eligible.begin(), eligible.end(), unlimited), eligible.end());
  w.Accept(c, unlimited);
  EXPECT_TRUE(c.holdings.count("mobile_unlimited"));
  eligible = w.EligibleOffers(c);
  EXPECT_EQ(std::find(eligible.begin(), eligible.end(), unlimited), eligible.end());
}

TEST(SimWorldTest, PriorsMisrankTheOffersSoLearningHasSomethingToFind) {
  World w = MakeWorld(11, 2000);
  std::map<std::string, std::pair<double, double>> by_segment;  // prior choice vs oracle, p
  for (size_t i = 0; i < w.customers().size(); ++i) {
    Customer& c = w.customers()[i];
    c.moved = i % 5 == 0;
    const int prior = w.PriorChoice(c);
    ASSERT_GE(prior, 0);
    auto& [prior_p, oracle_p] = by_segment[std::string(w.SegmentOf(c))];
    prior_p += w.TrueProbability(c, prior);
    oracle_p += w.Oracle(c).probability;
  }
  ASSERT_EQ(by_segment.size(), 4u);
  for (const auto& [segment, p] : by_segment) {
    // In every segment the oracle accepts at least 1.5 times as often as the prior's choice.
    EXPECT_GT(p.second, 1.5 * p.first) << segment;
  }
}

TEST(SimWorldTest, RefusesAStrategyItDoesNotMirror) {
  absl::StatusOr<World> w = World::Create(LoadExample("strategy.json")->document, WorldOptions());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(w.status().message(), HasSubstr("examples/sim_strategy.json"));
}

TEST(SimWorldTest, CategoriesMatchTheStrategyDescription) {
  EXPECT_EQ(CategoryOf("broadband_fibre"), "broadband");
  EXPECT_EQ(CategoryOf("family_plan"), "mobile");
  EXPECT_EQ(CategoryOf("streaming_bundle"), "tv");
  EXPECT_EQ(CategoryOf("device_insurance"), "insurance");
  EXPECT_EQ(CategoryOf("unknown"), "other");
}

v1::Event PurchaseOf(const std::string& id, const std::vector<std::string>& products) {
  v1::Event e;
  e.set_event_id(id);
  e.set_channel(v1::CHANNEL_WEB);
  for (const std::string& p : products) {
    v1::PurchaseItem* item = e.mutable_purchase()->add_items();
    item->set_product(p);
    item->set_category(std::string(CategoryOf(p)));
  }
  return e;
}

// The mirror must say what the engine does: same segment, and the engine's (prior) choice is the
// mirror's prior choice among the offers it calls eligible.
TEST(SimWorldTest, MirrorAgreesWithTheDecisionEngine) {
  std::shared_ptr<const core::Strategy> strategy = LoadExample("sim_strategy.json");
  World w = MakeWorld(13, 600);
  std::mt19937_64 rng(13);
  for (size_t i = 0; i < w.customers().size(); ++i) {
    Customer& c = w.customers()[i];
    v1::Profile profile;
    profile.set_customer_id(c.id);
    if (!c.holdings.empty()) {
      core::ApplyEvent(profile, PurchaseOf("p0", {c.holdings.begin(), c.holdings.end()}), kT0);
    }
    // Some customers bought one or two offers more, some moved.
    for (int extra = static_cast<int>(i % 3); extra > 0; --extra) {
      const std::vector<int> eligible = w.EligibleOffers(c);
      const int k = eligible[rng() % eligible.size()];
      if (w.offers()[k].product.empty()) continue;
      w.Accept(c, k);
      core::ApplyEvent(profile, PurchaseOf(absl::StrCat("p", extra), {w.offers()[k].product}), kT0);
    }
    if (i % 4 == 0) {
      c.moved = true;
      v1::Event move;
      move.set_event_id("m");
      move.set_channel(v1::CHANNEL_WEB);
      move.mutable_life_event()->set_kind("moved_home");
      core::ApplyEvent(profile, move, kT0);
    }
    v1::DecideRequest request;
    request.mutable_customer()->set_customer_id(c.id);
    request.set_max_offers(1);
    request.mutable_event()->set_event_id("e");
    request.mutable_event()->set_channel(c.channel);
    request.mutable_event()->mutable_page_view()->set_page("home");
    const v1::DecideResponse r =
        core::MakeDecision(profile, request, *strategy, kT0 + absl::Hours(1)).response;
    EXPECT_EQ(r.segment_id(), w.SegmentOf(c)) << c.id;
    const int prior = w.PriorChoice(c);
    ASSERT_GE(prior, 0) << c.id;
    ASSERT_EQ(r.offers_size(), 1) << c.id;
    EXPECT_EQ(r.offers(0).offer_id(), w.offers()[prior].id) << c.id << " in " << r.segment_id();
  }
}

// An in-process stand-in for nbo-server: core::MakeDecision on profiles in memory, at a fixed
// time. With `learn`, outcomes update Beta evidence per (segment, offer) and channel, the model
// the server is built to (docs/learning.md); without, every arm decides on the priors.
class EngineBackend : public SimBackend, public core::EvidenceSource {
 public:
  EngineBackend(std::string strategy_file, bool learn)
      : json_(ReadExample(strategy_file)), learn_(learn) {
    core::StrategyLoadResult r = core::LoadStrategy(json_);
    EXPECT_TRUE(r.ok());
    strategy_ = r.strategy;
  }

  absl::StatusOr<std::string> StrategyJson() override { return json_; }

  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request) override {
    v1::Profile& profile = profiles_[request.customer().customer_id()];
    profile.set_customer_id(request.customer().customer_id());
    core::DecisionOptions options;
    if (learn_) options.evidence = this;
    v1::DecideResponse r = core::MakeDecision(profile, request, *strategy_, kT0,
                                              core::DefaultProfileSettings(), options)
                               .response;
    r.set_decision_id(absl::StrCat("d-", decisions_.size() + 1));
    decisions_[r.decision_id()] = {r, request.event().channel()};
    return r;
  }

  absl::Status RecordOutcome(const v1::OutcomeRequest& request) override {
    auto it = decisions_.find(request.decision_id());
    if (it == decisions_.end()) return absl::NotFoundError("unknown decision");
    const v1::DecideResponse& d = it->second.first;
    if (d.offers().empty() || d.offers(0).offer_id() != request.offer_id()) {
      return absl::InvalidArgumentError("offer_id: not answered");
    }
    core::RecordContact(profiles_[d.customer_id()], request.offer_id(), request.outcome(), kT0);
    const bool accepted = request.outcome() == v1::OUTCOME_ACCEPTED;
    for (v1::Channel channel : {v1::CHANNEL_UNSPECIFIED, it->second.second}) {
      core::Evidence& e = evidence_[{d.segment_id(), request.offer_id(), channel}];
      (accepted ? e.accepted : e.rejected) += 1;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<v1::IngestSummary> Ingest(const v1::IngestRequest& request) override {
    v1::IngestSummary summary;
    for (const v1::IngestEvent& e : request.events()) {
      v1::Profile& profile = profiles_[e.customer().customer_id()];
      profile.set_customer_id(e.customer().customer_id());
      core::ApplyEvent(profile, e.event(), kT0);
      summary.set_applied(summary.applied() + 1);
    }
    return summary;
  }

  core::Evidence Get(absl::string_view segment_id, absl::string_view offer_id, v1::Channel channel,
                     absl::Time) const override {
    auto it = evidence_.find({std::string(segment_id), std::string(offer_id), channel});
    return it == evidence_.end() ? core::Evidence{} : it->second;
  }

 private:
  std::string json_;
  bool learn_;
  std::shared_ptr<const core::Strategy> strategy_;
  std::map<std::string, v1::Profile> profiles_;
  std::map<std::string, std::pair<v1::DecideResponse, v1::Channel>> decisions_;
  std::map<std::tuple<std::string, std::string, v1::Channel>, core::Evidence> evidence_;
};

SimOptions SmallRun() {
  SimOptions o;
  o.seed = 42;
  o.customers = 400;
  o.days = 6;
  o.interactions_per_day = 200;
  o.run_id = "test";
  return o;
}

// The run of tests/sim_e2e_test.cc (there against nbo-server): same seed, size and run id, so the
// same customers are in the control group and the control arm's figures are the same.
SimOptions EndToEndRun() {
  SimOptions o;
  o.seed = 6;
  o.customers = 2000;
  o.days = 12;
  o.interactions_per_day = 400;
  o.run_id = "e2e";
  return o;
}

TEST(RunSimulationTest, DecidesEveryInteractionAndMirrorsTheEngine) {
  EngineBackend engine("sim_strategy.json", /*learn=*/false);
  absl::StatusOr<SimReport> r = RunSimulation(engine, SmallRun());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->failed_requests, 0) << r->first_failure;
  EXPECT_EQ(r->total.All().decisions, 6 * 200);
  EXPECT_EQ(r->days_reported.size(), 6u);
  EXPECT_EQ(r->segment_mismatches, 0);
  EXPECT_EQ(r->offer_mismatches, 0);
  EXPECT_EQ(r->strategy_version, "sim-2026.1");
  const Tally all = r->total.All();
  EXPECT_EQ(all.accepted + all.declined + all.ignored, all.offered);
  EXPECT_GT(all.accepted, 0);
  EXPECT_GT(r->total.control.decisions, 0);
  EXPECT_GT(r->total.explore.decisions, 0);
  // Regret is never negative when the mirror is exact.
  for (const DayReport& d : r->days_reported) EXPECT_GE(d.arms.All().Regret(), -1e-9);
  EXPECT_EQ(ExitCodeFor(r), kSimExitOk);
}

TEST(RunSimulationTest, SameSeedSameReport) {
  EngineBackend a("sim_strategy.json", false), b("sim_strategy.json", false);
  absl::StatusOr<SimReport> ra = RunSimulation(a, SmallRun());
  absl::StatusOr<SimReport> rb = RunSimulation(b, SmallRun());
  ASSERT_TRUE(ra.ok() && rb.ok());
  ra->seconds = rb->seconds = 0;
  EXPECT_EQ(FormatJson(*ra), FormatJson(*rb));
}

TEST(RunSimulationTest, LearningBeatsControlWhenTheEngineLearns) {
  EngineBackend engine("sim_strategy.json", /*learn=*/true);
  absl::StatusOr<SimReport> r = RunSimulation(engine, EndToEndRun());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->failed_requests, 0) << r->first_failure;
  const Tally learning = r->second_half.Learning();
  const Tally& control = r->second_half.control;
  ASSERT_GT(control.offered, 100);
  EXPECT_GT(learning.AcceptanceRate(), control.AcceptanceRate()) << FormatTable(*r);
  EXPECT_GT(learning.ExpectedAcceptanceRate(), 1.5 * learning.PriorAcceptanceRate())
      << FormatTable(*r);
  EXPECT_LT(learning.Regret() / learning.decisions, control.Regret() / control.decisions);
}

// Without learning, the model arm shows what the prior-only policy shows, so the e2e test's
// assertions fail: they measure learning, not luck.
TEST(RunSimulationTest, WithoutLearningTheModelArmIsThePriorOnlyPolicy) {
  EngineBackend engine("sim_strategy.json", /*learn=*/false);
  absl::StatusOr<SimReport> r = RunSimulation(engine, EndToEndRun());
  ASSERT_TRUE(r.ok()) << r.status();
  const Tally learning = r->second_half.Learning();
  const Tally& control = r->second_half.control;
  EXPECT_DOUBLE_EQ(learning.ExpectedAcceptanceRate(), learning.PriorAcceptanceRate());
  EXPECT_DOUBLE_EQ(control.ExpectedAcceptanceRate(), control.PriorAcceptanceRate());
  EXPECT_LT(learning.AcceptanceRate(), control.AcceptanceRate()) << FormatTable(*r);
  // The oracle is far ahead of both.
  EXPECT_GT(learning.oracle_value, 2 * learning.expected_value);
  EXPECT_GT(control.oracle_value, 2 * control.expected_value);
}

TEST(RunSimulationTest, RefusesAServerThatServesAnotherStrategy) {
  EngineBackend engine("strategy.json", false);
  absl::StatusOr<SimReport> r = RunSimulation(engine, SmallRun());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ExitCodeFor(r), kSimExitFailed);
}

class DownBackend : public SimBackend {
 public:
  absl::StatusOr<std::string> StrategyJson() override { return ReadExample("sim_strategy.json"); }
  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest&) override {
    return absl::UnavailableError("connection refused");
  }
  absl::Status RecordOutcome(const v1::OutcomeRequest&) override {
    return absl::UnavailableError("connection refused");
  }
  absl::StatusOr<v1::IngestSummary> Ingest(const v1::IngestRequest&) override {
    return v1::IngestSummary();
  }
};

TEST(RunSimulationTest, StopsAfterTwentyFailuresInARow) {
  DownBackend down;
  absl::StatusOr<SimReport> r = RunSimulation(down, SmallRun());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("20 failed requests in a row"));
  EXPECT_EQ(ExitCodeFor(r), kSimExitUnreachable);
}

TEST(SimOptionsTest, NamesTheOptionOutOfRange) {
  SimOptions o = SmallRun();
  EXPECT_TRUE(ValidateSimOptions(o).ok());
  o.customers = 0;
  EXPECT_EQ(ValidateSimOptions(o).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ValidateSimOptions(o).message(), HasSubstr("customers: must be 1..1000000, got 0"));
  o = SmallRun();
  o.days = 0;
  EXPECT_THAT(ValidateSimOptions(o).message(), HasSubstr("days"));
  o = SmallRun();
  o.interactions_per_day = -1;
  EXPECT_THAT(ValidateSimOptions(o).message(), HasSubstr("interactions_per_day"));
  o = SmallRun();
  o.run_id = "Bad Id";
  EXPECT_THAT(ValidateSimOptions(o).message(), HasSubstr("run_id"));
  o = SmallRun();
  o.move_probability = 1.5;
  EXPECT_THAT(ValidateSimOptions(o).message(), HasSubstr("move_probability"));
}

TEST(SimReportTest, TableAndJsonShowTheArmsAndTheSecondHalf) {
  SimReport r;
  r.days = 2;
  r.run_id = "x\"y";
  DayReport d;
  d.day = 1;
  d.arms.model.decisions = 10;
  d.arms.model.offered = 10;
  d.arms.model.accepted = 2;
  d.arms.model.value = 100;
  d.arms.model.expected_value = 40;
  d.arms.model.oracle_value = 60;
  d.arms.control.decisions = 5;
  d.arms.control.offered = 4;
  d.arms.control.accepted = 1;
  r.days_reported = {d};
  r.total = d.arms;
  r.second_half = d.arms;
  EXPECT_DOUBLE_EQ(d.arms.model.AcceptanceRate(), 0.2);
  EXPECT_DOUBLE_EQ(d.arms.model.Regret(), 20);
  EXPECT_DOUBLE_EQ(d.arms.control.AcceptanceRate(), 0.25);
  const std::string table = FormatTable(r);
  EXPECT_THAT(table, HasSubstr("Second half (days 2-2)"));
  EXPECT_THAT(table, HasSubstr("acceptance 20.00% vs 25.00%"));
  const std::string json = FormatJson(r);
  EXPECT_THAT(json, HasSubstr("\"run_id\":\"x\\\"y\""));
  EXPECT_THAT(json, HasSubstr("\"second_half\":{\"learning\":{\"decisions\":10"));
  EXPECT_THAT(json, HasSubstr("\"cumulative_regret\":20"));
}

}  // namespace
}  // namespace nbo::tools::sim
