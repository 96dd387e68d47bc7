// The storage interface of nbo: profiles, logged decisions and metadata behind one small,
// thread-safe API, with one atomic commit per request. RocksStore (rocks_store.h) is the real
// implementation; MemoryStore (memory_store.h) is an in-memory fake with the same behaviour.
#ifndef NBO_STORAGE_STORE_H_
#define NBO_STORAGE_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/record.pb.h"

namespace nbo::storage {

// Everything one request changes, committed atomically by Store::Commit. The pointers are
// borrowed: they must stay valid until Commit returns. Within one WriteSet a later entry for the
// same key wins.
struct WriteSet {
  // Put, keyed by customer_id (must be non-empty).
  std::vector<const nbo::v1::Profile*> profiles;
  // Put, keyed by response().decision_id() (must be non-empty). A record whose expires_at is
  // unset is stored with expires_at = now + the store's decision TTL.
  std::vector<const nbo::v1::DecisionRecord*> decisions;
  // Put into meta, key -> value (key must be non-empty).
  std::vector<std::pair<std::string, std::string>> meta;

  bool empty() const { return profiles.empty() && decisions.empty() && meta.empty(); }
};

// OK when every entry of `writes` is well-formed; otherwise InvalidArgument naming the entry
// (e.g. "WriteSet.profiles[1]: customer_id is empty"). Never names a customer.
absl::Status ValidateWriteSet(const WriteSet& writes);

// Thread-safe: all methods may be called concurrently.
//
// Returned messages are copies: changing them never changes what is stored. Error messages never
// contain customer or decision ids, so they may be logged at any level.
class Store {
 public:
  virtual ~Store() = default;

  // OK with the profile; NotFound if absent; Unavailable (I/O), DataLoss (corrupt record) or
  // Internal otherwise, with a clear message.
  virtual absl::StatusOr<nbo::v1::Profile> GetProfile(std::string_view customer_id) = 0;

  // Same contract for a logged decision. NotFound also once its expires_at has passed (per the
  // store's injected clock), whether or not the record has physically been removed yet.
  virtual absl::StatusOr<nbo::v1::DecisionRecord> GetDecision(std::string_view decision_id) = 0;

  // Same contract for a meta value (e.g. "schema_version").
  virtual absl::StatusOr<std::string> GetMeta(std::string_view key) = 0;

  // Applies every change or none. InvalidArgument (nothing written) when ValidateWriteSet fails.
  // Returns only after the batch is in the write-ahead log; whether it is also fsynced depends on
  // the implementation's options (see RocksStoreOptions::sync_writes). Unavailable when the store
  // cannot write (read-only after a background error, disk full, closed), with the reason.
  // An empty WriteSet is OK and writes nothing.
  virtual absl::Status Commit(const WriteSet& writes) = 0;

  // An estimate of the number of stored profiles (exact for MemoryStore). Cheap.
  virtual absl::StatusOr<int64_t> ApproximateProfileCount() = 0;

  // A property snapshot for metrics, name -> value; names are stable snake_case. RocksStore
  // reports "background_errors", "stall_micros", "block_cache_hit_ratio",
  // "block_cache_usage_bytes", "live_data_bytes", "estimated_profiles",
  // "expired_decisions_dropped", "wal_sync_failures". May be short for the fake. Cheap enough to
  // call on every Prometheus scrape.
  virtual std::vector<std::pair<std::string, double>> Stats() = 0;
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_STORE_H_
