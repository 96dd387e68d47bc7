// A log-linear latency histogram in the style of HdrHistogram: constant memory, O(1) recording,
// percentiles within 1/128 (0.8%) of the exact value.
#ifndef NBO_LOADTEST_HISTOGRAM_H_
#define NBO_LOADTEST_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace nbo::loadtest {

// Values are non-negative integers (the load generator records nanoseconds). Values below 256
// are exact; above, each power-of-two range is split into 128 equal buckets, so a bucket is at
// most 1/128 of its values wide. Values above kMaxValue (about 18 minutes in ns) are clamped.
// Memory: 4,352 counters (34 KB). Not thread-safe: callers lock or keep one per thread and Merge.
class LatencyHistogram {
 public:
  static constexpr int64_t kMaxValue = (int64_t{1} << 40) - 1;

  LatencyHistogram();

  // Negative values count as 0.
  void Record(int64_t value);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }  // exact (clamped to kMaxValue); 0 when empty
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at nearest rank ceil(q * count) (q in [0, 1], clamped), reported as the middle of its
  // bucket and kept within [min(), max()]. 0 when empty.
  int64_t Percentile(double q) const;

  // Bucket arithmetic, public for tests.
  static int BucketOf(int64_t value);
  static int64_t BucketLow(int bucket);
  static int64_t BucketHigh(int bucket);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_HISTOGRAM_H_
