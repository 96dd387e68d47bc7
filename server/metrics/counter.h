// Counter: a monotonically increasing value (requests served, errors seen).

#ifndef NBO_SERVER_METRICS_COUNTER_H_
#define NBO_SERVER_METRICS_COUNTER_H_

#include <atomic>
#include <cmath>
#include <vector>

#include "server/metrics/atomic_double.h"
#include "server/metrics/sample.h"

namespace nbo::metrics {

// Thread-safe: Increment() and Value() may be called concurrently; Increment() is lock-free (a CAS
// loop on an atomic double, see atomic_double.h). Obtain counters from Family<Counter>::Add(); the
// reference stays valid for the lifetime of the Registry.
class Counter {
 public:
  static constexpr MetricType kType = MetricType::kCounter;

  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds `delta`. A counter only goes up: a negative or NaN delta is ignored.
  void Increment(double delta = 1.0) {
    if (!(delta >= 0)) return;  // also rejects NaN
    internal::AtomicAdd(&value_, delta);
  }

  double Value() const { return value_.load(std::memory_order_relaxed); }

  // Appends this child's sample to `out`.
  void Collect(const Labels& labels, std::vector<Sample>* out) const {
    out->push_back(Sample{"", labels, std::nullopt, Value()});
  }

 private:
  std::atomic<double> value_{0.0};
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_COUNTER_H_
