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

class ExpiryFilter;

// The schema version this build writes, and the newest it can open.
inline constexpr int kSchemaVersion = 1;

// Column family names (fixed: they are the on-disk layout). Key formats: docs/storage.md.
inline constexpr char kProfilesCf[] = "profiles";      // customer_id -> nbo.v1.Profile
inline constexpr char kIdentitiesCf[] = "identities";  // identities, aliases, suppressions
inline constexpr char kDedupeCf[] = "dedupe";          // event_id -> nbo.v1.DedupeRecord
inline constexpr char kDecisionsCf[] = "decisions";    // decision_id -> nbo.v1.DecisionRecord
inline constexpr char kCountersCf[] = "counters";      // key -> int64 (merge operator "add")
inline constexpr char kMetaCf[] = "meta";              // e.g. "schema_version" -> "1"
inline constexpr char kCustomerIndexCf[] = "customer_index";  // customer '\0' kind id -> expiry

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
  // Same for dedupe records committed without expires_at. Default: 24 hours.
  absl::Duration dedupe_ttl = kDefaultDedupeTtl;
  // The clock for decision and dedupe expiry (on read, on commit and in compaction threads).
  // Must be thread-safe. Default: absl::Now.
  std::function<absl::Time()> now = absl::Now;
  // Returns n cryptographically random bytes; used once, to create the suppression salt of a
  // new database. Empty: std::random_device.
  std::function<std::string(size_t)> random_bytes;
  // Returns a random number that picks where SampleProfiles starts its scan. Need not be
  // cryptographic; tests inject a fixed sequence. Empty: std::random_device.
  std::function<uint64_t()> sample_seed;
};

// Thread-safe: all Store methods and CompactAll may be called concurrently, except that Close()
// and the destructor REQUIRE that no other call is in progress or follows.
class RocksStore : public Store {
 public:
  // Opens (or creates) the database at options.path: creates our seven column families when
  // missing (also in a database made by an older build), opens every existing one (including
  // unknown ones), writes meta["schema_version"] and meta["suppression_salt"] when absent and
  // starts the WAL sync thread.
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

  absl::Status ReadProfile(std::string_view customer_id, nbo::v1::Profile* out) override;
  absl::StatusOr<nbo::v1::DecisionRecord> GetDecision(std::string_view decision_id) override;
  absl::StatusOr<std::string> GetMeta(std::string_view key) override;
  std::vector<absl::StatusOr<nbo::v1::Profile>> MultiGetProfiles(
      const std::vector<std::string_view>& customer_ids) override;
  absl::StatusOr<std::string> GetIdentity(std::string_view source,
                                          std::string_view external_id) override;
  absl::StatusOr<std::string> GetAlias(std::string_view customer_id) override;
  absl::StatusOr<nbo::v1::DedupeRecord> GetDedupe(std::string_view event_id) override;
  absl::StatusOr<bool> IsSuppressed(std::string_view hash) override;
  absl::StatusOr<std::string> GetSuppressionSalt() override;
  absl::StatusOr<int64_t> GetCounter(std::string_view key) override;
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> ListCounters(
      std::string_view prefix) override;
  absl::StatusOr<CustomerRecords> ListCustomerRecords(std::string_view customer_id) override;
  absl::Status Commit(const WriteSet& writes) override;
  absl::StatusOr<int64_t> ApproximateProfileCount() override;
  absl::StatusOr<std::vector<nbo::v1::Profile>> SampleProfiles(size_t limit) override;
  std::vector<std::pair<std::string, double>> Stats() override;

  // Compacts every column family completely, which also drops expired decisions, dedupe records
  // and index entries. Slow and I/O-heavy: for tests, tools and maintenance, not the request path.
  absl::Status CompactAll();

  // Makes deletes physical: afterwards no file in the data directory holds a key or value that
  // was deleted (or had expired) before the call — no SST, WAL, MANIFEST or info LOG. Flushes
  // every memtable (which retires the WAL holding the deleted records and the delete batch),
  // compacts every column family into its bottommost level dropping the tombstones, starts a
  // fresh MANIFEST and deletes every obsolete file before returning. Exact guarantee and its
  // limits: docs/storage.md. Slow and I/O-heavy (rewrites the whole database): run it after an
  // erasure batch, not per request. May run concurrently with other calls; writes made while it
  // runs are not covered.
  absl::Status PurgeDeleted();

  // Stops the sync thread, syncs the WAL, stops background work and closes the database.
  // Returns the first error. Afterwards reads and CompactAll return FailedPrecondition,
  // Commit returns Unavailable and Stats() is empty. Idempotent.
  absl::Status Close();

 private:
  explicit RocksStore(RocksStoreOptions options);
  absl::Status OpenDb();
  absl::Status CheckSchemaVersion();
  absl::Status EnsureSuppressionSalt();
  void SyncLoop();
  absl::Status Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value);
  absl::Status OpenError(const absl::Status& cause) const;

  const RocksStoreOptions options_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<ExpiryFilter> decision_filter_;  // the filters outlive db_
  std::unique_ptr<ExpiryFilter> dedupe_filter_;
  std::unique_ptr<ExpiryFilter> index_filter_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // all open CFs, owned; destroyed in Close
  rocksdb::ColumnFamilyHandle* profiles_ = nullptr;
  rocksdb::ColumnFamilyHandle* identities_ = nullptr;
  rocksdb::ColumnFamilyHandle* dedupe_ = nullptr;
  rocksdb::ColumnFamilyHandle* decisions_ = nullptr;
  rocksdb::ColumnFamilyHandle* counters_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* customer_index_ = nullptr;
  absl::Mutex purge_mu_;  // one PurgeDeleted at a time
  std::atomic<int64_t> wal_sync_failures_{0};

  absl::Mutex sync_mu_;
  bool stop_sync_ ABSL_GUARDED_BY(sync_mu_) = false;
  std::thread sync_thread_;
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_ROCKS_STORE_H_
