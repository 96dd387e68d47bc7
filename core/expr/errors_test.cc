// Exact compile error messages as analysts see them (line:column relative to the expression),
// including multi-line sources.
#include <string>

#include "core/expr/compiled_expr.h"
#include "core/expr/test_context.h"
#include "gtest/gtest.h"

namespace nbo::core::expr {
namespace {

struct Case {
  std::string source;
  std::string message;
};

TEST(ErrorsTest, MessagesNameLineAndColumn) {
  const Environment env = testing::TestEnvironment();
  const Case cases[] = {
      {"holds(\"broadband\") && (monetary_total > 1", "1:42: expected ')' but found end of input"},
      {"!x&&hold(\"tv\")", "1:2: unknown variable \"x\""},
      {"is_vip&&hold(\"tv\")", "1:9: unknown function \"hold\"; did you mean \"holds\"?"},
      {"monetary_total > 1000\n&& holds(\"broadband\")\n&& !hold(\"tv\")",
       "3:5: unknown function \"hold\"; did you mean \"holds\"?"},
      {"monetary_total > 1000 &&\n  channel < 3", "2:3: operator '<' needs numbers, found string"},
      {"channel == \"call_centre\"\n  || interactions_on(\"web\") > 20 &&",
       "2:36: expected an expression but found end of input"},
      {"channel in [\"web\",\n             \"mobile_app\"\n            \"store\"]",
       "3:13: expected ',' or ']' but found string \"store\""},
      {"holds(\"tv)\n", "1:7: unterminated string (strings end with \" on the same line)"},
      {"1 +\n\n   2", "1:1: rule must be bool, found number"},
      {"monetary_total > 1 < 2",
       "1:20: comparisons cannot be chained (a < b < c); combine them "
       "with &&"},
      {"holds(\"tv\") & is_vip", "1:13: unexpected character '&'; did you mean '&&'?"},
      {"channel = \"web\"", "1:9: unexpected character '='; did you mean '=='?"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CompiledExpr> expr = Compile(c.source, env, Type::kBool);
    ASSERT_FALSE(expr.ok()) << c.source;
    EXPECT_EQ(expr.status().code(), absl::StatusCode::kInvalidArgument) << c.source;
    EXPECT_EQ(std::string(expr.status().message()), c.message) << c.source;
  }
}

TEST(ErrorsTest, LimitsAreCompileErrors) {
  const Environment env = testing::TestEnvironment();
  std::string too_long = "is_vip" + std::string(4096, ' ');
  EXPECT_EQ(std::string(Compile(too_long, env, Type::kBool).status().message()),
            "1:1: expression is too long (4102 characters, at most 4096)");
  std::string too_deep = std::string(65, '(') + "is_vip" + std::string(65, ')');
  EXPECT_EQ(std::string(Compile(too_deep, env, Type::kBool).status().message()),
            "1:65: expression is nested too deeply (more than 64 levels)");
  std::string deep_enough = std::string(64, '(') + "is_vip" + std::string(64, ')');
  EXPECT_TRUE(Compile(deep_enough, env, Type::kBool).ok());
}

TEST(ErrorsTest, DeepestNestingStillFitsTheEvaluatorStack) {
  // Right-nested arithmetic needs the most stack per level; 64 levels must still compile.
  const Environment env = testing::TestEnvironment();
  std::string source = "monetary_total";
  for (int i = 0; i < 63; ++i) source = "monetary_total + monetary_total * (" + source + ")";
  source += " > 0";
  absl::StatusOr<CompiledExpr> expr = Compile(source, env, Type::kBool);
  ASSERT_TRUE(expr.ok()) << expr.status();
  EXPECT_GT(expr->max_stack_depth(), 64);
  testing::TestContext ctx = testing::SampleCustomer();
  EXPECT_TRUE(expr->EvalBool(ctx));
}

}  // namespace
}  // namespace nbo::core::expr
