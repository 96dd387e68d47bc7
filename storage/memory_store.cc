#include "storage/memory_store.h"

#include <utility>
#include <vector>

namespace nbo::storage {
namespace {

// Debian's abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0).
absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

MemoryStore::MemoryStore(MemoryStoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<nbo::v1::Profile> MemoryStore::GetProfile(std::string_view customer_id) {
  std::string bytes;
  {
    absl::MutexLock lock(&mu_);
    if (!read_failure_.ok()) return read_failure_;
    auto it = profiles_.find(ToAbsl(customer_id));
    if (it == profiles_.end()) return absl::NotFoundError("profile not found");
    bytes = it->second;
  }
  nbo::v1::Profile profile;
  if (!profile.ParseFromString(bytes)) {
    return absl::DataLossError("stored profile is not a valid nbo.v1.Profile");
  }
  return profile;
}

absl::StatusOr<nbo::v1::DecisionRecord> MemoryStore::GetDecision(std::string_view decision_id) {
  std::string bytes;
  {
    absl::MutexLock lock(&mu_);
    if (!read_failure_.ok()) return read_failure_;
    auto it = decisions_.find(ToAbsl(decision_id));
    if (it == decisions_.end()) return absl::NotFoundError("decision not found");
    bytes = it->second;
  }
  nbo::v1::DecisionRecord record;
  if (!record.ParseFromString(bytes)) {
    return absl::DataLossError("stored decision is not a valid nbo.v1.DecisionRecord");
  }
  if (IsDecisionExpired(record, options_.now())) {
    return absl::NotFoundError("decision not found (expired)");
  }
  return record;
}

absl::StatusOr<std::string> MemoryStore::GetMeta(std::string_view key) {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  auto it = meta_.find(ToAbsl(key));
  if (it == meta_.end()) return absl::NotFoundError("meta key not found");
  return it->second;
}

absl::Status MemoryStore::Commit(const WriteSet& writes) {
  if (absl::Status valid = ValidateWriteSet(writes); !valid.ok()) return valid;
  // Serialize everything before taking the lock, so a failure part-way writes nothing.
  std::vector<std::pair<std::string, std::string>> profiles;
  profiles.reserve(writes.profiles.size());
  for (const nbo::v1::Profile* profile : writes.profiles) {
    std::string bytes;
    if (!profile->SerializeToString(&bytes)) {
      return absl::InvalidArgumentError("Profile cannot be serialized");
    }
    profiles.emplace_back(profile->customer_id(), std::move(bytes));
  }
  std::vector<std::pair<std::string, std::string>> decisions;
  decisions.reserve(writes.decisions.size());
  const absl::Time now = options_.now();
  for (const nbo::v1::DecisionRecord* record : writes.decisions) {
    absl::StatusOr<std::string> bytes =
        SerializeDecisionForStorage(*record, now, options_.decision_ttl);
    if (!bytes.ok()) return bytes.status();
    decisions.emplace_back(record->response().decision_id(), *std::move(bytes));
  }

  absl::MutexLock lock(&mu_);
  if (!write_failure_.ok()) return write_failure_;
  if (writes.empty()) return absl::OkStatus();
  for (auto& [key, value] : profiles) profiles_[key] = std::move(value);
  for (auto& [key, value] : decisions) decisions_[key] = std::move(value);
  for (const auto& [key, value] : writes.meta) meta_[key] = value;
  ++commit_count_;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MemoryStore::ApproximateProfileCount() {
  absl::MutexLock lock(&mu_);
  if (!read_failure_.ok()) return read_failure_;
  return static_cast<int64_t>(profiles_.size());
}

std::vector<std::pair<std::string, double>> MemoryStore::Stats() {
  absl::MutexLock lock(&mu_);
  return {{"estimated_profiles", static_cast<double>(profiles_.size())},
          {"stored_decisions", static_cast<double>(decisions_.size())}};
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
