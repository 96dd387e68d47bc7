// Histogram: counts observations (latencies, sizes) in buckets with explicit upper bounds.

#ifndef NBO_SERVER_METRICS_HISTOGRAM_H_
#define NBO_SERVER_METRICS_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "server/metrics/sample.h"

namespace nbo::metrics {

// Bucket upper bounds, strictly increasing and finite. The +Inf bucket is implicit.
using BucketBounds = std::vector<double>;

// `count` bounds start, start+width, ... REQUIRES: count >= 1, width > 0.
BucketBounds LinearBuckets(double start, double width, int count);
// `count` bounds start, start*factor, ... REQUIRES: count >= 1, start > 0, factor > 1.
BucketBounds ExponentialBuckets(double start, double factor, int count);
// Latency buckets in seconds for a service with a budget of tens of milliseconds:
// 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5.
BucketBounds DefaultLatencyBuckets();

// Thread-safe: Observe() may be called concurrently with itself and with Collect(). Observe() is
// lock-free: a binary search, one relaxed integer fetch_add on the bucket and a CAS loop on the
// sum. A scrape concurrent with Observe() may see an observation in the buckets but not yet in _sum
// (or the reverse); _count is derived from the buckets, so _count always equals the +Inf bucket.
class Histogram {
 public:
  static constexpr MetricType kType = MetricType::kHistogram;

  // Aborts (programming error) if `bounds` is not strictly increasing or contains NaN/±Inf,
  // except that a trailing +Inf is accepted and dropped.
  explicit Histogram(BucketBounds bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records `value` in the first bucket whose bound is >= value (le semantics). NaN goes to the
  // +Inf bucket only and makes the sum NaN, as in the Go client.
  void Observe(double value);

  const BucketBounds& bounds() const { return bounds_; }
  // Per-bucket (non-cumulative) counts; bounds().size() + 1 entries, the last is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t Count() const;
  double Sum() const;

  // Appends _bucket (cumulative, one per bound plus +Inf), _sum and _count samples to `out`.
  void Collect(const Labels& labels, std::vector<Sample>* out) const;

 private:
  const BucketBounds bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 buckets
  std::atomic<double> sum_{0.0};
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_HISTOGRAM_H_
