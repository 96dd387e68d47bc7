// MemoryStore: an in-memory Store with the same observable behaviour as RocksStore (copies out,
// atomic commits, decision and dedupe TTL per an injected clock, the same per-customer index), plus
// switches to make it fail, for tests of core and server. Nothing is persisted.
#ifndef NBO_STORAGE_MEMORY_STORE_H_
#define NBO_STORAGE_MEMORY_STORE_H_

#include <array>
#include <functional>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/decision_ttl.h"
#include "storage/store.h"

namespace nbo::storage {

struct MemoryStoreOptions {
  // Stored for a decision record without expires_at: it expires at commit time + decision_ttl.
  // Default: 7 days.
  absl::Duration decision_ttl = kDefaultDecisionTtl;
  // Same for dedupe records without expires_at. Default: 24 hours.
  absl::Duration dedupe_ttl = kDefaultDedupeTtl;
  // The clock that decides decision and dedupe expiry. Must be thread-safe. Default: absl::Now.
  std::function<absl::Time()> now = absl::Now;
  // What GetSuppressionSalt returns. Default: 32 fixed, non-secret bytes.
  std::string suppression_salt = std::string(32, '\x5a');
  // Called at the start of every profile read (e.g. to simulate a slow read by advancing a fake
  // clock). Must be thread-safe. Default: none.
  std::function<void()> on_profile_read;
};

// Thread-safe: all methods may be called concurrently. Records are kept serialized, so a
// returned message is always an independent copy.
class MemoryStore : public Store {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {});

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

  // From now on every Commit (after validation) returns `status` and writes nothing; pass
  // absl::OkStatus() to heal. E.g. absl::UnavailableError("disk full") for error-path tests.
  void FailWritesWith(absl::Status status);
  // From now on every Get*, ApproximateProfileCount and SampleProfiles returns `status`;
  // OkStatus() heals.
  void FailReadsWith(absl::Status status);

  // Number of Commit calls that wrote (for tests asserting that nothing was written).
  int64_t commit_count() const;

 private:
  // Ordered like RocksDB's column families, for prefix scans; indexed by Table (write_plan.h).
  using Map = std::map<std::string, std::string, std::less<>>;

  // The raw value of `key` in table `table`; NotFound (with `what` in the message) when absent,
  // the injected read failure when set.
  absl::StatusOr<std::string> Read(int table, std::string_view key, const char* what);

  const MemoryStoreOptions options_;
  mutable absl::Mutex mu_;
  std::array<Map, 7> tables_ ABSL_GUARDED_BY(mu_);
  absl::Status write_failure_ ABSL_GUARDED_BY(mu_);
  absl::Status read_failure_ ABSL_GUARDED_BY(mu_);
  int64_t commit_count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_MEMORY_STORE_H_
