#include "tools/enum_names.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(EnumNamesTest, ParsesEveryChannelByItsLowerCaseName) {
  EXPECT_EQ(*ParseChannel("web"), v1::CHANNEL_WEB);
  EXPECT_EQ(*ParseChannel("mobile_app"), v1::CHANNEL_MOBILE_APP);
  EXPECT_EQ(*ParseChannel("call_centre"), v1::CHANNEL_CALL_CENTRE);
  EXPECT_EQ(*ParseChannel("store"), v1::CHANNEL_STORE);
  EXPECT_EQ(*ParseChannel("email"), v1::CHANNEL_EMAIL);
  EXPECT_EQ(*ParseChannel("sms"), v1::CHANNEL_SMS);
  EXPECT_EQ(*ParseChannel("chat"), v1::CHANNEL_CHAT);
}

TEST(EnumNamesTest, UnknownChannelListsValidNames) {
  absl::StatusOr<v1::Channel> channel = ParseChannel("fax");
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(channel.status().message(),
            "unknown channel \"fax\"; valid channels: web, mobile_app, call_centre, store, email, "
            "sms, chat");
}

TEST(EnumNamesTest, RejectsUnspecifiedAndEmpty) {
  EXPECT_EQ(ParseChannel("unspecified").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseChannel("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseChannel("CHANNEL_WEB").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EnumNamesTest, ChannelNamesAreInEnumOrder) {
  EXPECT_THAT(ChannelNames(),
              ElementsAre("web", "mobile_app", "call_centre", "store", "email", "sms", "chat"));
}

TEST(EnumNamesTest, NamesChannelsAndOfferKinds) {
  EXPECT_EQ(ChannelName(v1::CHANNEL_CALL_CENTRE), "call_centre");
  EXPECT_EQ(ChannelName(static_cast<v1::Channel>(99)), "99");
  EXPECT_EQ(OfferKindName(v1::OFFER_KIND_CROSS_SELL), "cross_sell");
  EXPECT_EQ(OfferKindName(v1::OFFER_KIND_UPSELL), "upsell");
  EXPECT_EQ(OfferKindName(v1::OFFER_KIND_UNSPECIFIED), "unspecified");
}

}  // namespace
}  // namespace nbo::tools
