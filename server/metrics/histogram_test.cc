#include "server/metrics/histogram.h"

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

using ::testing::ElementsAre;

TEST(HistogramTest, ValueOnBoundGoesToThatBucket) {
  Histogram histogram({1, 2, 5});
  histogram.Observe(1);
  histogram.Observe(2);
  EXPECT_THAT(histogram.BucketCounts(), ElementsAre(1, 1, 0, 0));
}

TEST(HistogramTest, ValuesAboveLastBoundGoToInf) {
  Histogram histogram({1, 2, 5});
  histogram.Observe(5.0001);
  histogram.Observe(1e9);
  EXPECT_THAT(histogram.BucketCounts(), ElementsAre(0, 0, 0, 2));
}

TEST(HistogramTest, TracksSumAndCount) {
  Histogram histogram({1, 2, 5});
  histogram.Observe(0.5);
  histogram.Observe(3);
  histogram.Observe(10);
  EXPECT_EQ(histogram.Count(), 3u);
  EXPECT_DOUBLE_EQ(histogram.Sum(), 13.5);
}

TEST(HistogramTest, NanGoesToInfBucket) {
  Histogram histogram({1});
  histogram.Observe(std::nan(""));
  EXPECT_THAT(histogram.BucketCounts(), ElementsAre(0, 1));
  EXPECT_TRUE(std::isnan(histogram.Sum()));
}

TEST(HistogramTest, TrailingInfBoundIsDropped) {
  Histogram histogram({1, std::numeric_limits<double>::infinity()});
  EXPECT_THAT(histogram.bounds(), ElementsAre(1));
}

TEST(HistogramTest, CollectEmitsCumulativeBucketsSumAndCount) {
  Histogram histogram({1, 2});
  histogram.Observe(0.5);
  histogram.Observe(1.5);
  histogram.Observe(7);
  std::vector<Sample> samples;
  histogram.Collect({{"a", "b"}}, &samples);
  ASSERT_EQ(samples.size(), 5u);
  EXPECT_EQ(samples[0].suffix, "_bucket");
  EXPECT_EQ(*samples[0].le, 1);
  EXPECT_EQ(samples[0].value, 1);
  EXPECT_EQ(*samples[1].le, 2);
  EXPECT_EQ(samples[1].value, 2);
  EXPECT_TRUE(std::isinf(*samples[2].le));
  EXPECT_EQ(samples[2].value, 3);
  EXPECT_EQ(samples[3].suffix, "_sum");
  EXPECT_EQ(samples[3].value, 9);
  EXPECT_EQ(samples[4].suffix, "_count");
  EXPECT_EQ(samples[4].value, 3);
  EXPECT_EQ(samples[4].labels.at("a"), "b");
}

TEST(HistogramTest, ConcurrentObservationsAreAllCounted) {
  Histogram histogram({0.5, 1.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histogram] {
      for (int i = 0; i < 50000; ++i) histogram.Observe(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(histogram.BucketCounts(), ElementsAre(0, 200000, 0));
  EXPECT_EQ(histogram.Sum(), 200000);
}

TEST(HistogramTest, BucketHelpers) {
  EXPECT_THAT(LinearBuckets(1, 2, 3), ElementsAre(1, 3, 5));
  EXPECT_THAT(ExponentialBuckets(1, 10, 3), ElementsAre(1, 10, 100));
  EXPECT_EQ(DefaultLatencyBuckets().size(), 12u);
}

TEST(HistogramDeathTest, UnsortedBoundsAbort) {
  EXPECT_DEATH(Histogram({2, 1}), "strictly increasing");
}

TEST(HistogramDeathTest, NanBoundAborts) {
  EXPECT_DEATH(Histogram({1, std::nan("")}), "not finite");
}

}  // namespace
}  // namespace nbo::metrics
