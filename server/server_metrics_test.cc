#include "server/server_metrics.h"

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

}  // namespace
}  // namespace nbo::server
