#include "core/arbitration.h"

#include "core/apply_event.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

class ArbitrationTest : public ::testing::Test {
 protected:
  void SetUp() override { strategy_ = testing::MustLoad(testing::kSmallStrategy); }

  void Hold(std::string product) {
    auto* h = profile_.add_holdings();
    h->set_product(std::move(product));
    ToProto(kT0, h->mutable_since());
  }

  // Offer ids chosen for segment `segment` on `channel`.
  std::vector<std::string> Chosen(int segment, v1::Channel channel, int max_offers = 5,
                                  absl::string_view call_reason = "") {
    event_ = testing::PageView("e", channel);
    const DecisionInputs in{profile_, event_, "", call_reason, "", kT0};
    last_ = Arbitrate(*strategy_, strategy_->segments[segment], in, max_offers);
    std::vector<std::string> ids;
    for (int c : last_.chosen) {
      ids.push_back(strategy_->offers[last_.candidates[c].offer].def->id());
    }
    return ids;
  }

  DropReason DropOf(absl::string_view offer_id) const {
    for (const auto& c : last_.candidates) {
      if (strategy_->offers[c.offer].def->id() == offer_id) return c.dropped;
    }
    return DropReason::kNone;
  }

  std::shared_ptr<const Strategy> strategy_;
  v1::Profile profile_;
  v1::Event event_;
  ArbitrationResult last_;
};

TEST_F(ArbitrationTest, RanksByScore) {
  // everyone: bb (0.2 * 40 = 8) beats tv (0.1 * 50 = 5).
  EXPECT_EQ(Chosen(1, v1::CHANNEL_WEB), (std::vector<std::string>{"bb", "tv"}));
  EXPECT_DOUBLE_EQ(last_.candidates[last_.chosen[0]].score, 8);
  EXPECT_FALSE(last_.fallback);
}

TEST_F(ArbitrationTest, WeightIsALever) {
  Hold("broadband_basic");
  // broadband: fibre 0.1*100*1 = 10, tv 0.1*50*2 = 10 (tie: treatment order), loyal not eligible.
  EXPECT_EQ(Chosen(0, v1::CHANNEL_WEB), (std::vector<std::string>{"fibre", "tv"}));
  EXPECT_EQ(DropOf("loyal"), DropReason::kNotEligible);
}

TEST_F(ArbitrationTest, EligibilityRuleCanAdmit) {
  Hold("broadband_basic");
  EXPECT_EQ(Chosen(0, v1::CHANNEL_WEB, 1, "cancel"), (std::vector<std::string>{"loyal"}));
  EXPECT_EQ(DropOf("fibre"), DropReason::kRankedOut);
}

TEST_F(ArbitrationTest, DropsOfferForProductAlreadyHeld) {
  Hold("broadband_basic");
  EXPECT_EQ(Chosen(1, v1::CHANNEL_WEB), (std::vector<std::string>{"tv"}));
  EXPECT_EQ(DropOf("bb"), DropReason::kAlreadyHeld);
}

TEST_F(ArbitrationTest, UpsellNeedsBaseProduct) {
  EXPECT_EQ(Chosen(0, v1::CHANNEL_WEB), (std::vector<std::string>{"tv"}));
  EXPECT_EQ(DropOf("fibre"), DropReason::kMissingBase);
}

TEST_F(ArbitrationTest, DropsOfferNotAllowedOnChannel) {
  EXPECT_EQ(Chosen(1, v1::CHANNEL_STORE), (std::vector<std::string>{"bb"}));
  EXPECT_EQ(DropOf("tv"), DropReason::kChannel);
}

TEST_F(ArbitrationTest, MaxOffersCutsAndRecordsRankedOut) {
  EXPECT_EQ(Chosen(1, v1::CHANNEL_WEB, 1), (std::vector<std::string>{"bb"}));
  EXPECT_EQ(DropOf("tv"), DropReason::kRankedOut);
}

TEST_F(ArbitrationTest, FallsBackWhenNothingIsEligible) {
  Hold("broadband_basic");
  Hold("tv_basic");
  EXPECT_EQ(Chosen(1, v1::CHANNEL_WEB), (std::vector<std::string>{"ebill"}));
  EXPECT_TRUE(last_.fallback);
  EXPECT_EQ(last_.fallback_cause, "no_eligible_offer");
  // The segment's candidates stay, with their reasons, for explanations.
  EXPECT_EQ(DropOf("bb"), DropReason::kAlreadyHeld);
  EXPECT_EQ(last_.candidates.size(), 3u);
}

TEST_F(ArbitrationTest, OptOutDropsMarketingButKeepsService) {
  ApplyConsent(profile_, v1::CHANNEL_WEB, false, kT0, "test");
  EXPECT_EQ(Chosen(1, v1::CHANNEL_WEB), (std::vector<std::string>{"ebill"}));
  EXPECT_EQ(DropOf("bb"), DropReason::kNoConsent);
  EXPECT_TRUE(last_.fallback);  // the service offer came from the fallback list
  // Other channels are unaffected by a channel opt-out...
  EXPECT_EQ(Chosen(1, v1::CHANNEL_CALL_CENTRE), (std::vector<std::string>{"bb", "tv"}));
  // ...but not by an opt-out of marketing as a whole.
  ApplyConsent(profile_, v1::CHANNEL_UNSPECIFIED, false, kT0, "test");
  EXPECT_EQ(Chosen(1, v1::CHANNEL_CALL_CENTRE), (std::vector<std::string>{"ebill"}));
}

TEST(DropReasonTest, EveryReasonHasAName) {
  for (int r = 0; r <= static_cast<int>(DropReason::kRankedOut); ++r) {
    EXPECT_NE(DropReasonName(static_cast<DropReason>(r)), "unknown");
  }
}

}  // namespace
}  // namespace nbo::core
