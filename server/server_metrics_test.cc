#include "server/server_metrics.h"

#include <memory>
#include <string>
#include <utility>

#include "core/rule.h"
#include "core/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/metrics/text_format.h"
#include "storage/memory_store.h"

namespace nbo::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServerMetricsTest, RendersDecisionsTransitionsRpcsAndStrategy) {
  metrics::Registry registry;
  StrategyHolder strategies("unused");
  ASSERT_TRUE(
      strategies.LoadInline(std::string(core::testing::kSmallStrategy), core::testing::kT0).ok());
  storage::MemoryStore store;
  ServerMetrics m(registry, strategies, store);
  m.OnDecision(v1::CHANNEL_WEB, "offers", absl::Microseconds(120));
  m.OnDecision(v1::CHANNEL_CALL_CENTRE, "fallback", absl::Microseconds(300));
  m.OnFallback(v1::CHANNEL_CALL_CENTRE, "budget_exhausted");
  m.OnFallback(v1::CHANNEL_WEB, "not-a-cause");
  m.OnSegmentTransition("", "everyone");
  m.OnRpcDone("/nbo.v1.DecisionService/Decide", grpc::StatusCode::INVALID_ARGUMENT);
  m.OnRpcDone("/evil/c-1234", grpc::StatusCode::UNIMPLEMENTED);
  m.OnStrategyReload(absl::InvalidArgumentError("bad"));

  const std::string text = metrics::Render(registry);
  EXPECT_THAT(text, HasSubstr(R"(nbo_decisions_total{channel="web",result="offers"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_decisions_total{channel="call_centre",result="fallback"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_decision_latency_seconds_count{channel="web"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(nbo_decision_fallbacks_total{cause="budget_exhausted",channel="call_centre"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(R"(nbo_decision_fallbacks_total{cause="no_eligible_offer",channel="web"} 1)"));
  EXPECT_THAT(text, Not(HasSubstr("not-a-cause")));
  EXPECT_THAT(text, HasSubstr(R"(nbo_segment_transitions_total{from="",to="everyone"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(nbo_grpc_server_handled_total{code="INVALID_ARGUMENT",method="/nbo.v1.DecisionService/Decide"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(nbo_grpc_server_handled_total{code="UNIMPLEMENTED",method="other"} 1)"));
  EXPECT_THAT(text, Not(HasSubstr("c-1234")));
  EXPECT_THAT(text, HasSubstr(R"(nbo_strategy_reloads_total{result="invalid"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_strategy_info{checksum=")"));
  EXPECT_THAT(text, HasSubstr(R"(version="test-1"} 1)"));
  EXPECT_THAT(text, HasSubstr("nbo_strategy_loaded_timestamp_seconds 1767225600"));
  EXPECT_THAT(text, HasSubstr("process_start_time_seconds"));
}

TEST(ServerMetricsTest, CountsOutcomesByChannelOutcomeAndResult) {
  metrics::Registry registry;
  StrategyHolder strategies("unused");
  storage::MemoryStore store;
  ServerMetrics m(registry, strategies, store);
  OutcomeObserver& observer = m;
  observer.OnOutcome(v1::CHANNEL_WEB, "accepted", "recorded");
  observer.OnOutcome(v1::CHANNEL_WEB, "accepted", "recorded");
  observer.OnOutcome(v1::CHANNEL_CALL_CENTRE, "ignored", "duplicate");
  observer.OnOutcome(v1::CHANNEL_UNSPECIFIED, "unspecified", "invalid");
  observer.OnOutcome(static_cast<v1::Channel>(99), "c-1234", "d-0193");  // never a label value

  const std::string text = metrics::Render(registry);
  EXPECT_THAT(text, HasSubstr("# HELP nbo_outcomes_total RecordOutcome calls"));
  EXPECT_THAT(
      text,
      HasSubstr(R"(nbo_outcomes_total{channel="web",outcome="accepted",result="recorded"} 2)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(nbo_outcomes_total{channel="call_centre",outcome="ignored",result="duplicate"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(nbo_outcomes_total{channel="unspecified",outcome="unspecified",result="invalid"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(nbo_outcomes_total{channel="unspecified",outcome="unspecified",result="error"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(R"(nbo_outcomes_total{channel="sms",outcome="declined",result="expired"} 0)"));
  EXPECT_THAT(text, Not(HasSubstr("c-1234")));
  EXPECT_THAT(text, Not(HasSubstr("d-0193")));
}

TEST(ServerMetricsTest, CountsDecisionsAndOutcomesByArm) {
  metrics::Registry registry;
  StrategyHolder strategies("unused");
  storage::MemoryStore store;
  ServerMetrics m(registry, strategies, store);
  FlowObserver& decisions = m;
  decisions.OnArm("model");
  decisions.OnArm("model");
  decisions.OnArm("explore");
  decisions.OnArm("c-1234");  // never a label value
  OutcomeObserver& outcomes = m;
  outcomes.OnArmOutcome("control", "accepted");
  outcomes.OnArmOutcome("explore", "ignored");
  outcomes.OnArmOutcome("", "accepted");          // a decision logged before arms: model
  outcomes.OnArmOutcome("model", "unspecified");  // not counted
  outcomes.OnArmOutcome("d-0193", "accepted");    // never a label value

  const std::string text = metrics::Render(registry);
  EXPECT_THAT(text, HasSubstr(R"(nbo_decisions_by_arm_total{arm="model"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_decisions_by_arm_total{arm="explore"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_decisions_by_arm_total{arm="control"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_outcomes_by_arm_total{arm="control",outcome="accepted"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_outcomes_by_arm_total{arm="explore",outcome="ignored"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_outcomes_by_arm_total{arm="model",outcome="accepted"} 1)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(outcome="unspecified"} )")));
  EXPECT_THAT(text, Not(HasSubstr("c-1234")));
  EXPECT_THAT(text, Not(HasSubstr("d-0193")));
}

TEST(ServerMetricsTest, ReportsLearningEntriesAndFlushes) {
  metrics::Registry registry;
  StrategyHolder strategies("unused");
  storage::MemoryStore store;
  core::FakeClock clock(core::testing::kT0);
  LearningStats learning(clock);
  ServerMetrics m(registry, strategies, store, &learning);
  EXPECT_THAT(metrics::Render(registry), HasSubstr("nbo_learning_entries 0"));
  learning.Record("everyone", "tv", v1::CHANNEL_WEB, v1::OUTCOME_ACCEPTED, core::testing::kT0,
                  absl::Hours(24));
  m.OnLearningFlush(absl::OkStatus());
  m.OnLearningFlush(absl::OkStatus());
  m.OnLearningFlush(absl::UnavailableError("disk full"));

  const std::string text = metrics::Render(registry);
  EXPECT_THAT(text, HasSubstr("# TYPE nbo_learning_entries gauge"));
  EXPECT_THAT(text, HasSubstr("nbo_learning_entries 2"));  // the web entry and the aggregate
  EXPECT_THAT(text, HasSubstr(R"(nbo_learning_flushes_total{result="ok"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_learning_flushes_total{result="error"} 1)"));
}

// Records `n` outcomes of `offer` in `segment`, `accepted` of them ACCEPTED, on the web.
void RecordOutcomes(LearningStats& learning, absl::string_view segment, absl::string_view offer,
                    int n, int accepted) {
  for (int i = 0; i < n; ++i) {
    learning.Record(segment, offer, v1::CHANNEL_WEB,
                    i < accepted ? v1::OUTCOME_ACCEPTED : v1::OUTCOME_DECLINED, core::testing::kT0,
                    absl::Hours(24));
  }
}

// A registry with ServerMetrics over kSmallStrategy (or `strategy_json`) and learning stats.
class OfferGaugesTest : public ::testing::Test {
 protected:
  void Start(size_t top_offers, absl::string_view strategy_json = core::testing::kSmallStrategy) {
    ASSERT_TRUE(strategies_.LoadInline(std::string(strategy_json), core::testing::kT0).ok());
    ServerMetricsOptions options;
    options.top_offers = top_offers;
    metrics_ = std::make_unique<ServerMetrics>(registry_, strategies_, store_, &learning_, options);
  }

  metrics::Registry registry_;
  StrategyHolder strategies_{"unused"};
  storage::MemoryStore store_;
  core::FakeClock clock_{core::testing::kT0};
  LearningStats learning_{clock_};
  std::unique_ptr<ServerMetrics> metrics_;
};

TEST_F(OfferGaugesTest, ExportsThePosteriorMeanAndEvidenceOfTheTopPairs) {
  Start(2);
  RecordOutcomes(learning_, "broadband", "fibre", 30, 8);  // (0.1 x 20 + 8) / (20 + 30) = 0.2
  RecordOutcomes(learning_, "everyone", "bb", 12, 0);      // (0.2 x 20 + 0) / (20 + 12) = 0.125
  RecordOutcomes(learning_, "everyone", "tv", 3, 3);       // third by evidence: not exported

  const std::string text = metrics::Render(registry_);
  EXPECT_THAT(text, HasSubstr("# TYPE nbo_offer_propensity gauge"));
  EXPECT_THAT(text, HasSubstr("# TYPE nbo_offer_evidence gauge"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_propensity{offer="fibre",segment="broadband"} 0.2)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_propensity{offer="bb",segment="everyone"} 0.125)"));
  // Rendered in label order (offer first), not by evidence.
  EXPECT_THAT(text, HasSubstr("# TYPE nbo_offer_evidence gauge\n"
                              R"(nbo_offer_evidence{offer="bb",segment="everyone"} 12)"
                              "\n"
                              R"(nbo_offer_evidence{offer="fibre",segment="broadband"} 30)"
                              "\n"));
  EXPECT_THAT(text, Not(HasSubstr(R"(offer="tv")")));
}

TEST_F(OfferGaugesTest, APairThatLeavesTheTopLosesItsSeries) {
  Start(1);
  EXPECT_THAT(metrics::Render(registry_), Not(HasSubstr("nbo_offer_propensity")));
  RecordOutcomes(learning_, "everyone", "tv", 5, 1);
  std::string text = metrics::Render(registry_);
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_evidence{offer="tv",segment="everyone"} 5)"));

  RecordOutcomes(learning_, "everyone", "bb", 6, 1);
  text = metrics::Render(registry_);
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_evidence{offer="bb",segment="everyone"} 6)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(offer="tv")")));
}

TEST_F(OfferGaugesTest, PairsOutsideTheServingStrategyAreNotExported) {
  Start(5);
  RecordOutcomes(learning_, "everyone", "retired_offer", 50, 5);  // removed by a reload
  RecordOutcomes(learning_, "old_segment", "tv", 40, 5);
  RecordOutcomes(learning_, "everyone", "tv", 2, 1);
  const std::string text = metrics::Render(registry_);
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_evidence{offer="tv",segment="everyone"} 2)"));
  EXPECT_THAT(text, Not(HasSubstr("retired_offer")));
  EXPECT_THAT(text, Not(HasSubstr("old_segment")));
}

TEST_F(OfferGaugesTest, PriorOnlyModeShowsThePrior) {
  std::string json(core::testing::kSmallStrategy);
  json.insert(json.find(R"("currency")"), R"("learning": {"mode": "prior_only"}, )");
  Start(5, json);
  RecordOutcomes(learning_, "broadband", "fibre", 30, 30);
  const std::string text = metrics::Render(registry_);
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_propensity{offer="fibre",segment="broadband"} 0.1)"));
  EXPECT_THAT(text, HasSubstr(R"(nbo_offer_evidence{offer="fibre",segment="broadband"} 30)"));
}

TEST_F(OfferGaugesTest, NoSeriesWithoutLearningStatsOrWithKZero) {
  Start(0);
  RecordOutcomes(learning_, "everyone", "tv", 5, 1);
  EXPECT_THAT(metrics::Render(registry_), Not(HasSubstr("nbo_offer_")));

  metrics::Registry registry;
  ServerMetrics without_learning(registry, strategies_, store_);
  EXPECT_THAT(metrics::Render(registry), Not(HasSubstr("nbo_offer_")));
}

TEST(OfferGaugeSamplesTest, LabelValuesAreEscaped) {
  // Ids a loaded strategy cannot have (they are validated to [a-z0-9_-]), built by hand: whatever
  // reaches a label must still render as valid exposition text.
  core::Strategy strategy;
  v1::Offer* offer_def = strategy.document.add_offers();
  offer_def->set_id("tv \"4k\"\\hd\n");
  v1::Segment* segment_def = strategy.document.add_segments();
  segment_def->set_id("a\"b");
  core::CompiledOffer offer;
  offer.def = offer_def;
  offer.prior_rate = 0.5;
  offer.prior_weight = 2;
  strategy.offers.push_back(std::move(offer));
  strategy.offer_index[offer_def->id()] = 0;
  absl::StatusOr<core::Rule> rule = core::Rule::Compile("true");
  ASSERT_TRUE(rule.ok());
  strategy.segments.push_back(core::CompiledSegment{segment_def, *std::move(rule), {}, {}});
  core::FakeClock clock(core::testing::kT0);
  LearningStats learning(clock);
  RecordOutcomes(learning, segment_def->id(), offer_def->id(), 2, 2);  // (1 + 2) / (2 + 2)

  const OfferGaugeSamples samples = CollectOfferGauges(learning, strategy, 20);
  ASSERT_EQ(samples.propensity.size(), 1u);
  ASSERT_EQ(samples.evidence.size(), 1u);
  EXPECT_EQ(samples.propensity[0].first.at("offer"), offer_def->id());  // raw in the samples
  metrics::Registry registry;
  registry.AddCallbackFamily(metrics::MetricType::kGauge, "nbo_offer_propensity", "help",
                             [&samples] { return samples.propensity; });
  EXPECT_THAT(metrics::Render(registry),
              HasSubstr(R"(nbo_offer_propensity{offer="tv \"4k\"\\hd\n",segment="a\"b"} 0.75)"));
}

}  // namespace
}  // namespace nbo::server
