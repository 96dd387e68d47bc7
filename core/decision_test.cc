#include "core/decision.h"

#include "core/apply_event.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

TEST(DecisionTest, FirstDecisionAssignsSegmentAndOffers) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  v1::Profile profile;
  profile.set_customer_id("c-1");
  DecisionResult r =
      MakeDecision(profile, testing::Request("c-1", testing::PageView("e1")), *strategy, kT0);
  EXPECT_TRUE(r.segment_changed);
  EXPECT_EQ(r.previous_segment_id, "");
  EXPECT_EQ(profile.segment_id(), "everyone");
  EXPECT_EQ(profile.interactions(), 1);
  const v1::DecideResponse& resp = r.response;
  EXPECT_EQ(resp.customer_id(), "c-1");
  EXPECT_EQ(resp.segment_id(), "everyone");
  EXPECT_EQ(resp.segment_name(), "Everyone");
  EXPECT_EQ(resp.strategy_version(), "test-1");
  EXPECT_FALSE(resp.fallback());
  ASSERT_EQ(resp.offers_size(), 2);
  EXPECT_EQ(resp.offers(0).offer_id(), "bb");
  EXPECT_EQ(resp.offers(0).kind(), v1::OFFER_KIND_CROSS_SELL);
  EXPECT_EQ(resp.offers(0).reason(), "Get Broadband Basic");
  EXPECT_EQ(resp.offers(1).reason(), "TV Basic for Everyone");
  EXPECT_DOUBLE_EQ(resp.offers(0).parts().propensity(), 0.2);
  EXPECT_DOUBLE_EQ(resp.offers(0).parts().value(), 40);
  EXPECT_EQ(resp.offers(0).reason_codes(0), "SEGMENT_TREATMENT");
  EXPECT_EQ(FromProto(resp.decided_at()), kT0);
}

TEST(DecisionTest, PurchaseMovesCustomerToUpsellSegment) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  v1::Profile profile;
  profile.set_customer_id("c-1");
  (void)MakeDecision(profile, testing::Request("c-1", testing::PageView("e1")), *strategy, kT0);
  const absl::Time later = kT0 + absl::Hours(24 * 92);
  DecisionResult r = MakeDecision(
      profile, testing::Request("c-1", testing::Purchase("e2", "broadband_basic", 30, 12)),
      *strategy, kT0 + absl::Hours(1));
  EXPECT_TRUE(r.segment_changed);
  EXPECT_EQ(r.previous_segment_id, "everyone");
  EXPECT_EQ(r.response.segment_id(), "broadband");
  EXPECT_EQ(FromProto(profile.segment_since()), kT0 + absl::Hours(1));

  r = MakeDecision(profile, testing::Request("c-1", testing::PageView("e3")), *strategy, later);
  EXPECT_FALSE(r.segment_changed);
  ASSERT_GE(r.response.offers_size(), 1);
  EXPECT_EQ(r.response.offers(0).offer_id(), "fibre");
  EXPECT_EQ(r.response.offers(0).reason(), "You've had broadband_fibre 3 months");
  EXPECT_EQ(r.response.offers(0).kind(), v1::OFFER_KIND_UPSELL);
}

TEST(DecisionTest, OptOutIsExplainedInTheResponse) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  v1::Profile profile;
  ApplyConsent(profile, v1::CHANNEL_WEB, false, kT0, "test");
  DecisionResult r =
      MakeDecision(profile, testing::Request("c-1", testing::PageView("e1")), *strategy, kT0);
  EXPECT_EQ(r.response.consent_note(),
            "The customer opted out of marketing on web; only service offers are shown.");
  for (const auto& o : r.response.offers()) EXPECT_EQ(o.kind(), v1::OFFER_KIND_SERVICE);
  r = MakeDecision(profile, testing::Request("c-1", testing::PageView("e2", v1::CHANNEL_STORE)),
                   *strategy, kT0);
  EXPECT_EQ(r.response.consent_note(), "");
}

TEST(DecisionTest, MaxOffersFromRequestOverridesDefault) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  v1::Profile profile;
  v1::DecideRequest req = testing::Request("c-1", testing::PageView("e1"));
  req.set_max_offers(1);
  EXPECT_EQ(MakeDecision(profile, req, *strategy, kT0).response.offers_size(), 1);
}

TEST(DecisionTest, CallReasonFromEventReachesRules) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  v1::Profile profile;
  auto* h = profile.add_holdings();
  h->set_product("broadband_basic");
  v1::Event call;
  call.set_event_id("e1");
  call.set_channel(v1::CHANNEL_CALL_CENTRE);
  call.mutable_call_started()->set_reason("cancel");
  DecisionResult r = MakeDecision(profile, testing::Request("c-1", call), *strategy, kT0);
  ASSERT_GE(r.response.offers_size(), 1);
  EXPECT_EQ(r.response.offers(0).offer_id(), "loyal");
  EXPECT_EQ(r.response.offers(0).reason(), "Thanks for 1 visits");
}

// Fallbacks of every sort, to see which are safe to answer without the profile.
constexpr char kFallbackStrategy[] = R"json({
  "version": "fb-1",
  "currency": "EUR",
  "offers": [
    {"id": "tv", "name": "TV Basic", "kind": "cross_sell", "product": "tv_basic", "margin": 50},
    {"id": "ebill", "name": "E-billing", "kind": "service", "margin": 1, "reason": "Go paperless"},
    {"id": "held", "name": "Repair", "kind": "service", "product": "repair_plan", "margin": 1},
    {"id": "rule", "name": "Check", "kind": "service", "margin": 1, "eligibility": "interactions > 3"},
    {"id": "paid", "name": "Visit", "kind": "service", "margin": 1, "budget": {"daily_count": 5}},
    {"id": "old", "name": "Old", "kind": "service", "margin": 1,
     "valid_until": "2020-01-01T00:00:00Z"},
    {"id": "cart", "name": "Cart help", "kind": "service", "margin": 1, "placements": ["cart"]},
    {"id": "app", "name": "App", "kind": "service", "margin": 1, "reason": "Get the app"}
  ],
  "segments": [
    {"id": "everyone", "name": "Everyone", "rule": "true", "treatments": [{"offer_id": "tv"}]}
  ],
  "fallbacks": [
    {"channel": "*",
     "offer_ids": ["tv", "held", "rule", "paid", "old", "cart", "ebill", "app"]}
  ]
})json";

TEST(LatencyFallbackTest, AnswersOnlyWhatIsSafeWithoutTheProfile) {
  auto strategy = testing::MustLoad(kFallbackStrategy);
  v1::DecideRequest request = testing::Request("c-1", testing::PageView("e1"));
  v1::DecideResponse r = LatencyFallback(*strategy, request, kT0);
  EXPECT_TRUE(r.fallback());
  EXPECT_EQ(r.fallback_cause(), "latency_budget");
  EXPECT_EQ(r.strategy_version(), "fb-1");
  EXPECT_EQ(r.customer_id(), "");
  EXPECT_EQ(r.arm(), "");
  ASSERT_EQ(r.offers_size(), 2);  // the default max_offers is 3, two are safe
  EXPECT_EQ(r.offers(0).offer_id(), "ebill");
  EXPECT_EQ(r.offers(0).reason(), "Go paperless");
  EXPECT_EQ(r.offers(0).reason_codes(0), "FALLBACK");
  EXPECT_DOUBLE_EQ(r.offers(0).selection_probability(), 1);
  EXPECT_EQ(r.offers(1).offer_id(), "app");

  // On the cart placement the cart-only offer is safe too; max_offers caps the list.
  request.set_placement("cart");
  request.set_max_offers(2);
  r = LatencyFallback(*strategy, request, kT0);
  ASSERT_EQ(r.offers_size(), 2);
  EXPECT_EQ(r.offers(0).offer_id(), "cart");
  EXPECT_EQ(r.offers(1).offer_id(), "ebill");
}

TEST(LatencyFallbackTest, ALateDecisionRecordsTheAnswerGivenWithoutArbitrating) {
  auto strategy = testing::MustLoad(kFallbackStrategy);
  const v1::DecideRequest request = testing::Request("c-1", testing::PageView("e1"));
  const v1::DecideResponse sent = LatencyFallback(*strategy, request, kT0);
  v1::Profile profile;
  profile.set_customer_id("c-1");
  DecisionOptions options;
  options.answered = &sent;
  DecisionResult r =
      MakeDecision(profile, request, *strategy, kT0, DefaultProfileSettings(), options);
  EXPECT_EQ(profile.interactions(), 1);  // the event is applied
  EXPECT_EQ(profile.segment_id(), "everyone");
  EXPECT_TRUE(r.arbitration.candidates.empty());
  EXPECT_TRUE(r.explanations.empty());
  EXPECT_TRUE(r.response.fallback());
  EXPECT_EQ(r.response.customer_id(), "c-1");
  EXPECT_EQ(r.response.segment_id(), "everyone");
  EXPECT_EQ(r.response.arm(), "model");
  ASSERT_EQ(r.response.offers_size(), 2);
  EXPECT_EQ(r.response.offers(0).offer_id(), "ebill");
}

}  // namespace
}  // namespace nbo::core
