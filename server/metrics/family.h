// Family<T>: all children (one per label set) of one metric name, e.g. every
// nbo_decisions_total{channel=...,result=...} counter.

#ifndef NBO_SERVER_METRICS_FAMILY_H_
#define NBO_SERVER_METRICS_FAMILY_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/counter.h"
#include "server/metrics/names.h"
#include "server/metrics/sample.h"

namespace nbo::metrics {

// Value every label takes in a family's overflow child.
inline constexpr char kOverflowLabelValue[] = "__overflow__";

struct FamilyOptions {
  // Maximum number of distinct label sets (children). Guards against unbounded cardinality (a
  // customer id used as a label by mistake). Beyond it, Add() returns one shared overflow child
  // whose labels are the requested label names, each set to "__overflow__", and increments
  // nbo_metrics_label_overflow_total{family="<name>"}. 0 means no limit.
  // Default: 1000.
  size_t max_label_sets = 1000;
};

// Thread-safe: Add() may be called concurrently with itself and with Collect(). Children are never
// removed, so references returned by Add() stay valid for the family's (the Registry's) lifetime:
// cache them, and the hot path is a single lock-free update.
template <typename T>
class Family final : public Collectable {
 public:
  // Created by Registry; `overflow` (may be null) is the family counting overflows.
  Family(std::string name, std::string help, FamilyOptions options,
         std::function<std::unique_ptr<T>()> make_child, Family<Counter>* overflow)
      : name_(std::move(name)),
        help_(std::move(help)),
        options_(options),
        make_child_(std::move(make_child)),
        overflow_family_(overflow) {}

  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const override { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const override { return T::kType; }

  // Returns the child for `labels`, creating it on first use; the same labels always return the
  // same object. Aborts (programming error) on an invalid label name, or on "le" in a histogram.
  // Takes a reader lock when the child exists, a writer lock to create one.
  T& Add(const Labels& labels) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = children_.find(labels);
      if (it != children_.end()) return *it->second;
    }
    ValidateLabelNames(labels);
    T* child = nullptr;
    Counter* overflow_counter = nullptr;
    {
      absl::MutexLock lock(&mu_);
      auto it = children_.find(labels);
      if (it != children_.end()) return *it->second;
      const size_t regular = children_.size() - (overflow_child_ != nullptr ? 1 : 0);
      if (options_.max_label_sets == 0 || regular < options_.max_label_sets) {
        child = children_.emplace(labels, make_child_()).first->second.get();
        return *child;
      }
      if (overflow_child_ == nullptr) {
        Labels overflow_labels;
        for (const auto& label : labels) overflow_labels.emplace(label.first, kOverflowLabelValue);
        auto& slot = children_[overflow_labels];  // may already exist if a caller used those values
        if (slot == nullptr) slot = make_child_();
        overflow_child_ = slot.get();
      }
      child = overflow_child_;
      overflow_counter = OverflowCounter();
    }
    if (overflow_counter != nullptr) overflow_counter->Increment();
    return *child;
  }

  // Number of children, including the overflow child if there is one.
  size_t size() const {
    absl::ReaderMutexLock lock(&mu_);
    return children_.size();
  }

  void Collect(FamilySnapshot* out) const override {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [labels, child] : children_) child->Collect(labels, &out->samples);
  }

 private:
  void ValidateLabelNames(const Labels& labels) const {
    for (const auto& label : labels) {
      if (!IsValidLabelName(label.first)) {
        DieProgrammingError(
            absl::StrCat("metric \"", name_, "\": invalid label name \"", label.first, "\""));
      }
      if (T::kType == MetricType::kHistogram && label.first == "le") {
        DieProgrammingError(absl::StrCat("histogram \"", name_, "\": label \"le\" is reserved"));
      }
    }
  }

  // Lock order: this family's mu_, then the overflow family's mu_. The overflow family itself has
  // no limit and no overflow family, so it never takes a second lock.
  Counter* OverflowCounter() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (overflow_counter_ == nullptr && overflow_family_ != nullptr) {
      overflow_counter_ = &overflow_family_->Add({{"family", name_}});
    }
    return overflow_counter_;
  }

  const std::string name_;
  const std::string help_;
  const FamilyOptions options_;
  const std::function<std::unique_ptr<T>()> make_child_;
  Family<Counter>* const overflow_family_;

  mutable absl::Mutex mu_;
  std::map<Labels, std::unique_ptr<T>> children_ ABSL_GUARDED_BY(mu_);
  T* overflow_child_ ABSL_GUARDED_BY(mu_) = nullptr;
  Counter* overflow_counter_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_FAMILY_H_
