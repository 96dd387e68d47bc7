// The example strategy ships with nbo and drives the quick start: it must load cleanly and behave
// as the README says.
#include <fstream>
#include <set>
#include <sstream>

#include "core/decision.h"
#include "core/names.h"
#include "core/test_util.h"
#include "core/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

std::string ReadExample() {
  std::ifstream in(std::string(NBO_EXAMPLES_DIR) + "/strategy.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExampleStrategyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string json = ReadExample();
    ASSERT_FALSE(json.empty()) << "examples/strategy.json is missing";
    StrategyLoadResult r = LoadStrategy(json);
    ASSERT_TRUE(r.ok()) << FormatProblems(r.problems, false);
    strategy_ = r.strategy;
    profile_.set_customer_id("c-1001");
  }

  v1::DecideResponse Decide(v1::Event event, absl::Time at) {
    return MakeDecision(profile_, testing::Request("c-1001", std::move(event)), *strategy_, at)
        .response;
  }

  std::shared_ptr<const Strategy> strategy_;
  v1::Profile profile_;
};

TEST_F(ExampleStrategyTest, LoadsWithoutWarnings) {
  EXPECT_TRUE(strategy_->warnings.empty()) << FormatProblems(strategy_->warnings, true);
}

TEST_F(ExampleStrategyTest, IsRealisticallySized) {
  EXPECT_GE(strategy_->segments.size(), 8u);
  EXPECT_GE(strategy_->offers.size(), 30u);
  std::set<v1::OfferKind> kinds;
  for (const auto& o : strategy_->offers) kinds.insert(o.kind);
  EXPECT_EQ(kinds.size(), 4u) << "every offer kind is used";
}

TEST_F(ExampleStrategyTest, EveryChannelHasFallbacks) {
  for (const std::string& name : ChannelNames()) {
    EXPECT_FALSE(strategy_->fallbacks[*ParseChannel(name)].empty()) << name;
  }
}

TEST_F(ExampleStrategyTest, NewcomerOnTheWebGetsCrossSells) {
  v1::DecideResponse r = Decide(testing::PageView("e1"), kT0);
  EXPECT_FALSE(r.fallback());
  ASSERT_GE(r.offers_size(), 1);
  for (const auto& o : r.offers()) {
    EXPECT_EQ(o.kind(), v1::OFFER_KIND_CROSS_SELL) << o.offer_id();
    EXPECT_FALSE(o.reason().empty()) << o.offer_id();
    EXPECT_EQ(o.reason().find('{'), std::string::npos) << o.reason();
  }
}

TEST_F(ExampleStrategyTest, BroadbandPurchaseLeadsToBroadbandUpsell) {
  const std::string before = Decide(testing::PageView("e1"), kT0).segment_id();
  v1::DecideResponse r =
      Decide(testing::Purchase("e2", "broadband_basic", 30, 12, "broadband"), kT0 + absl::Hours(1));
  EXPECT_NE(r.segment_id(), before);
  r = Decide(testing::PageView("e3"), kT0 + absl::Hours(2));
  bool upsell = false;
  for (const auto& o : r.offers()) {
    EXPECT_NE(o.product(), "broadband_basic");
    upsell |= o.kind() == v1::OFFER_KIND_UPSELL;
  }
  EXPECT_TRUE(upsell) << r.DebugString();
}

TEST_F(ExampleStrategyTest, CancelCallGetsRetentionOffer) {
  (void)Decide(testing::Purchase("e1", "broadband_basic", 30, 12, "broadband"), kT0);
  v1::Event call;
  call.set_event_id("e2");
  call.set_channel(v1::CHANNEL_CALL_CENTRE);
  call.mutable_call_started()->set_reason("cancel");
  v1::DecideResponse r = Decide(call, kT0 + absl::Hours(1));
  bool retention = false;
  for (const auto& o : r.offers()) retention |= o.kind() == v1::OFFER_KIND_RETENTION;
  EXPECT_TRUE(retention) << r.DebugString();
}

TEST_F(ExampleStrategyTest, MovedHomeTriggerRanksTheMoversOfferFirstOnTheWeb) {
  v1::Event moved;
  moved.set_event_id("e1");
  moved.set_channel(v1::CHANNEL_WEB);
  moved.mutable_life_event()->set_kind("moved_home");
  ToProto(kT0, moved.mutable_life_event()->mutable_happened_at());
  (void)Decide(moved, kT0);
  v1::DecideResponse r = Decide(testing::PageView("e2"), kT0 + absl::Hours(1));
  ASSERT_GE(r.offers_size(), 1) << r.DebugString();
  EXPECT_EQ(r.offers(0).offer_id(), "xs_movers_broadband") << r.DebugString();
  EXPECT_DOUBLE_EQ(r.offers(0).parts().context(), 1.5);
  EXPECT_THAT(r.offers(0).reason_codes(), ::testing::Contains("LIFE_EVENT_MOVED_HOME"));
  EXPECT_THAT(r.offers(0).reason_codes(), ::testing::Contains("TRIGGER"));
}

TEST_F(ExampleStrategyTest, CancelCallDoublesRetentionOffers) {
  (void)Decide(testing::Purchase("e1", "broadband_basic", 30, 12, "broadband"), kT0);
  v1::Event call;
  call.set_event_id("e2");
  call.set_channel(v1::CHANNEL_CALL_CENTRE);
  call.mutable_call_started()->set_reason("cancel");
  const DecisionResult d =
      MakeDecision(profile_, testing::Request("c-1001", call), *strategy_, kT0 + absl::Hours(1));
  ASSERT_GE(d.response.offers_size(), 1);
  for (const auto& o : d.response.offers()) {
    if (o.kind() == v1::OFFER_KIND_RETENTION) {
      EXPECT_DOUBLE_EQ(o.parts().context(), 2) << o.offer_id();
    }
  }
  bool explained = false;
  for (const auto& e : d.explanations) {
    explained |=
        e.explanation().find("context x2.00 (call_reason == \"cancel\")") != std::string::npos;
  }
  EXPECT_TRUE(explained);
}

}  // namespace
}  // namespace nbo::core
