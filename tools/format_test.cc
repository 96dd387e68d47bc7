#include "tools/format.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::HasSubstr;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

// 2024-05-01T10:00:00Z
constexpr char kMay1[] = "seconds: 1714557600";

TEST(FormatTest, TimestampIsUtcIso) {
  EXPECT_EQ(FormatTimestamp(Parse<google::protobuf::Timestamp>(kMay1)), "2024-05-01T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(google::protobuf::Timestamp()), "-");
}

TEST(FormatTest, DecisionForAnAgent) {
  const auto response = Parse<v1::DecideResponse>(std::string(R"pb(
                                                    decision_id: "d-42"
                                                    customer_id: "c-1001"
                                                    segment_id: "young_families"
                                                    segment_name: "Young families"
                                                    strategy_version: "2024.05.1"
                                                    decided_at {)pb") +
                                                  kMay1 + R"pb(}
                                                               offers {
      offer_id: "fibre-1g"
      name: "Fibre 1 Gbit"
      kind: OFFER_KIND_UPSELL
      score: 3.25
      reason: "You have broadband with us since 2021; fibre doubles the speed."
    }
    offers {
      offer_id: "tv-kids"
      name: "Kids TV pack"
      kind: OFFER_KIND_CROSS_SELL
      score: 0.123456
      reason: "Families like yours often add the kids pack."
    }
  )pb");
  EXPECT_EQ(FormatDecision(response),
            "Decision      d-42 at 2024-05-01T10:00:00Z\n"
            "Customer      c-1001\n"
            "Segment       Young families (young_families)\n"
            "Strategy      2024.05.1\n"
            "Offers        2\n"
            "  1. Fibre 1 Gbit (fibre-1g), upsell, score 3.25\n"
            "     You have broadband with us since 2021; fibre doubles the speed.\n"
            "  2. Kids TV pack (tv-kids), cross_sell, score 0.1235\n"
            "     Families like yours often add the kids pack.\n");
}

TEST(FormatTest, FallbackDecisionShowsCause) {
  const auto response = Parse<v1::DecideResponse>(
      R"pb(
        decision_id: "d-43" customer_id: "c-1" fallback: true fallback_cause: "no_eligible_offer"
      )pb");
  EXPECT_EQ(FormatDecision(response),
            "Decision      d-43 at -\n"
            "Customer      c-1\n"
            "Segment       -\n"
            "Strategy      -\n"
            "Fallback      yes (no_eligible_offer)\n"
            "Offers        none\n");
}

TEST(FormatTest, ProfileSingleCustomerView) {
  const auto response = Parse<v1::GetProfileResponse>(R"pb(
    profile {
      customer_id: "c-1001"
      identities { source: "loyalty" external_id: "L-77812" }
      identities { source: "web" external_id: "ck-9" }
      first_seen { seconds: 1704189600 }
      last_seen { seconds: 1714557600 }
      interactions: 12
      channel_usage {
        channel: CHANNEL_WEB
        interactions: 8
        last_seen { seconds: 1714557600 }
      }
      channel_usage {
        channel: CHANNEL_CALL_CENTRE
        interactions: 4
        last_seen { seconds: 1704189600 }
      }
      holdings {
        product: "broadband"
        category: "internet"
        since { seconds: 1704189600 }
      }
      holdings {
        product: "tv"
        since { seconds: 1714557600 }
      }
      purchases: 3
      monetary_total: 120.5
      margin_total: 30
      segment_id: "young_families"
      segment_since { seconds: 1714557600 }
      segment_strategy_version: "2024.05.1"
    }
    highlights: "Moved home 3 days ago"
    highlights: "Complained about an outage last week"
  )pb");
  EXPECT_EQ(FormatProfile(response),
            "Customer      c-1001\n"
            "Identities    loyalty:L-77812, web:ck-9\n"
            "First seen    2024-01-02T10:00:00Z\n"
            "Last seen     2024-05-01T10:00:00Z\n"
            "Interactions  12\n"
            "  web               8  last 2024-05-01T10:00:00Z\n"
            "  call_centre       4  last 2024-01-02T10:00:00Z\n"
            "Holdings      2\n"
            "  broadband (internet) since 2024-01-02T10:00:00Z\n"
            "  tv since 2024-05-01T10:00:00Z\n"
            "Purchases     3\n"
            "Monetary      120.50\n"
            "Margin        30.00\n"
            "Segment       young_families since 2024-05-01T10:00:00Z (strategy 2024.05.1)\n"
            "Highlights\n"
            "  - Moved home 3 days ago\n"
            "  - Complained about an outage last week\n");
}

TEST(FormatTest, EmptyProfileSaysNone) {
  const auto response = Parse<v1::GetProfileResponse>(R"pb(profile { customer_id: "c-2" })pb");
  const std::string text = FormatProfile(response);
  EXPECT_THAT(text, HasSubstr("Identities    none\n"));
  EXPECT_THAT(text, HasSubstr("Holdings      none\n"));
  EXPECT_THAT(text, HasSubstr("Segment       none yet\n"));
  EXPECT_THAT(text, HasSubstr("Highlights    none\n"));
}

TEST(FormatTest, StrategyInfoWithWarningsAndDocument) {
  const auto response = Parse<v1::GetStrategyResponse>(R"pb(
    info {
      version: "2024.05.1"
      name: "Spring"
      checksum: "ab12"
      loaded_at { seconds: 1714557600 }
      source: "/etc/nbo/strategy.json"
      segments: 5
      offers: 12
      warnings { location: "offers[3].channels[0]" message: "channel never used" warning: true }
    }
    document_json: "{\"version\": \"2024.05.1\"}"
  )pb");
  EXPECT_EQ(FormatGetStrategy(response),
            "Strategy      2024.05.1 \"Spring\"\n"
            "Checksum      ab12\n"
            "Loaded        2024-05-01T10:00:00Z from /etc/nbo/strategy.json\n"
            "Contents      5 segments, 12 offers\n"
            "Warnings      1\n"
            "  offers[3].channels[0]: channel never used\n"
            "\n"
            "{\"version\": \"2024.05.1\"}\n");
}

TEST(FormatTest, ReloadNamesOldAndNewVersion) {
  const auto response = Parse<v1::ReloadStrategyResponse>(R"pb(
    info { version: "v2" source: "inline" segments: 1 offers: 2 }
    previous_version: "v1"
  )pb");
  EXPECT_EQ(FormatReload(response),
            "Reloaded strategy v2 (was v1)\n"
            "Strategy      v2\n"
            "Checksum      -\n"
            "Loaded        - from inline\n"
            "Contents      1 segments, 2 offers\n"
            "Warnings      none\n");
}

TEST(FormatTest, JsonKeepsProtoFieldNames) {
  const auto response = Parse<v1::DecideResponse>(R"pb(
    decision_id: "d-1"
    offers { offer_id: "o-1" kind: OFFER_KIND_RETENTION }
  )pb");
  absl::StatusOr<std::string> json = ToJson(response);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"decision_id\": \"d-1\""));
  EXPECT_THAT(*json, HasSubstr("\"offer_id\": \"o-1\""));
  EXPECT_THAT(*json, HasSubstr("\"OFFER_KIND_RETENTION\""));
  EXPECT_EQ(json->back(), '\n');
}

}  // namespace
}  // namespace nbo::tools
