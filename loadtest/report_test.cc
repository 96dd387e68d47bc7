#include "loadtest/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::loadtest {
namespace {

using testing::HasSubstr;
using testing::Not;

// A closed-loop run of 10 s: 900 Decide calls (2 DEADLINE_EXCEEDED, 45 fallbacks) and 100
// RecordOutcome calls, 1 ms each.
RecorderTotals SampleTotals() {
  Recorder r;
  for (int i = 0; i < 900; ++i) {
    const bool late = i < 2;
    r.Record(Rpc::kDecide, late ? grpc::StatusCode::DEADLINE_EXCEEDED : grpc::StatusCode::OK,
             1000000);
    if (!late) r.RecordDecideAnswer(i < 47, "no_eligible_offer", 1000);
  }
  for (int i = 0; i < 100; ++i) r.Record(Rpc::kRecordOutcome, grpc::StatusCode::OK, 1000000);
  return r.Totals();
}

Report SampleReport(bool with_server_pid) {
  LoadtestOptions o;
  o.target = Target::kEcho;
  o.concurrency = 8;
  o.label = "closed-8";
  RunFacts facts;
  facts.started_at = absl::FromUnixSeconds(1795000000);
  facts.run_id = "abc";
  facts.window = absl::Seconds(10);
  facts.client_cpu = absl::Milliseconds(20);
  if (with_server_pid) facts.server_cpu = absl::Milliseconds(50);
  return BuildReport(o, facts, SampleTotals());
}

TEST(ReportTest, CountsRatesErrorsAndFallbacks) {
  const Report r = SampleReport(true);
  EXPECT_EQ(r.all().count(), 1000);
  EXPECT_EQ(r.all().ok(), 998);
  EXPECT_DOUBLE_EQ(r.all().requests_per_second(), 100);
  EXPECT_EQ(r.decide().count(), 900);
  EXPECT_EQ(r.record_outcome().count(), 100);
  EXPECT_EQ(r.all().errors().at("DEADLINE_EXCEEDED"), 2);
  EXPECT_DOUBLE_EQ(r.fallback_share(), 45.0 / 898);
  EXPECT_EQ(r.fallback_causes().at("no_eligible_offer"), 45);
  EXPECT_DOUBLE_EQ(r.all().latency().p99_us(), 1000);
  EXPECT_DOUBLE_EQ(r.server_cpu_us_per_request(), 50);  // 50 ms / 1000 calls
  EXPECT_DOUBLE_EQ(r.client_cpu_us_per_request(), 20);
  EXPECT_DOUBLE_EQ(r.decide_response_bytes(), 1000);
}

TEST(ReportTest, JsonHasTheDocumentedFields) {
  const std::string json = ToJson(SampleReport(true));
  for (const char* field : {"\"mode\":\"closed\"",
                            "\"target\":\"echo\"",
                            "\"concurrency\":8",
                            "\"rate\":0",
                            "\"requests_per_second\":100",
                            "\"count\":1000",
                            "\"p50_us\"",
                            "\"p90_us\"",
                            "\"p99_us\"",
                            "\"p999_us\"",
                            "\"max_us\"",
                            "\"errors\":{\"DEADLINE_EXCEEDED\":2}",
                            "\"fallback_share\"",
                            "\"fallback_causes\":{\"no_eligible_offer\":45}",
                            "\"decide\":",
                            "\"record_outcome\":",
                            "\"server_cpu_us_per_request\":50",
                            "\"client_cpu_us_per_request\":20",
                            "\"label\":\"closed-8\"",
                            "\"started_at\":\"2026-11-18T"}) {
    EXPECT_THAT(json, HasSubstr(field));
  }
}

TEST(ReportTest, JsonLeavesServerCpuOutWithoutAPid) {
  EXPECT_THAT(ToJson(SampleReport(false)), Not(HasSubstr("server_cpu_us_per_request")));
}

TEST(ReportTest, JsonRoundTrips) {
  const Report r = SampleReport(true);
  auto parsed = ParseReportJson(ToJson(r));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->SerializeAsString(), r.SerializeAsString());
}

TEST(ReportTest, ParseRejectsWhatIsNotAReport) {
  EXPECT_EQ(ParseReportJson("{\"all\": 3}").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReportTest, TableShowsEachRpcAndTheErrors) {
  const std::string table = FormatTable(SampleReport(true));
  EXPECT_THAT(table, HasSubstr("Decide"));
  EXPECT_THAT(table, HasSubstr("RecordOutcome"));
  EXPECT_THAT(table, HasSubstr("DEADLINE_EXCEEDED=2"));
  EXPECT_THAT(table, HasSubstr("server 50.0 us"));
}

TEST(ReportTest, ComparisonHasOneRowPerPairWithRatios) {
  Report echo = SampleReport(true);
  Report nbo = SampleReport(true);
  nbo.set_target("nbo");
  nbo.mutable_all()->set_requests_per_second(25);
  nbo.mutable_all()->mutable_latency()->set_p99_us(4000);
  const std::string table = FormatComparison({{echo, nbo}});
  EXPECT_THAT(table, HasSubstr("| scenario | echo req/s | nbo req/s | ratio |"));
  EXPECT_THAT(table, HasSubstr("| closed-8 | 100 | 25 | 0.25 |"));
  EXPECT_THAT(table, HasSubstr("1.00 / 4.00 / 1.00"));
  EXPECT_THAT(table, HasSubstr("| 2 / 2 | 0 / 0 |"));  // errors, then calls not sent
}

}  // namespace
}  // namespace nbo::loadtest
