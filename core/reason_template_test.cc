#include "core/reason_template.h"

#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/test_util.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using testing::kT0;

TEST(ReasonTemplateTest, FillsEveryPlaceholder) {
  v1::Profile p;
  p.set_purchases(3);
  p.set_interactions(7);
  auto* h = p.add_holdings();
  h->set_product("broadband_basic");
  ToProto(kT0 - absl::Hours(24 * 400), h->mutable_since());
  auto t = ReasonTemplate::Parse(
      "{offer}|{segment}|{product}|{months_held:broadband_basic}|{purchases}|{interactions}|{{x}}");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Render({"Fibre", "Families", "fibre", &p, kT0}), "Fibre|Families|fibre|13|3|7|{x}");
}

TEST(ReasonTemplateTest, HeldForAndInterestInWords) {
  struct Case {
    absl::Duration held;
    std::string words;
  };
  for (const Case& tc : std::vector<Case>{{absl::Hours(24 * 3 * 366), "3 years"},
                                          {absl::Hours(24 * 370), "1 year"},
                                          {absl::Hours(24 * 220), "7 months"},
                                          {absl::Hours(24 * 15), "2 weeks"},
                                          {absl::Hours(30), "a few days"}}) {
    v1::Profile p;
    testing::Hold(p, "broadband_basic", kT0 - tc.held);
    auto t = ReasonTemplate::Parse("You've had broadband with us {held_for:broadband_basic}");
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->Render({"", "", "", &p, kT0}), "You've had broadband with us " + tc.words);
  }
  EXPECT_EQ(InterestWords(0.8), "a lot");
  EXPECT_EQ(InterestWords(0.4), "quite a bit");
  EXPECT_EQ(InterestWords(0.1), "a little");
  EXPECT_EQ(InterestWords(0.0), "not much");
  // Interest comes from the profile's decayed category scores.
  v1::Profile p;
  for (int i = 0; i < 20; ++i) {
    v1::Event view = testing::PageView(absl::StrCat("v", i));
    view.mutable_page_view()->set_category("streaming");
    ApplyEvent(p, view, kT0);
  }
  auto t = ReasonTemplate::Parse("and stream {interest:streaming}; sport {interest:sport}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Render({"", "", "", &p, kT0}), "and stream a lot; sport not much");
}

TEST(ReasonTemplateTest, MonthsHeldIsZeroWhenNotHeld) {
  v1::Profile p;
  auto t = ReasonTemplate::Parse("{months_held:tv}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Render({"", "", "", &p, kT0}), "0");
}

TEST(ReasonTemplateTest, RefusesUnknownPlaceholderWithColumn) {
  auto t = ReasonTemplate::Parse("Hello {name}");
  ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("column 7: unknown placeholder {name}"), std::string::npos)
      << t.status();
}

TEST(ReasonTemplateTest, RefusesUnclosedAndUnmatchedBraces) {
  EXPECT_EQ(ReasonTemplate::Parse("Hello {offer").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonTemplate::Parse("Hello }").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonTemplate::Parse("{months_held:}").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nbo::core
