#include "tools/format.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

// A piece of human output that some responses show and others leave out.
struct OutputCase {
  std::string name;
  std::string response;              // text-format proto
  std::vector<std::string> present;  // substrings the output must contain
  std::vector<std::string> absent;   // substrings it must not contain
};

template <typename Response>
void ExpectOutput(const std::vector<OutputCase>& cases, std::string (*format)(const Response&)) {
  for (const OutputCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string out = format(Parse<Response>(c.response));
    for (const std::string& piece : c.present) EXPECT_THAT(out, HasSubstr(piece));
    for (const std::string& piece : c.absent) EXPECT_THAT(out, Not(HasSubstr(piece)));
  }
}

TEST(FormatTest, DecisionShowsOptionalPiecesOnlyWhenSet) {
  ExpectOutput<v1::DecideResponse>(
      {
          {"micro-segment next to the segment",
           R"pb(segment_id: "families" segment_name: "Families" micro_segment_id: "high_value")pb",
           {"Segment       Families (families), micro-segment high_value\n"},
           {}},
          {"no micro-segment",
           R"pb(segment_id: "families" segment_name: "Families")pb",
           {"Segment       Families (families)\n"},
           {"micro-segment"}},
          {"fallback with its cause",
           R"pb(fallback: true fallback_cause: "budget_exhausted")pb",
           {"Fallback      yes (budget_exhausted)\n"},
           {}},
          {"fallback without a cause",
           R"pb(fallback: true)pb",
           {"Fallback      yes (no cause given)\n"},
           {}},
          {"no fallback", R"pb(decision_id: "d-1")pb", {}, {"Fallback"}},
          {"consent note",
           R"pb(consent_note: "Opted out of marketing on web: service offers only.")pb",
           {"Consent       Opted out of marketing on web: service offers only.\n"},
           {}},
          {"no consent note", R"pb(decision_id: "d-1")pb", {}, {"Consent"}},
          {"paced offer",
           R"pb(offers {
                  offer_id: "tv"
                  kind: OFFER_KIND_CROSS_SELL
                  score: 2.5
                  parts { pacing: 0.8 }
                })pb",
           {"  1. tv (tv), cross_sell, score 2.5 (pacing x0.80)\n"},
           {}},
          {"offer ahead of plan",
           R"pb(offers {
                  offer_id: "tv"
                  kind: OFFER_KIND_CROSS_SELL
                  score: 2.5
                  parts { pacing: 1.25 }
                })pb",
           {"score 2.5 (pacing x1.25)\n"},
           {}},
          {"unpaced offer",
           R"pb(offers {
                  offer_id: "tv"
                  kind: OFFER_KIND_CROSS_SELL
                  score: 2.5
                  parts { propensity: 0.5 value: 5 weight: 1 context: 1 pacing: 1 }
                })pb",
           {"  1. tv (tv), cross_sell, score 2.5\n"},
           {"pacing"}},
          {"pacing not reported",
           R"pb(offers { offer_id: "tv" kind: OFFER_KIND_CROSS_SELL score: 2.5 })pb",
           {"score 2.5\n"},
           {"pacing"}},
      },
      &FormatDecision);
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
      rfm {
        frequency {
          value: 7.4167
          at { seconds: 1714557600 }
        }
        monetary {
          value: 95.1
          at { seconds: 1714557600 }
        }
        last_purchase { seconds: 1714557600 }
      }
      value { actual: 30 potential: 340 total: 370 retention_probability: 0.824 }
      interests {
        category: "mobile"
        score { value: 0.5 }
      }
      interests {
        category: "broadband"
        score { value: 3.2 }
      }
      interests {
        category: "devices"
        score { value: 0.1 }
      }
      interests {
        category: "tv"
        score { value: 1.1 }
      }
      interests {
        category: "insurance"
        score { value: 0.05 }
      }
      interests {
        category: "addons"
        score { value: 0.5 }
      }
      recent_events {
        kind: "page_view"
        channel: CHANNEL_WEB
        occurred_at { seconds: 1704189600 }
        summary: "viewed broadband_basic"
      }
      recent_events {
        kind: "search"
        channel: CHANNEL_MOBILE_APP
        occurred_at { seconds: 1704276000 }
        summary: "searched \"fibre\""
      }
      recent_events {
        kind: "app_open"
        channel: CHANNEL_MOBILE_APP
        occurred_at { seconds: 1704362400 }
      }
      recent_events {
        kind: "page_view"
        channel: CHANNEL_WEB
        occurred_at { seconds: 1704448800 }
        summary: "viewed tv_basic"
      }
      recent_events {
        kind: "cart_add"
        channel: CHANNEL_WEB
        occurred_at { seconds: 1704535200 }
        summary: "added tv_basic"
      }
      recent_events {
        kind: "purchase"
        channel: CHANNEL_STORE
        occurred_at { seconds: 1704621600 }
        summary: "bought tv_basic (20.00)"
      }
      recent_events {
        kind: "call_started"
        channel: CHANNEL_CALL_CENTRE
        occurred_at { seconds: 1704708000 }
        summary: "called: billing"
      }
      recent_events {
        kind: "complaint"
        channel: CHANNEL_EMAIL
        occurred_at { seconds: 1704794400 }
        summary: "complained: outage (3)"
      }
      recent_events {
        kind: "survey_answer"
        channel: CHANNEL_SMS
        occurred_at { seconds: 1704880800 }
        summary: "NPS 6"
      }
      recent_events {
        kind: "life_event"
        channel: CHANNEL_CALL_CENTRE
        occurred_at { seconds: 1704967200 }
        summary: "moved_home"
      }
      recent_events {
        kind: "product_removed"
        channel: CHANNEL_CALL_CENTRE
        occurred_at { seconds: 1705053600 }
        summary: "removed tv_basic (cancelled)"
      }
      recent_events {
        kind: "consent_change"
        channel: CHANNEL_WEB
        occurred_at { seconds: 1714557600 }
        summary: "opted out of email"
      }
      triggers {
        kind: "moved_home"
        happened_at { seconds: 1704967200 }
        expires_at { seconds: 1719792000 }
      }
      triggers {
        kind: "new_child"
        expires_at { seconds: 1735689600 }
      }
      service {
        complaints { value: 1.4 }
        complaints_total: 3
        last_complaint { seconds: 1704794400 }
        last_nps: 6
        last_nps_at { seconds: 1704880800 }
      }
      segment_history {
        to: "new_prospect"
        at { seconds: 1704189600 }
        strategy_version: "v1"
      }
      segment_history {
        from: "new_prospect"
        to: "engaged_prospect"
        at { seconds: 1704276000 }
      }
      segment_history {
        from: "engaged_prospect"
        to: "tv_household"
        at { seconds: 1704621600 }
      }
      segment_history {
        from: "tv_household"
        to: "retention_risk"
        at { seconds: 1704708000 }
      }
      segment_history {
        from: "retention_risk"
        to: "tv_household"
        at { seconds: 1704880800 }
      }
      segment_history {
        from: "tv_household"
        to: "young_families"
        at { seconds: 1714557600 }
        strategy_version: "2024.05.1"
      }
      consents { channel: CHANNEL_SMS opted_in: true }
      consents { channel: CHANNEL_EMAIL opted_in: false }
      consents { channel: CHANNEL_UNSPECIFIED opted_in: false }
      merged_ids: "c-1077"
      merged_ids: "c-1078"
    }
    highlights: "Moved home 3 days ago"
    highlights: "Complained about an outage last week"
  )pb");
  EXPECT_EQ(FormatProfile(response),
            "Customer      c-1001\n"
            "Identities    loyalty:L-77812, web:ck-9\n"
            "Merged ids    c-1077, c-1078\n"
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
            "Value         actual 30.00, potential 340.00, total 370.00, retention 82%\n"
            "RFM           frequency 7.42, monetary 95.10 (decayed, as of 2024-05-01T10:00:00Z), "
            "last purchase "
            "2024-05-01T10:00:00Z\n"
            "Interests     broadband 3.20, tv 1.10, addons 0.50, mobile 0.50, devices 0.10\n"
            "Segment       young_families since 2024-05-01T10:00:00Z (strategy 2024.05.1)\n"
            "Segment log\n"
            "  2024-05-01T10:00:00Z  tv_household -> young_families (strategy 2024.05.1)\n"
            "  2024-01-10T10:00:00Z  retention_risk -> tv_household\n"
            "  2024-01-08T10:00:00Z  tv_household -> retention_risk\n"
            "  2024-01-07T10:00:00Z  engaged_prospect -> tv_household\n"
            "  2024-01-03T10:00:00Z  new_prospect -> engaged_prospect\n"
            "Triggers      moved_home until 2024-07-01T00:00:00Z, new_child until "
            "2025-01-01T00:00:00Z\n"
            "Service       3 complaints (weight 1.40), last 2024-01-09T10:00:00Z; last NPS 6 "
            "(2024-01-10T10:00:00Z)\n"
            "Consents      opted out of email, all marketing\n"
            "Recent events 10 of 12\n"
            "  2024-05-01T10:00:00Z  web         consent_change  opted out of email\n"
            "  2024-01-12T10:00:00Z  call_centre product_removed removed tv_basic (cancelled)\n"
            "  2024-01-11T10:00:00Z  call_centre life_event      moved_home\n"
            "  2024-01-10T10:00:00Z  sms         survey_answer   NPS 6\n"
            "  2024-01-09T10:00:00Z  email       complaint       complained: outage (3)\n"
            "  2024-01-08T10:00:00Z  call_centre call_started    called: billing\n"
            "  2024-01-07T10:00:00Z  store       purchase        bought tv_basic (20.00)\n"
            "  2024-01-06T10:00:00Z  web         cart_add        added tv_basic\n"
            "  2024-01-05T10:00:00Z  web         page_view       viewed tv_basic\n"
            "  2024-01-04T10:00:00Z  mobile_app  app_open\n"
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
  EXPECT_THAT(text, HasSubstr("Merged ids    none\n"));
  EXPECT_THAT(text, HasSubstr("Value         actual 0.00, potential 0.00, total 0.00, "
                              "retention 0%\n"));
  EXPECT_THAT(text, HasSubstr("RFM           frequency 0.00, monetary 0.00 (decayed)\n"));
  EXPECT_THAT(text, HasSubstr("Interests     none\n"));
  EXPECT_THAT(text, HasSubstr("Segment log   none\n"));
  EXPECT_THAT(text, HasSubstr("Triggers      none\n"));
  EXPECT_THAT(text, HasSubstr("Service       no complaints; no NPS\n"));
  EXPECT_THAT(text, HasSubstr("Consents      no opt-outs\n"));
  EXPECT_THAT(text, HasSubstr("Recent events none\n"));
}

TEST(FormatTest, ProfileWithFewEventsAndOneComplaint) {
  const auto response = Parse<v1::GetProfileResponse>(R"pb(
    profile {
      customer_id: "c-3"
      recent_events { kind: "app_open" channel: CHANNEL_MOBILE_APP summary: "opened home" }
      service {
        complaints_total: 1
        complaints { value: 0.333 }
        last_nps: 0
      }
    }
  )pb");
  const std::string text = FormatProfile(response);
  EXPECT_THAT(text, HasSubstr("Recent events 1\n  -  mobile_app  app_open        opened home\n"));
  EXPECT_THAT(text, HasSubstr("Service       1 complaint (weight 0.33), last -; last NPS 0 (-)\n"));
}

TEST(FormatTest, LinkSaysWhetherProfilesMerged) {
  v1::LinkIdentityRequest request;
  request.mutable_customer()->set_customer_id("c-2001");
  request.mutable_identity()->set_source("loyalty");
  request.mutable_identity()->set_external_id("L-1001");
  v1::LinkIdentityResponse response;
  response.set_customer_id("c-2001");
  EXPECT_EQ(FormatLink(request, response),
            "Linked        loyalty:L-1001 -> c-2001\n"
            "Merged        no\n");
  response.set_merged(true);
  response.set_absorbed_customer_id("c-2017");
  EXPECT_EQ(FormatLink(request, response),
            "Linked        loyalty:L-1001 -> c-2001\n"
            "Merged        yes: c-2017 was merged into c-2001\n");
}

TEST(FormatTest, ConsentAndForget) {
  v1::UpdateConsentRequest consent;
  consent.mutable_customer()->set_customer_id("c-2001");
  consent.set_channel(v1::CHANNEL_EMAIL);
  consent.set_source("web_preferences");
  EXPECT_EQ(FormatConsent(consent),
            "Consent       c-2001 opted out of email (source web_preferences)\n");
  consent.set_channel(v1::CHANNEL_UNSPECIFIED);
  consent.set_opted_in(true);
  consent.clear_source();
  EXPECT_EQ(FormatConsent(consent), "Consent       c-2001 opted in to all marketing\n");

  v1::ForgetCustomerRequest forget;
  forget.mutable_customer()->mutable_identity()->set_source("loyalty");
  forget.mutable_customer()->mutable_identity()->set_external_id("L-1");
  v1::ForgetCustomerResponse deleted;
  deleted.set_records_deleted(7);
  EXPECT_EQ(FormatForget(forget, deleted), "Forgot        loyalty:L-1: 7 records deleted\n");
  forget.set_suppress_future_events(true);
  deleted.set_records_deleted(1);
  EXPECT_EQ(FormatForget(forget, deleted),
            "Forgot        loyalty:L-1: 1 record deleted; future events suppressed\n");
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

TEST(FormatTest, ExplainFallbackDecision) {
  const auto response = Parse<v1::ExplainDecisionResponse>(R"pb(
    decision {
      decision_id: "d-7"
      customer_id: "c-1"
      segment_id: "broadband"
      segment_name: "Broadband customers"
      strategy_version: "v3"
      fallback: true
      fallback_cause: "no_eligible_offer"
      decided_at { seconds: 1767225600 }
    }
    event_id: "e-9"
    channel: CHANNEL_EMAIL
    placement: "newsletter"
    segment_rule: "holds(\"broadband_basic\")"
    expires_at { seconds: 1767830400 }
    candidates {
      offer_id: "tv"
      source: "segment"
      score: 10
      outcome: "channel"
      explanation: "Dropped: not offered on email."
    }
    candidates {
      offer_id: "ebill"
      source: "fallback"
      score: 0
      outcome: "chosen"
      rank: 1
      explanation: "Chosen (rank 1): score 0.00 = propensity 0.05 x value 0.00 x weight 1.00 x context 1.00."
    }
  )pb");
  EXPECT_EQ(FormatExplain(response),
            "Decision      d-7 at 2026-01-01T00:00:00Z\n"
            "Customer      c-1\n"
            "Event         e-9 on email, placement newsletter\n"
            "Strategy      v3\n"
            "Segment       Broadband customers (broadband)\n"
            "Rule          holds(\"broadband_basic\")\n"
            "Fallback      yes (no_eligible_offer)\n"
            "Kept until    2026-01-08T00:00:00Z\n"
            "Candidates    2\n"
            "  RANK/OUTCOME  OFFER  SOURCE    SCORE  EXPLANATION\n"
            "  channel       tv     segment   10.00  Dropped: not offered on email.\n"
            "  1             ebill  fallback   0.00  Chosen (rank 1): score 0.00 = propensity 0.05 "
            "x value 0.00 x weight 1.00 x context 1.00.\n");
}

TEST(FormatTest, ExplainWithoutCandidates) {
  const auto response =
      Parse<v1::ExplainDecisionResponse>(R"pb(decision { decision_id: "d-1" })pb");
  EXPECT_THAT(FormatExplain(response), HasSubstr("Rule          -\n"
                                                 "Kept until    -\n"
                                                 "Candidates    none\n"));
}

TEST(FormatTest, ExplainWhatShapedTheDecision) {
  const auto response = Parse<v1::ExplainDecisionResponse>(R"pb(
    decision {
      decision_id: "d-8"
      customer_id: "c-2"
      segment_id: "families"
      segment_name: "Families"
      micro_segment_id: "high_value"
      strategy_version: "v4"
      strategy_checksum: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      decided_at { seconds: 1767225600 }
    }
    event_id: "e-10"
    channel: CHANNEL_CALL_CENTRE
    segment_rule: "true"
    expires_at { seconds: 1767830400 }
    dimension_levels: "value_tier=high"
    dimension_levels: "life_stage=family"
    active_triggers: "moved_home"
    active_context_weights: "cancel_call"
    active_context_weights: "tv_in_view"
    candidates {
      offer_id: "tv_sport"
      source: "trigger"
      score: 3.2
      parts { pacing: 0.8 }
      outcome: "chosen"
      rank: 1
      explanation: "Chosen (rank 1)."
    }
    candidates {
      offer_id: "bb"
      source: "segment"
      score: 2
      parts { pacing: 1 }
      outcome: "ranked_out"
      explanation: "Dropped: ranked 2nd."
    }
    budgets {
      key: "budget/tv_sport/day/2026-01-01/count"
      offer_id: "tv_sport"
      spent: 12
      limit: 40
      plan: 10
      pacing: 0.8
    }
    budgets {
      key: "budget/tv_sport/total/amount"
      offer_id: "tv_sport"
      spent: 1250.5
      limit: 5000
      plan: 5000
      pacing: 1
    }
  )pb");
  EXPECT_EQ(FormatExplain(response),
            "Decision      d-8 at 2026-01-01T00:00:00Z\n"
            "Customer      c-2\n"
            "Event         e-10 on call_centre\n"
            "Strategy      v4 (checksum 0123456789ab)\n"
            "Segment       Families (families), micro-segment high_value\n"
            "Rule          true\n"
            "Dimensions    value_tier=high, life_stage=family\n"
            "Triggers      moved_home\n"
            "Context       cancel_call, tv_in_view\n"
            "Kept until    2026-01-08T00:00:00Z\n"
            "Candidates    2\n"
            "  RANK/OUTCOME  OFFER     SOURCE   SCORE  PACING  EXPLANATION\n"
            "  1             tv_sport  trigger   3.20   x0.80  Chosen (rank 1).\n"
            "  ranked_out    bb        segment   2.00       -  Dropped: ranked 2nd.\n"
            "Budgets       2\n"
            "  KEY                                   OFFER        SPENT/LIMIT  PLAN  PACING\n"
            "  budget/tv_sport/day/2026-01-01/count  tv_sport         12 / 40    10   x0.80\n"
            "  budget/tv_sport/total/amount          tv_sport  1250.50 / 5000  5000   x1.00\n");
}

TEST(FormatTest, ExplainShowsOptionalPiecesOnlyWhenSet) {
  ExpectOutput<v1::ExplainDecisionResponse>(
      {
          {"checksum cut to 12 digits",
           R"pb(decision { strategy_version: "v4" strategy_checksum: "abcdef0123456789ff" })pb",
           {"Strategy      v4 (checksum abcdef012345)\n"},
           {"6789ff"}},
          {"short checksum kept whole",
           R"pb(decision { strategy_version: "v4" strategy_checksum: "abc" })pb",
           {"Strategy      v4 (checksum abc)\n"},
           {}},
          {"no checksum",
           R"pb(decision { strategy_version: "v4" })pb",
           {"Strategy      v4\n"},
           {"checksum"}},
          {"micro-segment",
           R"pb(decision { segment_id: "s" micro_segment_id: "m" })pb",
           {"Segment       s, micro-segment m\n"},
           {}},
          {"fallback cause",
           R"pb(decision { fallback: true fallback_cause: "latency_budget" })pb",
           {"Fallback      yes (latency_budget)\n"},
           {}},
          {"consent note",
           R"pb(decision { consent_note: "Service offers only." })pb",
           {"Consent       Service offers only.\n"},
           {}},
          {"budgets without candidates",
           R"pb(budgets {
                  key: "capacity/retention_desk/hour/2026-01-01T10"
                  spent: 39
                  limit: 40
                  plan: 40
                })pb",
           {"Candidates    none\n"
            "Budgets       1\n",
            "  capacity/retention_desk/hour/2026-01-01T10  -          39 / 40    40       -\n"},
           {}},
          {"nothing optional",
           R"pb(decision { decision_id: "d-1" }
                candidates {
                  offer_id: "bb"
                  outcome: "chosen"
                  rank: 1
                  parts { pacing: 1 }
                })pb",
           {"  RANK/OUTCOME  OFFER  SOURCE  SCORE  EXPLANATION\n"},
           {"micro-segment", "checksum", "Dimensions", "Triggers", "Context", "Fallback", "Consent",
            "PACING", "Budgets"}},
      },
      &FormatExplain);
}

TEST(FormatTest, ValidateListsErrorsBeforeWarnings) {
  const auto response = Parse<v1::ValidateStrategyResponse>(R"pb(
    valid: false
    problems { location: "segments[1].treatments" message: "segment has no offers" warning: true }
    problems { location: "offers[3].channels[0]" message: "unknown channel \"fax\"" }
    problems { message: "no segments" }
  )pb");
  EXPECT_EQ(FormatValidate(response),
            "INVALID\n"
            "Problems      2 errors, 1 warning\n"
            "  error    offers[3].channels[0]: unknown channel \"fax\"\n"
            "  error    (document): no segments\n"
            "  warning  segments[1].treatments: segment has no offers\n");
}

TEST(FormatTest, ValidateWhatIfTables) {
  const auto response = Parse<v1::ValidateStrategyResponse>(R"pb(
    valid: true
    what_if {
      profiles: 1000
      segments { segment_id: "broadband" name: "Broadband customers" customers: 250 share: 0.25 }
      segments { segment_id: "everyone" name: "Everyone" customers: 750 share: 0.75 }
      offers {
        offer_id: "fibre"
        candidates: 250
        wins: 200
        top_wins: 120
        drops { key: "missing_base_product" value: 50 }
        top_drop_reason: "missing_base_product"
      }
      offers { offer_id: "ebill" }
      fallback_decisions: 12
    }
  )pb");
  EXPECT_EQ(FormatValidate(response),
            "VALID\n"
            "Problems      none\n"
            "What-if       1000 profiles on web, 12 answered from the fallback list\n"
            "Segments\n"
            "  SEGMENT    NAME                 CUSTOMERS  SHARE\n"
            "  broadband  Broadband customers        250  25.0%\n"
            "  everyone   Everyone                   750  75.0%\n"
            "Offers\n"
            "  OFFER  CANDIDATES  WINS  TOP WINS  TOP DROP REASON\n"
            "  fibre         250   200       120  missing_base_product (50)\n"
            "  ebill           0     0         0  -\n");
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

TEST(FormatTest, JsonCarriesTheNewExplainFields) {
  const auto response = Parse<v1::ExplainDecisionResponse>(R"pb(
    decision {
      decision_id: "d-1"
      micro_segment_id: "high_value"
      strategy_checksum: "abc"
      fallback: true
      fallback_cause: "budget_exhausted"
      consent_note: "Service offers only."
      offers {
        offer_id: "tv"
        parts { pacing: 0.8 }
      }
    }
    active_triggers: "moved_home"
    active_context_weights: "cancel_call"
    dimension_levels: "value_tier=high"
    candidates {
      offer_id: "tv"
      parts { pacing: 0.8 }
    }
    budgets {
      key: "budget/tv/day/2026-01-01/count"
      offer_id: "tv"
      spent: 3
      limit: 10
      plan: 4
      pacing: 0.8
    }
  )pb");
  absl::StatusOr<std::string> json = ToJson(response);
  ASSERT_TRUE(json.ok()) << json.status();
  for (const char* piece :
       {"\"micro_segment_id\": \"high_value\"", "\"strategy_checksum\": \"abc\"",
        "\"fallback_cause\": \"budget_exhausted\"", "\"consent_note\": \"Service offers only.\"",
        "\"pacing\": 0.8", "\"active_triggers\": [", "\"moved_home\"",
        "\"active_context_weights\": [", "\"dimension_levels\": [", "\"value_tier=high\"",
        "\"budgets\": [", "\"key\": \"budget/tv/day/2026-01-01/count\"", "\"plan\": 4"}) {
    EXPECT_THAT(*json, HasSubstr(piece));
  }
}

}  // namespace
}  // namespace nbo::tools
