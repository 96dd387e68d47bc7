// The translation of a WriteSet into key/value operations, and of a customer's index entries into
// CustomerRecords, shared by RocksStore and MemoryStore so that both behave identically.
// Internal to nbo_storage.
#ifndef NBO_STORAGE_WRITE_PLAN_H_
#define NBO_STORAGE_WRITE_PLAN_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/store.h"

namespace nbo::storage {

// The stored tables (RocksDB column families).
enum class Table { kProfiles, kIdentities, kDedupe, kDecisions, kCounters, kMeta, kCustomerIndex };
inline constexpr int kTableCount = 7;

enum class WriteKind {
  kPut,
  kDelete,
  kAdd,  // value: EncodeCounter(delta), added to the stored counter (absent: 0)
};

struct WriteOp {
  Table table;
  WriteKind kind;
  std::string key;
  std::string value;
};

// The operations of `writes` in the order to apply them: every delete, then every put and add.
// `writes` must have passed ValidateWriteSet. InvalidArgument when a record cannot be serialized.
absl::StatusOr<std::vector<WriteOp>> PlanWrites(const WriteSet& writes, absl::Time now,
                                                absl::Duration decision_ttl,
                                                absl::Duration dedupe_ttl);

// Returns the value of an identities-CF key; NotFound when absent.
using IdentityLookup = std::function<absl::StatusOr<std::string>(const std::string& key)>;

// The records of `customer_id` from its index entries (key, value) in key order: skips entries
// expired at `now`, malformed ones, and identities/aliases that `lookup` says now belong to
// another customer (an absent one is listed, so that deleting it removes the stale entry).
absl::StatusOr<CustomerRecords> CollectCustomerRecords(
    std::string_view customer_id, const std::vector<std::pair<std::string, std::string>>& entries,
    absl::Time now, const IdentityLookup& lookup);

}  // namespace nbo::storage

#endif  // NBO_STORAGE_WRITE_PLAN_H_
