// Compaction filters that physically drop expired records (decisions, dedupe records and
// customer-index entries), so that expiry needs no scan on the request path. Internal to
// nbo_storage (used by RocksStore).
#ifndef NBO_STORAGE_DECISION_TTL_FILTER_H_
#define NBO_STORAGE_DECISION_TTL_FILTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "rocksdb/compaction_filter.h"

namespace nbo::storage {

// Drops a value whose expiry (per `expiry_of`) is at or before `now()`; keeps everything else.
// `expiry_of` returns absl::InfiniteFuture() for a value that never expires and for one it cannot
// parse (an unparseable value is kept, never silently destroyed).
// Thread-safe: RocksDB calls it from several compaction threads; `now` must be thread-safe.
class ExpiryFilter : public rocksdb::CompactionFilter {
 public:
  using ExpiryOf = absl::Time (*)(const rocksdb::Slice& value);

  ExpiryFilter(const char* name, ExpiryOf expiry_of, std::function<absl::Time()> now)
      : name_(name), expiry_of_(expiry_of), now_(std::move(now)) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return name_; }

  // Records dropped since construction.
  int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const char* const name_;
  const ExpiryOf expiry_of_;
  const std::function<absl::Time()> now_;
  mutable std::atomic<int64_t> dropped_{0};
};

// For the decisions CF (values: nbo.v1.DecisionRecord).
std::unique_ptr<ExpiryFilter> NewDecisionTtlFilter(std::function<absl::Time()> now);
// For the dedupe CF (values: nbo.v1.DedupeRecord).
std::unique_ptr<ExpiryFilter> NewDedupeTtlFilter(std::function<absl::Time()> now);
// For the customer_index CF (values: empty or an 8-byte expiry, see keys.h).
std::unique_ptr<ExpiryFilter> NewCustomerIndexTtlFilter(std::function<absl::Time()> now);

}  // namespace nbo::storage

#endif  // NBO_STORAGE_DECISION_TTL_FILTER_H_
