#include "core/apply_event.h"

#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;
using testing::PageView;
using testing::Purchase;

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

}  // namespace
}  // namespace nbo::core
