// MemoryStore: an in-memory Store with the same observable behaviour as RocksStore (copies out,
// atomic commits, decision TTL per an injected clock), plus switches to make it fail, for tests
// of core and server. Nothing is persisted.
#ifndef NBO_STORAGE_MEMORY_STORE_H_
#define NBO_STORAGE_MEMORY_STORE_H_

#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
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
  // The clock that decides decision expiry. Must be thread-safe. Default: absl::Now.
  std::function<absl::Time()> now = absl::Now;
};

// Thread-safe: all methods may be called concurrently. Records are kept serialized, so a
// returned message is always an independent copy.
class MemoryStore : public Store {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {});

  absl::StatusOr<nbo::v1::Profile> GetProfile(std::string_view customer_id) override;
  absl::StatusOr<nbo::v1::DecisionRecord> GetDecision(std::string_view decision_id) override;
  absl::StatusOr<std::string> GetMeta(std::string_view key) override;
  absl::Status Commit(const WriteSet& writes) override;
  absl::StatusOr<int64_t> ApproximateProfileCount() override;
  std::vector<std::pair<std::string, double>> Stats() override;

  // From now on every Commit (after validation) returns `status` and writes nothing; pass
  // absl::OkStatus() to heal. E.g. absl::UnavailableError("disk full") for error-path tests.
  void FailWritesWith(absl::Status status);
  // From now on every Get* and ApproximateProfileCount returns `status`; OkStatus() heals.
  void FailReadsWith(absl::Status status);

  // Number of Commit calls that wrote (for tests asserting that nothing was written).
  int64_t commit_count() const;

 private:
  using Table = absl::flat_hash_map<std::string, std::string>;

  const MemoryStoreOptions options_;
  mutable absl::Mutex mu_;
  Table profiles_ ABSL_GUARDED_BY(mu_);
  Table decisions_ ABSL_GUARDED_BY(mu_);
  Table meta_ ABSL_GUARDED_BY(mu_);
  absl::Status write_failure_ ABSL_GUARDED_BY(mu_);
  absl::Status read_failure_ ABSL_GUARDED_BY(mu_);
  int64_t commit_count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_MEMORY_STORE_H_
