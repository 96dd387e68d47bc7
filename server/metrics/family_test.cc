#include "server/metrics/family.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/metrics/gauge.h"
#include "server/metrics/registry.h"

namespace nbo::metrics {
namespace {

double OverflowCount(const Registry& registry, const std::string& family) {
  for (const FamilySnapshot& snapshot : registry.Collect()) {
    if (snapshot.name != kLabelOverflowFamily) continue;
    for (const Sample& sample : snapshot.samples) {
      if (sample.labels.at("family") == family) return sample.value;
    }
  }
  return 0;
}

TEST(FamilyTest, SameLabelsReturnSameChild) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("requests_total", "Requests.");
  Counter& a = family.Add({{"channel", "web"}, {"result", "ok"}});
  Counter& b = family.Add({{"result", "ok"}, {"channel", "web"}});
  EXPECT_EQ(&a, &b);
}

TEST(FamilyTest, DifferentLabelsReturnDifferentChildren) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("requests_total", "Requests.");
  EXPECT_NE(&family.Add({{"channel", "web"}}), &family.Add({{"channel", "store"}}));
}

TEST(FamilyTest, ChildReferencesSurviveManyInsertions) {
  Registry registry;
  Family<Gauge>& family = registry.AddGauge("budget", "Budget.");
  Gauge& first = family.Add({{"offer", "o0"}});
  first.Set(7);
  for (int i = 1; i < 500; ++i) family.Add({{"offer", absl::StrCat("o", i)}});
  EXPECT_EQ(&family.Add({{"offer", "o0"}}), &first);
  EXPECT_EQ(first.Value(), 7);
}

TEST(FamilyTest, BeyondLimitReturnsSharedOverflowChild) {
  Registry registry;
  FamilyOptions options;
  options.max_label_sets = 2;
  Family<Counter>& family = registry.AddCounter("offers_total", "Offers.", options);
  family.Add({{"offer", "a"}});
  family.Add({{"offer", "b"}});
  Counter& c = family.Add({{"offer", "c"}});
  Counter& d = family.Add({{"offer", "d"}});
  EXPECT_EQ(&c, &d);
  EXPECT_EQ(&c, &family.Add({{"offer", kOverflowLabelValue}}));
  EXPECT_EQ(family.size(), 3u);
}

TEST(FamilyTest, ExistingChildrenStillReachableAfterOverflow) {
  Registry registry;
  FamilyOptions options;
  options.max_label_sets = 1;
  Family<Counter>& family = registry.AddCounter("offers_total", "Offers.", options);
  Counter& a = family.Add({{"offer", "a"}});
  family.Add({{"offer", "b"}});
  EXPECT_EQ(&family.Add({{"offer", "a"}}), &a);
}

TEST(FamilyTest, OverflowIsCountedPerFamily) {
  Registry registry;
  FamilyOptions options;
  options.max_label_sets = 1;
  Family<Counter>& family = registry.AddCounter("offers_total", "Offers.", options);
  family.Add({{"offer", "a"}});
  family.Add({{"offer", "b"}});
  family.Add({{"offer", "c"}});
  family.Add({{"offer", "a"}});  // existing: not an overflow
  EXPECT_EQ(OverflowCount(registry, "offers_total"), 2);
}

TEST(FamilyTest, DefaultLimitIsOneThousand) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("offers_total", "Offers.");
  for (int i = 0; i < 1001; ++i) family.Add({{"offer", absl::StrCat(i)}});
  EXPECT_EQ(family.size(), 1001u);  // 1000 regular children and the overflow child
  EXPECT_EQ(OverflowCount(registry, "offers_total"), 1);
}

TEST(FamilyTest, ConcurrentAddsAgreeOnChildren) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("requests_total", "Requests.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&family] {
      for (int i = 0; i < 1000; ++i) family.Add({{"shard", absl::StrCat(i % 10)}}).Increment();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(family.size(), 10u);
  EXPECT_EQ(family.Add({{"shard", "3"}}).Value(), 800);
}

TEST(FamilyDeathTest, InvalidLabelNameAborts) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("requests_total", "Requests.");
  EXPECT_DEATH(family.Add({{"bad-name", "x"}}), "invalid label name \"bad-name\"");
}

TEST(FamilyDeathTest, ReservedLabelNameAborts) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("requests_total", "Requests.");
  EXPECT_DEATH(family.Add({{"__name__", "x"}}), "invalid label name");
}

TEST(FamilyDeathTest, LeLabelOnHistogramAborts) {
  Registry registry;
  Family<Histogram>& family = registry.AddHistogram("latency_seconds", "Latency.", {1});
  EXPECT_DEATH(family.Add({{"le", "1"}}), "reserved");
}

}  // namespace
}  // namespace nbo::metrics
