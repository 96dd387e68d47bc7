// SlowReadStore: a Store that forwards everything to another one but makes a share of profile
// reads slow. It exists to show the latency budget at work (docs/performance.md): nbo-server
// wraps its store in it only when --debug_slow_read_share is set.
#ifndef NBO_STORAGE_SLOW_READ_STORE_H_
#define NBO_STORAGE_SLOW_READ_STORE_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"
#include "storage/store.h"

namespace nbo::storage {

struct SlowReadOptions {
  // Share of profile reads (ReadProfile, GetProfile) and MultiGetProfiles calls that are slowed,
  // [0, 1]. Spread evenly: every k-th call rather than at random, so a short run sees the
  // configured share.
  double share = 0;
  // How long a slowed read sleeps before reading.
  absl::Duration delay = absl::Milliseconds(50);
};

// Thread-safe if `inner` is. `inner` must outlive it.
class SlowReadStore : public Store {
 public:
  SlowReadStore(Store& inner, SlowReadOptions options);

  absl::Status ReadProfile(std::string_view customer_id, nbo::v1::Profile* out) override;
  std::vector<absl::StatusOr<nbo::v1::Profile>> MultiGetProfiles(
      const std::vector<std::string_view>& customer_ids) override;

  // The rest is forwarded as it is.
  absl::StatusOr<nbo::v1::DecisionRecord> GetDecision(std::string_view decision_id) override {
    return inner_.GetDecision(decision_id);
  }
  absl::StatusOr<std::string> GetMeta(std::string_view key) override { return inner_.GetMeta(key); }
  absl::Status Commit(const WriteSet& writes) override { return inner_.Commit(writes); }
  absl::StatusOr<std::string> GetIdentity(std::string_view source,
                                          std::string_view external_id) override {
    return inner_.GetIdentity(source, external_id);
  }
  absl::StatusOr<std::string> GetAlias(std::string_view customer_id) override {
    return inner_.GetAlias(customer_id);
  }
  absl::StatusOr<nbo::v1::DedupeRecord> GetDedupe(std::string_view event_id) override {
    return inner_.GetDedupe(event_id);
  }
  absl::StatusOr<bool> IsSuppressed(std::string_view hash) override {
    return inner_.IsSuppressed(hash);
  }
  absl::StatusOr<std::string> GetSuppressionSalt() override { return inner_.GetSuppressionSalt(); }
  absl::StatusOr<int64_t> GetCounter(std::string_view key) override {
    return inner_.GetCounter(key);
  }
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> ListCounters(
      std::string_view prefix) override {
    return inner_.ListCounters(prefix);
  }
  absl::StatusOr<CustomerRecords> ListCustomerRecords(std::string_view customer_id) override {
    return inner_.ListCustomerRecords(customer_id);
  }
  absl::StatusOr<int64_t> ApproximateProfileCount() override {
    return inner_.ApproximateProfileCount();
  }
  absl::StatusOr<std::vector<nbo::v1::Profile>> SampleProfiles(size_t limit) override {
    return inner_.SampleProfiles(limit);
  }
  std::vector<std::pair<std::string, double>> Stats() override { return inner_.Stats(); }

  // Reads slowed so far.
  int64_t slowed() const { return slowed_.load(std::memory_order_relaxed); }

 private:
  // Sleeps if this read is one of the slow share.
  void MaybeSleep();

  Store& inner_;
  const SlowReadOptions options_;
  std::atomic<uint64_t> reads_{0};
  std::atomic<int64_t> slowed_{0};
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_SLOW_READ_STORE_H_
