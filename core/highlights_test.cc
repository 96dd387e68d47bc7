#include "core/highlights.h"

#include "core/apply_event.h"
#include "core/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kT0;

constexpr absl::Duration kDay = absl::Hours(24);

v1::Event Complaint(std::string id, absl::Time at) {
  v1::Event e;
  e.set_event_id(std::move(id));
  e.set_channel(v1::CHANNEL_CALL_CENTRE);
  e.mutable_complaint()->set_severity(3);
  e.mutable_complaint()->set_topic("outage");
  ToProto(at, e.mutable_occurred_at());
  return e;
}

TEST(HighlightsTest, EmptyProfileHasNothingToSay) {
  EXPECT_THAT(Highlights(v1::Profile(), kT0), IsEmpty());
}

TEST(HighlightsTest, GoldenLinesInOrder) {
  v1::Profile p;
  ToProto(kT0 - (3 * 365 + 20) * kDay, p.mutable_first_seen());
  ToProto(kT0, p.mutable_last_seen());
  p.set_interactions(12);
  auto* u = p.add_channel_usage();
  u->set_channel(v1::CHANNEL_CALL_CENTRE);
  u->set_interactions(3);
  u = p.add_channel_usage();
  u->set_channel(v1::CHANNEL_WEB);
  u->set_interactions(9);
  p.add_holdings()->set_product("broadband_basic");
  p.add_holdings()->set_product("tv_basic");
  p.set_purchases(2);
  p.mutable_value()->set_potential(1240.4);
  p.set_segment_id("broadband");
  ToProto(kT0 - 12 * kDay, p.mutable_segment_since());
  auto* t = p.add_triggers();
  t->set_kind("moved_home");
  ToProto(kT0 - 12 * kDay, t->mutable_happened_at());
  ToProto(kT0 + 48 * kDay, t->mutable_expires_at());
  t = p.add_triggers();
  t->set_kind("new_job");
  ToProto(kT0 - kDay, t->mutable_happened_at());
  ToProto(kT0 + 89 * kDay, t->mutable_expires_at());
  t = p.add_triggers();
  t->set_kind("married");
  ToProto(kT0 - 100 * kDay, t->mutable_happened_at());
  ToProto(kT0 - 10 * kDay, t->mutable_expires_at());  // expired: not shown
  for (const char* id : {"c1", "c2"}) {
    auto* e = p.add_recent_events();
    e->set_event_id(id);
    e->set_kind("complaint");
    ToProto(kT0 - 3 * kDay, e->mutable_occurred_at());
  }
  p.mutable_service()->set_complaints_total(2);
  ToProto(kT0 - 3 * kDay, p.mutable_service()->mutable_last_complaint());
  p.mutable_service()->set_last_nps(3);
  ToProto(kT0 - 5 * kDay, p.mutable_service()->mutable_last_nps_at());
  ApplyConsent(p, v1::CHANNEL_SMS, false, kT0, "x");
  ApplyConsent(p, v1::CHANNEL_EMAIL, false, kT0, "x");
  ApplyConsent(p, v1::CHANNEL_WEB, true, kT0, "x");

  HighlightOptions options;
  options.currency = "EUR";
  options.value_percentile = 90;
  EXPECT_THAT(Highlights(p, kT0, options),
              ElementsAre("New job yesterday", "Moved home 12 days ago",
                          "2 complaints in the last 90 days", "Detractor: NPS 3 (5 days ago)",
                          "Value: top 10% (est. 1,240 EUR next 12 months)", "Customer for 3 years",
                          "Holds broadband_basic, tv_basic", "Prefers web (9 of 12 interactions)",
                          "In segment broadband for 12 days", "Opted out of email, sms"));
}

TEST(HighlightsTest, ValueWithoutPercentileOrCurrency) {
  v1::Profile p;
  p.set_purchases(1);
  p.mutable_value()->set_potential(1234567.5);
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Value: est. 1,234,568 next 12 months"));
  HighlightOptions low;
  low.value_percentile = 30;
  low.currency = "EUR";
  EXPECT_THAT(Highlights(p, kT0, low),
              ElementsAre("Value: bottom 30% (est. 1,234,568 EUR next 12 months)"));
  HighlightOptions best;
  best.value_percentile = 99.7;
  EXPECT_THAT(Highlights(p, kT0, best)[0], ::testing::StartsWith("Value: top 1% "));
}

TEST(HighlightsTest, TenureWording) {
  v1::Profile p;
  ToProto(kT0 - absl::Hours(3), p.mutable_first_seen());
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("New customer: first seen today"));
  ToProto(kT0 - kDay, p.mutable_first_seen());
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Customer for 1 day"));
  ToProto(kT0 - 95 * kDay, p.mutable_first_seen());
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Customer for 3 months"));
  ToProto(kT0 - 400 * kDay, p.mutable_first_seen());
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Customer for 1 year"));
}

TEST(HighlightsTest, NpsCategories) {
  v1::Profile p;
  p.mutable_service()->set_last_nps(9);
  ToProto(kT0 - absl::Hours(2), p.mutable_service()->mutable_last_nps_at());
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Promoter: NPS 9 (today)"));
  p.mutable_service()->set_last_nps(7);
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Passive: NPS 7 (today)"));
}

TEST(HighlightsTest, ComplaintsOutsideTheWindowAreNotCounted) {
  v1::Profile p;
  ApplyEvent(p, Complaint("c1", kT0 - 100 * kDay), kT0);
  ApplyEvent(p, Complaint("c2", kT0 - 10 * kDay), kT0);
  const auto lines = Highlights(p, kT0);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "1 complaint in the last 90 days");
}

TEST(HighlightsTest, ComplaintsDroppedFromTheRingSayAtLeast) {
  ProfileSettings s;
  s.recent_events = 2;
  v1::Profile p;
  ApplyEvent(p, Complaint("c1", kT0 - 10 * kDay), kT0, s);
  ApplyEvent(p, Complaint("c2", kT0 - 5 * kDay), kT0, s);
  ApplyEvent(p, testing::PageView("v1"), kT0 - kDay, s);
  ApplyEvent(p, testing::PageView("v2"), kT0, s);
  const auto lines = Highlights(p, kT0);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "At least 1 complaint in the last 90 days");
}

TEST(HighlightsTest, LifeEventWording) {
  v1::Profile p;
  auto* t = p.add_triggers();
  t->set_kind("won_lottery");
  ToProto(kT0, t->mutable_happened_at());
  ToProto(kT0 + 30 * kDay, t->mutable_expires_at());
  t = p.add_triggers();
  t->set_kind("retired");
  ToProto(kT0 + 5 * kDay, t->mutable_happened_at());
  ToProto(kT0 + 185 * kDay, t->mutable_expires_at());
  EXPECT_THAT(Highlights(p, kT0),
              ElementsAre("Retired (expected in 5 days)", "Life event: won lottery today"));
}

TEST(HighlightsTest, OptOutOfAllMarketing) {
  v1::Profile p;
  ApplyConsent(p, v1::CHANNEL_EMAIL, false, kT0, "x");
  ApplyConsent(p, v1::CHANNEL_UNSPECIFIED, false, kT0, "x");
  EXPECT_THAT(Highlights(p, kT0), ElementsAre("Opted out of all marketing"));
}

TEST(HighlightsTest, LongHoldingsAreCounted) {
  v1::Profile p;
  for (const char* product : {"a", "b", "c"}) p.add_holdings()->set_product(product);
  HighlightOptions o;
  o.max_holdings_listed = 2;
  EXPECT_THAT(Highlights(p, kT0, o), ElementsAre("Holds a, b and 1 more"));
}

TEST(FormatWholeAmountTest, GroupsThousands) {
  EXPECT_EQ(FormatWholeAmount(0), "0");
  EXPECT_EQ(FormatWholeAmount(999.4), "999");
  EXPECT_EQ(FormatWholeAmount(1000), "1,000");
  EXPECT_EQ(FormatWholeAmount(-12345.6), "-12,346");
  EXPECT_EQ(FormatWholeAmount(123456789), "123,456,789");
}

}  // namespace
}  // namespace nbo::core
