#include "core/names.h"

#include "gtest/gtest.h"

namespace nbo::core {
namespace {

TEST(NamesTest, ChannelRoundTrips) {
  EXPECT_EQ(ChannelName(v1::CHANNEL_CALL_CENTRE), "call_centre");
  EXPECT_EQ(ParseChannel("call_centre"), v1::CHANNEL_CALL_CENTRE);
  EXPECT_EQ(ParseChannel("web"), v1::CHANNEL_WEB);
}

TEST(NamesTest, UnknownAndUnspecifiedChannelsAreRefused) {
  EXPECT_EQ(ParseChannel("fax"), std::nullopt);
  EXPECT_EQ(ParseChannel("unspecified"), std::nullopt);
  EXPECT_EQ(ParseChannel(""), std::nullopt);
  EXPECT_EQ(ParseChannel("WEB"), v1::CHANNEL_WEB);  // case-insensitive
}

TEST(NamesTest, ValidChannelNamesExcludeUnspecified) {
  EXPECT_EQ(ChannelNames().front(), "web");
  for (const auto& n : ChannelNames()) EXPECT_NE(n, "unspecified");
}

TEST(NamesTest, OfferKinds) {
  EXPECT_EQ(ParseOfferKind("cross_sell"), v1::OFFER_KIND_CROSS_SELL);
  EXPECT_EQ(OfferKindName(v1::OFFER_KIND_RETENTION), "retention");
  EXPECT_EQ(ParseOfferKind("crosssell"), std::nullopt);
}

TEST(NamesTest, EventKindNameFollowsTheOneof) {
  v1::Event e;
  EXPECT_EQ(EventKindName(e), "");
  e.mutable_life_event();
  EXPECT_EQ(EventKindName(e), "life_event");
  e.mutable_cart_add();
  EXPECT_EQ(EventKindName(e), "cart_add");
  EXPECT_EQ(EventKindNames().size(), 13u);
  EXPECT_EQ(EventKindNames().back(), "product_removed");
}

}  // namespace
}  // namespace nbo::core
