// Gauge: a value that goes up and down (queue depth, budget remaining, "info" metrics set to 1).

#ifndef NBO_SERVER_METRICS_GAUGE_H_
#define NBO_SERVER_METRICS_GAUGE_H_

#include <atomic>
#include <vector>

#include "absl/time/time.h"
#include "server/metrics/atomic_double.h"
#include "server/metrics/sample.h"

namespace nbo::metrics {

// Thread-safe: all methods may be called concurrently and are lock-free. Obtain gauges from
// Family<Gauge>::Add(); the reference stays valid for the lifetime of the Registry.
//
// Info-style metrics (e.g. the loaded strategy version) are a gauge set to 1 whose labels carry the
// information: registry.AddGauge("nbo_strategy_info", "...").Add({{"version", v}}).Set(1).
class Gauge {
 public:
  static constexpr MetricType kType = MetricType::kGauge;

  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Increment(double delta = 1.0) { internal::AtomicAdd(&value_, delta); }
  void Decrement(double delta = 1.0) { internal::AtomicAdd(&value_, -delta); }

  // Sets the gauge to `now` in seconds since the Unix epoch. The caller passes its (injected)
  // clock's time; the gauge never reads the wall clock itself.
  void SetToTime(absl::Time now) { Set(absl::ToDoubleSeconds(now - absl::UnixEpoch())); }

  double Value() const { return value_.load(std::memory_order_relaxed); }

  // Appends this child's sample to `out`.
  void Collect(const Labels& labels, std::vector<Sample>* out) const {
    out->push_back(Sample{"", labels, std::nullopt, Value()});
  }

 private:
  std::atomic<double> value_{0.0};
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_GAUGE_H_
