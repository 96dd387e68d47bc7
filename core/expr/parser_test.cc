#include "core/expr/parser.h"

#include <string>

#include "gtest/gtest.h"

namespace nbo::core::expr {
namespace {

struct Case {
  std::string source;
  std::string printed;  // ToString of the tree, or the error message.
};

std::string ParseToString(std::string_view source) {
  absl::StatusOr<std::unique_ptr<Node>> root = Parse(source);
  if (!root.ok()) return std::string(root.status().message());
  return ToString(**root);
}

TEST(ParserTest, FollowsPrecedenceAndAssociativity) {
  const Case cases[] = {
      {"a || b && c", "(a || (b && c))"},
      {"a && b || c && d", "((a && b) || (c && d))"},
      {"a || b || c", "(a || b || c)"},  // n-ary
      {"a && b && c && d", "(a && b && c && d)"},
      {"!a && b", "(!a && b)"},
      {"!a == b", "!(a == b)"},  // '!' binds looser than comparisons.
      {"!!a", "!!a"},
      {"a + b * c", "(a + (b * c))"},
      {"a * b + c", "((a * b) + c)"},
      {"a - b - c", "((a - b) - c)"},  // Left-associative.
      {"a / b / c", "((a / b) / c)"},
      {"a - b + c", "((a - b) + c)"},
      {"-a * b", "(-a * b)"},
      {"--a", "--a"},
      {"a + b > c * d", "((a + b) > (c * d))"},
      {"a > 1 && b <= 2", "((a > 1) && (b <= 2))"},
      {"a == b || c != d", "((a == b) || (c != d))"},
      {"(a + b) * c", "((a + b) * c)"},
      {"(((a)))", "a"},
      {"a && (b || c)", "(a && (b || c))"},
      {"x in [\"web\", \"mobile_app\"]", "(x in [\"web\", \"mobile_app\"])"},
      {"x in [1, -2, 3.5]", "(x in [1, -2, 3.5])"},
      {"x in []", "(x in [])"},
      {"!x in [1] && y", "(!(x in [1]) && y)"},
      {"a + 1 in [2]", "((a + 1) in [2])"},
      {"f()", "f()"},
      {"f(1, \"a\", g(b))", "f(1, \"a\", g(b))"},
      {"value.potential >= 1e3", "(value.potential >= 1000)"},
      {"\"a\\\"b\" == s", "(\"a\\\"b\" == s)"},
      {"true || false", "(true || false)"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseToString(c.source), c.printed) << c.source;
}

TEST(ParserTest, RejectsChainedComparisons) {
  EXPECT_EQ(ParseToString("a < b < c"),
            "1:7: comparisons cannot be chained (a < b < c); combine them with &&");
  EXPECT_EQ(ParseToString("a == b == c"),
            "1:8: comparisons cannot be chained (a < b < c); combine them with &&");
  EXPECT_EQ(ParseToString("x in [1] in [2]"),
            "1:10: comparisons cannot be chained (a < b < c); combine them with &&");
  EXPECT_EQ(ParseToString("(a < b < c)"),
            "1:8: comparisons cannot be chained (a < b < c); combine them with &&");
  EXPECT_EQ(ParseToString("(a < b) == c"), "((a < b) == c)");  // Explicit grouping is fine.
}

TEST(ParserTest, ReportsSyntaxErrors) {
  const Case cases[] = {
      {"", "1:1: expected an expression but found end of input"},
      {"   ", "1:4: expected an expression but found end of input"},
      {"holds(\"tv\"", "1:11: expected ',' or ')' but found end of input"},
      {"(a && b", "1:8: expected ')' but found end of input"},
      {"a &&", "1:5: expected an expression but found end of input"},
      {"a b", "1:3: expected an operator or end of input but found name b"},
      {"a )", "1:3: expected an operator or end of input but found ')'"},
      {"f(a,)", "1:5: expected an expression but found ')'"},
      {"f(,a)", "1:3: expected an expression but found ','"},
      {"* a", "1:1: expected an expression but found '*'"},
      {"x in \"web\"", "1:6: expected '[' to start a list after 'in' but found string \"web\""},
      {"x in [a]", "1:7: expected a number or a string in the list but found name a"},
      {"x in [\"a\" \"b\"]", "1:11: expected ',' or ']' but found string \"b\""},
      {"x in [1,", "1:9: expected a number or a string in the list but found end of input"},
      {"x in [-\"a\"]", "1:8: expected a number but found string \"a\""},
      {"a\n&& (b ||\n  )", "3:3: expected an expression but found ')'"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseToString(c.source), c.printed) << c.source;
}

TEST(ParserTest, ErrorsAreInvalidArgument) {
  EXPECT_EQ(Parse("(").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParserTest, AcceptsSourceAtTheLengthLimit) {
  std::string source(kMaxSourceLength - 1, ' ');
  source += "a";
  EXPECT_EQ(ParseToString(source), "a");
}

TEST(ParserTest, RejectsSourceOverTheLengthLimit) {
  std::string source(kMaxSourceLength, ' ');
  source += "a";
  EXPECT_EQ(ParseToString(source), "1:1: expression is too long (4097 characters, at most 4096)");
}

std::string Nested(int depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(ParserTest, AcceptsNestingAtTheDepthLimit) {
  EXPECT_EQ(ParseToString(Nested(kMaxNestingDepth, "(", "a", ")")), "a");
  EXPECT_TRUE(Parse(Nested(kMaxNestingDepth, "f(", "a", ")")).ok());
  EXPECT_TRUE(Parse(Nested(kMaxNestingDepth, "!", "a", "")).ok());
  EXPECT_TRUE(Parse(Nested(kMaxNestingDepth, "-", "a", "")).ok());
}

TEST(ParserTest, RejectsNestingOverTheDepthLimit) {
  const std::string message = "expression is nested too deeply (more than 64 levels)";
  EXPECT_EQ(ParseToString(Nested(kMaxNestingDepth + 1, "(", "a", ")")), "1:65: " + message);
  EXPECT_EQ(ParseToString(Nested(kMaxNestingDepth + 1, "f(", "a", ")")), "1:129: " + message);
  EXPECT_EQ(ParseToString(Nested(kMaxNestingDepth + 1, "!", "a", "")), "1:65: " + message);
  EXPECT_EQ(ParseToString(Nested(kMaxNestingDepth + 1, "-", "a", "")), "1:65: " + message);
  // A pathological input fails cleanly rather than exhausting the C++ stack.
  EXPECT_FALSE(Parse(std::string(4000, '(')).ok());
}

TEST(ParserTest, LongChainsDoNotCountAsNesting) {
  std::string source = "a";
  for (int i = 0; i < 500; ++i) source += " && a";
  EXPECT_TRUE(Parse(source).ok());
  source = "1";
  for (int i = 0; i < 1000; ++i) source += "+1";
  EXPECT_TRUE(Parse(source).ok());
}

}  // namespace
}  // namespace nbo::core::expr
