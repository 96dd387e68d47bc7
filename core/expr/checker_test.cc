// Type checking and name resolution, through Compile (the public entry point).
#include "core/expr/checker.h"

#include <string>

#include "core/expr/compiled_expr.h"
#include "core/expr/test_context.h"
#include "gtest/gtest.h"

namespace nbo::core::expr {
namespace {

struct Case {
  std::string source;
  std::string message;  // Empty: compiles.
};

std::string CompileError(std::string_view source, Type expected = Type::kBool) {
  static const Environment* env = new Environment(testing::TestEnvironment());
  absl::StatusOr<CompiledExpr> expr = Compile(source, *env, expected);
  if (expr.ok()) return "";
  EXPECT_EQ(expr.status().code(), absl::StatusCode::kInvalidArgument) << source;
  return std::string(expr.status().message());
}

TEST(CheckerTest, AcceptsWellTypedRules) {
  for (const char* source : {
           "monetary_total > 1000 && holds(\"broadband\") && !holds(\"tv\") && "
           "months_held(\"broadband\") >= 12",
           "channel == \"call_centre\" || interactions_on(\"web\") > 20",
           "channel in [\"web\", \"mobile_app\"]",
           "months_active in [1, 2, 3]",
           "is_vip == opted_in",
           "is_vip != true",
           "label(segment, is_vip) == \"gold\"",
           "clamp(value.potential, 0, 100) / 2 > pi()",
           "true",
       }) {
    EXPECT_EQ(CompileError(source), "") << source;
  }
}

TEST(CheckerTest, ReportsEveryTypeError) {
  const Case cases[] = {
      // The rule's own type.
      {"monetary_total", "1:1: rule must be bool, found number"},
      {"channel", "1:1: rule must be bool, found string"},
      {"  1 + 2", "1:3: rule must be bool, found number"},
      // Logical operators.
      {"is_vip && monetary_total", "1:11: operator '&&' needs bools, found number"},
      {"channel || is_vip", "1:1: operator '||' needs bools, found string"},
      {"!channel", "1:2: operator '!' needs a bool, found string"},
      // Arithmetic.
      {"-is_vip", "1:2: operator '-' needs a number, found bool"},
      {"channel + 1 > 0", "1:1: operator '+' needs numbers, found string"},
      {"1 - is_vip > 0", "1:5: operator '-' needs numbers, found bool"},
      {"2 * \"x\" > 0", "1:5: operator '*' needs numbers, found string"},
      {"2 / true > 0", "1:5: operator '/' needs numbers, found bool"},
      // Ordering comparisons need numbers.
      {"x > 1 && channel < 5", "1:1: unknown variable \"x\""},
      {"is_vip && channel < 5", "1:11: operator '<' needs numbers, found string"},
      {"1 <= \"a\"", "1:6: operator '<=' needs numbers, found string"},
      {"is_vip > opted_in", "1:1: operator '>' needs numbers, found bool"},
      {"channel >= segment", "1:1: operator '>=' needs numbers, found string"},
      // Equality needs the same type on both sides.
      {"channel == 1",
       "1:9: operator '==' needs the same type on both sides, found string and "
       "number"},
      {"is_vip != \"yes\"",
       "1:8: operator '!=' needs the same type on both sides, found bool "
       "and string"},
      // Membership.
      {"is_vip in [1]", "1:1: operator 'in' needs a number or a string on the left, found bool"},
      {"channel in [\"web\", 2]",
       "1:20: list element must be string like the left side of 'in', found number"},
      {"monetary_total in [1, \"2\"]",
       "1:23: list element must be number like the left side of 'in', found string"},
      // Function arguments.
      {"holds(1)", "1:7: argument 1 of holds(string) must be string, found number"},
      {"label(\"a\", 1) == \"a\"",
       "1:12: argument 2 of label(string, bool) must be bool, found number"},
      {"holds()", "1:1: function holds(string) takes 1 argument, found 0"},
      {"holds(\"a\", \"b\")", "1:1: function holds(string) takes 1 argument, found 2"},
      {"pi(1) > 0", "1:1: function pi() takes 0 arguments, found 1"},
      {"clamp(1, 2) > 0", "1:1: function clamp(number, number, number) takes 3 arguments, found 2"},
  };
  for (const Case& c : cases) EXPECT_EQ(CompileError(c.source), c.message) << c.source;
}

TEST(CheckerTest, ChecksAgainstTheExpectedType) {
  EXPECT_EQ(CompileError("monetary_total / 12", Type::kNumber), "");
  EXPECT_EQ(CompileError("label(channel, true)", Type::kString), "");
  EXPECT_EQ(CompileError("is_vip", Type::kNumber), "1:1: rule must be number, found bool");
}

TEST(CheckerTest, ReportsUnknownNamesWithSuggestions) {
  const Case cases[] = {
      {"hold(\"tv\")", "1:1: unknown function \"hold\"; did you mean \"holds\"?"},
      {"is_vip && Holds(\"tv\")", "1:11: unknown function \"Holds\"; did you mean \"holds\"?"},
      {"month_held(\"tv\") > 1",
       "1:1: unknown function \"month_held\"; did you mean \"months_held\"?"},
      {"frobnicate(\"tv\")", "1:1: unknown function \"frobnicate\""},
      {"chanel == \"web\"", "1:1: unknown variable \"chanel\"; did you mean \"channel\"?"},
      {"value.potentail > 1",
       "1:1: unknown variable \"value.potentail\"; did you mean \"value.potential\"?"},
      {"value > 1", "1:1: unknown variable \"value\""},
      {"holds", "1:1: \"holds\" is a function; call it with arguments: holds(string)"},
      {"channel(\"x\")", "1:1: \"channel\" is a variable, not a function; remove the parentheses"},
  };
  for (const Case& c : cases) EXPECT_EQ(CompileError(c.source), c.message) << c.source;
}

TEST(CheckerTest, NearestNameNeedsDistanceAtMostTwo) {
  const std::vector<std::string_view> names = {"holds", "months_held", "x"};
  EXPECT_EQ(NearestName("hold", names), "holds");
  EXPECT_EQ(NearestName("hXlXs", names), "holds");
  EXPECT_EQ(NearestName("hXXXs", names), "");
  EXPECT_EQ(NearestName("y", names), "");  // Distance 1, but as long as the name itself.
  EXPECT_EQ(NearestName("anything", {}), "");
}

}  // namespace
}  // namespace nbo::core::expr
