#include "loadtest/histogram.h"

#include <algorithm>
#include <cmath>

namespace nbo::loadtest {
namespace {

constexpr int kSubBits = 7;  // 128 buckets per power of two
constexpr int kSubCount = 1 << kSubBits;
// The largest shift is that of kMaxValue (bit 39): 39 - kSubBits.
constexpr int kBucketCount = (39 - kSubBits) * kSubCount + 2 * kSubCount;

// Index = shift * 128 + (value >> shift), with shift = max(0, msb - 7). Values 0..255 map to
// themselves; each further power of two adds 128 buckets, so the index space has no holes.
int ShiftOf(int64_t value) {
  const int msb = 63 - __builtin_clzll(static_cast<uint64_t>(value) | 1);
  return std::max(0, msb - kSubBits);
}

int ShiftOfBucket(int bucket) { return bucket < 2 * kSubCount ? 0 : bucket / kSubCount - 1; }

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

int LatencyHistogram::BucketOf(int64_t value) {
  const int shift = ShiftOf(value);
  return shift * kSubCount + static_cast<int>(value >> shift);
}

int64_t LatencyHistogram::BucketLow(int bucket) {
  const int shift = ShiftOfBucket(bucket);
  return static_cast<int64_t>(bucket - shift * kSubCount) << shift;
}

int64_t LatencyHistogram::BucketHigh(int bucket) {
  const int shift = ShiftOfBucket(bucket);
  return BucketLow(bucket) + (int64_t{1} << shift) - 1;
}

void LatencyHistogram::Record(int64_t value) {
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  ++counts_[BucketOf(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  ++count_;
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * count_)));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const int b = static_cast<int>(i);
      const int64_t mid = BucketLow(b) + (BucketHigh(b) - BucketLow(b)) / 2;
      return std::clamp(mid, min(), max_);
    }
  }
  return max_;
}

}  // namespace nbo::loadtest
