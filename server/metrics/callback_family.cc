#include "server/metrics/callback_family.h"

#include <algorithm>
#include <utility>

namespace nbo::metrics {
namespace {

bool HasValidLabelNames(const Labels& labels) {
  for (const auto& label : labels) {
    if (!IsValidLabelName(label.first)) return false;
  }
  return true;
}

}  // namespace

CallbackFamily::CallbackFamily(std::string name, std::string help, MetricType type,
                               Family<Counter>* invalid_samples)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      invalid_samples_(invalid_samples) {}

void CallbackFamily::AddCallback(SamplesCallback callback) {
  absl::MutexLock lock(&mu_);
  callbacks_.push_back(std::move(callback));
}

void CallbackFamily::Collect(FamilySnapshot* out) const {
  std::vector<SamplesCallback> callbacks;
  {
    absl::MutexLock lock(&mu_);
    callbacks = callbacks_;  // copied so that no lock is held while user code runs
  }
  LabeledValues values;
  for (const SamplesCallback& callback : callbacks) {
    LabeledValues produced = callback();
    for (auto& value : produced) values.push_back(std::move(value));
  }
  std::stable_sort(values.begin(), values.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  int invalid = 0;
  const Labels* previous = nullptr;
  for (const auto& [labels, value] : values) {
    if (!HasValidLabelNames(labels) || (previous != nullptr && *previous == labels)) {
      ++invalid;
      continue;
    }
    out->samples.push_back(Sample{"", labels, std::nullopt, value});
    previous = &labels;
  }
  if (invalid > 0 && invalid_samples_ != nullptr) {
    invalid_samples_->Add({{"family", name_}}).Increment(invalid);
  }
}

}  // namespace nbo::metrics
