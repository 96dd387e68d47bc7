#include "loadtest/histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace nbo::loadtest {
namespace {

// The nearest-rank percentile of a sorted sample: the reference the histogram approximates.
int64_t Reference(const std::vector<int64_t>& sorted, double q) {
  const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * sorted.size())));
  return sorted[rank - 1];
}

TEST(LatencyHistogramTest, PercentilesMatchSortedReferenceWithinOnePercent) {
  // Latencies from 20 us to tens of ms with a long tail, in ns, like a real run.
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(200000.0), 0.9);
  LatencyHistogram h;
  std::vector<int64_t> samples;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<int64_t>(latency(rng));
    samples.push_back(v);
    h.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double want = static_cast<double>(Reference(samples, q));
    EXPECT_NEAR(static_cast<double>(h.Percentile(q)), want, want * 0.01) << "q=" << q;
  }
  EXPECT_EQ(h.max(), samples.back());
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.count(), 100000);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 0; v < 256; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 127);
  EXPECT_EQ(h.Percentile(1.0), 255);
  EXPECT_EQ(h.Percentile(1.0 / 256), 0);
}

TEST(LatencyHistogramTest, BucketsTileTheRangeWithoutGaps) {
  for (int b = 1; b < LatencyHistogram::BucketOf(LatencyHistogram::kMaxValue); ++b) {
    ASSERT_EQ(LatencyHistogram::BucketLow(b), LatencyHistogram::BucketHigh(b - 1) + 1) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketLow(b)), b);
    ASSERT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketHigh(b)), b);
    // From 128 up, a bucket spans at most 1/128 of its values (below, buckets are exact).
    const double width = LatencyHistogram::BucketHigh(b) - LatencyHistogram::BucketLow(b) + 1;
    if (b >= 128) {
      ASSERT_LE(width / LatencyHistogram::BucketLow(b), 1.0 / 128) << b;
    }
  }
}

TEST(LatencyHistogramTest, MergeEqualsRecordingIntoOne) {
  LatencyHistogram a, b, both;
  for (int64_t v = 1; v < 100000; v += 37) {
    (v % 2 ? a : b).Record(v * 11);
    both.Record(v * 11);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_DOUBLE_EQ(a.mean(), both.mean());
  for (double q : {0.1, 0.5, 0.99}) EXPECT_EQ(a.Percentile(q), both.Percentile(q));
}

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(0.99), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0);
}

TEST(LatencyHistogramTest, OutOfRangeValuesAreClamped) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(LatencyHistogram::kMaxValue * 4);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxValue);
}

}  // namespace
}  // namespace nbo::loadtest
