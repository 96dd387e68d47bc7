#include "storage/memory_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "storage/keys.h"
#include "storage/write_plan.h"

namespace nbo::storage {
namespace {

constexpr int Index(Table table) { return static_cast<int>(table); }
static_assert(kTableCount == 7, "MemoryStore::tables_ has one map per Table");

}  // namespace

MemoryStore::MemoryStore(MemoryStoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::string> MemoryStore::Read(int table, std::string_view key, const char* what) {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  auto it = tables_[table].find(key);
  if (it == tables_[table].end()) return absl::NotFoundError(std::string(what) + " not found");
  return it->second;
}

absl::Status MemoryStore::ReadProfile(std::string_view customer_id, nbo::v1::Profile* out) {
  if (options_.on_profile_read) options_.on_profile_read();
  absl::StatusOr<std::string> bytes = Read(Index(Table::kProfiles), customer_id, "profile");
  if (!bytes.ok()) return bytes.status();
  if (!out->ParseFromString(*bytes)) {
    return absl::DataLossError("stored profile is not a valid nbo.v1.Profile");
  }
  return absl::OkStatus();
}

absl::StatusOr<nbo::v1::DecisionRecord> MemoryStore::GetDecision(std::string_view decision_id) {
  absl::StatusOr<std::string> bytes = Read(Index(Table::kDecisions), decision_id, "decision");
  if (!bytes.ok()) return bytes.status();
  nbo::v1::DecisionRecord record;
  if (!record.ParseFromString(*bytes)) {
    return absl::DataLossError("stored decision is not a valid nbo.v1.DecisionRecord");
  }
  if (IsDecisionExpired(record, options_.now())) {
    return absl::NotFoundError("decision not found (expired)");
  }
  return record;
}

absl::StatusOr<nbo::v1::DedupeRecord> MemoryStore::GetDedupe(std::string_view event_id) {
  absl::StatusOr<std::string> bytes = Read(Index(Table::kDedupe), event_id, "dedupe record");
  if (!bytes.ok()) return bytes.status();
  nbo::v1::DedupeRecord record;
  if (!record.ParseFromString(*bytes)) {
    return absl::DataLossError("stored dedupe record is not a valid nbo.v1.DedupeRecord");
  }
  if (IsDedupeExpired(record, options_.now())) {
    return absl::NotFoundError("dedupe record not found (expired)");
  }
  return record;
}

absl::StatusOr<std::string> MemoryStore::GetMeta(std::string_view key) {
  return Read(Index(Table::kMeta), key, "meta key");
}

std::vector<absl::StatusOr<nbo::v1::Profile>> MemoryStore::MultiGetProfiles(
    const std::vector<std::string_view>& customer_ids) {
  std::vector<absl::StatusOr<nbo::v1::Profile>> profiles;
  profiles.reserve(customer_ids.size());
  for (std::string_view id : customer_ids) profiles.push_back(GetProfile(id));
  return profiles;
}

absl::StatusOr<std::string> MemoryStore::GetIdentity(std::string_view source,
                                                     std::string_view external_id) {
  return Read(Index(Table::kIdentities), IdentityKey(source, external_id), "identity");
}

absl::StatusOr<std::string> MemoryStore::GetAlias(std::string_view customer_id) {
  return Read(Index(Table::kIdentities), AliasKey(customer_id), "alias");
}

absl::StatusOr<bool> MemoryStore::IsSuppressed(std::string_view hash) {
  absl::StatusOr<std::string> value =
      Read(Index(Table::kIdentities), SuppressionKey(hash), "suppression");
  if (absl::IsNotFound(value.status())) return false;
  if (!value.ok()) return value.status();
  return true;
}

absl::StatusOr<std::string> MemoryStore::GetSuppressionSalt() {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  return options_.suppression_salt;
}

absl::StatusOr<int64_t> MemoryStore::GetCounter(std::string_view key) {
  absl::StatusOr<std::string> bytes = Read(Index(Table::kCounters), key, "counter");
  if (absl::IsNotFound(bytes.status())) return 0;
  if (!bytes.ok()) return bytes.status();
  int64_t value = 0;
  if (!DecodeCounter(*bytes, &value)) return absl::DataLossError("stored counter is not 8 bytes");
  return value;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> MemoryStore::ListCounters(
    std::string_view prefix) {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  std::vector<std::pair<std::string, int64_t>> counters;
  const Map& map = tables_[Index(Table::kCounters)];
  for (auto it = map.lower_bound(prefix); it != map.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    int64_t value = 0;
    if (!DecodeCounter(it->second, &value)) {
      return absl::DataLossError("stored counter is not 8 bytes");
    }
    counters.emplace_back(it->first, value);
  }
  return counters;
}

absl::StatusOr<CustomerRecords> MemoryStore::ListCustomerRecords(std::string_view customer_id) {
  const std::string prefix = IndexPrefix(customer_id);
  std::vector<std::pair<std::string, std::string>> entries;
  {
    absl::MutexLock lock(&mu_);
    if (!read_failure_.ok()) return read_failure_;
    const Map& index = tables_[Index(Table::kCustomerIndex)];
    for (auto it = index.lower_bound(prefix);
         it != index.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      entries.emplace_back(it->first, it->second);
    }
  }
  return CollectCustomerRecords(
      customer_id, entries, options_.now(),
      [this](const std::string& key) { return Read(Index(Table::kIdentities), key, "identity"); });
}

absl::Status MemoryStore::Commit(const WriteSet& writes) {
  if (absl::Status valid = ValidateWriteSet(writes); !valid.ok()) return valid;
  // Serialize everything before taking the lock, so a failure part-way writes nothing.
  absl::StatusOr<std::vector<WriteOp>> ops =
      PlanWrites(writes, options_.now(), options_.decision_ttl, options_.dedupe_ttl);
  if (!ops.ok()) return ops.status();

  absl::MutexLock lock(&mu_);
  if (!write_failure_.ok()) return write_failure_;
  if (writes.empty()) return absl::OkStatus();
  for (WriteOp& op : *ops) {
    Map& map = tables_[Index(op.table)];
    switch (op.kind) {
      case WriteKind::kPut:
        map[op.key] = std::move(op.value);
        break;
      case WriteKind::kDelete:
        map.erase(op.key);
        break;
      case WriteKind::kAdd: {
        int64_t sum = 0;
        int64_t delta = 0;
        DecodeCounter(op.value, &delta);
        auto it = map.find(op.key);
        if (it != map.end()) DecodeCounter(it->second, &sum);
        // Wraps like the RocksDB merge operator (unsigned arithmetic, no overflow UB).
        map[op.key] = EncodeCounter(
            static_cast<int64_t>(static_cast<uint64_t>(sum) + static_cast<uint64_t>(delta)));
        break;
      }
    }
  }
  ++commit_count_;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MemoryStore::ApproximateProfileCount() {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  return static_cast<int64_t>(tables_[Index(Table::kProfiles)].size());
}

absl::StatusOr<std::vector<nbo::v1::Profile>> MemoryStore::SampleProfiles(size_t limit) {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  const Map& map = tables_[Index(Table::kProfiles)];
  std::vector<nbo::v1::Profile> profiles;
  profiles.reserve(std::min(limit, map.size()));
  for (auto it = map.begin(); it != map.end() && profiles.size() < limit; ++it) {
    if (!profiles.emplace_back().ParseFromString(it->second)) {
      return absl::DataLossError("stored profile is not a valid nbo.v1.Profile");
    }
  }
  return profiles;
}

std::vector<std::pair<std::string, double>> MemoryStore::Stats() {
  absl::MutexLock lock(&mu_);
  return {{"estimated_profiles", static_cast<double>(tables_[Index(Table::kProfiles)].size())},
          {"stored_decisions", static_cast<double>(tables_[Index(Table::kDecisions)].size())}};
}

void MemoryStore::FailWritesWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  write_failure_ = std::move(status);
}

void MemoryStore::FailReadsWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  read_failure_ = std::move(status);
}

int64_t MemoryStore::commit_count() const {
  absl::MutexLock lock(&mu_);
  return commit_count_;
}

}  // namespace nbo::storage
