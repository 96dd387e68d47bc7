// The request mix of the load generator: what kind of interaction, on which channel, for which
// customer. Modelled on examples/strategy.json (Northwind Telecom's catalogue, channels,
// placements, call reasons and life events), so that nbo-server exercises its real rules.
#ifndef NBO_LOADTEST_WORKLOAD_H_
#define NBO_LOADTEST_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "loadtest/options.h"
#include "loadtest/random.h"
#include "loadtest/zipf.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::loadtest {

// One line of the Decide mix: an event kind (named as in Event's oneof) and its share of calls.
struct KindShare {
  v1::Event::KindCase kind;
  double share;
};
// Mostly page views, then calls, searches and cart changes, a few purchases, complaints, life
// events and survey answers. The shares add up to 1.
const std::vector<KindShare>& DecideMix();

struct WorkloadOptions {
  int64_t customers = 10000;  // population lt-000001..lt-<customers>
  double zipf_s = 1.0;        // Zipf exponent of customer activity
  double outcome_share = 0.1;
  CustomerRefKind customer_ref = CustomerRefKind::kIdentity;
  int max_offers = 3;
  uint64_t seed = 1;   // fixes the template pool
  std::string run_id;  // event ids are "lt-<run_id>-<seq>"; REQUIRES non-empty
};

// Pre-built DecideRequest templates (the mix, shares exact in the pool) plus the cheap per-call
// part: customer, event id and time. Thread-safe after Create: every method is const and draws
// only from the caller's engine.
class Workload {
 public:
  static constexpr int kTemplates = 4096;

  // InvalidArgument (naming the flag) for a bad population or exponent.
  static absl::StatusOr<std::unique_ptr<Workload>> Create(const WorkloadOptions& options);

  // True with probability outcome_share: the next call should be a RecordOutcome.
  bool PickOutcome(SplitMix64& rng) const { return rng.NextDouble() < options_.outcome_share; }

  // Overwrites `request` with a template drawn uniformly from the pool, a Zipf-drawn customer,
  // event id "lt-<run_id>-<seq>" and occurred_at = `now`.
  void FillDecide(SplitMix64& rng, uint64_t seq, absl::Time now, v1::DecideRequest& request) const;

  // Overwrites `request` with an outcome for (decision_id, offer_id): PRESENTED 50%, IGNORED 25%,
  // DECLINED 15%, ACCEPTED 10%; value_realised 0 (unknown) and `at` unset (the server's now).
  static void FillOutcome(SplitMix64& rng, absl::string_view decision_id,
                          absl::string_view offer_id, v1::OutcomeRequest& request);

  // One profile-building event for customer `rank` for IngestEvents: a purchase of core products
  // (70%), a page view (20%) or an app open (10%), dated up to two years before `now` so that
  // tenure and months-held rules see a spread. Event id "lt-<run_id>-p<rank>".
  void FillPreloadEvent(SplitMix64& rng, int64_t rank, absl::Time now,
                        v1::IngestEvent& event) const;

  // Sets `ref` to customer `rank` (1..customers) as options.customer_ref says.
  void SetCustomer(int64_t rank, v1::CustomerRef& ref) const;
  // "lt-000123": at least six digits.
  static std::string CustomerName(int64_t rank);

  const std::vector<v1::DecideRequest>& templates() const { return templates_; }
  const ZipfSampler& customers() const { return zipf_; }
  const WorkloadOptions& options() const { return options_; }

 private:
  Workload(const WorkloadOptions& options, ZipfSampler zipf)
      : options_(options), zipf_(std::move(zipf)) {}

  const WorkloadOptions options_;
  const ZipfSampler zipf_;
  std::vector<v1::DecideRequest> templates_;
};

// A bounded pool of (decision id, offer id) pairs from recent Decide answers, from which
// RecordOutcome calls are drawn. Each pair is handed out at most once, so the same outcome key is
// never recorded twice with a different `at`. When full, new pairs overwrite old ones.
// Thread-safe.
class OutcomeRing {
 public:
  explicit OutcomeRing(size_t capacity = 4096);

  void Push(absl::string_view decision_id, absl::string_view offer_id);
  // Moves a random pair into the out-parameters (their buffers are recycled). False when empty.
  bool Take(SplitMix64& rng, std::string* decision_id, std::string* offer_id);
  size_t size() const;

 private:
  struct Entry {
    std::string decision_id;
    std::string offer_id;
  };
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);  // sized to capacity once
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
  size_t next_overwrite_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_WORKLOAD_H_
