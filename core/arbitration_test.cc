#include "core/arbitration.h"

#include "core/apply_event.h"
#include "core/test_util.h"
#include "core/time_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

class ArbitrationTest : public ::testing::Test {
 protected:
  void SetUp() override { strategy_ = testing::MustLoad(testing::kSmallStrategy); }

  void Hold(std::string product) { testing::Hold(profile_, std::move(product)); }

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

// kSmallStrategy plus triggers and context weights.
std::string TriggerStrategy() {
  std::string json(testing::kSmallStrategy);
  const std::string anchor = R"("fallbacks": [)";
  const size_t at = json.find(anchor);
  EXPECT_NE(at, std::string::npos);
  json.insert(at, R"json(
  "triggers": [
    {"id": "moved", "rule": "trigger(\"moved_home\")", "offer_ids": ["tv", "fibre"], "weight": 2,
     "reason_code": "LIFE_EVENT_MOVED_HOME"},
    {"id": "home_page", "rule": "placement == \"home\"", "offer_ids": ["fibre"]}
  ],
  "context_weights": [
    {"id": "cancel", "rule": "call_reason == \"cancel\"", "offer_kinds": ["retention"], "weight": 3},
    {"id": "tv_in_view", "rule": "product_in_view == \"tv_basic\"", "offer_ids": ["tv"], "weight": 1.5},
    {"id": "bb_on_home", "rule": "placement == \"home\"", "offer_kinds": ["cross_sell"],
     "offer_ids": ["bb", "fibre"], "weight": 0.5}
  ],
  )json");
  return json;
}

struct ContextCase {
  std::string name;
  int segment;
  std::vector<std::string> holdings;
  absl::Duration moved_expires_in;  // ActiveTrigger "moved_home" expiring at kT0 + this; 0: none
  absl::Duration now_offset;        // decide at kT0 + this
  absl::string_view placement;
  absl::string_view call_reason;
  absl::string_view product_in_view;
  std::vector<std::string> chosen;     // offer ids, best first
  std::vector<double> contexts;        // parts.context of the chosen, same order
  std::vector<std::string> triggered;  // offer ids with source kTrigger among the candidates
};

TEST(TriggerArbitrationTest, TriggersAndContextWeights) {
  const auto strategy = testing::MustLoad(TriggerStrategy());
  ASSERT_NE(strategy, nullptr);
  const absl::Duration kNone = absl::ZeroDuration();
  const absl::Duration kMonth = absl::Hours(24 * 30);
  const std::vector<ContextCase> cases = {
      {"no context", 1, {}, kNone, kNone, "", "", "", {"bb", "tv"}, {1, 1}, {}},
      // tv (a treatment) is boosted x2: 10 > bb 8; fibre joins but needs broadband_basic.
      {"moved boosts treatment", 1, {}, kMonth, kNone, "", "", "", {"tv", "bb"}, {2, 1}, {"fibre"}},
      {"moved adds offer",
       1,
       {"broadband_basic"},
       kMonth,
       kNone,
       "",
       "",
       "",
       {"fibre", "tv"},
       {2, 2},
       {"fibre"}},
      {"moved expired",
       1,
       {},
       kMonth,
       kMonth + absl::Hours(1),
       "",
       "",
       "",
       {"bb", "tv"},
       {1, 1},
       {}},
      // Default trigger weight 1.5; bb_on_home lists fibre but fibre is an upsell: kinds and ids
      // must both match.
      {"trigger default weight",
       1,
       {"broadband_basic"},
       kNone,
       kNone,
       "home",
       "",
       "",
       {"fibre", "tv"},
       {1.5, 1},
       {"fibre"}},
      {"kinds and ids both match",
       1,
       {},
       kNone,
       kNone,
       "home",
       "",
       "",
       {"tv", "bb"},
       {1, 0.5},
       {"fibre"}},
      // Two triggers on fibre multiply: 2 x 1.5.
      {"factors multiply",
       1,
       {"broadband_basic"},
       kMonth,
       kNone,
       "home",
       "",
       "",
       {"fibre", "tv"},
       {3, 2},
       {"fibre"}},
      {"product in view", 1, {}, kNone, kNone, "", "", "tv_basic", {"bb", "tv"}, {1, 1.5}, {}},
      {"trigger and view",
       1,
       {},
       kMonth,
       kNone,
       "",
       "",
       "tv_basic",
       {"tv", "bb"},
       {3, 1},
       {"fibre"}},
      {"cancel boosts retention kind",
       0,
       {"broadband_basic"},
       kNone,
       kNone,
       "",
       "cancel",
       "",
       {"loyal", "fibre", "tv"},
       {3, 1, 1},
       {}},
      // Both triggered offers are treatments: no new candidates, treatment weights kept; the tie
      // (0.1*100*1*2 = 0.1*50*2*2 = 20) keeps treatment order.
      {"dedup keeps treatment weight",
       0,
       {"broadband_basic"},
       kMonth,
       kNone,
       "",
       "",
       "",
       {"fibre", "tv"},
       {2, 2},
       {}},
  };
  for (const ContextCase& tc : cases) {
    SCOPED_TRACE(tc.name);
    v1::Profile profile;
    for (const std::string& p : tc.holdings) {
      auto* h = profile.add_holdings();
      h->set_product(p);
      ToProto(kT0, h->mutable_since());
    }
    if (tc.moved_expires_in > kNone) {
      v1::ActiveTrigger* t = profile.add_triggers();
      t->set_kind("moved_home");
      ToProto(kT0, t->mutable_happened_at());
      ToProto(kT0 + tc.moved_expires_in, t->mutable_expires_at());
    }
    const v1::Event event = testing::PageView("e");
    const DecisionInputs in{
        profile, event, tc.placement, tc.call_reason, tc.product_in_view, kT0 + tc.now_offset};
    const ArbitrationResult r = Arbitrate(*strategy, strategy->segments[tc.segment], in, 5);
    std::vector<std::string> chosen;
    std::vector<double> contexts;
    for (int c : r.chosen) {
      chosen.push_back(strategy->offers[r.candidates[c].offer].def->id());
      contexts.push_back(r.candidates[c].parts.context());
    }
    EXPECT_EQ(chosen, tc.chosen);
    EXPECT_EQ(contexts, tc.contexts);
    std::vector<std::string> triggered;
    for (const Candidate& c : r.candidates) {
      EXPECT_DOUBLE_EQ(
          c.score, c.parts.propensity() * c.parts.value() * c.parts.weight() * c.parts.context());
      if (c.source != CandidateSource::kTrigger) continue;
      triggered.push_back(strategy->offers[c.offer].def->id());
      EXPECT_DOUBLE_EQ(c.weight, 1);
    }
    EXPECT_EQ(triggered, tc.triggered);
    if (tc.name == "dedup keeps treatment weight") {
      EXPECT_EQ(r.candidates.size(), 3u);
      EXPECT_DOUBLE_EQ(r.candidates[1].weight, 2);
    }
  }
}

TEST(DropReasonTest, EveryReasonHasAName) {
  for (int r = 0; r <= static_cast<int>(DropReason::kRankedOut); ++r) {
    EXPECT_NE(DropReasonName(static_cast<DropReason>(r)), "unknown");
  }
}

}  // namespace
}  // namespace nbo::core
