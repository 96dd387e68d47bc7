#include "core/request_validation.h"

#include "core/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using ::testing::HasSubstr;
using testing::kT0;

v1::DecideRequest Valid() { return testing::Request("c-1", testing::PageView("e-1")); }

TEST(RequestValidationTest, AcceptsAValidRequest) {
  EXPECT_TRUE(ValidateDecideRequest(Valid(), kT0).ok());
}

TEST(RequestValidationTest, AcceptsConsentChangeForMarketingAsAWhole) {
  v1::DecideRequest r = Valid();
  r.mutable_event()->mutable_consent_change()->set_channel(v1::CHANNEL_UNSPECIFIED);
  EXPECT_TRUE(ValidateDecideRequest(r, kT0).ok());
  r.mutable_event()->mutable_consent_change()->set_channel(v1::CHANNEL_EMAIL);
  EXPECT_TRUE(ValidateDecideRequest(r, kT0).ok());
}

TEST(RequestValidationTest, AcceptsProductRemoved) {
  v1::DecideRequest r = Valid();
  r.mutable_event()->mutable_product_removed()->set_product("tv_basic");
  r.mutable_event()->mutable_product_removed()->set_reason("cancelled");
  EXPECT_TRUE(ValidateDecideRequest(r, kT0).ok());
}

struct BadCase {
  std::string name;
  std::function<void(v1::DecideRequest&)> mutate;
  std::string expected;  // substring of the message, starting with the field path
};

class RequestValidationBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RequestValidationBadTest, NamesTheField) {
  v1::DecideRequest r = Valid();
  GetParam().mutate(r);
  absl::Status s = ValidateDecideRequest(r, kT0);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RequestValidationBadTest,
    ::testing::Values(
        BadCase{"NoCustomer", [](auto& r) { r.clear_customer(); }, "customer: required"},
        BadCase{"EmptyCustomerId", [](auto& r) { r.mutable_customer()->set_customer_id(""); },
                "customer.customer_id: required"},
        BadCase{"CustomerIdWithSpace",
                [](auto& r) { r.mutable_customer()->set_customer_id("a b"); },
                "customer.customer_id: must be printable ASCII"},
        BadCase{"LongCustomerId",
                [](auto& r) { r.mutable_customer()->set_customer_id(std::string(129, 'x')); },
                "customer.customer_id: longer than 128"},
        BadCase{"IdentityWithoutSource",
                [](auto& r) { r.mutable_customer()->mutable_identity()->set_external_id("x"); },
                "customer.identity.source: required"},
        BadCase{"NoEvent", [](auto& r) { r.clear_event(); }, "event: required"},
        BadCase{"NoEventId", [](auto& r) { r.mutable_event()->clear_event_id(); },
                "event.event_id: required"},
        BadCase{"NoChannel",
                [](auto& r) { r.mutable_event()->set_channel(v1::CHANNEL_UNSPECIFIED); },
                "event.channel: required, one of: web"},
        BadCase{"UnknownChannelNumber",
                [](auto& r) { r.mutable_event()->set_channel(static_cast<v1::Channel>(99)); },
                "event.channel"},
        BadCase{"NoKind", [](auto& r) { r.mutable_event()->clear_page_view(); },
                "event: an event kind is required, one of: page_view"},
        BadCase{"FarFuture",
                [](auto& r) {
                  ToProto(kT0 + absl::Hours(1), r.mutable_event()->mutable_occurred_at());
                },
                "event.occurred_at: more than 5m in the future"},
        BadCase{"NegativeQuantity",
                [](auto& r) {
                  *r.mutable_event() = testing::Purchase("e", "p", 1, 1);
                  r.mutable_event()->mutable_purchase()->mutable_items(0)->set_quantity(-1);
                },
                "event.purchase.items[0].quantity: must be 0..10000, got -1"},
        BadCase{"NegativeAmount",
                [](auto& r) { *r.mutable_event() = testing::Purchase("e", "p", -1, 1); },
                "event.purchase.items[0].amount"},
        BadCase{"NoItems",
                [](auto& r) {
                  *r.mutable_event() = testing::Purchase("e", "p", 1, 1);
                  r.mutable_event()->mutable_purchase()->clear_items();
                },
                "event.purchase.items: at least one item"},
        BadCase{"BadCurrency",
                [](auto& r) {
                  *r.mutable_event() = testing::Purchase("e", "p", 1, 1);
                  r.mutable_event()->mutable_purchase()->set_currency("euro");
                },
                "event.purchase.currency"},
        BadCase{"Nps11", [](auto& r) { r.mutable_event()->mutable_survey_answer()->set_nps(11); },
                "event.survey_answer.nps: must be 0..10, got 11"},
        BadCase{"ComplaintSeverity",
                [](auto& r) { r.mutable_event()->mutable_complaint()->set_severity(0); },
                "event.complaint.severity"},
        BadCase{"OversizedPage",
                [](auto& r) {
                  r.mutable_event()->mutable_page_view()->set_page(std::string(300, 'p'));
                },
                "event.page_view.page: longer than 256"},
        BadCase{"ConsentUnknownChannel",
                [](auto& r) {
                  r.mutable_event()->mutable_consent_change()->set_channel(
                      static_cast<v1::Channel>(42));
                },
                "event.consent_change.channel: unknown channel 42"},
        BadCase{"ProductRemovedWithoutProduct",
                [](auto& r) { r.mutable_event()->mutable_product_removed()->set_reason("x"); },
                "event.product_removed.product: required"},
        BadCase{"ProductRemovedLongProduct",
                [](auto& r) {
                  r.mutable_event()->mutable_product_removed()->set_product(std::string(129, 'p'));
                },
                "event.product_removed.product: longer than 128"},
        BadCase{"ProductRemovedLongReason",
                [](auto& r) {
                  auto* pr = r.mutable_event()->mutable_product_removed();
                  pr->set_product("tv_basic");
                  pr->set_reason(std::string(65, 'r'));
                },
                "event.product_removed.reason: longer than 64"},
        BadCase{"LifeEventBadHappenedAt",
                [](auto& r) {
                  auto* le = r.mutable_event()->mutable_life_event();
                  le->set_kind("moved_home");
                  le->mutable_happened_at()->set_seconds(-5);
                },
                "event.life_event.happened_at: not a valid timestamp"},
        BadCase{"MaxOffers", [](auto& r) { r.set_max_offers(21); },
                "max_offers: must be 0..20, got 21"},
        BadCase{"LongPlacement", [](auto& r) { r.set_placement(std::string(65, 'x')); },
                "placement: longer than 64"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace nbo::core
