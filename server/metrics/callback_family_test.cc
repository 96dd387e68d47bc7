#include "server/metrics/callback_family.h"

#include "gtest/gtest.h"
#include "server/metrics/registry.h"

namespace nbo::metrics {
namespace {

double InvalidSamples(const Registry& registry, const std::string& family) {
  for (const FamilySnapshot& snapshot : registry.Collect()) {
    if (snapshot.name != kInvalidSamplesFamily) continue;
    for (const Sample& sample : snapshot.samples) {
      if (sample.labels.at("family") == family) return sample.value;
    }
  }
  return 0;
}

TEST(CallbackFamilyTest, DropsAndCountsSamplesWithInvalidLabelNames) {
  Registry registry;
  registry.AddCallbackFamily(MetricType::kGauge, "g", "G.", [] {
    return LabeledValues{{{{"ok", "1"}}, 1}, {{{"not ok", "1"}}, 2}};
  });
  const std::vector<FamilySnapshot> first = registry.Collect();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(InvalidSamples(registry, "g"), 2);  // one per Collect() so far (two calls)
}

TEST(CallbackFamilyTest, KeepsFirstOfDuplicateLabelSets) {
  CallbackFamily family("g", "G.", MetricType::kGauge, nullptr);
  family.AddCallback([] { return LabeledValues{{{{"a", "1"}}, 1}}; });
  family.AddCallback([] { return LabeledValues{{{{"a", "1"}}, 2}}; });
  FamilySnapshot snapshot;
  family.Collect(&snapshot);
  ASSERT_EQ(snapshot.samples.size(), 1u);
  EXPECT_EQ(snapshot.samples[0].value, 1);
}

TEST(CallbackFamilyTest, EmptyCallbackResultYieldsNoSamples) {
  CallbackFamily family("g", "G.", MetricType::kGauge, nullptr);
  family.AddCallback([] { return LabeledValues{}; });
  FamilySnapshot snapshot;
  family.Collect(&snapshot);
  EXPECT_TRUE(snapshot.samples.empty());
}

}  // namespace
}  // namespace nbo::metrics
