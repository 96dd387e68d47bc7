// Registry: owns every metric family of a process (or of one test) and collects them for a scrape.
//
// Modelled on prometheus-cpp. Typical use, once at startup:
//
//   Registry registry;
//   Family<Counter>& decisions = registry.AddCounter("nbo_decisions_total", "Decisions made.");
//   Counter& web_ok = decisions.Add({{"channel", "web"}, {"result", "ok"}});  // cache this
//   ...
//   web_ok.Increment();  // hot path: one lock-free atomic update
//
// The registry is injected where metrics are recorded; there is no global registry.

#ifndef NBO_SERVER_METRICS_REGISTRY_H_
#define NBO_SERVER_METRICS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/callback_family.h"
#include "server/metrics/counter.h"
#include "server/metrics/family.h"
#include "server/metrics/gauge.h"
#include "server/metrics/histogram.h"
#include "server/metrics/sample.h"

namespace nbo::metrics {

// Internal families every registry has; rendered only once they have samples.
inline constexpr char kLabelOverflowFamily[] = "nbo_metrics_label_overflow_total";
inline constexpr char kInvalidSamplesFamily[] = "nbo_metrics_invalid_samples_total";

// Thread-safe: all methods may be called concurrently. Families are never removed, so references
// returned by Add*() stay valid for the registry's lifetime.
//
// Programming errors abort the process with a message on stderr (names come from code, so a crash
// at startup is the quickest way to find them): an invalid metric name; a counter name that does
// not end in "_total" or a gauge/histogram name that does; a name already registered (or clashing
// with a histogram's _bucket/_sum/_count series); an invalid label name.
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Plain families. `help` is free text (escaped on output).
  Family<Counter>& AddCounter(absl::string_view name, absl::string_view help,
                              FamilyOptions options = {});
  Family<Gauge>& AddGauge(absl::string_view name, absl::string_view help,
                          FamilyOptions options = {});
  // `bounds`: see Histogram's constructor (aborts unless strictly increasing and finite).
  Family<Histogram>& AddHistogram(absl::string_view name, absl::string_view help,
                                  BucketBounds bounds, FamilyOptions options = {});

  // Callback metrics, read at scrape time (see CallbackFamily for the rules callbacks follow).
  // Several callbacks may share one name if the type and help are the same; their samples form one
  // family. `labels` are validated now.
  void AddCallbackCounter(absl::string_view name, absl::string_view help, const Labels& labels,
                          std::function<double()> callback);
  void AddCallbackGauge(absl::string_view name, absl::string_view help, const Labels& labels,
                        std::function<double()> callback);
  // One callback producing several labelled samples of one family (e.g. one per column family).
  // REQUIRES: type is kCounter or kGauge.
  void AddCallbackFamily(MetricType type, absl::string_view name, absl::string_view help,
                         SamplesCallback callback);

  // Snapshots of every family with at least one sample, in name order; samples in label order.
  // Calls callbacks without holding the registry's lock.
  std::vector<FamilySnapshot> Collect() const;

 private:
  struct Entry {
    std::unique_ptr<Collectable> family;
    std::string help;
  };

  // Aborts unless `name` is valid for `type` and free; returns it as a string.
  std::string CheckNewName(absl::string_view name, MetricType type) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  CallbackFamily& GetOrAddCallbackFamily(MetricType type, absl::string_view name,
                                         absl::string_view help);
  template <typename T>
  Family<T>& AddFamily(absl::string_view name, absl::string_view help, FamilyOptions options,
                       std::function<std::unique_ptr<T>()> make_child);

  mutable absl::Mutex mu_;
  std::map<std::string, Entry, std::less<>> families_ ABSL_GUARDED_BY(mu_);
  Family<Counter>* label_overflow_ = nullptr;   // owned by families_, set in the constructor
  Family<Counter>* invalid_samples_ = nullptr;  // owned by families_, set in the constructor
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_REGISTRY_H_
