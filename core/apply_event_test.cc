#include "core/apply_event.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/segmentation.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;
using testing::PageView;
using testing::Purchase;

constexpr absl::Duration kDay = absl::Hours(24);

v1::Event At(v1::Event e, absl::Time at) {
  ToProto(at, e.mutable_occurred_at());
  return e;
}

v1::Event Base(std::string id, v1::Channel channel = v1::CHANNEL_WEB) {
  v1::Event e;
  e.set_event_id(std::move(id));
  e.set_channel(channel);
  e.set_source("test");
  return e;
}

v1::Event CategoryView(std::string id, std::string category, std::string product = "") {
  v1::Event e = Base(std::move(id));
  e.mutable_page_view()->set_page("product");
  e.mutable_page_view()->set_category(std::move(category));
  e.mutable_page_view()->set_product(std::move(product));
  return e;
}

v1::Event Complaint(std::string id, int severity, std::string topic) {
  v1::Event e = Base(std::move(id), v1::CHANNEL_CALL_CENTRE);
  e.mutable_complaint()->set_severity(severity);
  e.mutable_complaint()->set_topic(std::move(topic));
  return e;
}

v1::Event LifeEvent(std::string id, std::string kind) {
  v1::Event e = Base(std::move(id));
  e.mutable_life_event()->set_kind(std::move(kind));
  return e;
}

v1::Event Nps(std::string id, int nps) {
  v1::Event e = Base(std::move(id));
  e.mutable_survey_answer()->set_nps(nps);
  return e;
}

v1::Event Consent(std::string id, v1::Channel channel, bool opted_in) {
  v1::Event e = Base(std::move(id));
  e.mutable_consent_change()->set_channel(channel);
  e.mutable_consent_change()->set_opted_in(opted_in);
  return e;
}

v1::Event Cart(std::string id, bool add, std::string product, std::string category) {
  v1::Event e = Base(std::move(id));
  v1::CartChange* c = add ? e.mutable_cart_add() : e.mutable_cart_remove();
  c->set_product(std::move(product));
  c->set_category(std::move(category));
  return e;
}

double Score(const v1::Profile& p, absl::string_view category, absl::Time at) {
  for (const auto& ci : p.interests()) {
    if (ci.category() == category) return DecayedValueAt(ci.score(), at, absl::Hours(24 * 30));
  }
  return 0;
}

TEST(ApplyEventTest, FirstEventSetsFirstAndLastSeen) {
  v1::Profile p;
  ApplyEvent(p, PageView("e1"), kT0);
  EXPECT_EQ(FromProto(p.first_seen()), kT0);
  EXPECT_EQ(FromProto(p.last_seen()), kT0);
  EXPECT_EQ(p.interactions(), 1);
  ASSERT_EQ(p.channel_usage_size(), 1);
  EXPECT_EQ(p.channel_usage(0).channel(), v1::CHANNEL_WEB);
  EXPECT_EQ(p.channel_usage(0).interactions(), 1);
}

TEST(ApplyEventTest, CountsPerChannel) {
  v1::Profile p;
  ApplyEvent(p, PageView("e1"), kT0);
  ApplyEvent(p, PageView("e2", v1::CHANNEL_CALL_CENTRE), kT0 + absl::Hours(1));
  ApplyEvent(p, PageView("e3"), kT0 + absl::Hours(2));
  EXPECT_EQ(p.interactions(), 3);
  ASSERT_EQ(p.channel_usage_size(), 2);
  EXPECT_EQ(p.channel_usage(0).interactions(), 2);
  EXPECT_EQ(p.channel_usage(1).channel(), v1::CHANNEL_CALL_CENTRE);
  EXPECT_EQ(FromProto(p.channel_usage(0).last_seen()), kT0 + absl::Hours(2));
}

TEST(ApplyEventTest, UsesOccurredAtWhenGiven) {
  v1::Profile p;
  v1::Event e = PageView("e1");
  ToProto(kT0 - absl::Hours(5), e.mutable_occurred_at());
  ApplyEvent(p, e, kT0);
  EXPECT_EQ(FromProto(p.last_seen()), kT0 - absl::Hours(5));
}

TEST(ApplyEventTest, OutOfOrderEventNeverMovesLastSeenBack) {
  v1::Profile p;
  ApplyEvent(p, PageView("e1"), kT0);
  v1::Event late = PageView("e0");
  ToProto(kT0 - absl::Hours(24), late.mutable_occurred_at());
  ApplyEvent(p, late, kT0 + absl::Minutes(1));
  EXPECT_EQ(FromProto(p.last_seen()), kT0);
  EXPECT_EQ(FromProto(p.first_seen()), kT0 - absl::Hours(24));
  EXPECT_EQ(p.interactions(), 2);
}

TEST(ApplyEventTest, PurchaseAddsHoldingsAndTotals) {
  v1::Profile p;
  v1::Event e = Purchase("e1", "broadband_basic", 30, 12, "broadband");
  auto* second = e.mutable_purchase()->add_items();
  second->set_product("router");
  second->set_amount(5);
  second->set_margin(-1);
  ApplyEvent(p, e, kT0);
  EXPECT_EQ(p.purchases(), 1);
  EXPECT_DOUBLE_EQ(p.monetary_total(), 35);
  EXPECT_DOUBLE_EQ(p.margin_total(), 11);
  ASSERT_EQ(p.holdings_size(), 2);
  EXPECT_EQ(p.holdings(0).product(), "broadband_basic");
  EXPECT_EQ(p.holdings(0).category(), "broadband");
  EXPECT_EQ(FromProto(p.holdings(0).since()), kT0);
}

TEST(ApplyEventTest, RepeatPurchaseKeepsEarliestSince) {
  v1::Profile p;
  ApplyEvent(p, Purchase("e1", "tv_basic", 10, 2), kT0);
  v1::Event earlier = Purchase("e0", "tv_basic", 10, 2);
  ToProto(kT0 - absl::Hours(48), earlier.mutable_occurred_at());
  ApplyEvent(p, earlier, kT0);
  ApplyEvent(p, Purchase("e2", "tv_basic", 10, 2), kT0 + absl::Hours(1));
  ASSERT_EQ(p.holdings_size(), 1);
  EXPECT_EQ(FromProto(p.holdings(0).since()), kT0 - absl::Hours(48));
  EXPECT_EQ(p.purchases(), 3);
}

// --- Decay ---

TEST(DecayTest, HalvesAfterOneHalfLife) {
  v1::DecayedValue v;
  AddDecayed(v, 8, kT0, absl::Hours(24 * 30));
  EXPECT_EQ(DecayedValueAt(v, kT0 + 30 * kDay, absl::Hours(24 * 30)), 4);
  EXPECT_EQ(DecayedValueAt(v, kT0 + 60 * kDay, absl::Hours(24 * 30)), 2);
  EXPECT_EQ(DecayedValueAt(v, kT0, absl::Hours(24 * 30)), 8);
}

TEST(DecayTest, AddingLaterDecaysTheStoredValueFirst) {
  v1::DecayedValue v;
  AddDecayed(v, 1, kT0, absl::Hours(24 * 30));
  AddDecayed(v, 1, kT0 + 30 * kDay, absl::Hours(24 * 30));
  EXPECT_EQ(v.value(), 1.5);
  EXPECT_EQ(FromProto(v.at()), kT0 + 30 * kDay);
}

TEST(DecayTest, AddingAnOlderValueDecaysItAndKeepsTheTime) {
  v1::DecayedValue v;
  AddDecayed(v, 1, kT0 + 30 * kDay, absl::Hours(24 * 30));
  AddDecayed(v, 1, kT0, absl::Hours(24 * 30));
  EXPECT_EQ(v.value(), 1.5);
  EXPECT_EQ(FromProto(v.at()), kT0 + 30 * kDay);
}

TEST(DecayTest, UnsetValueIsZero) {
  EXPECT_EQ(DecayedValueAt(v1::DecayedValue(), kT0, absl::Hours(1)), 0);
}

// --- RFM ---

TEST(ApplyEventTest, FrequencyCountsEveryEventDecayed) {
  v1::Profile p;
  ApplyEvent(p, PageView("e1"), kT0);
  ApplyEvent(p, PageView("e2"), kT0 + 30 * kDay);
  EXPECT_EQ(p.rfm().frequency().value(), 1.5);
  EXPECT_EQ(FromProto(p.rfm().frequency().at()), kT0 + 30 * kDay);
}

TEST(ApplyEventTest, PurchaseFeedsDecayedMonetaryAndMargin) {
  v1::Profile p;
  ApplyEvent(p, Purchase("e1", "tv_basic", 40, 10), kT0);
  ApplyEvent(p, Purchase("e2", "tv_extra", 20, 6), kT0 + 90 * kDay);
  EXPECT_EQ(p.rfm().monetary().value(), 40);  // 40 * 0.5 + 20
  EXPECT_EQ(p.rfm().margin().value(), 11);    // 10 * 0.5 + 6
  EXPECT_EQ(FromProto(p.rfm().last_purchase()), kT0 + 90 * kDay);
  EXPECT_EQ(p.margin_total(), 16);
}

TEST(ApplyEventTest, LatePurchaseKeepsLastPurchase) {
  v1::Profile p;
  ApplyEvent(p, Purchase("e1", "tv_basic", 40, 10), kT0);
  ApplyEvent(p, At(Purchase("e0", "tv_basic", 40, 10), kT0 - 90 * kDay), kT0);
  EXPECT_EQ(FromProto(p.rfm().last_purchase()), kT0);
  EXPECT_EQ(p.rfm().margin().value(), 15);
}

// Applying the same events in two orders gives the same decayed aggregates.
TEST(ApplyEventTest, DecayedAggregatesDoNotDependOnArrivalOrder) {
  std::vector<v1::Event> events = {
      At(Purchase("a", "tv_basic", 40, 10, "tv"), kT0 - 100 * kDay),
      At(CategoryView("b", "broadband"), kT0 - 3 * kDay),
      At(Complaint("c", 4, "outage"), kT0 - 40 * kDay),
      At(Purchase("d", "router", 15.5, -2.25, "broadband"), kT0 - 7 * kDay),
      At(CategoryView("e", "tv"), kT0 - 61 * kDay),
      At(Complaint("f", 2, "billing"), kT0 - 1 * kDay),
  };
  v1::Profile forward, backward;
  for (size_t i = 0; i < events.size(); ++i) ApplyEvent(forward, events[i], kT0);
  for (size_t i = events.size(); i-- > 0;) ApplyEvent(backward, events[i], kT0);
  const absl::Time t = kT0;
  EXPECT_NEAR(DecayedValueAt(forward.rfm().frequency(), t, 30 * kDay),
              DecayedValueAt(backward.rfm().frequency(), t, 30 * kDay), 1e-9);
  EXPECT_NEAR(DecayedValueAt(forward.rfm().monetary(), t, 90 * kDay),
              DecayedValueAt(backward.rfm().monetary(), t, 90 * kDay), 1e-9);
  EXPECT_NEAR(DecayedValueAt(forward.rfm().margin(), t, 90 * kDay),
              DecayedValueAt(backward.rfm().margin(), t, 90 * kDay), 1e-9);
  EXPECT_NEAR(DecayedValueAt(forward.service().complaints(), t, 90 * kDay),
              DecayedValueAt(backward.service().complaints(), t, 90 * kDay), 1e-9);
  EXPECT_NEAR(Score(forward, "tv", t), Score(backward, "tv", t), 1e-9);
  EXPECT_NEAR(Score(forward, "broadband", t), Score(backward, "broadband", t), 1e-9);
  EXPECT_NEAR(forward.value().potential(), backward.value().potential(), 1e-9);
  EXPECT_EQ(forward.first_seen().seconds(), backward.first_seen().seconds());
  EXPECT_EQ(forward.last_seen().seconds(), backward.last_seen().seconds());
  // The ring is in time order either way.
  ASSERT_EQ(forward.recent_events_size(), 6);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(forward.recent_events(i).event_id(), backward.recent_events(i).event_id());
  }
}

// --- Value ---

// The worked example of docs/profile.md.
TEST(ApplyEventTest, ValueWorkedExample) {
  v1::Profile p;
  ApplyEvent(p, At(Purchase("e1", "broadband_basic", 300, 120), kT0 - 45 * kDay), kT0);
  ApplyEvent(p, At(Complaint("e2", 3, "billing"), kT0 - 15 * kDay), kT0);
  ApplyEvent(p, At(Nps("e3", 9), kT0 - 5 * kDay), kT0);
  ApplyEvent(p, Purchase("e4", "tv_basic", 100, 60), kT0);
  EXPECT_NEAR(DecayedValueAt(p.rfm().margin(), kT0, 90 * kDay), 144.8528137, 1e-6);
  EXPECT_NEAR(DecayedValueAt(p.service().complaints(), kT0, 90 * kDay), 0.8908987, 1e-6);
  EXPECT_NEAR(p.value().retention_probability(), 0.8096671, 1e-6);
  EXPECT_EQ(p.value().actual(), 180);
  EXPECT_NEAR(p.value().potential(), 329.6926522, 1e-6);
  EXPECT_NEAR(p.value().total(), 509.6926522, 1e-6);
}

TEST(ApplyEventTest, PotentialIsYearlyMarginRateTimesRetention) {
  v1::Profile p;
  ApplyEvent(p, Purchase("e1", "tv_basic", 50, 100), kT0);
  EXPECT_NEAR(p.value().retention_probability(), 0.9, 1e-12);
  EXPECT_NEAR(p.value().potential(), 100 * std::log(2.0) / 90 * 365 * 0.9, 1e-9);
}

TEST(RetentionTest, FallsWithRecencyAndDetractorNps) {
  v1::Profile p;
  ToProto(kT0 - 180 * kDay, p.mutable_last_seen());
  EXPECT_NEAR(RetentionProbability(p, kT0), 0.45, 1e-12);
  p.mutable_service()->set_last_nps(0);
  EXPECT_NEAR(RetentionProbability(p, kT0), 0.45 * 0.7, 1e-12);
}

TEST(RetentionTest, IsClampedToItsRange) {
  v1::Profile p;
  ToProto(kT0 - 3650 * kDay, p.mutable_last_seen());
  EXPECT_EQ(RetentionProbability(p, kT0), 0.05);
  v1::Profile q;
  q.mutable_service()->set_last_nps(10);
  EXPECT_EQ(RetentionProbability(q, kT0), 0.99);  // 0.9 * 1.1 = 0.99
}

// --- Interests ---

TEST(ApplyEventTest, InterestWeightsPerEventKind) {
  v1::Profile p;
  ApplyEvent(p, CategoryView("e1", "tv"), kT0);
  EXPECT_EQ(Score(p, "tv", kT0), 1);
  v1::Event search = Base("e2");
  search.mutable_search()->set_query("sports");
  search.mutable_search()->set_category("tv");
  ApplyEvent(p, search, kT0);
  EXPECT_EQ(Score(p, "tv", kT0), 2);
  ApplyEvent(p, Cart("e3", true, "tv_basic", "tv"), kT0);
  EXPECT_EQ(Score(p, "tv", kT0), 5);
  ApplyEvent(p, Purchase("e4", "tv_basic", 10, 2, "tv"), kT0);
  EXPECT_EQ(Score(p, "tv", kT0), 15);
  v1::Event survey = Base("e5");
  survey.mutable_survey_answer()->add_interests("tv");
  ApplyEvent(p, survey, kT0);
  EXPECT_EQ(Score(p, "tv", kT0), 20);
  ApplyEvent(p, Cart("e6", false, "tv_basic", "tv"), kT0);
  EXPECT_EQ(Score(p, "tv", kT0), 17);
}

TEST(ApplyEventTest, CartRemoveFloorsInterestAtZero) {
  v1::Profile p;
  ApplyEvent(p, CategoryView("e1", "tv"), kT0);
  ApplyEvent(p, Cart("e2", false, "tv_basic", "tv"), kT0);
  EXPECT_EQ(p.interests_size(), 0);
  ApplyEvent(p, Cart("e3", false, "tv_basic", "mobile"), kT0);
  EXPECT_EQ(p.interests_size(), 0);
  EXPECT_EQ(InterestLevel(p, "tv", kT0), 0);
}

TEST(ApplyEventTest, InterestLevelIsNormalisedAndDecays) {
  v1::Profile p;
  v1::Event survey = Base("e1");
  survey.mutable_survey_answer()->add_interests("tv");
  ApplyEvent(p, survey, kT0);
  EXPECT_EQ(InterestLevel(p, "tv", kT0), 0.5);  // 5 / (5 + 5)
  EXPECT_NEAR(InterestLevel(p, "tv", kT0 + 30 * kDay), 2.5 / 7.5, 1e-12);
  EXPECT_EQ(InterestLevel(p, "mobile", kT0), 0);
}

TEST(ApplyEventTest, KeepsAtMostMaxInterestsDroppingTheWeakest) {
  ProfileSettings s;
  s.max_interests = 2;
  v1::Profile p;
  ApplyEvent(p, CategoryView("e1", "tv"), kT0, s);
  ApplyEvent(p, CategoryView("e2", "tv"), kT0, s);
  ApplyEvent(p, CategoryView("e3", "mobile"), kT0, s);
  ApplyEvent(p, Purchase("e4", "fibre", 1, 1, "broadband"), kT0, s);
  ASSERT_EQ(p.interests_size(), 2);
  EXPECT_EQ(Score(p, "tv", kT0), 2);
  EXPECT_EQ(Score(p, "broadband", kT0), 10);
  EXPECT_EQ(Score(p, "mobile", kT0), 0);
  // A newcomer weaker than every kept category is not added.
  ApplyEvent(p, CategoryView("e5", "energy"), kT0, s);
  EXPECT_EQ(Score(p, "energy", kT0), 0);
  EXPECT_EQ(p.interests_size(), 2);
}

// --- Channels and holdings ---

TEST(ApplyEventTest, PreferredChannelIsTheMostUsed) {
  v1::Profile p;
  EXPECT_EQ(PreferredChannel(p), v1::CHANNEL_UNSPECIFIED);
  ApplyEvent(p, PageView("e1"), kT0);
  ApplyEvent(p, PageView("e2", v1::CHANNEL_STORE), kT0);
  EXPECT_EQ(PreferredChannel(p), v1::CHANNEL_WEB);  // tie: first used
  ApplyEvent(p, PageView("e3", v1::CHANNEL_STORE), kT0);
  EXPECT_EQ(PreferredChannel(p), v1::CHANNEL_STORE);
}

TEST(ApplyEventTest, ProductRemovedDropsTheHolding) {
  v1::Profile p;
  ApplyEvent(p, Purchase("e1", "tv_basic", 10, 2), kT0);
  ApplyEvent(p, Purchase("e2", "broadband_basic", 10, 2), kT0);
  v1::Event removed = Base("e3");
  removed.mutable_product_removed()->set_product("tv_basic");
  removed.mutable_product_removed()->set_reason("cancelled");
  ApplyEvent(p, removed, kT0 + kDay);
  ASSERT_EQ(p.holdings_size(), 1);
  EXPECT_EQ(p.holdings(0).product(), "broadband_basic");
  EXPECT_EQ(p.recent_events(2).summary(), "no longer holds tv_basic (cancelled)");
  removed.set_event_id("e4");
  ApplyEvent(p, removed, kT0 + kDay);  // not held: nothing to do
  EXPECT_EQ(p.holdings_size(), 1);
}

// --- Recent events ---

TEST(ApplyEventTest, RecentEventsSummariseEachKind) {
  v1::Profile p;
  absl::Time t = kT0;
  auto apply = [&](v1::Event e) {
    t += absl::Minutes(1);
    ApplyEvent(p, e, t);
  };
  apply(Purchase("e1", "broadband_basic", 30, 10));
  apply(CategoryView("e2", "tv", "tv_basic"));
  v1::Event call = Base("e3", v1::CHANNEL_CALL_CENTRE);
  call.mutable_call_started()->set_reason("billing");
  apply(call);
  apply(Complaint("e4", 4, "outage"));
  apply(LifeEvent("e5", "moved_home"));
  apply(Nps("e6", 9));
  apply(Consent("e7", v1::CHANNEL_EMAIL, false));
  v1::Event search = Base("e8");
  search.mutable_search()->set_query("fibre");
  apply(search);
  apply(Cart("e9", true, "tv_basic", "tv"));
  v1::Event app = Base("e10", v1::CHANNEL_MOBILE_APP);
  app.mutable_app_open()->set_screen("home");
  apply(app);
  v1::Event store = Base("e11", v1::CHANNEL_STORE);
  store.mutable_store_visit()->set_store_id("s-12");
  apply(store);
  v1::Event multi = Purchase("e12", "a", 1.5, 0);
  for (const char* product : {"b", "c", "d"}) {
    auto* item = multi.mutable_purchase()->add_items();
    item->set_product(product);
    item->set_amount(0.25);
  }
  apply(multi);
  apply(Consent("e13", v1::CHANNEL_UNSPECIFIED, true));

  const std::vector<std::string> expected = {
      "bought broadband_basic (30.00)",
      "viewed tv_basic",
      "called: billing",
      "complaint (severity 4): outage",
      "life event: moved_home",
      "NPS 9",
      "opted out of email",
      "searched \"fibre\"",
      "added tv_basic to cart",
      "opened the app: home",
      "visited a store: s-12",
      "bought a, b, c and 1 more (2.25)",
      "opted in to marketing",
  };
  ASSERT_EQ(p.recent_events_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(p.recent_events(i).summary(), expected[i]) << i;
  }
  const v1::RecentEvent& first = p.recent_events(0);
  EXPECT_EQ(first.event_id(), "e1");
  EXPECT_EQ(first.kind(), "purchase");
  EXPECT_EQ(first.channel(), v1::CHANNEL_WEB);
  EXPECT_EQ(FromProto(first.occurred_at()), kT0 + absl::Minutes(1));
  EXPECT_EQ(p.recent_events(2).source(), "test");
}

TEST(ApplyEventTest, RecentEventsAreBoundedOldestDropped) {
  ProfileSettings s;
  s.recent_events = 3;
  v1::Profile p;
  for (int i = 0; i < 5; ++i) {
    ApplyEvent(p, PageView(absl::StrCat("e", i)), kT0 + absl::Minutes(i), s);
  }
  ASSERT_EQ(p.recent_events_size(), 3);
  EXPECT_EQ(p.recent_events(0).event_id(), "e2");
  EXPECT_EQ(p.recent_events(1).event_id(), "e3");
  EXPECT_EQ(p.recent_events(2).event_id(), "e4");
}

TEST(ApplyEventTest, LateEventIsInsertedInTimeOrder) {
  ProfileSettings s;
  s.recent_events = 3;
  v1::Profile p;
  ApplyEvent(p, PageView("e1"), kT0, s);
  ApplyEvent(p, PageView("e3"), kT0 + absl::Minutes(3), s);
  ApplyEvent(p, At(PageView("e2"), kT0 + absl::Minutes(2)), kT0 + absl::Minutes(4), s);
  ASSERT_EQ(p.recent_events_size(), 3);
  EXPECT_EQ(p.recent_events(0).event_id(), "e1");
  EXPECT_EQ(p.recent_events(1).event_id(), "e2");
  EXPECT_EQ(p.recent_events(2).event_id(), "e3");
  // Full ring: a late event in the middle pushes out the oldest.
  ApplyEvent(p, At(PageView("e2b"), kT0 + absl::Minutes(2)), kT0 + absl::Minutes(5), s);
  EXPECT_EQ(p.recent_events(0).event_id(), "e2");
  EXPECT_EQ(p.recent_events(1).event_id(), "e2b");
  EXPECT_EQ(p.recent_events(2).event_id(), "e3");
  // Older than everything kept: not recorded.
  ApplyEvent(p, At(PageView("e0"), kT0 - absl::Minutes(1)), kT0 + absl::Minutes(6), s);
  EXPECT_EQ(p.recent_events(0).event_id(), "e2");
  EXPECT_EQ(p.interactions(), 5);
}

// --- Triggers ---

TEST(ApplyEventTest, LifeEventStartsATriggerForItsWindow) {
  v1::Profile p;
  v1::Event e = LifeEvent("e1", "moved_home");
  ToProto(kT0 - 10 * kDay, e.mutable_life_event()->mutable_happened_at());
  ApplyEvent(p, e, kT0);
  ASSERT_EQ(p.triggers_size(), 1);
  EXPECT_EQ(p.triggers(0).kind(), "moved_home");
  EXPECT_EQ(p.triggers(0).event_id(), "e1");
  EXPECT_EQ(FromProto(p.triggers(0).happened_at()), kT0 - 10 * kDay);
  EXPECT_EQ(FromProto(p.triggers(0).expires_at()), kT0 + 50 * kDay);
  EXPECT_TRUE(TriggerActive(p, "moved_home", kT0 + 49 * kDay));
  EXPECT_FALSE(TriggerActive(p, "moved_home", kT0 + 50 * kDay));
  EXPECT_FALSE(TriggerActive(p, "married", kT0));
}

TEST(ApplyEventTest, UnknownLifeEventKindUsesTheDefaultWindow) {
  v1::Profile p;
  ApplyEvent(p, LifeEvent("e1", "won_lottery"), kT0);
  ASSERT_EQ(p.triggers_size(), 1);
  EXPECT_EQ(FromProto(p.triggers(0).expires_at()), kT0 + 30 * kDay);
}

TEST(ApplyEventTest, ExpiredTriggersArePrunedOnApply) {
  v1::Profile p;
  ApplyEvent(p, LifeEvent("e1", "won_lottery"), kT0);
  ApplyEvent(p, LifeEvent("e2", "married"), kT0);
  ApplyEvent(p, PageView("e3"), kT0 + 30 * kDay);
  ASSERT_EQ(p.triggers_size(), 1);
  EXPECT_EQ(p.triggers(0).kind(), "married");
}

TEST(ApplyEventTest, NewerLifeEventRefreshesOlderDoesNot) {
  v1::Profile p;
  ApplyEvent(p, LifeEvent("e1", "moved_home"), kT0);
  ApplyEvent(p, At(LifeEvent("e0", "moved_home"), kT0 - 5 * kDay), kT0 + kDay);
  ASSERT_EQ(p.triggers_size(), 1);
  EXPECT_EQ(p.triggers(0).event_id(), "e1");
  ApplyEvent(p, LifeEvent("e2", "moved_home"), kT0 + 2 * kDay);
  ASSERT_EQ(p.triggers_size(), 1);
  EXPECT_EQ(p.triggers(0).event_id(), "e2");
  EXPECT_EQ(FromProto(p.triggers(0).expires_at()), kT0 + 62 * kDay);
}

TEST(ApplyEventTest, LifeEventOverAlreadyAddsNoTrigger) {
  v1::Profile p;
  v1::Event e = LifeEvent("e1", "moved_home");
  ToProto(kT0 - 61 * kDay, e.mutable_life_event()->mutable_happened_at());
  ApplyEvent(p, e, kT0);
  EXPECT_EQ(p.triggers_size(), 0);
}

// --- Service signals ---

TEST(ApplyEventTest, ComplaintAddsSeverityWeightedDecayedCount) {
  v1::Profile p;
  ApplyEvent(p, Complaint("e1", 3, "billing"), kT0);
  ApplyEvent(p, Complaint("e2", 3, "outage"), kT0 + 90 * kDay);
  EXPECT_EQ(p.service().complaints().value(), 1.5);
  EXPECT_EQ(p.service().complaints_total(), 2);
  EXPECT_EQ(FromProto(p.service().last_complaint()), kT0 + 90 * kDay);
  v1::Profile q;
  ApplyEvent(q, Complaint("e1", 5, "outage"), kT0);
  EXPECT_NEAR(q.service().complaints().value(), 5.0 / 3, 1e-15);
}

TEST(ApplyEventTest, NewestNpsWins) {
  v1::Profile p;
  ApplyEvent(p, Nps("e1", 9), kT0);
  ApplyEvent(p, At(Nps("e0", 2), kT0 - kDay), kT0);
  EXPECT_EQ(p.service().last_nps(), 9);
  ApplyEvent(p, Nps("e2", 3), kT0 + kDay);
  EXPECT_EQ(p.service().last_nps(), 3);
  EXPECT_EQ(FromProto(p.service().last_nps_at()), kT0 + kDay);
}

// --- Consent ---

TEST(ApplyEventTest, ConsentChangeIsRecordedPerChannel) {
  v1::Profile p;
  ApplyEvent(p, Consent("e1", v1::CHANNEL_EMAIL, false), kT0);
  ASSERT_EQ(p.consents_size(), 1);
  EXPECT_EQ(p.consents(0).channel(), v1::CHANNEL_EMAIL);
  EXPECT_FALSE(p.consents(0).opted_in());
  EXPECT_EQ(p.consents(0).source(), "test");
  EXPECT_EQ(FromProto(p.consents(0).at()), kT0);
  EXPECT_FALSE(MarketingAllowed(p, v1::CHANNEL_EMAIL));
  EXPECT_TRUE(MarketingAllowed(p, v1::CHANNEL_SMS));
}

TEST(ConsentTest, NewerDecisionWinsOlderIsIgnored) {
  v1::Profile p;
  ApplyConsent(p, v1::CHANNEL_SMS, false, kT0, "web_preferences");
  ApplyConsent(p, v1::CHANNEL_SMS, true, kT0 - kDay, "crm_import");
  EXPECT_FALSE(MarketingAllowed(p, v1::CHANNEL_SMS));
  EXPECT_EQ(p.consents(0).source(), "web_preferences");
  ApplyConsent(p, v1::CHANNEL_SMS, true, kT0 + kDay, "app");
  EXPECT_TRUE(MarketingAllowed(p, v1::CHANNEL_SMS));
  EXPECT_EQ(p.consents_size(), 1);
}

TEST(ConsentTest, OptOutOfMarketingAsAWholeBlocksEveryChannel) {
  v1::Profile p;
  ApplyConsent(p, v1::CHANNEL_EMAIL, true, kT0, "x");
  ApplyConsent(p, v1::CHANNEL_UNSPECIFIED, false, kT0, "x");
  EXPECT_FALSE(MarketingAllowed(p, v1::CHANNEL_EMAIL));
  EXPECT_FALSE(MarketingAllowed(p, v1::CHANNEL_WEB));
  EXPECT_FALSE(MarketingAllowed(p, v1::CHANNEL_UNSPECIFIED));
}

// --- Contacts ---

TEST(ContactTest, CountsOutcomesPerOffer) {
  v1::Profile p;
  RecordContact(p, "fibre", v1::OUTCOME_PRESENTED, kT0);
  RecordContact(p, "fibre", v1::OUTCOME_PRESENTED, kT0 - kDay);
  RecordContact(p, "fibre", v1::OUTCOME_DECLINED, kT0);
  RecordContact(p, "tv", v1::OUTCOME_ACCEPTED, kT0);
  RecordContact(p, "tv", v1::OUTCOME_IGNORED, kT0 + kDay);
  RecordContact(p, "tv", v1::OUTCOME_UNSPECIFIED, kT0);
  ASSERT_EQ(p.contacts_size(), 2);
  const v1::OfferContact& fibre = p.contacts(0);
  EXPECT_EQ(fibre.offer_id(), "fibre");
  EXPECT_EQ(fibre.presented(), 2);
  EXPECT_EQ(fibre.declined(), 1);
  EXPECT_EQ(fibre.accepted(), 0);
  EXPECT_EQ(FromProto(fibre.last_presented()), kT0);
  EXPECT_EQ(FromProto(fibre.last_declined()), kT0);
  EXPECT_FALSE(fibre.has_last_accepted());
  const v1::OfferContact& tv = p.contacts(1);
  EXPECT_EQ(tv.accepted(), 1);
  EXPECT_EQ(tv.ignored(), 1);
  EXPECT_EQ(FromProto(tv.last_accepted()), kT0);
  EXPECT_EQ(FromProto(tv.last_ignored()), kT0 + kDay);
}

struct IgnoredStreakCase {
  std::string name;
  std::vector<std::pair<v1::Outcome, absl::Duration>> outcomes;  // outcome at kT0 + offset
  int64_t streak;
};

TEST(ContactTest, IgnoredStreakCountsIgnoresSinceTheLastAnswer) {
  constexpr v1::Outcome kP = v1::OUTCOME_PRESENTED;
  constexpr v1::Outcome kA = v1::OUTCOME_ACCEPTED;
  constexpr v1::Outcome kD = v1::OUTCOME_DECLINED;
  constexpr v1::Outcome kI = v1::OUTCOME_IGNORED;
  const std::vector<IgnoredStreakCase> cases = {
      {"none", {}, 0},
      {"one ignore", {{kI, kDay}}, 1},
      {"three ignores", {{kI, kDay}, {kI, 2 * kDay}, {kI, 3 * kDay}}, 3},
      {"presented leaves it", {{kI, kDay}, {kP, 2 * kDay}, {kI, 3 * kDay}, {kP, 4 * kDay}}, 2},
      {"accepted resets", {{kI, kDay}, {kI, 2 * kDay}, {kA, 3 * kDay}}, 0},
      {"declined resets", {{kI, kDay}, {kD, 2 * kDay}}, 0},
      {"counts again after a reset", {{kI, kDay}, {kD, 2 * kDay}, {kI, 3 * kDay}}, 1},
      {"accepted then ignores", {{kA, kDay}, {kI, 2 * kDay}, {kI, 3 * kDay}}, 2},
      {"unspecified changes nothing", {{kI, kDay}, {v1::OUTCOME_UNSPECIFIED, 2 * kDay}}, 1},
      {"late ignore before the last answer", {{kD, 2 * kDay}, {kI, kDay}}, 0},
      {"ignore at the same time as the answer counts", {{kA, kDay}, {kI, kDay}}, 1},
  };
  for (const IgnoredStreakCase& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Profile p;
    RecordContact(p, "tv", v1::OUTCOME_PRESENTED, kT0);
    for (const auto& [outcome, offset] : c.outcomes) RecordContact(p, "tv", outcome, kT0 + offset);
    ASSERT_EQ(p.contacts_size(), 1);
    EXPECT_EQ(p.contacts(0).ignored_streak(), c.streak);
  }
}

TEST(ContactTest, IgnoredStreakIsPerOffer) {
  v1::Profile p;
  RecordContact(p, "tv", v1::OUTCOME_IGNORED, kT0);
  RecordContact(p, "tv", v1::OUTCOME_IGNORED, kT0 + kDay);
  RecordContact(p, "fibre", v1::OUTCOME_IGNORED, kT0);
  RecordContact(p, "fibre", v1::OUTCOME_ACCEPTED, kT0 + kDay);
  ASSERT_EQ(p.contacts_size(), 2);
  EXPECT_EQ(p.contacts(0).ignored_streak(), 2);
  EXPECT_EQ(p.contacts(0).ignored(), 2);
  EXPECT_EQ(p.contacts(1).ignored_streak(), 0);
  EXPECT_EQ(p.contacts(1).ignored(), 1);
}

// --- Segment history (RecordSegment, core/segmentation.cc) ---

TEST(SegmentHistoryTest, RecordsTransitionsBounded) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  ASSERT_NE(strategy, nullptr);
  ProfileSettings s;
  s.segment_history = 2;
  v1::Profile p;
  EXPECT_TRUE(RecordSegment(p, *strategy, 1, kT0, s));
  EXPECT_FALSE(RecordSegment(p, *strategy, 1, kT0 + kDay, s));
  EXPECT_TRUE(RecordSegment(p, *strategy, 0, kT0 + 2 * kDay, s));
  ASSERT_EQ(p.segment_history_size(), 2);
  EXPECT_EQ(p.segment_history(0).from(), "");
  EXPECT_EQ(p.segment_history(0).to(), "everyone");
  EXPECT_EQ(FromProto(p.segment_history(0).at()), kT0);
  EXPECT_EQ(p.segment_history(0).strategy_version(), "test-1");
  EXPECT_EQ(p.segment_history(1).from(), "everyone");
  EXPECT_EQ(p.segment_history(1).to(), "broadband");
  EXPECT_TRUE(RecordSegment(p, *strategy, 1, kT0 + 3 * kDay, s));
  ASSERT_EQ(p.segment_history_size(), 2);
  EXPECT_EQ(p.segment_history(0).to(), "broadband");
  EXPECT_EQ(p.segment_history(1).from(), "broadband");
  EXPECT_EQ(p.segment_history(1).to(), "everyone");
  EXPECT_EQ(FromProto(p.segment_history(1).at()), kT0 + 3 * kDay);
}

}  // namespace
}  // namespace nbo::core
