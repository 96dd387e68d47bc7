#include "core/expr/compiled_expr.h"

#include <string>
#include <thread>
#include <vector>

#include "core/expr/test_context.h"
#include "gtest/gtest.h"

namespace nbo::core::expr {
namespace {

using testing::SampleCustomer;
using testing::TestContext;
using testing::TestEnvironment;

CompiledExpr MustCompile(std::string_view source, Type type = Type::kBool) {
  static const Environment* env = new Environment(TestEnvironment());
  absl::StatusOr<CompiledExpr> expr = Compile(source, *env, type);
  EXPECT_TRUE(expr.ok()) << source << ": " << expr.status();
  return expr.ok() ? *std::move(expr) : CompiledExpr();
}

struct BoolCase {
  std::string source;
  bool want;
};

TEST(CompiledExprTest, EvaluatesRulesAgainstTheContext) {
  const BoolCase cases[] = {
      {"monetary_total > 1000 && holds(\"broadband\") && !holds(\"tv\") && "
       "months_held(\"broadband\") >= 12",
       true},
      {"monetary_total > 1000 && holds(\"tv\")", false},
      {"channel == \"call_centre\" || interactions_on(\"web\") > 20", true},
      {"channel == \"call_centre\" || interactions_on(\"call_centre\") > 20", false},
      {"channel in [\"web\", \"mobile_app\"]", true},
      {"channel in [\"store\", \"email\"]", false},
      {"segment in []", false},
      {"months_active in [12, 30, 36]", true},
      {"months_active in [12, -30]", false},
      {"value.potential * 0.3 + monetary_total / 12 > 150", true},   // 60 + 125
      {"value.potential * 0.3 + monetary_total / 12 > 185", false},  // == 185
      {"value.potential * 0.3 + monetary_total / 12 >= 185", true},
      {"is_vip", false},
      {"opted_in", true},
      {"is_vip == false", true},
      {"is_vip != opted_in", true},
      {"!is_vip && opted_in", true},
      {"!(is_vip || opted_in)", false},
      {"channel != segment", true},
      {"channel == \"WEB\"", false},  // Case-sensitive.
      {"label(segment, opted_in) == \"gold\"", true},
      {"label(segment, is_vip) == \"none\"", true},
      {"clamp(monetary_total, 0, 1000) == 1000", true},
      {"clamp(-5, 0, 1000) == 0", true},
      {"pi() > 3 && pi() < 4", true},
      {"months_held(\"tv\") == 0", true},
      {"-monetary_total < 0", true},
      {"- -months_active == 30", true},
      {"10 - 4 - 3 == 3", true},  // Left-associative.
      {"12 / 4 / 3 == 1", true},
      {"2 + 3 * 4 == 14", true},
      {"(2 + 3) * 4 == 20", true},
      {"1e3 == 1000", true},
      {"0.1 + 0.2 == 0.3", false},       // IEEE doubles, exact comparison.
      {"true || false && false", true},  // && binds tighter.
      {"(true || false) && false", false},
      {"\"a\\\"b\" == \"a\\\"b\" && \"back\\\\slash\" != \"back/slash\"", true},
  };
  const TestContext ctx = SampleCustomer();
  for (const BoolCase& c : cases) {
    CompiledExpr expr = MustCompile(c.source);
    EXPECT_EQ(expr.EvalBool(ctx), c.want) << c.source;
    EXPECT_EQ(expr.Eval(ctx), Value::Bool(c.want)) << c.source;
  }
}

TEST(CompiledExprTest, DivisionByZeroYieldsZero) {
  const TestContext ctx = SampleCustomer();
  EXPECT_EQ(MustCompile("monetary_total / 0", Type::kNumber).EvalNumber(ctx), 0);
  EXPECT_EQ(MustCompile("monetary_total / (months_active - 30)", Type::kNumber).EvalNumber(ctx), 0);
  EXPECT_EQ(MustCompile("1 / 0", Type::kNumber).EvalNumber(ctx), 0);  // Folded the same way.
  EXPECT_EQ(MustCompile("-1 / 0 == 0").EvalBool(ctx), true);
  EXPECT_EQ(MustCompile("monetary_total / 4", Type::kNumber).EvalNumber(ctx), 375);
}

TEST(CompiledExprTest, ReturnsNumbersAndStrings) {
  const TestContext ctx = SampleCustomer();
  EXPECT_EQ(MustCompile("monetary_total / 12 + 1", Type::kNumber).EvalNumber(ctx), 126);
  EXPECT_EQ(MustCompile("label(channel, true)", Type::kString).Eval(ctx), Value::String("web"));
  EXPECT_EQ(MustCompile("\"x\\\\y\"", Type::kString).Eval(ctx), Value::String("x\\y"));
  // The convenience accessors refuse the wrong type rather than reinterpret it.
  EXPECT_EQ(MustCompile("monetary_total", Type::kNumber).EvalBool(ctx), false);
  EXPECT_EQ(MustCompile("is_vip || opted_in").EvalNumber(ctx), 0);
}

TEST(CompiledExprTest, AndShortCircuits) {
  TestContext ctx = SampleCustomer();
  CompiledExpr expr = MustCompile("is_vip && holds(\"tv\") && holds(\"mobile\")");
  EXPECT_FALSE(expr.EvalBool(ctx));
  EXPECT_EQ(ctx.calls, 0);
  ctx.bools[0] = true;  // is_vip
  EXPECT_FALSE(expr.EvalBool(ctx));
  EXPECT_EQ(ctx.calls, 1);  // holds("tv") is false: holds("mobile") is skipped.
}

TEST(CompiledExprTest, OrShortCircuits) {
  TestContext ctx = SampleCustomer();
  CompiledExpr expr = MustCompile("opted_in || holds(\"tv\") || holds(\"mobile\")");
  EXPECT_TRUE(expr.EvalBool(ctx));
  EXPECT_EQ(ctx.calls, 0);
  ctx.bools[1] = false;  // opted_in
  EXPECT_TRUE(expr.EvalBool(ctx));
  EXPECT_EQ(ctx.calls, 2);
}

TEST(CompiledExprTest, ShortCircuitInsideComparisonsKeepsTheStackBalanced) {
  const TestContext ctx = SampleCustomer();
  EXPECT_TRUE(MustCompile("(is_vip && holds(\"tv\")) == false && (opted_in || is_vip) == true")
                  .EvalBool(ctx));
  EXPECT_TRUE(MustCompile("label(\"x\", is_vip || holds(\"mobile\") && !holds(\"tv\")) == \"x\"")
                  .EvalBool(ctx));
}

TEST(CompiledExprTest, FoldsConstantSubexpressions) {
  EXPECT_EQ(MustCompile("1 + 2 * 3 == 7").program_size(), 1u);
  EXPECT_EQ(MustCompile("\"web\" in [\"web\", \"store\"] && !false").program_size(), 1u);
  EXPECT_EQ(MustCompile("monetary_total > 10 * 100").program_size(), 3u);
  // The constant false decides the && without evaluating anything.
  TestContext ctx = SampleCustomer();
  CompiledExpr never = MustCompile("holds(\"tv\") && 1 > 2");
  EXPECT_EQ(never.program_size(), 1u);
  EXPECT_FALSE(never.EvalBool(ctx));
  EXPECT_EQ(ctx.calls, 0);
  // A neutral constant disappears: true && x is x.
  EXPECT_EQ(MustCompile("true && is_vip").program_size(), 1u);
  EXPECT_EQ(MustCompile("false || is_vip || false").program_size(), 1u);
}

TEST(CompiledExprTest, KeepsSourceAndParsedForm) {
  CompiledExpr expr = MustCompile("monetary_total > 1000 && !holds(\"tv\") || 1 + 1 == 2");
  EXPECT_EQ(expr.source(), "monetary_total > 1000 && !holds(\"tv\") || 1 + 1 == 2");
  EXPECT_EQ(expr.ToString(), "(((monetary_total > 1000) && !holds(\"tv\")) || ((1 + 1) == 2))");
  EXPECT_EQ(expr.type(), Type::kBool);
}

TEST(CompiledExprTest, DefaultConstructedIsFalse) {
  const TestContext ctx = SampleCustomer();
  CompiledExpr expr;
  EXPECT_EQ(expr.type(), Type::kBool);
  EXPECT_FALSE(expr.EvalBool(ctx));
  EXPECT_EQ(expr.source(), "");
  EXPECT_EQ(expr.ToString(), "false");
}

TEST(CompiledExprTest, CopiesOutliveTheOriginalAndTheEnvironment) {
  CompiledExpr copy;
  {
    const Environment env = TestEnvironment();
    absl::StatusOr<CompiledExpr> expr =
        Compile("channel in [\"web\"] && segment != \"bronze\"", env, Type::kBool);
    ASSERT_TRUE(expr.ok()) << expr.status();
    copy = *expr;
  }
  const TestContext ctx = SampleCustomer();
  EXPECT_TRUE(copy.EvalBool(ctx));
  CompiledExpr moved = std::move(copy);
  EXPECT_TRUE(moved.EvalBool(ctx));
}

TEST(CompiledExprTest, ReplacesAResultOfTheWrongTypeWithZero) {
  // broken() is declared to return a number; the context breaks the contract with a bool.
  const TestContext ctx = SampleCustomer();
  EXPECT_EQ(MustCompile("broken()", Type::kNumber).EvalNumber(ctx), 0);
  EXPECT_TRUE(MustCompile("broken() + 1 == 1").EvalBool(ctx));
}

TEST(CompiledExprTest, EvaluatesConcurrentlyFromFourThreads) {
  const CompiledExpr expr = MustCompile(
      "monetary_total > 1000 && holds(\"broadband\") && !holds(\"tv\") && "
      "months_held(\"broadband\") >= 12 && channel in [\"web\", \"mobile_app\"]");
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  std::vector<int> matches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&expr, &matches, t] {
      TestContext ctx = SampleCustomer();  // One context per thread.
      for (int i = 0; i < kIterations; ++i) {
        ctx.numbers[0] = i % 2 == 0 ? 1500 : 500;  // Every other customer matches.
        if (expr.EvalBool(ctx)) ++matches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(matches[t], kIterations / 2) << t;
}

}  // namespace
}  // namespace nbo::core::expr
