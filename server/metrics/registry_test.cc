#include "server/metrics/registry.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Names(const std::vector<FamilySnapshot>& families) {
  std::vector<std::string> names;
  for (const FamilySnapshot& family : families) names.push_back(family.name);
  return names;
}

TEST(RegistryTest, CollectsFamiliesInNameOrder) {
  Registry registry;
  registry.AddGauge("zeta", "Z.").Add({}).Set(1);
  registry.AddCounter("alpha_total", "A.").Add({}).Increment();
  registry.AddHistogram("mid_seconds", "M.", {1}).Add({}).Observe(0.5);
  EXPECT_THAT(Names(registry.Collect()), ElementsAre("alpha_total", "mid_seconds", "zeta"));
}

TEST(RegistryTest, OmitsFamiliesWithoutChildren) {
  Registry registry;
  registry.AddCounter("unused_total", "Never used.");
  EXPECT_TRUE(registry.Collect().empty());
}

TEST(RegistryTest, SnapshotCarriesHelpAndType) {
  Registry registry;
  registry.AddCounter("x_total", "Help text.").Add({}).Increment(2);
  const std::vector<FamilySnapshot> families = registry.Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].help, "Help text.");
  EXPECT_EQ(families[0].type, MetricType::kCounter);
  ASSERT_EQ(families[0].samples.size(), 1u);
  EXPECT_EQ(families[0].samples[0].value, 2);
}

TEST(RegistryTest, CallbackGaugeIsReadAtCollectTime) {
  Registry registry;
  double value = 1;
  registry.AddCallbackGauge("load_seconds", "Load.", {{"kind", "strategy"}},
                            [&value] { return value; });
  value = 42;
  const std::vector<FamilySnapshot> families = registry.Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].type, MetricType::kGauge);
  EXPECT_EQ(families[0].samples[0].value, 42);
  EXPECT_EQ(families[0].samples[0].labels.at("kind"), "strategy");
}

TEST(RegistryTest, CallbacksWithSameNameShareAFamily) {
  Registry registry;
  registry.AddCallbackCounter("stalls_total", "Stalls.", {{"cf", "b"}}, [] { return 2.0; });
  registry.AddCallbackCounter("stalls_total", "Stalls.", {{"cf", "a"}}, [] { return 1.0; });
  const std::vector<FamilySnapshot> families = registry.Collect();
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].samples.size(), 2u);
  EXPECT_EQ(families[0].samples[0].labels.at("cf"), "a");
  EXPECT_EQ(families[0].samples[1].labels.at("cf"), "b");
}

TEST(RegistryTest, CallbackFamilyProducesSeveralSamples) {
  Registry registry;
  registry.AddCallbackFamily(MetricType::kGauge, "live_bytes", "Live data.", [] {
    return LabeledValues{{{{"cf", "profiles"}}, 10}, {{{"cf", "decisions"}}, 20}};
  });
  const std::vector<FamilySnapshot> families = registry.Collect();
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].samples.size(), 2u);
  EXPECT_EQ(families[0].samples[0].labels.at("cf"), "decisions");
  EXPECT_EQ(families[0].samples[0].value, 20);
}

TEST(RegistryTest, CallbackMayRegisterMetrics) {
  Registry registry;
  bool registered = false;
  registry.AddCallbackGauge("registering", "Registers a family on first call.", {}, [&] {
    if (!registered) registry.AddGauge("late", "Registered from a callback.");
    registered = true;
    return 1.0;
  });
  EXPECT_EQ(registry.Collect().size(), 1u);  // no deadlock: the registry lock is not held
  EXPECT_TRUE(registered);
}

TEST(RegistryDeathTest, InvalidMetricNameAborts) {
  Registry registry;
  EXPECT_DEATH(registry.AddGauge("bad-name", "x"), "metric \"bad-name\": invalid name");
}

TEST(RegistryDeathTest, CounterWithoutTotalSuffixAborts) {
  Registry registry;
  EXPECT_DEATH(registry.AddCounter("requests", "x"), "must end in \"_total\"");
}

TEST(RegistryDeathTest, GaugeWithTotalSuffixAborts) {
  Registry registry;
  EXPECT_DEATH(registry.AddGauge("requests_total", "x"), "only counter names");
}

TEST(RegistryDeathTest, DuplicateNameAborts) {
  Registry registry;
  registry.AddGauge("queue_depth", "x");
  EXPECT_DEATH(registry.AddGauge("queue_depth", "x"), "registered twice");
}

TEST(RegistryDeathTest, NameClashingWithHistogramSeriesAborts) {
  Registry registry;
  registry.AddHistogram("latency_seconds", "x", {1});
  EXPECT_DEATH(registry.AddGauge("latency_seconds_count", "x"), "clashes with histogram");
}

TEST(RegistryDeathTest, CallbackOnPlainFamilyNameAborts) {
  Registry registry;
  registry.AddGauge("queue_depth", "x");
  EXPECT_DEATH(registry.AddCallbackGauge("queue_depth", "x", {}, [] { return 1.0; }),
               "registered twice");
}

TEST(RegistryDeathTest, CallbackWithInvalidLabelAborts) {
  Registry registry;
  EXPECT_DEATH(registry.AddCallbackGauge("g", "x", {{"a b", "1"}}, [] { return 1.0; }),
               "invalid label name");
}

}  // namespace
}  // namespace nbo::metrics
