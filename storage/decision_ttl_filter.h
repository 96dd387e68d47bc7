// The compaction filter that physically drops expired decision records, so that expiry needs no
// scan on the request path. Internal to nbo_storage (used by RocksStore).
#ifndef NBO_STORAGE_DECISION_TTL_FILTER_H_
#define NBO_STORAGE_DECISION_TTL_FILTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "rocksdb/compaction_filter.h"

namespace nbo::storage {

// Drops a decisions-CF value that parses as a DecisionRecord expired per IsDecisionExpired at
// `now()`; keeps everything else (an unparseable value is kept, never silently destroyed).
// Thread-safe: RocksDB calls it from several compaction threads; `now` must be thread-safe.
class DecisionTtlFilter : public rocksdb::CompactionFilter {
 public:
  explicit DecisionTtlFilter(std::function<absl::Time()> now) : now_(std::move(now)) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return "nbo.DecisionTtlFilter"; }

  // Records dropped since construction.
  int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const std::function<absl::Time()> now_;
  mutable std::atomic<int64_t> dropped_{0};
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_DECISION_TTL_FILTER_H_
