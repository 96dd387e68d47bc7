#include "core/merge.h"

#include "core/apply_event.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

constexpr absl::Duration kDay = absl::Hours(24);

v1::RecentEvent Recent(std::string id, absl::Time at) {
  v1::RecentEvent e;
  e.set_event_id(std::move(id));
  e.set_kind("page_view");
  ToProto(at, e.mutable_occurred_at());
  return e;
}

void SetDecayed(v1::DecayedValue* v, double value, absl::Time at) {
  v->set_value(value);
  ToProto(at, v->mutable_at());
}

// Two profiles of one person, every field filled.
class MergeTest : public ::testing::Test {
 protected:
  MergeTest() {
    s_.set_customer_id("c-1");
    a_.set_customer_id("c-2");
    a_.add_merged_ids("c-0");

    auto* id = s_.add_identities();
    id->set_source("web");
    id->set_external_id("w-1");
    *a_.add_identities() = *id;  // shared: not duplicated
    id = a_.add_identities();
    id->set_source("loyalty");
    id->set_external_id("L-7");

    ToProto(kT0 - 10 * kDay, s_.mutable_first_seen());
    ToProto(kT0 - kDay, s_.mutable_last_seen());
    ToProto(kT0 - 20 * kDay, a_.mutable_first_seen());
    ToProto(kT0 - 5 * kDay, a_.mutable_last_seen());
    s_.set_interactions(3);
    a_.set_interactions(4);

    auto* u = s_.add_channel_usage();
    u->set_channel(v1::CHANNEL_WEB);
    u->set_interactions(3);
    ToProto(kT0 - kDay, u->mutable_last_seen());
    u = a_.add_channel_usage();
    u->set_channel(v1::CHANNEL_WEB);
    u->set_interactions(1);
    ToProto(kT0 - 5 * kDay, u->mutable_last_seen());
    u = a_.add_channel_usage();
    u->set_channel(v1::CHANNEL_STORE);
    u->set_interactions(3);
    ToProto(kT0 - 6 * kDay, u->mutable_last_seen());

    auto* h = s_.add_holdings();
    h->set_product("broadband_basic");
    ToProto(kT0 - 5 * kDay, h->mutable_since());
    h = a_.add_holdings();
    h->set_product("broadband_basic");
    h->set_category("broadband");
    ToProto(kT0 - 15 * kDay, h->mutable_since());
    h = a_.add_holdings();
    h->set_product("tv_basic");
    ToProto(kT0 - 6 * kDay, h->mutable_since());

    s_.set_purchases(1);
    a_.set_purchases(2);
    s_.set_monetary_total(30);
    a_.set_monetary_total(70);
    s_.set_margin_total(10);
    a_.set_margin_total(25);
    s_.set_segment_id("broadband");
    ToProto(kT0 - 3 * kDay, s_.mutable_segment_since());
    s_.set_segment_strategy_version("v1");
    auto* tr = s_.add_segment_history();
    tr->set_to("broadband");
    a_.add_segment_history()->set_to("everyone");

    SetDecayed(s_.mutable_rfm()->mutable_frequency(), 2, kT0 - 30 * kDay);
    SetDecayed(a_.mutable_rfm()->mutable_frequency(), 3, kT0);
    SetDecayed(s_.mutable_rfm()->mutable_monetary(), 30, kT0);
    SetDecayed(a_.mutable_rfm()->mutable_monetary(), 80, kT0 - 90 * kDay);
    SetDecayed(a_.mutable_rfm()->mutable_margin(), 20, kT0);
    ToProto(kT0 - 5 * kDay, s_.mutable_rfm()->mutable_last_purchase());
    ToProto(kT0 - 6 * kDay, a_.mutable_rfm()->mutable_last_purchase());

    auto* ci = s_.add_interests();
    ci->set_category("tv");
    SetDecayed(ci->mutable_score(), 4, kT0);
    ci = a_.add_interests();
    ci->set_category("tv");
    SetDecayed(ci->mutable_score(), 2, kT0 - 30 * kDay);
    ci = a_.add_interests();
    ci->set_category("mobile");
    SetDecayed(ci->mutable_score(), 1, kT0);

    *s_.add_recent_events() = Recent("s1", kT0 - 3 * kDay);
    *s_.add_recent_events() = Recent("s2", kT0 - kDay);
    *a_.add_recent_events() = Recent("a1", kT0 - 4 * kDay);
    *a_.add_recent_events() = Recent("a2", kT0 - 2 * kDay);

    auto* t = s_.add_triggers();
    t->set_kind("moved_home");
    ToProto(kT0 - 10 * kDay, t->mutable_happened_at());
    ToProto(kT0 + 50 * kDay, t->mutable_expires_at());
    t->set_event_id("s-move");
    t = a_.add_triggers();
    t->set_kind("moved_home");
    ToProto(kT0 - 5 * kDay, t->mutable_happened_at());
    ToProto(kT0 + 55 * kDay, t->mutable_expires_at());
    t->set_event_id("a-move");
    t = a_.add_triggers();
    t->set_kind("married");
    ToProto(kT0 - 100 * kDay, t->mutable_happened_at());
    ToProto(kT0 - 10 * kDay, t->mutable_expires_at());  // expired: pruned

    SetDecayed(s_.mutable_service()->mutable_complaints(), 1, kT0);
    SetDecayed(a_.mutable_service()->mutable_complaints(), 2, kT0 - 90 * kDay);
    s_.mutable_service()->set_complaints_total(1);
    a_.mutable_service()->set_complaints_total(2);
    ToProto(kT0, s_.mutable_service()->mutable_last_complaint());
    ToProto(kT0 - 90 * kDay, a_.mutable_service()->mutable_last_complaint());
    s_.mutable_service()->set_last_nps(9);
    ToProto(kT0 - 10 * kDay, s_.mutable_service()->mutable_last_nps_at());
    a_.mutable_service()->set_last_nps(4);
    ToProto(kT0 - 2 * kDay, a_.mutable_service()->mutable_last_nps_at());

    RecordContact(s_, "fibre", v1::OUTCOME_PRESENTED, kT0 - 2 * kDay);
    RecordContact(a_, "fibre", v1::OUTCOME_PRESENTED, kT0 - kDay);
    RecordContact(a_, "fibre", v1::OUTCOME_DECLINED, kT0 - kDay);
    RecordContact(a_, "tv", v1::OUTCOME_ACCEPTED, kT0 - 3 * kDay);

    ApplyConsent(s_, v1::CHANNEL_EMAIL, true, kT0 - 10 * kDay, "s");
    ApplyConsent(a_, v1::CHANNEL_EMAIL, false, kT0 - 5 * kDay, "a");
    ApplyConsent(s_, v1::CHANNEL_SMS, false, kT0 - kDay, "s");
    ApplyConsent(a_, v1::CHANNEL_SMS, true, kT0 - 2 * kDay, "a");
  }

  v1::Profile s_, a_;
};

TEST_F(MergeTest, IdentitiesUniteAndMergedIdsGrow) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  EXPECT_EQ(s_.customer_id(), "c-1");
  ASSERT_EQ(s_.identities_size(), 2);
  EXPECT_EQ(s_.identities(1).external_id(), "L-7");
  ASSERT_EQ(s_.merged_ids_size(), 2);
  EXPECT_EQ(s_.merged_ids(0), "c-2");
  EXPECT_EQ(s_.merged_ids(1), "c-0");
}

TEST_F(MergeTest, CountersAndTimesCombine) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  EXPECT_EQ(FromProto(s_.first_seen()), kT0 - 20 * kDay);
  EXPECT_EQ(FromProto(s_.last_seen()), kT0 - kDay);
  EXPECT_EQ(s_.interactions(), 7);
  EXPECT_EQ(s_.purchases(), 3);
  EXPECT_EQ(s_.monetary_total(), 100);
  EXPECT_EQ(s_.margin_total(), 35);
  ASSERT_EQ(s_.channel_usage_size(), 2);
  EXPECT_EQ(s_.channel_usage(0).interactions(), 4);
  EXPECT_EQ(FromProto(s_.channel_usage(0).last_seen()), kT0 - kDay);
  EXPECT_EQ(s_.channel_usage(1).channel(), v1::CHANNEL_STORE);
  EXPECT_EQ(s_.channel_usage(1).interactions(), 3);
}

TEST_F(MergeTest, HoldingsUniteWithEarliestSince) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  ASSERT_EQ(s_.holdings_size(), 2);
  EXPECT_EQ(s_.holdings(0).product(), "broadband_basic");
  EXPECT_EQ(FromProto(s_.holdings(0).since()), kT0 - 15 * kDay);
  EXPECT_EQ(s_.holdings(0).category(), "broadband");
  EXPECT_EQ(s_.holdings(1).product(), "tv_basic");
}

TEST_F(MergeTest, DecayedValuesAddAtTheLaterTime) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  EXPECT_EQ(s_.rfm().frequency().value(), 4);  // 2 * 0.5 + 3
  EXPECT_EQ(FromProto(s_.rfm().frequency().at()), kT0);
  EXPECT_EQ(s_.rfm().monetary().value(), 70);  // 30 + 80 * 0.5
  EXPECT_EQ(s_.rfm().margin().value(), 20);
  EXPECT_EQ(FromProto(s_.rfm().last_purchase()), kT0 - 5 * kDay);
  EXPECT_EQ(s_.service().complaints().value(), 2);  // 1 + 2 * 0.5
  EXPECT_EQ(s_.service().complaints_total(), 3);
  EXPECT_EQ(FromProto(s_.service().last_complaint()), kT0);
}

TEST_F(MergeTest, InterestsAddAndStayBounded) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  ASSERT_EQ(s_.interests_size(), 2);
  EXPECT_EQ(s_.interests(0).score().value(), 5);  // 4 + 2 * 0.5
  EXPECT_EQ(s_.interests(1).category(), "mobile");

  v1::Profile s = s_, a;
  a.set_customer_id("c-3");
  ProfileSettings settings;
  settings.max_interests = 1;
  ASSERT_TRUE(MergeProfiles(s, a, kT0, settings));
  ASSERT_EQ(s.interests_size(), 1);
  EXPECT_EQ(s.interests(0).category(), "tv");
}

TEST_F(MergeTest, RecentEventsInterleaveByTimeBounded) {
  ProfileSettings settings;
  settings.recent_events = 3;
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0, settings));
  ASSERT_EQ(s_.recent_events_size(), 3);
  EXPECT_EQ(s_.recent_events(0).event_id(), "s1");
  EXPECT_EQ(s_.recent_events(1).event_id(), "a2");
  EXPECT_EQ(s_.recent_events(2).event_id(), "s2");
}

TEST_F(MergeTest, ContactsMergePerOffer) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  ASSERT_EQ(s_.contacts_size(), 2);
  const v1::OfferContact& fibre = s_.contacts(0);
  EXPECT_EQ(fibre.presented(), 2);
  EXPECT_EQ(fibre.declined(), 1);
  EXPECT_EQ(FromProto(fibre.last_presented()), kT0 - kDay);
  EXPECT_EQ(FromProto(fibre.last_declined()), kT0 - kDay);
  EXPECT_EQ(s_.contacts(1).offer_id(), "tv");
  EXPECT_EQ(s_.contacts(1).accepted(), 1);
}

TEST_F(MergeTest, TriggersKeepTheLatestExpiryPerKind) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  ASSERT_EQ(s_.triggers_size(), 1);
  EXPECT_EQ(s_.triggers(0).event_id(), "a-move");
  EXPECT_EQ(FromProto(s_.triggers(0).expires_at()), kT0 + 55 * kDay);
}

TEST_F(MergeTest, NewerNpsAndNewerConsentWin) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  EXPECT_EQ(s_.service().last_nps(), 4);
  EXPECT_EQ(FromProto(s_.service().last_nps_at()), kT0 - 2 * kDay);
  EXPECT_FALSE(MarketingAllowed(s_, v1::CHANNEL_EMAIL));  // a's opt-out is newer
  EXPECT_FALSE(MarketingAllowed(s_, v1::CHANNEL_SMS));    // s's opt-out is newer
  ASSERT_EQ(s_.consents_size(), 2);
  EXPECT_EQ(s_.consents(0).source(), "a");
  EXPECT_EQ(s_.consents(1).source(), "s");
}

TEST_F(MergeTest, SegmentIsClearedHistoryKeptValueRecomputed) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  EXPECT_EQ(s_.segment_id(), "");
  EXPECT_FALSE(s_.has_segment_since());
  EXPECT_EQ(s_.segment_strategy_version(), "");
  ASSERT_EQ(s_.segment_history_size(), 1);
  EXPECT_EQ(s_.segment_history(0).to(), "broadband");
  const v1::CustomerValue expected = ComputeValue(s_, kT0);
  EXPECT_EQ(s_.value().actual(), 35);
  EXPECT_EQ(s_.value().potential(), expected.potential());
  EXPECT_EQ(s_.value().retention_probability(), expected.retention_probability());
  EXPECT_GT(s_.value().potential(), 0);
}

TEST_F(MergeTest, MergingAgainIsANoOp) {
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  const v1::Profile once = s_;
  EXPECT_FALSE(MergeProfiles(s_, a_, kT0 + kDay));
  EXPECT_EQ(s_.SerializeAsString(), once.SerializeAsString());
  v1::Profile earlier;
  earlier.set_customer_id("c-0");  // merged into c-2 before
  EXPECT_FALSE(MergeProfiles(s_, earlier, kT0));
  EXPECT_FALSE(MergeProfiles(s_, s_, kT0));
  EXPECT_EQ(s_.SerializeAsString(), once.SerializeAsString());
}

TEST(MergeProfilesTest, ProfileWithoutIdIsNotMerged) {
  v1::Profile s, a;
  s.set_customer_id("c-1");
  a.set_interactions(5);
  EXPECT_FALSE(MergeProfiles(s, a, kT0));
  EXPECT_EQ(s.interactions(), 0);
}

TEST(MergeProfilesTest, MergeEqualsApplyingAllEventsToOneProfile) {
  v1::Profile one, s, a;
  s.set_customer_id("c-1");
  a.set_customer_id("c-2");
  const v1::Event e1 = testing::Purchase("e1", "tv_basic", 40, 10, "tv");
  v1::Event e2 = testing::Purchase("e2", "router", 10, 3, "broadband");
  ToProto(kT0 - 20 * kDay, e2.mutable_occurred_at());
  ApplyEvent(one, e1, kT0);
  ApplyEvent(one, e2, kT0);
  ApplyEvent(s, e1, kT0);
  ApplyEvent(a, e2, kT0);
  ASSERT_TRUE(MergeProfiles(s, a, kT0));
  EXPECT_NEAR(s.rfm().margin().value(), one.rfm().margin().value(), 1e-9);
  EXPECT_NEAR(s.rfm().frequency().value(), one.rfm().frequency().value(), 1e-9);
  EXPECT_NEAR(s.value().total(), one.value().total(), 1e-9);
  ASSERT_EQ(s.recent_events_size(), 2);
  EXPECT_EQ(s.recent_events(0).event_id(), "e2");
}

TEST_F(MergeTest, ContactLogsAndIgnoreStreaksCombine) {
  s_.clear_contacts();
  a_.clear_contacts();
  for (int i = 0; i < 2; ++i) RecordContact(s_, "tv", v1::OUTCOME_IGNORED, kT0 - 3 * kDay);
  for (int i = 0; i < 3; ++i) RecordContact(a_, "tv", v1::OUTCOME_IGNORED, kT0 - 2 * kDay);
  RecordContact(s_, "phone", v1::OUTCOME_IGNORED, kT0 - 4 * kDay);
  RecordContact(a_, "phone", v1::OUTCOME_DECLINED, kT0 - kDay);
  for (auto* p : {&s_, &a_}) {
    v1::ContactLogEntry* e = p->add_contact_log();
    e->set_offer_id(p == &s_ ? "tv" : "phone");
    ToProto(p == &s_ ? kT0 - kDay : kT0 - 2 * kDay, e->mutable_at());
  }
  ASSERT_TRUE(MergeProfiles(s_, a_, kT0));
  for (const auto& c : s_.contacts()) {
    if (c.offer_id() == "tv") EXPECT_EQ(c.ignored_streak(), 3);
    if (c.offer_id() == "phone") EXPECT_EQ(c.ignored_streak(), 0);  // declined after the ignore
  }
  ASSERT_EQ(s_.contact_log_size(), 2);
  EXPECT_EQ(s_.contact_log(0).offer_id(), "phone");  // oldest first
  EXPECT_EQ(s_.contact_log(1).offer_id(), "tv");
}

}  // namespace
}  // namespace nbo::core
