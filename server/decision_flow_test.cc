#include "server/decision_flow.h"

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/flow_test_util.h"

namespace nbo::server {
namespace {

using core::testing::kT0;
using core::testing::PageView;
using core::testing::Purchase;
using ::testing::HasSubstr;

class DecisionFlowTest : public testing::FlowTest {};

TEST_F(DecisionFlowTest, DecidesPersistsProfileAndLogsDecision) {
  auto r = Decide("c-1", PageView("e1"));
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
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  clock_.Advance(absl::Hours(1));
  auto r = Decide("c-1", Purchase("e2", "broadband_basic", 30, 12));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->segment_id(), "broadband");
  auto profile = store_.GetProfile("c-1");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->interactions(), 2);
  EXPECT_EQ(profile->holdings_size(), 1);
  EXPECT_EQ(observer_.transitions.back(), "everyone->broadband");
}

TEST_F(DecisionFlowTest, RetryWithTheSameEventIdGetsTheOriginalAnswer) {
  auto first = Decide("c-1", PageView("e1"));
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(1));
  auto retry = Decide("c-1", PageView("e1"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->decision_id(), first->decision_id());
  EXPECT_EQ(retry->offers_size(), first->offers_size());
  EXPECT_EQ(store_.GetProfile("c-1")->interactions(), 1);  // applied once
  EXPECT_EQ(observer_.results.back(), "duplicate");
}

TEST_F(DecisionFlowTest, SameEventIdWithAnotherPayloadIsRefused) {
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  auto r = Decide("c-1", Purchase("e1", "tv_basic", 10, 2));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("\"e1\""));
  EXPECT_EQ(store_.GetProfile("c-1")->interactions(), 1);
}

TEST_F(DecisionFlowTest, DuplicateIsForgottenAfterTheWindow) {
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  clock_.Advance(absl::Hours(24 * 7) + absl::Minutes(1));
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  EXPECT_EQ(store_.GetProfile("c-1")->interactions(), 2);
}

TEST_F(DecisionFlowTest, UnknownSourceIdentityCreatesACustomerOnce) {
  v1::DecideRequest req = core::testing::Request("x", PageView("e1"));
  *req.mutable_customer() = Ref(Identity("loyalty", "L-1"));
  auto first = flow_.Decide(req);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->customer_id(), ::testing::StartsWith("c-"));
  *req.mutable_event() = PageView("e2");
  auto second = flow_.Decide(req);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->customer_id(), first->customer_id());
  auto profile = store_.GetProfile(first->customer_id());
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->interactions(), 2);
  ASSERT_EQ(profile->identities_size(), 1);
  EXPECT_EQ(profile->identities(0).external_id(), "L-1");
  EXPECT_EQ(*store_.GetIdentity("loyalty", "L-1"), first->customer_id());
}

TEST_F(DecisionFlowTest, ConcurrentFirstEventsOfOneIdentityCreateOneCustomer) {
  std::vector<std::thread> threads;
  std::vector<std::string> ids(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      v1::DecideRequest req = core::testing::Request("x", PageView(absl::StrCat("e", t)));
      *req.mutable_customer() = Ref(Identity("web", "cookie-9"));
      auto r = flow_.Decide(req);
      ASSERT_TRUE(r.ok());
      ids[t] = r->customer_id();
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(store_.GetProfile(ids[0])->interactions(), 8);
}

TEST_F(DecisionFlowTest, InvalidRequestWritesNothing) {
  auto r = Decide("c-1", PageView(""));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("event.event_id"));
  EXPECT_EQ(store_.commit_count(), 0);
  EXPECT_EQ(observer_.results, std::vector<std::string>{"invalid"});
}

TEST_F(DecisionFlowTest, StoreWriteFailureIsReportedAndNothingIsKept) {
  store_.FailWritesWith(absl::UnavailableError("disk full"));
  auto r = Decide("c-1", PageView("e1"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_.GetProfile("c-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(observer_.results, std::vector<std::string>{"error"});
}

TEST_F(DecisionFlowTest, StoreReadFailureIsReported) {
  store_.FailReadsWith(absl::DataLossError("corrupt block"));
  EXPECT_EQ(Decide("c-1", PageView("e1")).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(DecisionFlowTest, NoStrategyIsUnavailable) {
  StrategyHolder empty("none.json");
  DecisionFlow flow(customers_, empty, clock_, ids_, budgets_, nullptr);
  EXPECT_EQ(flow.Decide(core::testing::Request("c-1", PageView("e1"))).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(DecisionFlowTest, ConcurrentDecisionsForOneCustomerLoseNoUpdate) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(Decide("c-hot", PageView(absl::StrCat("e", t, "-", i))).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto profile = store_.GetProfile("c-hot");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->interactions(), kThreads * kPerThread);
}

}  // namespace
}  // namespace nbo::server
