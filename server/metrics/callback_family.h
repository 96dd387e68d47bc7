// CallbackFamily: a counter or gauge family whose samples are read at scrape time from callbacks
// (RocksDB statistics, strategy load time, process metrics).

#ifndef NBO_SERVER_METRICS_CALLBACK_FAMILY_H_
#define NBO_SERVER_METRICS_CALLBACK_FAMILY_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/counter.h"
#include "server/metrics/family.h"
#include "server/metrics/sample.h"

namespace nbo::metrics {

// Samples produced by one callback: (labels, value) pairs.
using LabeledValues = std::vector<std::pair<Labels, double>>;
using SamplesCallback = std::function<LabeledValues()>;

// Thread-safe: AddCallback() and Collect() may be called concurrently. Callbacks run on the
// scraping thread with no lock of the metrics library held (so a slow or re-entrant callback cannot
// deadlock the registry); they must be thread-safe, fast, and must not throw. If a callback returns
// a sample with an invalid label name (or a label set another callback of the family already
// produced), that sample is dropped and counted in nbo_metrics_invalid_samples_total{family=...}.
class CallbackFamily final : public Collectable {
 public:
  // REQUIRES: type is kCounter or kGauge. `invalid_samples` may be null.
  CallbackFamily(std::string name, std::string help, MetricType type,
                 Family<Counter>* invalid_samples);

  const std::string& name() const override { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const override { return type_; }

  void AddCallback(SamplesCallback callback);

  // Calls every callback and appends their samples, sorted by labels.
  void Collect(FamilySnapshot* out) const override;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  Family<Counter>* const invalid_samples_;

  mutable absl::Mutex mu_;
  std::vector<SamplesCallback> callbacks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_CALLBACK_FAMILY_H_
