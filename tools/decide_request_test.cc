#include "tools/decide_request.h"

#include <optional>
#include <string>
#include <vector>

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

TEST(DecideRequestTest, EveryEventTakesPlacementMaxOffersAndContext) {
  struct Case {
    std::string name;
    std::string event;
    std::string placement;
    std::optional<int> max_offers;
    std::string call_reason;
    std::string product_in_view;
    std::vector<std::string> products;
    std::string want_product_in_view;
  };
  const Case cases[] = {
      {"none given", "app_open", "", std::nullopt, "", "", {}, ""},
      {"placement and max", "app_open", "home", 3, "", "", {}, ""},
      {"max 0 is the default", "search", "", 0, "", "", {}, ""},
      {"max 20 is the limit", "search", "", 20, "", "", {}, ""},
      {"call reason on a page view", "page_view", "", std::nullopt, "billing", "", {}, ""},
      {"product in view on app open", "app_open", "", std::nullopt, "", "tv-box", {}, "tv-box"},
      {"page view product", "page_view", "", std::nullopt, "", "", {"fibre"}, "fibre"},
      {"explicit product in view wins",
       "page_view",
       "",
       std::nullopt,
       "",
       "router",
       {"fibre"},
       "router"},
      {"longest placement", "app_open", std::string(64, 'p'), std::nullopt, "", "", {}, ""},
      {"longest call reason", "call_started", "", std::nullopt, std::string(64, 'r'), "", {}, ""},
      {"longest product in view",
       "search",
       "",
       std::nullopt,
       "",
       std::string(128, 'v'),
       {},
       std::string(128, 'v')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DecideArgs args = Base(c.event);
    args.placement = c.placement;
    args.max_offers = c.max_offers;
    args.call_reason = c.call_reason;
    args.product_in_view = c.product_in_view;
    args.products = c.products;
    const v1::DecideRequest r = Build(args);
    EXPECT_EQ(r.placement(), c.placement);
    EXPECT_EQ(r.max_offers(), c.max_offers.value_or(0));
    EXPECT_EQ(r.context().call_reason(), c.call_reason);
    EXPECT_EQ(r.context().product_in_view(), c.want_product_in_view);
  }
}

TEST(DecideRequestTest, LifeEventKinds) {
  struct Case {
    std::string name;
    std::string event;  // --event as given
    std::string kind;   // --life_event
  };
  const Case cases[] = {
      {"with --event", "life_event", "moved_home"},
      {"alone implies --event life_event", "", "moved_home"},
      {"digits and underscores", "", "new_child_2"},
      {"longest kind", "", std::string(64, 'k')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DecideArgs args = Base(c.event);
    args.life_event = c.kind;
    const v1::DecideRequest r = Build(args);
    ASSERT_TRUE(r.event().has_life_event());
    EXPECT_EQ(r.event().life_event().kind(), c.kind);
  }
}

TEST(DecideRequestTest, RejectsBadDecisionInputsNamingTheFlag) {
  struct Case {
    std::string name;
    std::string event;
    void (*set)(DecideArgs&);
    std::string want;  // the whole error message
  };
  const Case cases[] = {
      {"negative max", "app_open", [](DecideArgs& a) { a.max_offers = -1; },
       "--max_offers must be in 0..20, got -1"},
      {"max too high", "app_open", [](DecideArgs& a) { a.max_offers = 21; },
       "--max_offers must be in 0..20, got 21"},
      {"placement too long", "app_open", [](DecideArgs& a) { a.placement = std::string(65, 'p'); },
       "--placement must be at most 64 characters, got 65"},
      {"call reason too long", "call_started",
       [](DecideArgs& a) { a.call_reason = std::string(65, 'r'); },
       "--call_reason must be at most 64 characters, got 65"},
      {"product in view too long", "page_view",
       [](DecideArgs& a) { a.product_in_view = std::string(129, 'v'); },
       "--product_in_view must be at most 128 characters, got 129"},
      {"life event kind with capitals", "life_event",
       [](DecideArgs& a) { a.life_event = "Moved-Home"; },
       "--life_event \"Moved-Home\": use lower-case letters, digits and _, e.g. moved_home"},
      {"life event kind with a space", "", [](DecideArgs& a) { a.life_event = "moved home"; },
       "--life_event \"moved home\": use lower-case letters, digits and _, e.g. moved_home"},
      {"life event kind too long", "", [](DecideArgs& a) { a.life_event = std::string(65, 'k'); },
       "--life_event must be at most 64 characters, got 65"},
      {"life event on another event", "app_open",
       [](DecideArgs& a) { a.life_event = "moved_home"; },
       "--life_event does not apply to --event app_open (used by: life_event)"},
      {"life event without kind", "life_event", [](DecideArgs&) {},
       "--event life_event needs --life_event (e.g. moved_home)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DecideArgs args = Base(c.event);
    c.set(args);
    const absl::Status status = BuildError(args);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), c.want);
  }
}

TEST(DecideRequestTest, EventKindNamesFollowTheProto) {
  EXPECT_THAT(EventKindNames(), ElementsAre("page_view", "search", "cart_add", "cart_remove",
                                            "purchase", "call_started", "store_visit", "app_open",
                                            "complaint", "life_event", "survey_answer"));
}

}  // namespace
}  // namespace nbo::tools
