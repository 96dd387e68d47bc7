#include "core/reason_template.h"

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
