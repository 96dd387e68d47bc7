#include "core/rule.h"

#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

class RuleTest : public ::testing::Test {
 protected:
  RuleTest() {
    profile_.set_interactions(12);
    profile_.set_purchases(2);
    profile_.set_monetary_total(1500);
    profile_.set_margin_total(300);
    ToProto(kT0 - absl::Hours(24 * 100), profile_.mutable_first_seen());
    auto* h = profile_.add_holdings();
    h->set_product("broadband_basic");
    h->set_category("broadband");
    ToProto(kT0 - absl::Hours(24 * 70), h->mutable_since());
    auto* u = profile_.add_channel_usage();
    u->set_channel(v1::CHANNEL_WEB);
    u->set_interactions(9);
    event_ = testing::PageView("e", v1::CHANNEL_CALL_CENTRE);
  }

  bool Eval(absl::string_view source) {
    auto rule = Rule::Compile(source);
    EXPECT_TRUE(rule.ok()) << source << ": " << rule.status();
    if (!rule.ok()) return false;
    const DecisionInputs in{profile_, event_, "agent_desktop", "cancel", "tv_basic", kT0};
    return rule->Matches(in);
  }

  v1::Profile profile_;
  v1::Event event_;
};

TEST_F(RuleTest, NumberVariables) {
  EXPECT_TRUE(Eval("interactions == 12 && purchases == 2"));
  EXPECT_TRUE(Eval("monetary_total > 1000 && margin_total == 300"));
  EXPECT_TRUE(Eval("tenure_days >= 100 && tenure_days < 101"));
  EXPECT_TRUE(Eval("holdings_count == 1"));
}

TEST_F(RuleTest, StringVariables) {
  EXPECT_TRUE(Eval("channel == \"call_centre\""));
  EXPECT_TRUE(Eval("event == \"page_view\""));
  EXPECT_TRUE(Eval("placement == \"agent_desktop\""));
  EXPECT_TRUE(Eval("call_reason == \"cancel\""));
  EXPECT_TRUE(Eval("product_in_view == \"tv_basic\""));
}

TEST_F(RuleTest, Functions) {
  EXPECT_TRUE(Eval("holds(\"broadband_basic\") && !holds(\"tv_basic\")"));
  EXPECT_TRUE(Eval("holds_category(\"broadband\") && !holds_category(\"tv\")"));
  EXPECT_TRUE(Eval("months_held(\"broadband_basic\") == 2"));
  EXPECT_TRUE(Eval("months_held(\"tv_basic\") == 0"));
  EXPECT_TRUE(Eval("interactions_on(\"web\") == 9 && interactions_on(\"store\") == 0"));
  EXPECT_TRUE(Eval("interactions_on(\"nonsense\") == 0"));
}

TEST_F(RuleTest, CompileErrorsAreInvalidArgument) {
  EXPECT_EQ(Rule::Compile("holds(1)").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rule::Compile("purchases").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rule::Compile("unknown_var > 1").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nbo::core
