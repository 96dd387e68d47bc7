#include "server/metrics/registry.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/metrics/names.h"

namespace nbo::metrics {

namespace {

constexpr absl::string_view kHistogramSuffixes[] = {"_bucket", "_sum", "_count"};

}  // namespace

Registry::Registry() {
  absl::MutexLock lock(&mu_);
  // Internal families: no limit (one child per family at most) and no overflow family of their own.
  FamilyOptions unlimited;
  unlimited.max_label_sets = 0;
  struct Internal {
    const char* name;
    const char* help;
    Family<Counter>** slot;
  };
  const Internal internal[] = {
      {kLabelOverflowFamily,
       "Add() calls that exceeded a family's label-set limit and got the shared overflow child.",
       &label_overflow_},
      {kInvalidSamplesFamily,
       "Callback samples dropped for an invalid label name or a duplicate label set.",
       &invalid_samples_},
  };
  for (const Internal& spec : internal) {
    auto family = std::make_unique<Family<Counter>>(
        spec.name, spec.help, unlimited, [] { return std::make_unique<Counter>(); }, nullptr);
    *spec.slot = family.get();
    families_[spec.name] = Entry{std::move(family), spec.help};
  }
}

std::string Registry::CheckNewName(absl::string_view name, MetricType type) const {
  const std::string quoted = absl::StrCat("metric \"", name, "\": ");
  if (!IsValidMetricName(name)) {
    DieProgrammingError(quoted + "invalid name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
  const bool ends_total = absl::EndsWith(name, "_total");
  if (type == MetricType::kCounter && !ends_total) {
    DieProgrammingError(quoted + "counter names must end in \"_total\"");
  }
  if (type != MetricType::kCounter && ends_total) {
    DieProgrammingError(quoted + "only counter names may end in \"_total\"");
  }
  if (families_.count(name) > 0) DieProgrammingError(quoted + "registered twice");
  for (absl::string_view suffix : kHistogramSuffixes) {
    // A histogram's series name may not collide with another family, in either direction.
    if (type == MetricType::kHistogram && families_.count(absl::StrCat(name, suffix)) > 0) {
      DieProgrammingError(quoted + "clashes with family " + absl::StrCat(name, suffix));
    }
    if (absl::EndsWith(name, suffix)) {
      auto it = families_.find(name.substr(0, name.size() - suffix.size()));
      if (it != families_.end() && it->second.family->type() == MetricType::kHistogram) {
        DieProgrammingError(quoted + "clashes with histogram " + it->first);
      }
    }
  }
  return std::string(name);
}

template <typename T>
Family<T>& Registry::AddFamily(absl::string_view name, absl::string_view help,
                               FamilyOptions options,
                               std::function<std::unique_ptr<T>()> make_child) {
  absl::MutexLock lock(&mu_);
  std::string key = CheckNewName(name, T::kType);
  auto family = std::make_unique<Family<T>>(key, std::string(help), options, std::move(make_child),
                                            label_overflow_);
  Family<T>& result = *family;
  families_[key] = Entry{std::move(family), std::string(help)};
  return result;
}

Family<Counter>& Registry::AddCounter(absl::string_view name, absl::string_view help,
                                      FamilyOptions options) {
  return AddFamily<Counter>(name, help, options, [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGauge(absl::string_view name, absl::string_view help,
                                  FamilyOptions options) {
  return AddFamily<Gauge>(name, help, options, [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogram(absl::string_view name, absl::string_view help,
                                          BucketBounds bounds, FamilyOptions options) {
  // Validate the bounds now (aborts on bad ones) rather than on the first Add().
  auto prototype = std::make_shared<const Histogram>(std::move(bounds));
  return AddFamily<Histogram>(name, help, options, [prototype] {
    return std::make_unique<Histogram>(prototype->bounds());
  });
}

CallbackFamily& Registry::GetOrAddCallbackFamily(MetricType type, absl::string_view name,
                                                 absl::string_view help) {
  if (type != MetricType::kCounter && type != MetricType::kGauge) {
    DieProgrammingError(
        absl::StrCat("metric \"", name, "\": callbacks must be counters or gauges"));
  }
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    auto* existing = dynamic_cast<CallbackFamily*>(it->second.family.get());
    if (existing == nullptr || existing->type() != type || it->second.help != help) {
      DieProgrammingError(
          absl::StrCat("metric \"", name,
                       "\": registered twice (callbacks may share a name only with the same "
                       "type and help)"));
    }
    return *existing;
  }
  std::string key = CheckNewName(name, type);
  auto family = std::make_unique<CallbackFamily>(key, std::string(help), type, invalid_samples_);
  CallbackFamily& result = *family;
  families_[key] = Entry{std::move(family), std::string(help)};
  return result;
}

void Registry::AddCallbackFamily(MetricType type, absl::string_view name, absl::string_view help,
                                 SamplesCallback callback) {
  GetOrAddCallbackFamily(type, name, help).AddCallback(std::move(callback));
}

void Registry::AddCallbackCounter(absl::string_view name, absl::string_view help,
                                  const Labels& labels, std::function<double()> callback) {
  for (const auto& label : labels) {
    if (!IsValidLabelName(label.first)) {
      DieProgrammingError(
          absl::StrCat("metric \"", name, "\": invalid label name \"", label.first, "\""));
    }
  }
  AddCallbackFamily(MetricType::kCounter, name, help,
                    [labels, callback = std::move(callback)]() -> LabeledValues {
                      return {{labels, callback()}};
                    });
}

void Registry::AddCallbackGauge(absl::string_view name, absl::string_view help,
                                const Labels& labels, std::function<double()> callback) {
  for (const auto& label : labels) {
    if (!IsValidLabelName(label.first)) {
      DieProgrammingError(
          absl::StrCat("metric \"", name, "\": invalid label name \"", label.first, "\""));
    }
  }
  AddCallbackFamily(MetricType::kGauge, name, help,
                    [labels, callback = std::move(callback)]() -> LabeledValues {
                      return {{labels, callback()}};
                    });
}

std::vector<FamilySnapshot> Registry::Collect() const {
  struct Ref {
    const Collectable* family;
    const std::string* help;
  };
  std::vector<Ref> refs;
  {
    // Families are never removed and Entry objects are stable in the map, so the pointers outlive
    // the lock; collecting without it lets callbacks take their time (or use this registry).
    absl::MutexLock lock(&mu_);
    refs.reserve(families_.size());
    for (const auto& [name, entry] : families_) refs.push_back({entry.family.get(), &entry.help});
  }
  std::vector<FamilySnapshot> snapshots;
  snapshots.reserve(refs.size());
  for (const Ref& ref : refs) {
    FamilySnapshot snapshot;
    ref.family->Collect(&snapshot);
    if (snapshot.samples.empty()) continue;
    snapshot.name = ref.family->name();
    snapshot.help = *ref.help;
    snapshot.type = ref.family->type();
    snapshots.push_back(std::move(snapshot));
  }
  return snapshots;
}

}  // namespace nbo::metrics
