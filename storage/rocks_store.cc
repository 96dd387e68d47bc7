#include "storage/rocks_store.h"

#include <algorithm>
#include <random>
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
#include "rocksdb/iterator.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/decision_ttl_filter.h"
#include "storage/keys.h"
#include "storage/rocks_status.h"
#include "storage/write_plan.h"

namespace nbo::storage {
namespace {

constexpr const char* kOwnCfs[] = {kProfilesCf, kIdentitiesCf, kDedupeCf,       kDecisionsCf,
                                   kCountersCf, kMetaCf,       kCustomerIndexCf};
constexpr char kSchemaVersionKey[] = "schema_version";
constexpr char kSuppressionSaltKey[] = "suppression_salt";
constexpr char kPurgedAtKey[] = "purged_at";
constexpr size_t kSuppressionSaltBytes = 32;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// counters CF: values are int64 (EncodeCounter); a merge operand is a delta. A malformed value or
// operand counts as 0 rather than failing (a failed merge would stop compaction of the CF).
class CounterAddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    int64_t sum = 0;
    int64_t delta = 0;
    if (existing_value != nullptr) {
      DecodeCounter(std::string_view(existing_value->data(), existing_value->size()), &sum);
    }
    DecodeCounter(std::string_view(value.data(), value.size()), &delta);
    // Unsigned arithmetic: wraps on overflow instead of undefined behaviour.
    *new_value = EncodeCounter(
        static_cast<int64_t>(static_cast<uint64_t>(sum) + static_cast<uint64_t>(delta)));
    return true;
  }
  const char* Name() const override { return "nbo.CounterAdd"; }
};

std::string DefaultRandomBytes(size_t n) {
  std::random_device device;
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(device() & 0xff);
  return bytes;
}

// A key k with lo <= k <= hi (lo <= hi), spread over the range: after the common prefix, a
// uniformly random byte between lo's and hi's next bytes, then 8 random bytes. Uniform over the
// byte range at the first differing position, so only approximately uniform over the stored keys
// (e.g. hex ids leave gaps between '9' and 'a' whose seeks land on the next key).
std::string RandomKeyBetween(std::string_view lo, std::string_view hi, uint64_t seed) {
  size_t common = 0;
  while (common < lo.size() && common < hi.size() && lo[common] == hi[common]) ++common;
  if (common == hi.size()) return std::string(hi);  // lo == hi
  std::mt19937_64 rng(seed);
  const int low = common < lo.size() ? static_cast<unsigned char>(lo[common]) : 0;
  const int high = static_cast<unsigned char>(hi[common]);
  std::string key(hi.substr(0, common));
  key.push_back(static_cast<char>(std::uniform_int_distribution<int>(low, high)(rng)));
  for (int i = 0; i < 8; ++i) key.push_back(static_cast<char>(rng() & 0xff));
  return key;
}

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
  // Debian's librocksdb is a portable build whose crc32c is the software one ("Fast CRC32
  // supported: Not supported on x86" in its LOG); XXH3 checks every block read from disk and
  // written by flush and compaction at a fraction of that cost. Files keep the type they were
  // written with, so existing data stays readable. (The WAL's record checksum is always crc32c.)
  table.checksum = rocksdb::kXXH3;

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
  // In a store much larger than its active customers (a million profiles, ten thousand of them
  // busy), each L0 compaction rewrites the whole bottom level of the profiles. Eight L0 files per
  // compaction instead of four halves how often; reads still skip those files by their pinned
  // bloom filters. Measured over 60 s in a 1,000,000-profile store: +8% Decide throughput, -12%
  // CPU per call (docs/performance.md).
  cf.level0_file_num_compaction_trigger = 8;
  // A whole-key bloom filter in each memtable (2% of write_buffer_size, no prefix extractor
  // needed): every fresh Decide looks up a dedupe record that does not exist, and most profile
  // reads miss the memtable; both skip the skiplist search. +5% Decide throughput measured
  // (docs/performance.md).
  cf.memtable_whole_key_filtering = true;
  cf.memtable_prefix_bloom_size_ratio = 0.02;
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
  decision_filter_ = NewDecisionTtlFilter(options_.now);
  dedupe_filter_ = NewDedupeTtlFilter(options_.now);
  index_filter_ = NewCustomerIndexTtlFilter(options_.now);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.statistics = statistics_;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  db_options.manual_wal_flush = false;  // Commit must put the batch in the WAL before returning
  // Erasure (PurgeDeleted): a WAL is deleted as soon as it is obsolete, never archived or
  // recycled, and every MANIFEST write starts a fresh MANIFEST holding only the live files, so
  // that no file keeps the boundary keys of deleted SSTs. The cost is one small MANIFEST (about
  // 100 bytes per live SST) per flush or compaction.
  db_options.WAL_ttl_seconds = 0;
  db_options.WAL_size_limit_MB = 0;
  db_options.recycle_log_file_num = 0;
  db_options.max_manifest_file_size = 0;

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
    if (name == kDecisionsCf) options.compaction_filter = decision_filter_.get();
    if (name == kDedupeCf) options.compaction_filter = dedupe_filter_.get();
    if (name == kCustomerIndexCf) options.compaction_filter = index_filter_.get();
    if (name == kCountersCf) options.merge_operator = std::make_shared<CounterAddOperator>();
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
    const std::string& name = handle->GetName();
    if (name == kProfilesCf) profiles_ = handle;
    if (name == kIdentitiesCf) identities_ = handle;
    if (name == kDedupeCf) dedupe_ = handle;
    if (name == kDecisionsCf) decisions_ = handle;
    if (name == kCountersCf) counters_ = handle;
    if (name == kMetaCf) meta_ = handle;
    if (name == kCustomerIndexCf) customer_index_ = handle;
  }

  if (absl::Status schema = CheckSchemaVersion(); !schema.ok()) return OpenError(schema);
  if (absl::Status salt = EnsureSuppressionSalt(); !salt.ok()) return OpenError(salt);

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

absl::Status RocksStore::EnsureSuppressionSalt() {
  std::string value;
  absl::Status status = Get(meta_, kSuppressionSaltKey, &value);
  if (!absl::IsNotFound(status)) return status;
  const std::string salt = options_.random_bytes ? options_.random_bytes(kSuppressionSaltBytes)
                                                 : DefaultRandomBytes(kSuppressionSaltBytes);
  if (salt.size() != kSuppressionSaltBytes) {
    return absl::InternalError(absl::StrCat("RocksStoreOptions.random_bytes returned ", salt.size(),
                                            " bytes, not ", kSuppressionSaltBytes));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksStatus(db_->Put(write_options, meta_, kSuppressionSaltKey, salt),
                         "writing suppression_salt");
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
  profiles_ = identities_ = dedupe_ = decisions_ = counters_ = meta_ = customer_index_ = nullptr;
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

absl::Status RocksStore::ReadProfile(std::string_view customer_id, nbo::v1::Profile* out) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::PinnableSlice slice;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), profiles_,
                                    rocksdb::Slice(customer_id.data(), customer_id.size()), &slice);
  if (status.IsNotFound()) return absl::NotFoundError("profile not found");
  if (!status.ok()) return FromRocksStatus(status, "reading profile");
  if (!out->ParseFromArray(slice.data(), static_cast<int>(slice.size()))) {
    return absl::DataLossError("stored profile is not a valid nbo.v1.Profile");
  }
  return absl::OkStatus();
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

std::vector<absl::StatusOr<nbo::v1::Profile>> RocksStore::MultiGetProfiles(
    const std::vector<std::string_view>& customer_ids) {
  std::vector<absl::StatusOr<nbo::v1::Profile>> profiles;
  profiles.reserve(customer_ids.size());
  if (db_ == nullptr) {
    profiles.assign(customer_ids.size(), absl::FailedPreconditionError("store is closed"));
    return profiles;
  }
  if (customer_ids.empty()) return profiles;
  std::vector<rocksdb::Slice> keys;
  keys.reserve(customer_ids.size());
  for (std::string_view id : customer_ids) keys.push_back(ToSlice(id));
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), profiles_, keys.size(), keys.data(), values.data(),
                statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      profiles.push_back(absl::NotFoundError("profile not found"));
    } else if (!statuses[i].ok()) {
      profiles.push_back(FromRocksStatus(statuses[i], "reading profile"));
    } else {
      nbo::v1::Profile profile;
      if (profile.ParseFromArray(values[i].data(), static_cast<int>(values[i].size()))) {
        profiles.push_back(std::move(profile));
      } else {
        profiles.push_back(absl::DataLossError("stored profile is not a valid nbo.v1.Profile"));
      }
    }
  }
  return profiles;
}

absl::StatusOr<std::string> RocksStore::GetIdentity(std::string_view source,
                                                    std::string_view external_id) {
  std::string value;
  absl::Status status = Get(identities_, IdentityKey(source, external_id), &value);
  if (absl::IsNotFound(status)) return absl::NotFoundError("identity not found");
  if (!status.ok()) return status;
  return value;
}

absl::StatusOr<std::string> RocksStore::GetAlias(std::string_view customer_id) {
  std::string value;
  absl::Status status = Get(identities_, AliasKey(customer_id), &value);
  if (absl::IsNotFound(status)) return absl::NotFoundError("alias not found");
  if (!status.ok()) return status;
  return value;
}

absl::StatusOr<nbo::v1::DedupeRecord> RocksStore::GetDedupe(std::string_view event_id) {
  std::string value;
  absl::Status status = Get(dedupe_, event_id, &value);
  if (absl::IsNotFound(status)) return absl::NotFoundError("dedupe record not found");
  if (!status.ok()) return status;
  nbo::v1::DedupeRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError("stored dedupe record is not a valid nbo.v1.DedupeRecord");
  }
  if (IsDedupeExpired(record, options_.now())) {
    return absl::NotFoundError("dedupe record not found (expired)");
  }
  return record;
}

absl::StatusOr<bool> RocksStore::IsSuppressed(std::string_view hash) {
  std::string value;
  absl::Status status = Get(identities_, SuppressionKey(hash), &value);
  if (absl::IsNotFound(status)) return false;
  if (!status.ok()) return status;
  return true;
}

absl::StatusOr<std::string> RocksStore::GetSuppressionSalt() {
  std::string value;
  absl::Status status = Get(meta_, kSuppressionSaltKey, &value);
  if (absl::IsNotFound(status)) return absl::DataLossError("meta suppression_salt is missing");
  if (!status.ok()) return status;
  return value;
}

absl::StatusOr<int64_t> RocksStore::GetCounter(std::string_view key) {
  std::string value;
  absl::Status status = Get(counters_, key, &value);
  if (absl::IsNotFound(status)) return 0;
  if (!status.ok()) return status;
  int64_t counter = 0;
  if (!DecodeCounter(value, &counter)) return absl::DataLossError("stored counter is not 8 bytes");
  return counter;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> RocksStore::ListCounters(
    std::string_view prefix) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  std::vector<std::pair<std::string, int64_t>> counters;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), counters_));
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix));
       it->Next()) {
    int64_t value = 0;
    if (!DecodeCounter(std::string_view(it->value().data(), it->value().size()), &value)) {
      return absl::DataLossError("stored counter is not 8 bytes");
    }
    counters.emplace_back(it->key().ToString(), value);
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading counters");
  return counters;
}

absl::StatusOr<CustomerRecords> RocksStore::ListCustomerRecords(std::string_view customer_id) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  const std::string prefix = IndexPrefix(customer_id);
  std::string upper = prefix;
  upper.back() = '\x01';  // customer_id '\1': just past every key of this customer
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  std::vector<std::pair<std::string, std::string>> entries;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, customer_index_));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      entries.emplace_back(it->key().ToString(), it->value().ToString());
    }
    if (!it->status().ok()) return FromRocksStatus(it->status(), "reading customer_index");
  }
  return CollectCustomerRecords(customer_id, entries, options_.now(),
                                [this](const std::string& key) -> absl::StatusOr<std::string> {
                                  std::string value;
                                  absl::Status status = Get(identities_, key, &value);
                                  if (!status.ok()) return status;
                                  return value;
                                });
}

absl::Status RocksStore::Commit(const WriteSet& writes) {
  if (absl::Status valid = ValidateWriteSet(writes); !valid.ok()) return valid;
  if (db_ == nullptr) return absl::UnavailableError("store is closed");
  if (writes.empty()) return absl::OkStatus();

  const bool needs_clock = !writes.decisions.empty() || !writes.dedupe.empty();
  absl::StatusOr<std::vector<WriteOp>> ops =
      PlanWrites(writes, needs_clock ? options_.now() : absl::InfinitePast(), options_.decision_ttl,
                 options_.dedupe_ttl);
  if (!ops.ok()) return ops.status();
  rocksdb::ColumnFamilyHandle* const cfs[kTableCount] = {
      profiles_, identities_, dedupe_, decisions_, counters_, meta_, customer_index_};
  rocksdb::WriteBatch batch;
  for (const WriteOp& op : *ops) {
    rocksdb::ColumnFamilyHandle* cf = cfs[static_cast<int>(op.table)];
    rocksdb::Status status;
    switch (op.kind) {
      case WriteKind::kPut:
        status = batch.Put(cf, op.key, op.value);
        break;
      case WriteKind::kDelete:
        status = batch.Delete(cf, op.key);
        break;
      case WriteKind::kAdd:
        status = batch.Merge(cf, op.key, op.value);
        break;
    }
    if (!status.ok()) return absl::InternalError(FromRocksStatus(status, "batch").message());
  }

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

absl::StatusOr<std::vector<nbo::v1::Profile>> RocksStore::SampleProfiles(size_t limit) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  std::vector<nbo::v1::Profile> profiles;
  if (limit == 0) return profiles;
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // a large sample must not evict the request path's blocks
  // One iterator (one implicit snapshot) for both passes, so no profile is returned twice.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, profiles_));
  it->SeekToFirst();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocksStatus(it->status(), "reading profiles");
    return profiles;
  }
  const std::string first = it->key().ToString();
  it->SeekToLast();
  if (!it->Valid()) return FromRocksStatus(it->status(), "reading profiles");
  const std::string last = it->key().ToString();
  const uint64_t seed = options_.sample_seed
                            ? options_.sample_seed()
                            : (uint64_t{std::random_device()()} << 32) ^ std::random_device()();
  const std::string start = RandomKeyBetween(first, last, seed);
  const rocksdb::Slice start_slice(start);

  auto take = [&]() -> absl::Status {
    if (!profiles.emplace_back().ParseFromArray(it->value().data(),
                                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored profile is not a valid nbo.v1.Profile");
    }
    return absl::OkStatus();
  };
  // [start, end), then wrap around to [first, start).
  for (it->Seek(start_slice); it->Valid() && profiles.size() < limit; it->Next()) {
    if (absl::Status status = take(); !status.ok()) return status;
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading profiles");
  if (profiles.size() < limit) {
    for (it->SeekToFirst();
         it->Valid() && profiles.size() < limit && it->key().compare(start_slice) < 0; it->Next()) {
      if (absl::Status status = take(); !status.ok()) return status;
    }
    if (!it->status().ok()) return FromRocksStatus(it->status(), "reading profiles");
  }
  return profiles;
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

absl::Status RocksStore::PurgeDeleted() {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  absl::MutexLock lock(&purge_mu_);
  // 1. Flush every memtable. The first memtable switch starts a new WAL; once every column
  //    family's memtable is flushed, the old WAL (holding the deleted records and the delete
  //    batch itself) is obsolete. WAL_ttl_seconds = 0: it is deleted, not archived.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  if (rocksdb::Status status = db_->Flush(flush, handles_); !status.ok()) {
    return FromRocksStatus(status, "flushing memtables");
  }
  // 2. Rewrite every column family into its bottommost level: tombstones and the values they
  //    cover are dropped (no snapshots are held), the expiry filters drop expired records.
  if (absl::Status compacted = CompactAll(); !compacted.ok()) return compacted;
  // 3. Every MANIFEST write starts a new MANIFEST with a snapshot of the version *before* the
  //    edit; the compactions' MANIFESTs may still name the old files' boundary keys. One more
  //    edit (a flush of meta["purged_at"]) writes a MANIFEST made only of the clean live files.
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  if (rocksdb::Status status =
          db_->Put(write_options, meta_, kPurgedAtKey,
                   absl::FormatTime(absl::RFC3339_full, options_.now(), absl::UTCTimeZone()));
      !status.ok()) {
    return FromRocksStatus(status, "writing purged_at");
  }
  if (rocksdb::Status status = db_->Flush(flush, meta_); !status.ok()) {
    return FromRocksStatus(status, "flushing meta");
  }
  // 4. Delete every obsolete file (SSTs, WALs, MANIFESTs) now: re-enabling file deletions runs
  //    a full obsolete-file scan and purge in this thread.
  if (rocksdb::Status status = db_->DisableFileDeletions(); !status.ok()) {
    return FromRocksStatus(status, "disabling file deletions");
  }
  if (rocksdb::Status status = db_->EnableFileDeletions(/*force=*/false); !status.ok()) {
    return FromRocksStatus(status, "enabling file deletions");
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
  stats.emplace_back("expired_decisions_dropped", static_cast<double>(decision_filter_->dropped()));
  stats.emplace_back("expired_dedupe_dropped", static_cast<double>(dedupe_filter_->dropped()));
  stats.emplace_back("wal_sync_failures",
                     static_cast<double>(wal_sync_failures_.load(std::memory_order_relaxed)));
  // What commits wrote and what RocksDB rewrote for them: (flush + compaction writes) / written
  // is the write amplification, the cost that grows with the store (docs/operations.md).
  const std::pair<const char*, rocksdb::Tickers> kBytes[] = {
      {"written_bytes", rocksdb::BYTES_WRITTEN},
      {"wal_written_bytes", rocksdb::WAL_FILE_BYTES},
      {"flush_written_bytes", rocksdb::FLUSH_WRITE_BYTES},
      {"compaction_read_bytes", rocksdb::COMPACT_READ_BYTES},
      {"compaction_written_bytes", rocksdb::COMPACT_WRITE_BYTES},
  };
  for (const auto& [name, ticker] : kBytes) {
    stats.emplace_back(name, static_cast<double>(statistics_->getTickerCount(ticker)));
  }
  return stats;
}

}  // namespace nbo::storage
