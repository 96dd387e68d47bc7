#include "server/metrics/text_format.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "server/metrics/registry.h"

namespace nbo::metrics {
namespace {

TEST(FormatValueTest, IntegersHaveNoExponentOrFraction) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-7), "-7");
  EXPECT_EQ(FormatValue(1e15), "1000000000000000");
  EXPECT_EQ(FormatValue(1700000000), "1700000000");
}

TEST(FormatValueTest, FractionsUseShortestRoundTrip) {
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(2.5e-7), "2.5e-07");
}

TEST(FormatValueTest, SpecialValues) {
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(FormatValueTest, HugeValuesUseExponent) { EXPECT_EQ(FormatValue(1e300), "1e+300"); }

TEST(EscapeTest, LabelValueEscapesBackslashQuoteNewline) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(EscapeTest, HelpEscapesBackslashNewlineButNotQuote) {
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(RenderTest, EmptyRegistryRendersNothing) {
  Registry registry;
  EXPECT_EQ(Render(registry), "");
}

TEST(RenderTest, GoldenOutput) {
  Registry registry;
  Family<Counter>& decisions = registry.AddCounter("nbo_decisions_total", "Decisions made.");
  decisions.Add({{"result", "ok"}, {"channel", "web"}}).Increment(3);
  decisions.Add({{"channel", "store"}, {"result", "error"}}).Increment();
  registry.AddGauge("nbo_strategy_info", "Loaded strategy; C:\\path\nsecond line.")
      .Add({{"version", "v1 \"beta\"\n"}})
      .Set(1);
  Family<Histogram>& latency =
      registry.AddHistogram("nbo_decide_latency_seconds", "Decide latency.", {0.25, 1, 2.5});
  Histogram& web = latency.Add({{"channel", "web"}});
  web.Observe(0.25);
  web.Observe(0.5);
  web.Observe(4);
  registry.AddGauge("nbo_queue_depth", "Queue depth.").Add({}).Set(-2.5);

  EXPECT_EQ(Render(registry),
            "# HELP nbo_decide_latency_seconds Decide latency.\n"
            "# TYPE nbo_decide_latency_seconds histogram\n"
            "nbo_decide_latency_seconds_bucket{channel=\"web\",le=\"0.25\"} 1\n"
            "nbo_decide_latency_seconds_bucket{channel=\"web\",le=\"1\"} 2\n"
            "nbo_decide_latency_seconds_bucket{channel=\"web\",le=\"2.5\"} 2\n"
            "nbo_decide_latency_seconds_bucket{channel=\"web\",le=\"+Inf\"} 3\n"
            "nbo_decide_latency_seconds_sum{channel=\"web\"} 4.75\n"
            "nbo_decide_latency_seconds_count{channel=\"web\"} 3\n"
            "# HELP nbo_decisions_total Decisions made.\n"
            "# TYPE nbo_decisions_total counter\n"
            "nbo_decisions_total{channel=\"store\",result=\"error\"} 1\n"
            "nbo_decisions_total{channel=\"web\",result=\"ok\"} 3\n"
            "# HELP nbo_queue_depth Queue depth.\n"
            "# TYPE nbo_queue_depth gauge\n"
            "nbo_queue_depth -2.5\n"
            "# HELP nbo_strategy_info Loaded strategy; C:\\\\path\\nsecond line.\n"
            "# TYPE nbo_strategy_info gauge\n"
            "nbo_strategy_info{version=\"v1 \\\"beta\\\"\\n\"} 1\n");
}

TEST(RenderTest, UnlabelledHistogramHasOnlyLe) {
  Registry registry;
  registry.AddHistogram("h_seconds", "H.", {1}).Add({}).Observe(2);
  EXPECT_EQ(Render(registry),
            "# HELP h_seconds H.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"1\"} 0\n"
            "h_seconds_bucket{le=\"+Inf\"} 1\n"
            "h_seconds_sum 2\n"
            "h_seconds_count 1\n");
}

}  // namespace
}  // namespace nbo::metrics
