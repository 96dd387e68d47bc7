#include "server/decision_flow.h"

#include <thread>

#include "core/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"

namespace nbo::server {
namespace {

using core::testing::kT0;
using ::testing::HasSubstr;

class RecordingObserver : public FlowObserver {
 public:
  void OnDecision(v1::Channel, absl::string_view result, absl::Duration) override {
    absl::MutexLock lock(&mu_);
    results.emplace_back(result);
  }
  void OnSegmentTransition(absl::string_view from, absl::string_view to) override {
    absl::MutexLock lock(&mu_);
    transitions.push_back(absl::StrCat(from, "->", to));
  }
  absl::Mutex mu_;
  std::vector<std::string> results;
  std::vector<std::string> transitions;
};

class DecisionFlowTest : public ::testing::Test {
 protected:
  DecisionFlowTest()
      : clock_(kT0),
        store_(StoreOptions(clock_)),
        strategies_("unused.json"),
        ids_(7),
        flow_(store_, strategies_, clock_, ids_, &observer_) {
    auto loaded = strategies_.LoadInline(std::string(core::testing::kSmallStrategy), kT0);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
  }

  static storage::MemoryStoreOptions StoreOptions(const core::FakeClock& clock) {
    storage::MemoryStoreOptions options;
    options.now = [&clock] { return clock.Now(); };
    return options;
  }

  absl::StatusOr<v1::DecideResponse> Decide(std::string customer, v1::Event event) {
    return flow_.Decide(core::testing::Request(std::move(customer), std::move(event)));
  }

  core::FakeClock clock_;
  storage::MemoryStore store_;
  StrategyHolder strategies_;
  IdGenerator ids_;
  RecordingObserver observer_;
  DecisionFlow flow_;
};

TEST_F(DecisionFlowTest, DecidesPersistsProfileAndLogsDecision) {
  auto r = Decide("c-1", core::testing::PageView("e1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->customer_id(), "c-1");
  EXPECT_EQ(r->segment_id(), "everyone");
  EXPECT_EQ(r->strategy_version(), "test-1");
  EXPECT_EQ(r->offers_size(), 2);
  EXPECT_THAT(r->decision_id(), ::testing::StartsWith("d-"));

  auto profile = store_.GetProfile("c-1");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->interactions(), 1);
  EXPECT_EQ(profile->segment_id(), "everyone");

  auto record = store_.GetDecision(r->decision_id());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->event_id(), "e1");
  EXPECT_EQ(record->response().offers_size(), 2);
  EXPECT_EQ(core::FromProto(record->expires_at()), kT0 + absl::Hours(24 * 7));
  EXPECT_EQ(store_.commit_count(), 1);
  EXPECT_EQ(observer_.results, std::vector<std::string>{"offers"});
  EXPECT_EQ(observer_.transitions, std::vector<std::string>{"->everyone"});
}

TEST_F(DecisionFlowTest, ProfileAccumulatesAcrossDecisions) {
  ASSERT_TRUE(Decide("c-1", core::testing::PageView("e1")).ok());
  clock_.Advance(absl::Hours(1));
  auto r = Decide("c-1", core::testing::Purchase("e2", "broadband_basic", 30, 12));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->segment_id(), "broadband");
  auto profile = store_.GetProfile("c-1");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->interactions(), 2);
  EXPECT_EQ(profile->holdings_size(), 1);
  EXPECT_EQ(observer_.transitions.back(), "everyone->broadband");
}

TEST_F(DecisionFlowTest, InvalidRequestWritesNothing) {
  v1::Event e = core::testing::PageView("");
  auto r = Decide("c-1", e);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("event.event_id"));
  EXPECT_EQ(store_.commit_count(), 0);
  EXPECT_EQ(observer_.results, std::vector<std::string>{"invalid"});
}

TEST_F(DecisionFlowTest, SourceIdentityIsNotResolvedYet) {
  v1::DecideRequest req = core::testing::Request("x", core::testing::PageView("e1"));
  auto* id = req.mutable_customer()->mutable_identity();
  id->set_source("loyalty");
  id->set_external_id("L-1");
  EXPECT_EQ(flow_.Decide(req).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(DecisionFlowTest, StoreWriteFailureIsReportedAndNothingIsKept) {
  store_.FailWritesWith(absl::UnavailableError("disk full"));
  auto r = Decide("c-1", core::testing::PageView("e1"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_.GetProfile("c-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(observer_.results, std::vector<std::string>{"error"});
}

TEST_F(DecisionFlowTest, StoreReadFailureIsReported) {
  store_.FailReadsWith(absl::DataLossError("corrupt block"));
  EXPECT_EQ(Decide("c-1", core::testing::PageView("e1")).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DecisionFlowTest, NoStrategyIsUnavailable) {
  StrategyHolder empty("none.json");
  DecisionFlow flow(store_, empty, clock_, ids_, nullptr);
  EXPECT_EQ(
      flow.Decide(core::testing::Request("c-1", core::testing::PageView("e1"))).status().code(),
      absl::StatusCode::kUnavailable);
}

TEST_F(DecisionFlowTest, ConcurrentDecisionsForOneCustomerLoseNoUpdate) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(Decide("c-hot", core::testing::PageView(absl::StrCat("e", t, "-", i))).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto profile = store_.GetProfile("c-hot");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->interactions(), kThreads * kPerThread);
}

TEST_F(DecisionFlowTest, GetProfileReturnsProfileAndHighlights) {
  ASSERT_TRUE(Decide("c-1", core::testing::Purchase("e1", "broadband_basic", 30, 12)).ok());
  clock_.Advance(absl::Hours(24 * 3));
  v1::GetProfileRequest req;
  req.mutable_customer()->set_customer_id("c-1");
  auto r = flow_.GetProfile(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->profile().customer_id(), "c-1");
  EXPECT_THAT(r->highlights(), ::testing::Contains("Customer for 3 days"));
  EXPECT_THAT(r->highlights(), ::testing::Contains("1 purchase, 30.00 spent in total"));
  EXPECT_THAT(r->highlights(), ::testing::Contains("Holds broadband_basic"));
}

TEST_F(DecisionFlowTest, GetProfileErrors) {
  v1::GetProfileRequest req;
  EXPECT_EQ(flow_.GetProfile(req).status().code(), absl::StatusCode::kInvalidArgument);
  req.mutable_customer()->set_customer_id("c-unknown");
  auto r = flow_.GetProfile(req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("c-unknown"));
}

}  // namespace
}  // namespace nbo::server
