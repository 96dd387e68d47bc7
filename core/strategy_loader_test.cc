#include "core/strategy_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using ::testing::HasSubstr;
using testing::kSmallStrategy;

std::string Edit(absl::string_view from, absl::string_view to) {
  std::string s(kSmallStrategy);
  EXPECT_NE(s.find(std::string(from)), std::string::npos) << from;
  return absl::StrReplaceAll(s, {{from, to}});
}

std::string Errors(absl::string_view json) {
  StrategyLoadResult r = LoadStrategy(json);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.ToStatus().code(), absl::StatusCode::kInvalidArgument);
  return FormatProblems(r.problems, false);
}

TEST(StrategyLoaderTest, LoadsAValidStrategy) {
  StrategyLoadResult r = LoadStrategy(kSmallStrategy);
  ASSERT_TRUE(r.ok()) << FormatProblems(r.problems, false);
  const Strategy& s = *r.strategy;
  EXPECT_EQ(s.document.version(), "test-1");
  EXPECT_EQ(s.offers.size(), 5u);
  EXPECT_EQ(s.segments.size(), 2u);
  EXPECT_EQ(s.offers[0].kind, v1::OFFER_KIND_UPSELL);
  EXPECT_DOUBLE_EQ(s.offers[2].prior_weight, kDefaultPriorWeight);  // default filled in
  EXPECT_TRUE(s.offers[1].AllowedOn(v1::CHANNEL_WEB));
  EXPECT_FALSE(s.offers[1].AllowedOn(v1::CHANNEL_STORE));
  EXPECT_TRUE(s.offers[0].AllowedOn(v1::CHANNEL_STORE));  // no channels = all
  EXPECT_EQ(s.segments[1].treatments[1].offer, 1);
  EXPECT_DOUBLE_EQ(s.segments[0].treatments[1].weight, 2);
  EXPECT_EQ(s.default_max_offers, kDefaultMaxOffers);
  // "*" fills every channel.
  EXPECT_EQ(s.fallbacks[v1::CHANNEL_SMS], std::vector<int>{4});
  EXPECT_TRUE(s.warnings.empty()) << FormatProblems(s.warnings, true);
}

TEST(StrategyLoaderTest, UnknownChannelIsLocated) {
  EXPECT_THAT(
      Errors(Edit(R"("channels": ["web", "call_centre"])", R"("channels": ["web", "fax"])")),
      HasSubstr(R"(offers[1].channels[1]: unknown channel "fax"; one of: web,)"));
}

TEST(StrategyLoaderTest, ReportsEveryProblemNotJustTheFirst) {
  std::string json = Edit(R"("kind": "service")", R"("kind": "gift")");
  json = absl::StrReplaceAll(json, {{R"({"offer_id": "bb"})", R"({"offer_id": "nope"})"},
                                    {R"("margin": 40)", R"("margin": -4)"}});
  const std::string errors = Errors(json);
  EXPECT_THAT(errors, HasSubstr(R"(offers[4].kind: unknown kind "gift")"));
  EXPECT_THAT(errors, HasSubstr(R"(segments[1].treatments[0].offer_id: unknown offer "nope")"));
  EXPECT_THAT(errors, HasSubstr("offers[2].margin: must be a finite number >= 0"));
}

TEST(StrategyLoaderTest, DuplicateIds) {
  EXPECT_THAT(Errors(Edit(R"("id": "bb")", R"("id": "tv")")),
              HasSubstr(R"(offers[2].id: duplicate offer id "tv")"));
  EXPECT_THAT(Errors(Edit(R"("id": "everyone")", R"("id": "broadband")")),
              HasSubstr(R"(segments[1].id: duplicate segment id "broadband")"));
}

TEST(StrategyLoaderTest, BadIdCharacters) {
  EXPECT_THAT(Errors(Edit(R"("id": "bb")", R"("id": "Big Box")")),
              HasSubstr(R"(offers[2].id: "Big Box" must be 1..64 characters of [a-z0-9_-])"));
}

TEST(StrategyLoaderTest, UpsellNeedsBaseProduct) {
  EXPECT_THAT(Errors(Edit(R"("requires_any": ["broadband_basic"], )", "")),
              HasSubstr("offers[0].requires_any: an upsell needs the base product"));
}

TEST(StrategyLoaderTest, HoldOnAcceptAndCategoryNeedAProduct) {
  EXPECT_THAT(Errors(Edit(R"("kind": "service", "margin": 0)",
                          R"("kind": "service", "margin": 0, "hold_on_accept": true)")),
              HasSubstr("offers[4].hold_on_accept: only for an offer with a product"));
  EXPECT_THAT(Errors(Edit(R"("kind": "service", "margin": 0)",
                          R"("kind": "service", "margin": 0, "product_category": "tv")")),
              HasSubstr("offers[4].product_category: only for an offer with a product"));
  StrategyLoadResult ok = LoadStrategy(
      Edit(R"("product": "tv_basic",)",
           R"("product": "tv_basic", "product_category": "tv", "hold_on_accept": false,)"));
  EXPECT_TRUE(ok.ok()) << FormatProblems(ok.problems, false);
}

TEST(StrategyLoaderTest, PriorOutOfRange) {
  EXPECT_THAT(Errors(Edit(R"("prior": {"rate": 0.2})", R"("prior": {"rate": 1.5})")),
              HasSubstr("offers[2].prior.rate: must be in (0, 1), got 1.5"));
}

TEST(StrategyLoaderTest, LastSegmentMustMatchEveryone) {
  EXPECT_THAT(Errors(Edit(R"("rule": "true")", R"("rule": "purchases > 0")")),
              HasSubstr(R"(segments[1].rule: the last segment's rule must be "true")"));
}

TEST(StrategyLoaderTest, RuleErrorsCarryLineAndColumn) {
  const std::string errors =
      Errors(Edit(R"j("rule": "holds(\"broadband_basic\")")j", R"j("rule": "hold(\"x\")")j"));
  EXPECT_THAT(errors, HasSubstr("segments[0].rule:1:1: "));
  EXPECT_THAT(errors, HasSubstr("hold"));
}

TEST(StrategyLoaderTest, RuleMustBeBoolean) {
  EXPECT_THAT(
      Errors(Edit(R"j("rule": "holds(\"broadband_basic\")")j", R"("rule": "purchases + 1")")),
      HasSubstr("segments[0].rule:1:"));
}

TEST(StrategyLoaderTest, EligibilityErrorsAreLocated) {
  EXPECT_THAT(Errors(Edit(R"("eligibility": "call_reason == \"cancel\"")",
                          R"("eligibility": "call_reason == ")")),
              HasSubstr("offers[3].eligibility:1:"));
}

TEST(StrategyLoaderTest, BadReasonTemplate) {
  EXPECT_THAT(Errors(Edit(R"("reason": "Go paperless")", R"("reason": "Hi {name}")")),
              HasSubstr("offers[4].reason: column 4: unknown placeholder {name}"));
}

TEST(StrategyLoaderTest, UnknownFieldIsAnError) {
  EXPECT_THAT(Errors(Edit(R"("margin": 50,)", R"("margn": 50,)")),
              HasSubstr(R"(offers[1].margn: unknown field "margn")"));
}

TEST(StrategyLoaderTest, WrongTypeIsLocated) {
  EXPECT_THAT(Errors(Edit(R"("margin": 50,)", R"("margin": "lots",)")),
              HasSubstr("offers[1].margin: invalid value"));
}

TEST(StrategyLoaderTest, JsonSyntaxErrorHasLineAndColumn) {
  const std::string json = "{\n  \"version\": \"1\"\n  \"offers\": []\n}";
  EXPECT_THAT(Errors(json), HasSubstr("line 3, column 3:"));
}

TEST(StrategyLoaderTest, MissingVersionAndEmptyCatalogue) {
  const std::string errors =
      Errors(R"({"segments": [{"id": "all", "name": "All", "rule": "true"}]})");
  EXPECT_THAT(errors, HasSubstr("version: required"));
  EXPECT_THAT(errors, HasSubstr("offers: at least one offer is required"));
}

TEST(StrategyLoaderTest, FallbackProblems) {
  EXPECT_THAT(Errors(Edit(R"("channel": "*")", R"("channel": "telex")")),
              HasSubstr(R"(fallbacks[0].channel: unknown channel "telex")"));
  EXPECT_THAT(Errors(Edit(R"("offer_ids": ["ebill"])", R"("offer_ids": ["gone"])")),
              HasSubstr(R"(fallbacks[0].offer_ids[0]: unknown offer "gone")"));
}

TEST(StrategyLoaderTest, MissingFallbackIsOnlyAWarning) {
  StrategyLoadResult r = LoadStrategy(Edit(R"("channel": "*")", R"("channel": "web")"));
  ASSERT_TRUE(r.ok()) << FormatProblems(r.problems, false);
  EXPECT_THAT(FormatProblems(r.strategy->warnings, true),
              HasSubstr(R"(fallbacks: no fallback offers for channel "call_centre")"));
  EXPECT_TRUE(r.strategy->fallbacks[v1::CHANNEL_CALL_CENTRE].empty());
}

TEST(StrategyLoaderTest, BadCurrencyAndMaxOffers) {
  std::string json = Edit(R"("currency": "EUR")", R"("currency": "eur", "default_max_offers": 50)");
  const std::string errors = Errors(json);
  EXPECT_THAT(errors, HasSubstr("currency:"));
  EXPECT_THAT(errors, HasSubstr("default_max_offers: must be 1..20"));
}

// kSmallStrategy with `extra` (e.g. a "triggers" member) inserted before "fallbacks".
std::string WithExtra(absl::string_view extra) {
  return Edit(R"("fallbacks": [)", absl::StrCat(extra, R"(, "fallbacks": [)"));
}

TEST(StrategyLoaderTest, CompilesTriggersAndContextWeights) {
  StrategyLoadResult r = LoadStrategy(WithExtra(R"j(
    "triggers": [{"id": "moved", "rule": "trigger(\"moved_home\")", "offer_ids": ["tv", "bb"],
                  "reason_code": "LIFE_EVENT_MOVED_HOME"}],
    "context_weights": [{"id": "cancel", "rule": "call_reason == \"cancel\"",
                         "offer_kinds": ["retention", "service"], "offer_ids": ["loyal"],
                         "weight": 2}])j"));
  ASSERT_TRUE(r.ok()) << FormatProblems(r.problems, false);
  const Strategy& s = *r.strategy;
  ASSERT_EQ(s.triggers.size(), 1u);
  EXPECT_EQ(s.triggers[0].offers, (std::vector<int>{1, 2}));
  EXPECT_DOUBLE_EQ(s.triggers[0].weight, kDefaultTriggerWeight);
  EXPECT_EQ(s.triggers[0].rule.source(), "trigger(\"moved_home\")");
  ASSERT_EQ(s.context_weights.size(), 1u);
  EXPECT_DOUBLE_EQ(s.context_weights[0].weight, 2);
  EXPECT_TRUE(s.context_weights[0].AppliesTo(3, v1::OFFER_KIND_RETENTION));
  EXPECT_FALSE(s.context_weights[0].AppliesTo(4, v1::OFFER_KIND_SERVICE));     // id not listed
  EXPECT_FALSE(s.context_weights[0].AppliesTo(3, v1::OFFER_KIND_CROSS_SELL));  // kind not listed
}

TEST(StrategyLoaderTest, TriggerAndContextWeightErrorsAreLocated) {
  struct Case {
    std::string extra;
    std::string error;
  };
  const std::vector<Case> cases = {
      {R"j("triggers": [{"id": "a", "rule": "true", "offer_ids": ["tv"]},
                       {"id": "a", "rule": "true", "offer_ids": ["tv"]}])j",
       R"j(triggers[1].id: duplicate trigger id "a")j"},
      {R"j("triggers": [{"id": "A!", "rule": "true", "offer_ids": ["tv"]}])j",
       "triggers[0].id: \"A!\" must be 1..64 characters"},
      {R"j("triggers": [{"id": "a", "offer_ids": ["tv"]}])j", "triggers[0].rule: required"},
      {R"j("triggers": [{"id": "a", "rule": "trigger(\"x\") &&", "offer_ids": ["tv"]}])j",
       "triggers[0].rule:1:"},
      {R"j("triggers": [{"id": "a", "rule": "tenure_days", "offer_ids": ["tv"]}])j",
       "triggers[0].rule:1:1"},
      {R"j("triggers": [{"id": "a", "rule": "true"}])j",
       "triggers[0].offer_ids: at least one offer is required"},
      {R"j("triggers": [{"id": "a", "rule": "true", "offer_ids": ["tv", "nope"]}])j",
       R"j(triggers[0].offer_ids[1]: unknown offer "nope")j"},
      {R"j("triggers": [{"id": "a", "rule": "true", "offer_ids": ["tv", "tv"]}])j",
       R"j(triggers[0].offer_ids[1]: offer "tv" listed twice)j"},
      {R"j("triggers": [{"id": "a", "rule": "true", "offer_ids": ["tv"], "weight": -1}])j",
       "triggers[0].weight: must be a finite number > 0, got -1"},
      {R"j("triggers": [{"id": "a", "rule": "true", "offer_ids": ["tv"], "weight": "Infinity"}])j",
       "triggers[0].weight: must be a finite number > 0"},
      {R"j("triggers": [{"id": "a", "rule": "true", "offer_ids": ["tv"], "reason_code": "moved"}])j",
       "triggers[0].reason_code: \"moved\" must be 0..64 characters of [A-Z0-9_]"},
      {R"j("context_weights": [{"id": "w", "rule": "true", "weight": 2},
                              {"id": "w", "rule": "true", "weight": 2}])j",
       R"j(context_weights[1].id: duplicate context weight id "w")j"},
      {R"j("context_weights": [{"id": "w", "rule": "call_reason ==", "weight": 2}])j",
       "context_weights[0].rule:1:"},
      {R"j("context_weights": [{"id": "w", "rule": "true", "offer_kinds": ["gift"], "weight": 2}])j",
       R"j(context_weights[0].offer_kinds[0]: unknown kind "gift"; one of:)j"},
      {R"j("context_weights": [{"id": "w", "rule": "true", "offer_ids": ["nope"], "weight": 2}])j",
       R"j(context_weights[0].offer_ids[0]: unknown offer "nope")j"},
      {R"j("context_weights": [{"id": "w", "rule": "true"}])j",
       "context_weights[0].weight: required, a finite number > 0"},
      {R"j("context_weights": [{"id": "w", "rule": "true", "weight": -0.5}])j",
       "context_weights[0].weight: must be a finite number > 0, got -0.5"},
      {R"j("context_weights": [{"id": "w", "rule": "true", "weight": 2, "kinds": []}])j",
       R"j(unknown field "kinds")j"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.extra);
    EXPECT_THAT(Errors(WithExtra(c.extra)), HasSubstr(c.error));
  }
}

}  // namespace
}  // namespace nbo::core
