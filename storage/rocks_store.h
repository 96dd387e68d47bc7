// RocksStore: the Store on RocksDB. One DB per data_dir with a column family per record kind,
// one WriteBatch per Commit, a shared block cache, and decision expiry by compaction filter.
#ifndef NBO_STORAGE_ROCKS_STORE_H_
#define NBO_STORAGE_ROCKS_STORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/decision_ttl.h"
#include "storage/store.h"

namespace rocksdb {
class Cache;
class ColumnFamilyHandle;
class DB;
class Statistics;
}  // namespace rocksdb

namespace nbo::storage {

class DecisionTtlFilter;

// The schema version this build writes, and the newest it can open.
inline constexpr int kSchemaVersion = 1;

// Column family names (fixed: they are the on-disk layout). Keys are the ids as raw bytes.
inline constexpr char kProfilesCf[] = "profiles";      // customer_id -> nbo.v1.Profile
inline constexpr char kIdentitiesCf[] = "identities";  // reserved: source identity -> customer_id
inline constexpr char kDedupeCf[] = "dedupe";          // reserved: event_id -> decision
inline constexpr char kDecisionsCf[] = "decisions";    // decision_id -> nbo.v1.DecisionRecord
inline constexpr char kCountersCf[] = "counters";      // reserved: budget and offer counters
inline constexpr char kMetaCf[] = "meta";              // e.g. "schema_version" -> "1"

struct RocksStoreOptions {
  // Directory of the database. Required.
  std::string path;
  // Create the database (and its directory) when absent; false: NotFound/InvalidArgument instead.
  // Default: true.
  bool create_if_missing = true;
  // Size of the one LRU block cache shared by all column families (data, index and filter
  // blocks). Default: 256 MiB.
  size_t block_cache_bytes = size_t{256} << 20;
  // Durability of Commit. Every Commit writes its batch to the write-ahead log (the OS page cache)
  // before it returns, so a process crash never loses an acknowledged commit.
  //  - true: every Commit also fsyncs the WAL before returning; concurrent writers share one
  //    fsync (RocksDB group commit). Survives power failure; costs one fsync of latency.
  //  - false: a background thread fsyncs the WAL every `wal_sync_interval`; a power failure or
  //    kernel crash may lose the commits of about the last interval (plus the time the sync takes).
  // Default: false.
  bool sync_writes = false;
  // With sync_writes == false: how often the background thread fsyncs the WAL. Zero, negative
  // or absl::InfiniteDuration() disables the thread (then only the OS decides when data reaches
  // disk, and Close() syncs once). Ignored when sync_writes is true. Default: 1 second.
  absl::Duration wal_sync_interval = absl::Seconds(1);
  // A decision record committed without expires_at expires this long after its commit. Expired
  // records read as NotFound at once and are physically dropped by compaction. Default: 7 days.
  absl::Duration decision_ttl = kDefaultDecisionTtl;
  // The clock for decision expiry (on read, on commit and in compaction threads). Must be
  // thread-safe. Default: absl::Now.
  std::function<absl::Time()> now = absl::Now;
};

// Thread-safe: all Store methods and CompactAll may be called concurrently, except that Close()
// and the destructor REQUIRE that no other call is in progress or follows.
class RocksStore : public Store {
 public:
  // Opens (or creates) the database at options.path: creates the six column families on first
  // open, opens every existing one (including unknown ones) on later opens, writes
  // meta["schema_version"] on creation and starts the WAL sync thread.
  // Errors are one line naming the path, e.g.
  //   data_dir "/var/lib/nbo": IO error: While mkdir if missing: ...: Permission denied
  // Unavailable (I/O; a LOCK held by another process or instance ends with "is another
  // nbo-server using it?"), DataLoss (corruption), FailedPrecondition (schema version newer than
  // kSchemaVersion), InvalidArgument (bad options, or missing DB with !create_if_missing).
  static absl::StatusOr<std::unique_ptr<RocksStore>> Open(const RocksStoreOptions& options);

  // Closes the store if Close() was not called; errors are lost then (call Close() to see them).
  ~RocksStore() override;
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  absl::StatusOr<nbo::v1::Profile> GetProfile(std::string_view customer_id) override;
  absl::StatusOr<nbo::v1::DecisionRecord> GetDecision(std::string_view decision_id) override;
  absl::StatusOr<std::string> GetMeta(std::string_view key) override;
  absl::Status Commit(const WriteSet& writes) override;
  absl::StatusOr<int64_t> ApproximateProfileCount() override;
  std::vector<std::pair<std::string, double>> Stats() override;

  // Compacts every column family completely, which also drops expired decisions. Slow and
  // I/O-heavy: for tests, tools and maintenance, not the request path.
  absl::Status CompactAll();

  // Stops the sync thread, syncs the WAL, stops background work and closes the database.
  // Returns the first error. Afterwards reads and CompactAll return FailedPrecondition,
  // Commit returns Unavailable and Stats() is empty. Idempotent.
  absl::Status Close();

 private:
  explicit RocksStore(RocksStoreOptions options);
  absl::Status OpenDb();
  absl::Status CheckSchemaVersion();
  void SyncLoop();
  absl::Status Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value);
  absl::Status OpenError(const absl::Status& cause) const;

  const RocksStoreOptions options_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<DecisionTtlFilter> ttl_filter_;  // outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // all open CFs, owned; destroyed in Close
  rocksdb::ColumnFamilyHandle* profiles_ = nullptr;
  rocksdb::ColumnFamilyHandle* decisions_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  std::atomic<int64_t> wal_sync_failures_{0};

  absl::Mutex sync_mu_;
  bool stop_sync_ ABSL_GUARDED_BY(sync_mu_) = false;
  std::thread sync_thread_;
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_ROCKS_STORE_H_
