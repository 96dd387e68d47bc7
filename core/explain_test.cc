#include "core/explain.h"

#include <string>
#include <vector>

#include "core/apply_event.h"
#include "core/decision.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

class ExplainTest : public ::testing::Test {
 protected:
  void SetUp() override { strategy_ = testing::MustLoad(testing::kSmallStrategy); }

  void Hold(std::string product) { testing::Hold(profile_, std::move(product)); }

  // Arbitrates segment `segment` on `channel` and explains the result.
  std::vector<v1::CandidateExplanation> Explain(int segment, v1::Channel channel,
                                                int max_offers = 5,
                                                absl::string_view call_reason = "") {
    return Explain(*strategy_, segment, channel, max_offers, call_reason);
  }
  std::vector<v1::CandidateExplanation> Explain(const Strategy& strategy, int segment,
                                                v1::Channel channel, int max_offers = 5,
                                                absl::string_view call_reason = "") {
    event_ = testing::PageView("e", channel);
    const DecisionInputs in{profile_, event_, "", call_reason, "", kT0};
    const ArbitrationResult result =
        Arbitrate(strategy, strategy.segments[segment], in, max_offers);
    return ExplainCandidates(strategy, result, profile_, channel);
  }

  std::shared_ptr<const Strategy> strategy_;
  v1::Profile profile_;
  v1::Event event_;
};

TEST_F(ExplainTest, ChosenCandidatesShowTheirScoreParts) {
  const auto e = Explain(1, v1::CHANNEL_WEB);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].offer_id(), "bb");
  EXPECT_EQ(e[0].source(), "segment");
  EXPECT_EQ(e[0].outcome(), "chosen");
  EXPECT_EQ(e[0].rank(), 1);
  EXPECT_DOUBLE_EQ(e[0].weight(), 1);
  EXPECT_DOUBLE_EQ(e[0].score(), 8);
  EXPECT_DOUBLE_EQ(e[0].parts().propensity(), 0.2);
  EXPECT_EQ(e[0].explanation(),
            "Chosen (rank 1): score 8.00 = propensity 0.20 x value 40.00 x weight 1.00 x context "
            "1.00.");
  EXPECT_EQ(e[1].offer_id(), "tv");
  EXPECT_EQ(e[1].rank(), 2);
  EXPECT_EQ(e[1].explanation(),
            "Chosen (rank 2): score 5.00 = propensity 0.10 x value 50.00 x weight 1.00 x context "
            "1.00.");
}

TEST_F(ExplainTest, RankedOut) {
  const auto e = Explain(1, v1::CHANNEL_WEB, /*max_offers=*/1);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].outcome(), "chosen");
  EXPECT_EQ(e[1].outcome(), "ranked_out");
  EXPECT_EQ(e[1].rank(), 0);
  EXPECT_EQ(e[1].explanation(), "Dropped: ranked 2nd; only 1 offer was asked for.");
}

TEST_F(ExplainTest, AlreadyHeldAndChannel) {
  Hold("broadband_basic");
  const auto e = Explain(1, v1::CHANNEL_EMAIL);
  ASSERT_EQ(e.size(), 3u);  // bb, tv, then the fallback ebill
  EXPECT_EQ(e[0].outcome(), "already_held");
  EXPECT_EQ(e[0].explanation(), "Dropped: the customer already holds broadband_basic.");
  EXPECT_EQ(e[1].outcome(), "channel");
  EXPECT_EQ(e[1].explanation(), "Dropped: not offered on email.");
  EXPECT_EQ(e[2].offer_id(), "ebill");
  EXPECT_EQ(e[2].source(), "fallback");
  EXPECT_EQ(e[2].outcome(), "chosen");
  EXPECT_EQ(e[2].rank(), 1);
}

TEST_F(ExplainTest, MissingBaseAndNotEligible) {
  const auto e = Explain(0, v1::CHANNEL_WEB);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].offer_id(), "fibre");
  EXPECT_EQ(e[0].outcome(), "missing_base_product");
  EXPECT_EQ(e[0].explanation(), "Dropped: needs one of broadband_basic.");
  EXPECT_EQ(e[1].outcome(), "chosen");
  EXPECT_DOUBLE_EQ(e[1].weight(), 2);
  EXPECT_EQ(e[2].offer_id(), "loyal");
  EXPECT_EQ(e[2].outcome(), "not_eligible");
  EXPECT_EQ(e[2].explanation(), "Dropped: eligibility rule `call_reason == \"cancel\"` is false.");
}

TEST_F(ExplainTest, NoConsentFallsBackToService) {
  ApplyConsent(profile_, v1::CHANNEL_WEB, false, kT0, "test");
  const auto e = Explain(1, v1::CHANNEL_WEB);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].outcome(), "no_consent");
  EXPECT_EQ(e[0].explanation(), "Dropped: the customer opted out of marketing on web.");
  EXPECT_EQ(e[1].outcome(), "no_consent");
  EXPECT_EQ(e[2].source(), "fallback");
  EXPECT_EQ(e[2].outcome(), "chosen");

  ApplyConsent(profile_, v1::CHANNEL_UNSPECIFIED, false, kT0, "test");
  EXPECT_EQ(Explain(1, v1::CHANNEL_WEB)[0].explanation(),
            "Dropped: the customer opted out of all marketing.");
}

TEST_F(ExplainTest, ExcludedHoldingAndDuplicate) {
  const auto strategy = testing::MustLoad(R"json({
    "version": "t", "currency": "EUR",
    "offers": [
      {"id": "a", "name": "A", "kind": "cross_sell", "product": "pa", "excludes": ["x", "y"],
       "margin": 10, "reason": "r"},
      {"id": "b", "name": "B", "kind": "cross_sell", "product": "pb", "margin": 10, "reason": "r"},
      {"id": "c", "name": "C", "kind": "cross_sell", "product": "pc", "margin": 5, "reason": "r"},
      {"id": "d", "name": "D", "kind": "cross_sell", "product": "pd", "margin": 1, "reason": "r"}
    ],
    "segments": [{"id": "all", "name": "All", "rule": "true",
      "treatments": [{"offer_id": "a"}, {"offer_id": "b"}, {"offer_id": "b"},
                     {"offer_id": "d"}, {"offer_id": "c"}]}],
    "fallbacks": []
  })json");
  ASSERT_NE(strategy, nullptr);
  Hold("y");
  const auto e = Explain(*strategy, 0, v1::CHANNEL_WEB, /*max_offers=*/1);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].outcome(), "excluded_holding");
  EXPECT_EQ(e[0].explanation(), "Dropped: the customer holds y, which rules it out.");
  EXPECT_EQ(e[1].outcome(), "chosen");
  EXPECT_EQ(e[2].outcome(), "duplicate");
  EXPECT_EQ(e[2].explanation(), "Dropped: listed twice; the first one counts.");
  EXPECT_EQ(e[3].explanation(), "Dropped: ranked 3rd; only 1 offer was asked for.");
  EXPECT_EQ(e[4].explanation(), "Dropped: ranked 2nd; only 1 offer was asked for.");
}

TEST_F(ExplainTest, EveryDroppedCandidateHasAReason) {
  Hold("broadband_basic");
  for (int segment = 0; segment < 2; ++segment) {
    for (v1::Channel channel : {v1::CHANNEL_WEB, v1::CHANNEL_EMAIL, v1::CHANNEL_CALL_CENTRE}) {
      for (const auto& e : Explain(segment, channel, 1)) {
        EXPECT_NE(e.outcome(), "kept") << e.offer_id();
        EXPECT_FALSE(e.explanation().empty());
        EXPECT_EQ(e.rank() > 0, e.outcome() == "chosen");
      }
    }
  }
}

TEST_F(ExplainTest, TriggerSourceAndContextFactors) {
  std::string json(testing::kSmallStrategy);
  json.insert(json.find(R"("fallbacks": [)"), R"j(
    "triggers": [{"id": "cancel_call", "rule": "call_reason == \"cancel\"", "offer_ids": ["bb"],
                  "weight": 2}],
    "context_weights": [{"id": "retain", "rule": "call_reason == \"cancel\"",
                         "offer_kinds": ["retention"], "weight": 2}],
  )j");
  const auto strategy = testing::MustLoad(json);
  ASSERT_NE(strategy, nullptr);
  // broadband segment, nothing held: fibre lacks its base; loyal 0.05*10*100*2 = 100, bb (added by
  // the trigger) 0.2*40*1*2 = 16, tv 0.1*50*2 = 10.
  auto e = Explain(*strategy, 0, v1::CHANNEL_WEB, 5, "cancel");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].source(), "segment");
  EXPECT_EQ(e[2].offer_id(), "loyal");
  EXPECT_EQ(e[2].explanation(),
            "Chosen (rank 1): score 100.00 = propensity 0.05 x value 10.00 x weight 100.00 x "
            "context 2.00; context x2.00 (call_reason == \"cancel\").");
  EXPECT_EQ(e[3].offer_id(), "bb");
  EXPECT_EQ(e[3].source(), "trigger");
  EXPECT_DOUBLE_EQ(e[3].weight(), 1);
  EXPECT_EQ(e[3].explanation(),
            "Chosen (rank 2): score 16.00 = propensity 0.20 x value 40.00 x weight 1.00 x context "
            "2.00; context x2.00 (call_reason == \"cancel\"). Added by trigger \"cancel_call\" "
            "(call_reason == \"cancel\").");
  EXPECT_EQ(e[1].explanation(),
            "Chosen (rank 3): score 10.00 = propensity 0.10 x value 50.00 x weight 2.00 x context "
            "1.00.");

  e = Explain(*strategy, 0, v1::CHANNEL_WEB, 1, "cancel");
  EXPECT_EQ(e[3].outcome(), "ranked_out");
  EXPECT_EQ(e[3].explanation(),
            "Dropped: ranked 2nd; only 1 offer was asked for; context x2.00 (call_reason == "
            "\"cancel\"). Added by trigger \"cancel_call\" (call_reason == \"cancel\").");

  // Without the call the trigger is off: bb is no candidate and nothing is boosted.
  e = Explain(*strategy, 0, v1::CHANNEL_WEB, 5, "");
  EXPECT_EQ(e.size(), 3u);
}

TEST(MakeDecisionExplainTest, TriggeredOfferCarriesTheTriggerReasonCode) {
  std::string json(testing::kSmallStrategy);
  json.insert(json.find(R"("fallbacks": [)"), R"j(
    "triggers": [{"id": "moved", "rule": "trigger(\"moved_home\")", "offer_ids": ["bb"],
                  "reason_code": "LIFE_EVENT_MOVED_HOME"}],
  )j");
  const auto strategy = testing::MustLoad(json);
  ASSERT_NE(strategy, nullptr);
  v1::Profile profile;
  profile.set_customer_id("c-1");
  v1::Event moved;
  moved.set_event_id("e1");
  moved.set_channel(v1::CHANNEL_WEB);
  moved.mutable_life_event()->set_kind("moved_home");
  ToProto(kT0, moved.mutable_life_event()->mutable_happened_at());
  const DecisionResult r = MakeDecision(profile, testing::Request("c-1", moved), *strategy, kT0);
  ASSERT_GE(r.response.offers_size(), 1);
  EXPECT_EQ(r.response.offers(0).offer_id(), "bb");                      // 0.2*40*1.5 = 12
  EXPECT_EQ(r.response.offers(0).reason_codes(0), "SEGMENT_TREATMENT");  // already a treatment
  bool coded = false;
  for (const auto& code : r.response.offers(0).reason_codes()) {
    coded |= code == "LIFE_EVENT_MOVED_HOME";
  }
  EXPECT_TRUE(coded);
  EXPECT_EQ(r.response.offers(1).offer_id(), "tv");
  for (const auto& code : r.response.offers(1).reason_codes()) {
    EXPECT_NE(code, "LIFE_EVENT_MOVED_HOME");
  }
}

TEST(OrdinalTest, Suffixes) {
  EXPECT_EQ(Ordinal(1), "1st");
  EXPECT_EQ(Ordinal(2), "2nd");
  EXPECT_EQ(Ordinal(3), "3rd");
  EXPECT_EQ(Ordinal(4), "4th");
  EXPECT_EQ(Ordinal(11), "11th");
  EXPECT_EQ(Ordinal(12), "12th");
  EXPECT_EQ(Ordinal(13), "13th");
  EXPECT_EQ(Ordinal(21), "21st");
  EXPECT_EQ(Ordinal(112), "112th");
}

TEST(MakeDecisionExplainTest, FillsExplanationsAndSegmentRule) {
  const auto strategy = testing::MustLoad(testing::kSmallStrategy);
  v1::Profile profile;
  profile.set_customer_id("c-1");
  const DecisionResult r =
      MakeDecision(profile, testing::Request("c-1", testing::PageView("e1")), *strategy, kT0);
  EXPECT_EQ(r.segment_rule, "true");
  ASSERT_EQ(r.explanations.size(), 2u);
  ASSERT_EQ(r.response.offers_size(), 2);
  for (int i = 0; i < r.response.offers_size(); ++i) {
    EXPECT_EQ(r.explanations[i].offer_id(), r.response.offers(i).offer_id());
    EXPECT_EQ(r.explanations[i].rank(), i + 1);
  }
}

}  // namespace
}  // namespace nbo::core
