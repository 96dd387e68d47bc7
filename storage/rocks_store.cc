#include "storage/rocks_store.h"

#include <algorithm>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/decision_ttl_filter.h"
#include "storage/rocks_status.h"

namespace nbo::storage {
namespace {

constexpr const char* kOwnCfs[] = {kProfilesCf,  kIdentitiesCf, kDedupeCf,
                                   kDecisionsCf, kCountersCf,   kMetaCf};
constexpr char kSchemaVersionKey[] = "schema_version";

// Point-lookup tuning shared by all column families: whole-key bloom filters, index and filter
// blocks in the shared block cache (L0 pinned), hash index inside data blocks, no compression on
// the small hot levels and lz4/zstd below (both are linked into Debian's librocksdb).
rocksdb::ColumnFamilyOptions CfOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  table.format_version = 5;

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.level_compaction_dynamic_level_bytes = true;
  cf.compression_per_level = {rocksdb::kNoCompression,
                              rocksdb::kNoCompression,
                              rocksdb::kLZ4Compression,
                              rocksdb::kLZ4Compression,
                              rocksdb::kLZ4Compression,
                              rocksdb::kLZ4Compression,
                              rocksdb::kZSTD};
  cf.bottommost_compression = rocksdb::kZSTD;
  return cf;
}

bool IsLockError(const rocksdb::Status& status) {
  return status.IsIOError() && absl::StrContains(absl::AsciiStrToLower(status.ToString()), "lock");
}

}  // namespace

RocksStore::RocksStore(RocksStoreOptions options) : options_(std::move(options)) {}

RocksStore::~RocksStore() { Close().IgnoreError(); }  // documented: call Close() to see errors

absl::StatusOr<std::unique_ptr<RocksStore>> RocksStore::Open(const RocksStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("RocksStoreOptions.path is empty");
  if (!options.now) return absl::InvalidArgumentError("RocksStoreOptions.now is empty");
  auto store = absl::WrapUnique(new RocksStore(options));
  // On failure the destructor closes whatever was opened.
  if (absl::Status status = store->OpenDb(); !status.ok()) return status;
  return store;
}

absl::Status RocksStore::OpenError(const absl::Status& cause) const {
  return absl::Status(cause.code(),
                      absl::StrCat("data_dir \"", options_.path, "\": ", cause.message()));
}

absl::Status RocksStore::OpenDb() {
  block_cache_ = rocksdb::NewLRUCache(options_.block_cache_bytes);
  statistics_ = rocksdb::CreateDBStatistics();
  statistics_->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  ttl_filter_ = std::make_unique<DecisionTtlFilter>(options_.now);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.statistics = statistics_;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  db_options.manual_wal_flush = false;  // Commit must put the batch in the WAL before returning

  // Open every column family the DB already has, so that one added by a newer build (or by hand)
  // does not stop us from opening; ours are created when missing.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(db_options, options_.path, &names).ok()) {
    names.clear();  // no DB yet (or unreadable: DB::Open reports the real cause)
  }
  if (std::find(names.begin(), names.end(), rocksdb::kDefaultColumnFamilyName) == names.end()) {
    names.push_back(rocksdb::kDefaultColumnFamilyName);
  }
  for (const char* own : kOwnCfs) {
    if (std::find(names.begin(), names.end(), own) == names.end()) names.emplace_back(own);
  }
  const rocksdb::ColumnFamilyOptions cf_options = CfOptions(block_cache_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions options = cf_options;
    if (name == kDecisionsCf) options.compaction_filter = ttl_filter_.get();
    descriptors.emplace_back(name, options);
  }

  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, options_.path, descriptors, &handles_, &db);
  if (!status.ok()) {
    absl::Status error = OpenError(FromRocksStatus(status));
    if (IsLockError(status)) {
      return absl::Status(error.code(),
                          absl::StrCat(error.message(), "; is another nbo-server using it?"));
    }
    return error;
  }
  db_.reset(db);
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (handle->GetName() == kProfilesCf) profiles_ = handle;
    if (handle->GetName() == kDecisionsCf) decisions_ = handle;
    if (handle->GetName() == kMetaCf) meta_ = handle;
  }

  if (absl::Status schema = CheckSchemaVersion(); !schema.ok()) return OpenError(schema);

  if (!options_.sync_writes && options_.wal_sync_interval > absl::ZeroDuration() &&
      options_.wal_sync_interval != absl::InfiniteDuration()) {
    sync_thread_ = std::thread([this] { SyncLoop(); });
  }
  return absl::OkStatus();
}

absl::Status RocksStore::CheckSchemaVersion() {
  std::string value;
  absl::Status status = Get(meta_, kSchemaVersionKey, &value);
  if (absl::IsNotFound(status)) {
    // A new database (or one from before versioning): stamp it, synced, before first use.
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    return FromRocksStatus(
        db_->Put(write_options, meta_, kSchemaVersionKey, std::to_string(kSchemaVersion)),
        "writing schema_version");
  }
  if (!status.ok()) return status;
  int version = 0;
  if (!absl::SimpleAtoi(value, &version) || version < 1) {
    return absl::DataLossError(
        absl::StrCat("meta schema_version \"", absl::CEscape(value), "\" is not a version number"));
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("schema version ", version, " is newer than this nbo-server supports (",
                     kSchemaVersion, "); run a newer nbo-server or use another data_dir"));
  }
  return absl::OkStatus();
}

void RocksStore::SyncLoop() {
  absl::MutexLock lock(&sync_mu_);
  while (!stop_sync_) {
    // Wakes early (and returns true) when Close() sets stop_sync_.
    if (sync_mu_.AwaitWithTimeout(absl::Condition(&stop_sync_), options_.wal_sync_interval)) {
      break;
    }
    sync_mu_.Unlock();  // never hold sync_mu_ across an fsync: Close() would wait for it
    if (!db_->SyncWAL().ok()) wal_sync_failures_.fetch_add(1, std::memory_order_relaxed);
    sync_mu_.Lock();
  }
}

absl::Status RocksStore::Close() {
  if (db_ == nullptr) {
    // Never opened (or already closed); the handles vector can only be non-empty with a db.
    return absl::OkStatus();
  }
  if (sync_thread_.joinable()) {
    {
      absl::MutexLock lock(&sync_mu_);
      stop_sync_ = true;
    }
    sync_thread_.join();
  }
  absl::Status result = FromRocksStatus(db_->SyncWAL(), "final WAL sync");
  rocksdb::CancelAllBackgroundWork(db_.get(), /*wait=*/true);
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    absl::Status destroyed =
        FromRocksStatus(db_->DestroyColumnFamilyHandle(handle), "closing column family");
    if (result.ok()) result = destroyed;
  }
  handles_.clear();
  profiles_ = decisions_ = meta_ = nullptr;
  absl::Status closed = FromRocksStatus(db_->Close(), "closing database");
  if (result.ok()) result = closed;
  db_.reset();
  if (!result.ok()) return OpenError(result);
  return absl::OkStatus();
}

absl::Status RocksStore::Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                             std::string* value) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::PinnableSlice slice;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key.data(), key.size()), &slice);
  if (status.IsNotFound()) return absl::NotFoundError(absl::StrCat(cf->GetName(), ": not found"));
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("reading ", cf->GetName()));
  value->assign(slice.data(), slice.size());
  return absl::OkStatus();
}

absl::StatusOr<nbo::v1::Profile> RocksStore::GetProfile(std::string_view customer_id) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::PinnableSlice slice;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), profiles_,
                                    rocksdb::Slice(customer_id.data(), customer_id.size()), &slice);
  if (status.IsNotFound()) return absl::NotFoundError("profile not found");
  if (!status.ok()) return FromRocksStatus(status, "reading profile");
  nbo::v1::Profile profile;
  if (!profile.ParseFromArray(slice.data(), static_cast<int>(slice.size()))) {
    return absl::DataLossError("stored profile is not a valid nbo.v1.Profile");
  }
  return profile;
}

absl::StatusOr<nbo::v1::DecisionRecord> RocksStore::GetDecision(std::string_view decision_id) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::PinnableSlice slice;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), decisions_,
                                    rocksdb::Slice(decision_id.data(), decision_id.size()), &slice);
  if (status.IsNotFound()) return absl::NotFoundError("decision not found");
  if (!status.ok()) return FromRocksStatus(status, "reading decision");
  nbo::v1::DecisionRecord record;
  if (!record.ParseFromArray(slice.data(), static_cast<int>(slice.size()))) {
    return absl::DataLossError("stored decision is not a valid nbo.v1.DecisionRecord");
  }
  // Compaction removes expired records only eventually; reads must not wait for it.
  if (IsDecisionExpired(record, options_.now())) {
    return absl::NotFoundError("decision not found (expired)");
  }
  return record;
}

absl::StatusOr<std::string> RocksStore::GetMeta(std::string_view key) {
  std::string value;
  absl::Status status = Get(meta_, key, &value);
  if (absl::IsNotFound(status)) return absl::NotFoundError("meta key not found");
  if (!status.ok()) return status;
  return value;
}

absl::Status RocksStore::Commit(const WriteSet& writes) {
  if (absl::Status valid = ValidateWriteSet(writes); !valid.ok()) return valid;
  if (db_ == nullptr) return absl::UnavailableError("store is closed");
  if (writes.empty()) return absl::OkStatus();

  rocksdb::WriteBatch batch;
  std::string bytes;
  for (const nbo::v1::Profile* profile : writes.profiles) {
    if (!profile->SerializeToString(&bytes)) {
      return absl::InvalidArgumentError("Profile cannot be serialized");
    }
    batch.Put(profiles_, profile->customer_id(), bytes);
  }
  const absl::Time now = writes.decisions.empty() ? absl::InfinitePast() : options_.now();
  for (const nbo::v1::DecisionRecord* record : writes.decisions) {
    absl::StatusOr<std::string> value =
        SerializeDecisionForStorage(*record, now, options_.decision_ttl);
    if (!value.ok()) return value.status();
    batch.Put(decisions_, record->response().decision_id(), *value);
  }
  for (const auto& [key, value] : writes.meta) batch.Put(meta_, key, value);

  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  rocksdb::Status status = db_->Write(write_options, &batch);
  if (status.ok()) return absl::OkStatus();
  // After a background error RocksDB refuses every write with that error until it recovers.
  const absl::Status error = FromRocksStatus(status, "commit failed");
  if (absl::IsInvalidArgument(error) || absl::IsUnimplemented(error)) {
    return absl::InternalError(error.message());  // our bug, not the caller's
  }
  if (absl::IsDataLoss(error)) return error;
  return absl::UnavailableError(error.message());
}

absl::StatusOr<int64_t> RocksStore::ApproximateProfileCount() {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  uint64_t keys = 0;
  if (!db_->GetIntProperty(profiles_, rocksdb::DB::Properties::kEstimateNumKeys, &keys)) {
    return absl::InternalError("RocksDB property estimate-num-keys is unavailable");
  }
  return static_cast<int64_t>(keys);
}

absl::Status RocksStore::CompactAll() {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    rocksdb::Status status = db_->CompactRange(options, handle, nullptr, nullptr);
    if (!status.ok()) {
      return FromRocksStatus(status, absl::StrCat("compacting ", handle->GetName()));
    }
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, double>> RocksStore::Stats() {
  std::vector<std::pair<std::string, double>> stats;
  if (db_ == nullptr) return stats;
  uint64_t value = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kBackgroundErrors, &value)) {
    stats.emplace_back("background_errors", static_cast<double>(value));
  }
  stats.emplace_back("stall_micros",
                     static_cast<double>(statistics_->getTickerCount(rocksdb::STALL_MICROS)));
  const double hits = static_cast<double>(statistics_->getTickerCount(rocksdb::BLOCK_CACHE_HIT));
  const double misses = static_cast<double>(statistics_->getTickerCount(rocksdb::BLOCK_CACHE_MISS));
  stats.emplace_back("block_cache_hit_ratio", hits + misses > 0 ? hits / (hits + misses) : 0.0);
  stats.emplace_back("block_cache_usage_bytes", static_cast<double>(block_cache_->GetUsage()));
  uint64_t live_bytes = 0;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (db_->GetIntProperty(handle, rocksdb::DB::Properties::kEstimateLiveDataSize, &value)) {
      live_bytes += value;
    }
  }
  stats.emplace_back("live_data_bytes", static_cast<double>(live_bytes));
  if (db_->GetIntProperty(profiles_, rocksdb::DB::Properties::kEstimateNumKeys, &value)) {
    stats.emplace_back("estimated_profiles", static_cast<double>(value));
  }
  stats.emplace_back("expired_decisions_dropped", static_cast<double>(ttl_filter_->dropped()));
  stats.emplace_back("wal_sync_failures",
                     static_cast<double>(wal_sync_failures_.load(std::memory_order_relaxed)));
  return stats;
}

}  // namespace nbo::storage
