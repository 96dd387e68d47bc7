#include "server/metrics/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/metrics/atomic_double.h"
#include "server/metrics/names.h"

namespace nbo::metrics {
namespace {

BucketBounds ValidatedBounds(BucketBounds bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) {
    bounds.pop_back();  // the +Inf bucket is implicit
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      DieProgrammingError(absl::StrCat("histogram bucket bound ", i, " is not finite"));
    }
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      DieProgrammingError(
          absl::StrCat("histogram bucket bounds must be strictly increasing; bound ", i, " (",
                       bounds[i], ") <= bound ", i - 1, " (", bounds[i - 1], ")"));
    }
  }
  return bounds;
}

}  // namespace

BucketBounds LinearBuckets(double start, double width, int count) {
  if (count < 1 || !(width > 0)) DieProgrammingError("LinearBuckets: need count >= 1, width > 0");
  BucketBounds bounds;
  bounds.reserve(count);
  for (int i = 0; i < count; ++i) bounds.push_back(start + i * width);
  return bounds;
}

BucketBounds ExponentialBuckets(double start, double factor, int count) {
  if (count < 1 || !(start > 0) || !(factor > 1)) {
    DieProgrammingError("ExponentialBuckets: need count >= 1, start > 0, factor > 1");
  }
  BucketBounds bounds;
  bounds.reserve(count);
  double bound = start;
  for (int i = 0; i < count; ++i, bound *= factor) bounds.push_back(bound);
  return bounds;
}

BucketBounds DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
}

Histogram::Histogram(BucketBounds bounds)
    : bounds_(ValidatedBounds(std::move(bounds))),
      counts_(new std::atomic<uint64_t>[bounds_.size() + 1]()) {}

void Histogram::Observe(double value) {
  // lower_bound finds the first bound >= value; NaN compares false everywhere, so route it to +Inf.
  const size_t index =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  internal::AtomicAdd(&sum_, value);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  return counts;
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) total += counts_[i].load(std::memory_order_relaxed);
  return total;
}

double Histogram::Sum() const { return sum_.load(std::memory_order_relaxed); }

void Histogram::Collect(const Labels& labels, std::vector<Sample>* out) const {
  const std::vector<uint64_t> counts = BucketCounts();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const double le = i < bounds_.size() ? bounds_[i] : std::numeric_limits<double>::infinity();
    out->push_back(Sample{"_bucket", labels, le, static_cast<double>(cumulative)});
  }
  out->push_back(Sample{"_sum", labels, std::nullopt, Sum()});
  out->push_back(Sample{"_count", labels, std::nullopt, static_cast<double>(cumulative)});
}

}  // namespace nbo::metrics
