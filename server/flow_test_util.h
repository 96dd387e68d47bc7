// A complete set of flows over a MemoryStore with a fake clock, for server unit tests.
#ifndef NBO_SERVER_FLOW_TEST_UTIL_H_
#define NBO_SERVER_FLOW_TEST_UTIL_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/test_util.h"
#include "gtest/gtest.h"
#include "server/customer_access.h"
#include "server/decision_flow.h"
#include "server/ingest_flow.h"
#include "server/learning_stats.h"
#include "server/profile_flow.h"
#include "storage/memory_store.h"

namespace nbo::server::testing {

// One segment, two learnable offers (priors 0.1 x 10 and 0.2 x 10), a fallback; practically no
// exploration and no control group (every decision is arm "model"), evidence halving daily.
inline constexpr absl::string_view kLearningStrategy = R"json({
  "version": "learning-1",
  "currency": "EUR",
  "offers": [
    {"id": "tv", "name": "TV Basic", "kind": "cross_sell", "product": "tv_basic", "margin": 50,
     "prior": {"rate": 0.1, "weight": 10}, "reason": "{offer}"},
    {"id": "bb", "name": "Broadband Basic", "kind": "cross_sell", "product": "broadband_basic",
     "margin": 40, "prior": {"rate": 0.2, "weight": 10}, "reason": "{offer}"},
    {"id": "ebill", "name": "E-billing", "kind": "service", "margin": 0, "reason": "Go paperless"}
  ],
  "segments": [
    {"id": "everyone", "name": "Everyone", "rule": "true",
     "treatments": [{"offer_id": "tv"}, {"offer_id": "bb"}]}
  ],
  "fallbacks": [{"channel": "*", "offer_ids": ["ebill"]}],
  "learning": {"exploration_share": 1e-9, "control_share": 1e-9, "half_life_days": 1}
})json";

class RecordingObserver : public FlowObserver {
 public:
  void OnDecision(v1::Channel, absl::string_view result, absl::Duration) override {
    absl::MutexLock lock(&mu);
    results.emplace_back(result);
  }
  void OnFallback(v1::Channel, absl::string_view cause) override {
    absl::MutexLock lock(&mu);
    fallbacks.emplace_back(cause);
  }
  void OnSegmentTransition(absl::string_view from, absl::string_view to) override {
    absl::MutexLock lock(&mu);
    transitions.push_back(absl::StrCat(from, "->", to));
  }
  void OnArm(absl::string_view arm) override {
    absl::MutexLock lock(&mu);
    arms.emplace_back(arm);
  }
  absl::Mutex mu;
  std::vector<std::string> arms;
  std::vector<std::string> results;
  std::vector<std::string> transitions;
  std::vector<std::string> fallbacks;
};

class FlowTest : public ::testing::Test {
 protected:
  FlowTest()
      : clock_(core::testing::kT0),
        store_(StoreOptions(clock_, slow_profile_read_ms_, on_profile_read_)),
        strategies_("unused.json"),
        ids_(7),
        customers_(store_, ids_),
        budgets_(store_),
        learning_(clock_),
        flow_(customers_, strategies_, clock_, ids_, budgets_, learning_, &observer_),
        profiles_(customers_, strategies_, clock_),
        ingest_(customers_, strategies_, clock_, &observer_) {
    auto loaded =
        strategies_.LoadInline(std::string(core::testing::kSmallStrategy), core::testing::kT0);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
  }

  // Every profile read advances the fake clock by `slow_ms` milliseconds (a slow store) and then
  // calls `hook` if it is set (set it before any thread reads).
  static storage::MemoryStoreOptions StoreOptions(core::FakeClock& clock,
                                                  const std::atomic<int>& slow_ms,
                                                  const std::function<void()>& hook) {
    storage::MemoryStoreOptions options;
    options.now = [&clock] { return clock.Now(); };
    options.on_profile_read = [&clock, &slow_ms, &hook] {
      if (const int ms = slow_ms.load(); ms > 0) clock.Advance(absl::Milliseconds(ms));
      if (hook) hook();
    };
    return options;
  }

  absl::StatusOr<v1::DecideResponse> Decide(std::string customer, v1::Event event) {
    return flow_.Decide(core::testing::Request(std::move(customer), std::move(event)));
  }

  static v1::CustomerRef Id(std::string id) {
    v1::CustomerRef ref;
    ref.set_customer_id(std::move(id));
    return ref;
  }
  static v1::SourceIdentity Identity(std::string source, std::string external_id) {
    v1::SourceIdentity identity;
    identity.set_source(std::move(source));
    identity.set_external_id(std::move(external_id));
    return identity;
  }
  static v1::CustomerRef Ref(const v1::SourceIdentity& identity) {
    v1::CustomerRef ref;
    *ref.mutable_identity() = identity;
    return ref;
  }

  absl::StatusOr<v1::Profile> Profile(std::string id) {
    v1::GetProfileRequest req;
    *req.mutable_customer() = Id(std::move(id));
    auto r = profiles_.GetProfile(req);
    if (!r.ok()) return r.status();
    return r->profile();
  }

  absl::StatusOr<v1::LinkIdentityResponse> Link(std::string customer,
                                                const v1::SourceIdentity& identity) {
    v1::LinkIdentityRequest req;
    *req.mutable_customer() = Id(std::move(customer));
    *req.mutable_identity() = identity;
    return profiles_.LinkIdentity(req);
  }

  core::FakeClock clock_;
  std::atomic<int> slow_profile_read_ms_{0};
  std::function<void()> on_profile_read_;
  storage::MemoryStore store_;
  StrategyHolder strategies_;
  IdGenerator ids_;
  CustomerAccess customers_;
  BudgetLedger budgets_;
  LearningStats learning_;
  RecordingObserver observer_;
  DecisionFlow flow_;
  ProfileFlow profiles_;
  IngestFlow ingest_;
};

}  // namespace nbo::server::testing

#endif  // NBO_SERVER_FLOW_TEST_UTIL_H_
