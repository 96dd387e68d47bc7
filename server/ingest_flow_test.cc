#include "server/ingest_flow.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/flow_test_util.h"

namespace nbo::server {
namespace {

using core::testing::PageView;
using core::testing::Purchase;
using ::testing::HasSubstr;

class IngestFlowTest : public testing::FlowTest {
 protected:
  void Add(v1::IngestRequest& req, const v1::CustomerRef& customer, v1::Event event) {
    auto* e = req.add_events();
    *e->mutable_customer() = customer;
    *e->mutable_event() = std::move(event);
  }
};

TEST_F(IngestFlowTest, AppliesABatchExactlyOnce) {
  v1::IngestRequest req;
  for (int i = 0; i < 30; ++i)
    Add(req, Id(absl::StrCat("c-", i % 3)), PageView(absl::StrCat("e", i)));
  Add(req, Id("c-0"), Purchase("p1", "tv_basic", 10, 3));
  v1::IngestSummary summary;
  ASSERT_TRUE(ingest_.Apply(req, summary).ok());
  EXPECT_EQ(summary.applied(), 31);
  EXPECT_EQ(summary.duplicates(), 0);
  EXPECT_EQ(store_.commit_count(), 1);  // one atomic write for the whole batch
  EXPECT_EQ(store_.GetProfile("c-0")->interactions(), 11);
  EXPECT_EQ(store_.GetProfile("c-0")->holdings_size(), 1);

  v1::IngestSummary again;
  ASSERT_TRUE(ingest_.Apply(req, again).ok());
  EXPECT_EQ(again.applied(), 0);
  EXPECT_EQ(again.duplicates(), 31);
  EXPECT_EQ(store_.GetProfile("c-0")->interactions(), 11);
}

TEST_F(IngestFlowTest, DuplicatesInsideOneBatchCountOnce) {
  v1::IngestRequest req;
  Add(req, Id("c-1"), PageView("e1"));
  Add(req, Id("c-1"), PageView("e1"));
  Add(req, Id("c-1"), Purchase("e1", "tv_basic", 1, 1));  // same id, other payload
  v1::IngestSummary summary;
  ASSERT_TRUE(ingest_.Apply(req, summary).ok());
  EXPECT_EQ(summary.applied(), 1);
  EXPECT_EQ(summary.duplicates(), 1);
  EXPECT_EQ(summary.rejected(), 1);
  EXPECT_THAT(summary.first_rejections(0), HasSubstr("events[2].event.event_id \"e1\""));
}

TEST_F(IngestFlowTest, InvalidEventsAreRejectedWithReasonsAndTheRestApplied) {
  v1::IngestRequest req;
  Add(req, Id("c-1"), PageView("ok-1"));
  Add(req, Id("c-1"), PageView(""));
  v1::Event nps = PageView("bad-nps");
  nps.mutable_survey_answer()->set_nps(11);
  Add(req, Id("c-1"), nps);
  req.add_events()->mutable_event()->set_event_id("no-customer");
  v1::IngestSummary summary;
  ASSERT_TRUE(ingest_.Apply(req, summary).ok());
  EXPECT_EQ(summary.applied(), 1);
  EXPECT_EQ(summary.rejected(), 3);
  EXPECT_THAT(summary.first_rejections(0), HasSubstr("events[1].event.event_id: required"));
  EXPECT_THAT(summary.first_rejections(1), HasSubstr("events[2].event.survey_answer.nps"));
  EXPECT_THAT(summary.first_rejections(2), HasSubstr("events[3].customer: required"));
}

TEST_F(IngestFlowTest, IdentitiesAndMergedIdsTakeThePerEventPath) {
  ASSERT_TRUE(Decide("c-1", PageView("d1")).ok());
  v1::DecideRequest web = core::testing::Request("x", PageView("d2"));
  *web.mutable_customer() = Ref(Identity("web", "cookie-1"));
  const std::string absorbed = flow_.Decide(web)->customer_id();
  ASSERT_TRUE(Link("c-1", Identity("web", "cookie-1")).ok());

  v1::IngestRequest req;
  Add(req, Id(absorbed), PageView("i1"));                      // merged away: reaches c-1
  Add(req, Ref(Identity("web", "cookie-1")), PageView("i2"));  // identity of c-1
  Add(req, Ref(Identity("pos", "card-5")), PageView("i3"));    // new identity: new customer
  v1::IngestSummary summary;
  ASSERT_TRUE(ingest_.Apply(req, summary).ok());
  EXPECT_EQ(summary.applied(), 3);
  EXPECT_EQ(store_.GetProfile("c-1")->interactions(), 4);
  auto created = store_.GetIdentity("pos", "card-5");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(store_.GetProfile(*created)->interactions(), 1);
}

TEST_F(IngestFlowTest, EventsForSuppressedCustomersAreDroppedAndCounted) {
  ASSERT_TRUE(Decide("c-1", PageView("d1")).ok());
  v1::ForgetCustomerRequest forget;
  *forget.mutable_customer() = Id("c-1");
  forget.set_suppress_future_events(true);
  ASSERT_TRUE(profiles_.ForgetCustomer(forget).ok());
  v1::IngestRequest req;
  Add(req, Id("c-1"), PageView("after-1"));
  Add(req, Id("c-2"), PageView("after-2"));
  v1::IngestSummary summary;
  ASSERT_TRUE(ingest_.Apply(req, summary).ok());
  EXPECT_EQ(summary.suppressed(), 1);
  EXPECT_EQ(summary.applied(), 1);
  EXPECT_EQ(store_.GetProfile("c-1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(IngestFlowTest, StoreFailureIsReturnedAndNothingCountsAsApplied) {
  v1::IngestRequest req;
  Add(req, Id("c-1"), PageView("e1"));
  store_.FailWritesWith(absl::UnavailableError("disk full"));
  v1::IngestSummary summary;
  EXPECT_EQ(ingest_.Apply(req, summary).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(summary.applied(), 0);
}

TEST_F(IngestFlowTest, TooManyEventsInOneMessage) {
  v1::IngestRequest req;
  for (int i = 0; i < 10001; ++i) Add(req, Id("c-1"), PageView(absl::StrCat("e", i)));
  v1::IngestSummary summary;
  EXPECT_EQ(ingest_.Apply(req, summary).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nbo::server
