#include "server/profile_flow.h"

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/flow_test_util.h"

namespace nbo::server {
namespace {

using core::testing::kT0;
using core::testing::PageView;
using core::testing::Purchase;
using ::testing::Contains;
using ::testing::HasSubstr;

class ProfileFlowTest : public testing::FlowTest {};

TEST_F(ProfileFlowTest, GetProfileHasHighlightsWithValuePercentile) {
  ASSERT_TRUE(Decide("c-1", Purchase("e1", "broadband_basic", 30, 12, "broadband")).ok());
  ASSERT_TRUE(Decide("c-2", PageView("e2")).ok());
  clock_.Advance(absl::Hours(24 * 3));
  v1::GetProfileRequest req;
  *req.mutable_customer() = Id("c-1");
  auto r = profiles_.GetProfile(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->profile().customer_id(), "c-1");
  ASSERT_FALSE(r->highlights().empty());
  bool value_line = false;
  for (const auto& line : r->highlights()) value_line |= absl::StartsWith(line, "Value: top ");
  EXPECT_TRUE(value_line) << absl::StrJoin(r->highlights(), " | ");
}

TEST_F(ProfileFlowTest, GetProfileErrors) {
  v1::GetProfileRequest req;
  EXPECT_EQ(profiles_.GetProfile(req).status().code(), absl::StatusCode::kInvalidArgument);
  *req.mutable_customer() = Id("c-unknown");
  EXPECT_EQ(profiles_.GetProfile(req).status().code(), absl::StatusCode::kNotFound);
  *req.mutable_customer() = Ref(Identity("loyalty", "nobody"));
  EXPECT_EQ(profiles_.GetProfile(req).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ProfileFlowTest, LinkAttachesANewIdentity) {
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  auto r = Link("c-1", Identity("loyalty", "L-1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->merged());
  EXPECT_EQ(*store_.GetIdentity("loyalty", "L-1"), "c-1");
  // Lookups and events by the identity reach the customer.
  v1::GetProfileRequest req;
  *req.mutable_customer() = Ref(Identity("loyalty", "L-1"));
  auto p = profiles_.GetProfile(req);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->profile().customer_id(), "c-1");
  EXPECT_EQ(p->profile().identities_size(), 1);
}

TEST_F(ProfileFlowTest, LinkToAnUnknownCustomerIsNotFound) {
  EXPECT_EQ(Link("c-nobody", Identity("loyalty", "L-1")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ProfileFlowTest, LinkMergesAndTheAbsorbedIdBecomesAnAlias) {
  ASSERT_TRUE(Decide("c-1", Purchase("e1", "broadband_basic", 30, 12)).ok());
  v1::DecideRequest web = core::testing::Request("x", PageView("e2"));
  *web.mutable_customer() = Ref(Identity("web", "cookie-1"));
  auto anonymous = flow_.Decide(web);
  ASSERT_TRUE(anonymous.ok());
  const std::string absorbed = anonymous->customer_id();
  ASSERT_TRUE(Decide(absorbed, Purchase("e3", "tv_basic", 10, 4)).ok());

  auto r = Link("c-1", Identity("web", "cookie-1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->merged());
  EXPECT_EQ(r->absorbed_customer_id(), absorbed);

  auto survivor = Profile("c-1");
  ASSERT_TRUE(survivor.ok());
  EXPECT_EQ(survivor->interactions(), 3);
  EXPECT_EQ(survivor->purchases(), 2);
  EXPECT_DOUBLE_EQ(survivor->monetary_total(), 40);
  EXPECT_EQ(survivor->holdings_size(), 2);
  EXPECT_THAT(survivor->merged_ids(), Contains(absorbed));
  EXPECT_EQ(store_.GetProfile(absorbed).status().code(), absl::StatusCode::kNotFound);
  // The absorbed id and its identity both reach the survivor now.
  EXPECT_EQ(*store_.GetIdentity("web", "cookie-1"), "c-1");
  auto by_alias = Profile(absorbed);
  ASSERT_TRUE(by_alias.ok());
  EXPECT_EQ(by_alias->customer_id(), "c-1");
  auto later = Decide(absorbed, PageView("e4"));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->customer_id(), "c-1");
  EXPECT_EQ(Profile("c-1")->interactions(), 4);

  // Repeating the link changes nothing.
  const int64_t commits = store_.commit_count();
  auto again = Link("c-1", Identity("web", "cookie-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->merged());
  EXPECT_EQ(store_.commit_count(), commits);
}

TEST_F(ProfileFlowTest, MergeUnderConcurrentEventsLosesNothing) {
  ASSERT_TRUE(Decide("c-a", PageView("seed-a")).ok());
  v1::DecideRequest seed = core::testing::Request("x", PageView("seed-b"));
  *seed.mutable_customer() = Ref(Identity("app", "device-7"));
  auto b = flow_.Decide(seed);
  ASSERT_TRUE(b.ok());
  const std::string id_b = b->customer_id();

  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Half the threads hit the survivor, half the absorbed customer (by id and identity).
        v1::DecideRequest req =
            core::testing::Request(t % 2 ? "c-a" : id_b, PageView(absl::StrCat("t", t, "-", i)));
        if (t % 4 == 2) *req.mutable_customer() = Ref(Identity("app", "device-7"));
        if (flow_.Decide(req).ok()) ++ok;
      }
    });
  }
  auto link = Link("c-a", Identity("app", "device-7"));
  for (auto& th : threads) th.join();
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_TRUE(link->merged());
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  auto merged = Profile("c-a");
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->interactions(), 2 + kThreads * kPerThread);
}

TEST_F(ProfileFlowTest, ConsentOptOutIsRecorded) {
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  v1::UpdateConsentRequest req;
  *req.mutable_customer() = Id("c-1");
  req.set_channel(v1::CHANNEL_EMAIL);
  req.set_opted_in(false);
  req.set_source("preferences_page");
  ASSERT_TRUE(profiles_.UpdateConsent(req).ok());
  auto p = Profile("c-1");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->consents_size(), 1);
  EXPECT_EQ(p->consents(0).channel(), v1::CHANNEL_EMAIL);
  EXPECT_FALSE(p->consents(0).opted_in());
  EXPECT_EQ(p->consents(0).source(), "preferences_page");

  *req.mutable_customer() = Id("c-nobody");
  EXPECT_EQ(profiles_.UpdateConsent(req).status().code(), absl::StatusCode::kNotFound);
  *req.mutable_customer() = Id("c-1");
  req.set_source(std::string(65, 's'));
  EXPECT_EQ(profiles_.UpdateConsent(req).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ProfileFlowTest, ForgetErasesEverythingOfTheCustomer) {
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  auto decision = Decide("c-1", PageView("e2"));
  ASSERT_TRUE(decision.ok());
  ASSERT_TRUE(Link("c-1", Identity("loyalty", "L-9")).ok());
  ASSERT_TRUE(Decide("c-2", PageView("other")).ok());

  v1::ForgetCustomerRequest req;
  *req.mutable_customer() = Ref(Identity("loyalty", "L-9"));
  auto r = profiles_.ForgetCustomer(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records_deleted(), 1 + 2 + 2 + 1);  // profile, decisions, dedupe, identity
  EXPECT_EQ(store_.GetProfile("c-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.GetDecision(decision->decision_id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.GetDedupe("e1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.GetIdentity("loyalty", "L-9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Profile("c-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_.GetProfile("c-2").ok());
  // Without suppression the customer may come back as a new profile.
  ASSERT_TRUE(Decide("c-1", PageView("e3")).ok());
  EXPECT_EQ(Profile("c-1")->interactions(), 1);
}

TEST_F(ProfileFlowTest, ForgetWithSuppressionDropsLaterEvents) {
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  ASSERT_TRUE(Link("c-1", Identity("loyalty", "L-9")).ok());
  v1::ForgetCustomerRequest req;
  *req.mutable_customer() = Id("c-1");
  req.set_suppress_future_events(true);
  ASSERT_TRUE(profiles_.ForgetCustomer(req).ok());

  EXPECT_EQ(Decide("c-1", PageView("e2")).status().code(), absl::StatusCode::kFailedPrecondition);
  v1::DecideRequest by_identity = core::testing::Request("x", PageView("e3"));
  *by_identity.mutable_customer() = Ref(Identity("loyalty", "L-9"));
  EXPECT_EQ(flow_.Decide(by_identity).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_.GetProfile("c-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(observer_.results.back(), "suppressed");
  // Other customers are unaffected.
  EXPECT_TRUE(Decide("c-2", PageView("e4")).ok());
}

TEST_F(ProfileFlowTest, ForgetAlsoErasesRecordsOfMergedInCustomers) {
  v1::DecideRequest web = core::testing::Request("x", PageView("w1"));
  *web.mutable_customer() = Ref(Identity("web", "cookie-1"));
  auto anonymous = flow_.Decide(web);
  ASSERT_TRUE(anonymous.ok());
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  ASSERT_TRUE(Link("c-1", Identity("web", "cookie-1")).ok());

  v1::ForgetCustomerRequest req;
  *req.mutable_customer() = Id("c-1");
  req.set_suppress_future_events(true);
  ASSERT_TRUE(profiles_.ForgetCustomer(req).ok());
  EXPECT_EQ(store_.GetDecision(anonymous->decision_id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.GetDedupe("w1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.GetAlias(anonymous->customer_id()).status().code(), absl::StatusCode::kNotFound);
  auto records = store_.ListCustomerRecords(anonymous->customer_id());
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->decision_ids.empty());
  // The merged-in id is suppressed too.
  EXPECT_EQ(Decide(anonymous->customer_id(), PageView("w2")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ProfileFlowTest, ForgetUnknownCustomerIsNotFound) {
  v1::ForgetCustomerRequest req;
  *req.mutable_customer() = Id("c-nobody");
  EXPECT_EQ(profiles_.ForgetCustomer(req).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nbo::server
