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

TEST_F(RuleTest, SingleCustomerViewNumbers) {
  const absl::Duration day = absl::Hours(24);
  auto* prev = profile_.add_recent_events();
  prev->set_event_id("earlier");
  ToProto(kT0 - 10 * day, prev->mutable_occurred_at());
  auto* current = profile_.add_recent_events();
  current->set_event_id("e");  // the event being decided on is not its own recency
  ToProto(kT0, current->mutable_occurred_at());
  profile_.mutable_rfm()->mutable_frequency()->set_value(6);
  ToProto(kT0 - 30 * day, profile_.mutable_rfm()->mutable_frequency()->mutable_at());
  profile_.mutable_rfm()->mutable_monetary()->set_value(200);
  ToProto(kT0 - 90 * day, profile_.mutable_rfm()->mutable_monetary()->mutable_at());
  profile_.mutable_value()->set_actual(300);
  profile_.mutable_value()->set_potential(120.5);
  profile_.mutable_value()->set_total(420.5);
  profile_.mutable_value()->set_retention_probability(0.8);
  profile_.mutable_service()->mutable_complaints()->set_value(4);
  ToProto(kT0 - 90 * day, profile_.mutable_service()->mutable_complaints()->mutable_at());
  EXPECT_TRUE(Eval("recency_days == 10"));
  EXPECT_TRUE(Eval("frequency == 3 && monetary == 100"));
  EXPECT_TRUE(Eval("value.actual == 300 && value.potential == 120.5 && value.total == 420.5"));
  EXPECT_TRUE(Eval("retention_probability == 0.8"));
  EXPECT_TRUE(Eval("complaints == 2"));
  EXPECT_TRUE(Eval("nps == -1"));
  profile_.mutable_service()->set_last_nps(3);
  EXPECT_TRUE(Eval("nps == 3"));
}

TEST_F(RuleTest, RecencyIsMinusOneWithoutAnEarlierEvent) {
  EXPECT_TRUE(Eval("recency_days == -1"));
}

TEST_F(RuleTest, SingleCustomerViewFunctions) {
  const absl::Duration day = absl::Hours(24);
  auto* ci = profile_.add_interests();
  ci->set_category("tv");
  ci->mutable_score()->set_value(10);
  ToProto(kT0 - 30 * day, ci->mutable_score()->mutable_at());  // 5 now: level 0.5
  auto* t = profile_.add_triggers();
  t->set_kind("moved_home");
  ToProto(kT0 - 12 * day, t->mutable_happened_at());
  ToProto(kT0 + 48 * day, t->mutable_expires_at());
  t = profile_.add_triggers();
  t->set_kind("married");
  ToProto(kT0 - 100 * day, t->mutable_happened_at());
  ToProto(kT0 - day, t->mutable_expires_at());
  auto* c = profile_.add_consents();
  c->set_channel(v1::CHANNEL_EMAIL);
  c->set_opted_in(false);

  EXPECT_TRUE(Eval("interest(\"tv\") == 0.5 && interest(\"mobile\") == 0"));
  EXPECT_TRUE(Eval("trigger(\"moved_home\") && !trigger(\"married\") && !trigger(\"x\")"));
  EXPECT_TRUE(Eval("days_since_trigger(\"moved_home\") == 12"));
  EXPECT_TRUE(Eval("days_since_trigger(\"married\") == -1"));
  EXPECT_TRUE(Eval("!consented(\"email\") && consented(\"sms\") && consented(\"marketing\")"));
  EXPECT_TRUE(Eval("!consented(\"fax\")"));
  auto* all = profile_.add_consents();
  all->set_channel(v1::CHANNEL_UNSPECIFIED);
  all->set_opted_in(false);
  EXPECT_TRUE(Eval("!consented(\"sms\") && !consented(\"marketing\")"));
}

TEST_F(RuleTest, CompileErrorsAreInvalidArgument) {
  EXPECT_EQ(Rule::Compile("holds(1)").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rule::Compile("purchases").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rule::Compile("unknown_var > 1").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nbo::core
