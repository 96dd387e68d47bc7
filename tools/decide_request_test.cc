#include "tools/decide_request.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

DecideArgs Base(const std::string& event) {
  DecideArgs args;
  args.customer = "c-1001";
  args.channel = "web";
  args.event = event;
  args.event_id = "e-1";
  return args;
}

v1::DecideRequest Build(const DecideArgs& args) {
  absl::StatusOr<v1::DecideRequest> request = BuildDecideRequest(args);
  EXPECT_TRUE(request.ok()) << request.status();
  return request.ok() ? *request : v1::DecideRequest();
}

absl::Status BuildError(const DecideArgs& args) { return BuildDecideRequest(args).status(); }

TEST(DecideRequestTest, FillsCommonFields) {
  DecideArgs args = Base("app_open");
  args.customer = "loyalty:L-77812";
  args.channel = "mobile_app";
  args.placement = "home";
  args.max_offers = 2;
  args.source = "app";
  const v1::DecideRequest r = Build(args);
  EXPECT_EQ(r.customer().identity().source(), "loyalty");
  EXPECT_EQ(r.customer().identity().external_id(), "L-77812");
  EXPECT_EQ(r.event().event_id(), "e-1");
  EXPECT_EQ(r.event().source(), "app");
  EXPECT_EQ(r.event().channel(), v1::CHANNEL_MOBILE_APP);
  EXPECT_EQ(r.placement(), "home");
  EXPECT_EQ(r.max_offers(), 2);
  EXPECT_FALSE(r.has_context());
}

TEST(DecideRequestTest, GeneratesRandomEventIdWhenNotGiven) {
  DecideArgs args = Base("app_open");
  args.event_id.clear();
  const std::string first = Build(args).event().event_id();
  EXPECT_THAT(first, MatchesRegex("cli-[0-9a-f]{16}"));
  EXPECT_NE(first, Build(args).event().event_id());
}

TEST(DecideRequestTest, PageViewSetsProductInView) {
  DecideArgs args = Base("page_view");
  args.page = "/broadband/fibre";
  args.products = {"fibre-1g"};
  args.category = "broadband";
  const v1::DecideRequest r = Build(args);
  ASSERT_TRUE(r.event().has_page_view());
  EXPECT_EQ(r.event().page_view().page(), "/broadband/fibre");
  EXPECT_EQ(r.event().page_view().product(), "fibre-1g");
  EXPECT_EQ(r.event().page_view().category(), "broadband");
  EXPECT_EQ(r.context().product_in_view(), "fibre-1g");
}

TEST(DecideRequestTest, Search) {
  DecideArgs args = Base("search");
  args.query = "fast internet";
  args.category = "broadband";
  const v1::DecideRequest r = Build(args);
  ASSERT_TRUE(r.event().has_search());
  EXPECT_EQ(r.event().search().query(), "fast internet");
  EXPECT_EQ(r.event().search().category(), "broadband");
}

TEST(DecideRequestTest, CartAddAndRemove) {
  DecideArgs args = Base("cart_add");
  args.products = {"router"};
  args.quantity = 3;
  v1::DecideRequest r = Build(args);
  ASSERT_TRUE(r.event().has_cart_add());
  EXPECT_EQ(r.event().cart_add().product(), "router");
  EXPECT_EQ(r.event().cart_add().quantity(), 3);

  args.event = "cart_remove";
  r = Build(args);
  ASSERT_TRUE(r.event().has_cart_remove());
  EXPECT_EQ(r.event().cart_remove().product(), "router");
}

TEST(DecideRequestTest, CartNeedsExactlyOneProduct) {
  DecideArgs args = Base("cart_add");
  EXPECT_EQ(BuildError(args).message(), "--event cart_add needs --product (the product id)");
  args.products = {"a", "b"};
  EXPECT_EQ(BuildError(args).message(), "--event cart_add takes one --product, got 2");
}

TEST(DecideRequestTest, PurchaseSplitsTotalsEvenlyAcrossItems) {
  DecideArgs args = Base("purchase");
  args.products = {"router", "tv-box"};
  args.category = "home";
  args.amount = 120;
  args.margin = 30;
  args.currency = "EUR";
  args.order_id = "o-9";
  const v1::DecideRequest r = Build(args);
  ASSERT_TRUE(r.event().has_purchase());
  const v1::Purchase& p = r.event().purchase();
  ASSERT_EQ(p.items_size(), 2);
  EXPECT_EQ(p.items(0).product(), "router");
  EXPECT_EQ(p.items(1).product(), "tv-box");
  EXPECT_EQ(p.items(1).category(), "home");
  EXPECT_DOUBLE_EQ(p.items(0).amount(), 60);
  EXPECT_DOUBLE_EQ(p.items(1).margin(), 15);
  EXPECT_EQ(p.currency(), "EUR");
  EXPECT_EQ(p.order_id(), "o-9");
}

TEST(DecideRequestTest, PurchaseOfOneProductGetsTheWholeAmount) {
  DecideArgs args = Base("purchase");
  args.products = {"router"};
  args.amount = 12.5;
  args.margin = 3;
  const v1::DecideRequest r = Build(args);
  ASSERT_EQ(r.event().purchase().items_size(), 1);
  EXPECT_DOUBLE_EQ(r.event().purchase().items(0).amount(), 12.5);
  EXPECT_DOUBLE_EQ(r.event().purchase().items(0).margin(), 3);
}

TEST(DecideRequestTest, PurchaseRejectsNegativeAmount) {
  DecideArgs args = Base("purchase");
  args.products = {"router"};
  args.amount = -1;
  EXPECT_EQ(BuildError(args).code(), absl::StatusCode::kInvalidArgument);
}

TEST(DecideRequestTest, CallStartedPutsReasonIntoEventAndContext) {
  DecideArgs args = Base("call_started");
  args.channel = "call_centre";
  args.call_reason = "billing";
  const v1::DecideRequest r = Build(args);
  ASSERT_TRUE(r.event().has_call_started());
  EXPECT_EQ(r.event().call_started().reason(), "billing");
  EXPECT_EQ(r.context().call_reason(), "billing");
}

TEST(DecideRequestTest, StoreVisitAndAppOpen) {
  DecideArgs args = Base("store_visit");
  args.store = "s-12";
  EXPECT_EQ(Build(args).event().store_visit().store_id(), "s-12");
  args = Base("app_open");
  args.screen = "home";
  EXPECT_EQ(Build(args).event().app_open().screen(), "home");
}

TEST(DecideRequestTest, ComplaintNeedsSeverityInRange) {
  DecideArgs args = Base("complaint");
  EXPECT_THAT(BuildError(args).message(), HasSubstr("needs --severity"));
  args.severity = 6;
  EXPECT_EQ(BuildError(args).message(), "--severity must be in 1..5, got 6");
  args.severity = 4;
  args.topic = "outage";
  const v1::DecideRequest r = Build(args);
  EXPECT_EQ(r.event().complaint().severity(), 4);
  EXPECT_EQ(r.event().complaint().topic(), "outage");
}

TEST(DecideRequestTest, LifeEventNeedsKind) {
  DecideArgs args = Base("life_event");
  EXPECT_THAT(BuildError(args).message(), HasSubstr("needs --life_event"));
  args.life_event = "moved_home";
  EXPECT_EQ(Build(args).event().life_event().kind(), "moved_home");
}

TEST(DecideRequestTest, SurveyAnswer) {
  DecideArgs args = Base("survey_answer");
  args.nps = 9;
  args.interests = {"tv", "mobile"};
  const v1::DecideRequest r = Build(args);
  ASSERT_TRUE(r.event().survey_answer().has_nps());
  EXPECT_EQ(r.event().survey_answer().nps(), 9);
  EXPECT_THAT(r.event().survey_answer().interests(), ElementsAre("tv", "mobile"));
}

TEST(DecideRequestTest, SurveyAnswerWithoutNpsLeavesItUnset) {
  EXPECT_FALSE(Build(Base("survey_answer")).event().survey_answer().has_nps());
}

TEST(DecideRequestTest, UnknownEventListsValidEvents) {
  const absl::Status status = BuildError(Base("click"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "unknown event \"click\"; valid events: page_view, search, cart_add, cart_remove, "
            "purchase, call_started, store_visit, app_open, complaint, life_event, survey_answer");
}

TEST(DecideRequestTest, RecordKindsPointToTheirCommand) {
  EXPECT_EQ(BuildError(Base("consent_change")).message(),
            "--event consent_change is not sent through decide; use nbo consent");
  EXPECT_EQ(BuildError(Base("product_removed")).message(),
            "--event product_removed is not sent through decide; use nbo ingest");
}

TEST(DecideRequestTest, UnknownChannelListsValidChannels) {
  DecideArgs args = Base("app_open");
  args.channel = "fax";
  EXPECT_THAT(BuildError(args).message(), HasSubstr("valid channels: web, mobile_app"));
}

TEST(DecideRequestTest, MissingRequiredFlagsAreNamed) {
  DecideArgs args = Base("app_open");
  args.customer.clear();
  EXPECT_THAT(BuildError(args).message(), HasSubstr("--customer"));
  args = Base("app_open");
  args.channel.clear();
  EXPECT_THAT(BuildError(args).message(), HasSubstr("--channel"));
  args = Base("");
  EXPECT_THAT(BuildError(args).message(), HasSubstr("decide needs --event; valid events: "));
}

TEST(DecideRequestTest, BadCustomerIsRejected) {
  DecideArgs args = Base("app_open");
  args.customer = "loyalty:";
  EXPECT_THAT(BuildError(args).message(), HasSubstr("--customer"));
}

TEST(DecideRequestTest, RejectsFlagTheEventDoesNotUse) {
  DecideArgs args = Base("page_view");
  args.amount = 10;
  EXPECT_EQ(BuildError(args).message(),
            "--amount does not apply to --event page_view (used by: purchase)");
}

TEST(DecideRequestTest, RejectsMaxOffersOutOfRange) {
  DecideArgs args = Base("app_open");
  args.max_offers = 21;
  EXPECT_EQ(BuildError(args).message(), "--max_offers must be in 0..20, got 21");
}

TEST(DecideRequestTest, EventKindNamesFollowTheProto) {
  EXPECT_THAT(EventKindNames(), ElementsAre("page_view", "search", "cart_add", "cart_remove",
                                            "purchase", "call_started", "store_visit", "app_open",
                                            "complaint", "life_event", "survey_answer"));
}

}  // namespace
}  // namespace nbo::tools
