#include "core/expr/lexer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::core::expr {
namespace {

std::vector<TokenKind> Kinds(std::string_view source) {
  absl::StatusOr<std::vector<Token>> tokens = Lex(source);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  std::vector<TokenKind> kinds;
  if (tokens.ok()) {
    for (const Token& t : *tokens) kinds.push_back(t.kind);
  }
  return kinds;
}

TEST(LexerTest, SplitsOperatorsAndPunctuation) {
  using K = TokenKind;
  EXPECT_THAT(
      Kinds("|| && ! == != < <= > >= + - * / ( ) [ ] ,"),
      ::testing::ElementsAre(K::kOr, K::kAnd, K::kNot, K::kEq, K::kNe, K::kLt, K::kLe, K::kGt,
                             K::kGe, K::kPlus, K::kMinus, K::kStar, K::kSlash, K::kLParen,
                             K::kRParen, K::kLBracket, K::kRBracket, K::kComma, K::kEnd));
}

TEST(LexerTest, NeedsNoSpacesBetweenTokens) {
  using K = TokenKind;
  EXPECT_THAT(Kinds("!a<=1&&b!=\"x\""),
              ::testing::ElementsAre(K::kNot, K::kName, K::kLe, K::kNumber, K::kAnd, K::kName,
                                     K::kNe, K::kString, K::kEnd));
}

TEST(LexerTest, RecognizesKeywordsAndDottedNames) {
  absl::StatusOr<std::vector<Token>> tokens = Lex("true false in value.potential _x1 inside");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 7u);
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kTrue);
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kFalse);
  EXPECT_EQ((*tokens)[2].kind, TokenKind::kIn);
  EXPECT_EQ((*tokens)[3].kind, TokenKind::kName);
  EXPECT_EQ((*tokens)[3].text, "value.potential");
  EXPECT_EQ((*tokens)[4].text, "_x1");
  EXPECT_EQ((*tokens)[5].kind, TokenKind::kName);  // "inside" is not the keyword "in".
}

struct NumberCase {
  std::string source;
  double value;
};

TEST(LexerTest, ReadsNumbers) {
  const NumberCase cases[] = {
      {"12", 12}, {"0.5", 0.5}, {"1e3", 1000}, {"2.5E-1", 0.25}, {"7e+2", 700}, {"007", 7},
  };
  for (const NumberCase& c : cases) {
    absl::StatusOr<std::vector<Token>> tokens = Lex(c.source);
    ASSERT_TRUE(tokens.ok()) << c.source << ": " << tokens.status();
    EXPECT_EQ((*tokens)[0].kind, TokenKind::kNumber) << c.source;
    EXPECT_EQ((*tokens)[0].number, c.value) << c.source;
  }
}

TEST(LexerTest, DecodesStringEscapes) {
  absl::StatusOr<std::vector<Token>> tokens = Lex(R"("a\"b\\c" "" )"
                                                  "\"caf\xC3\xA9\"");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ((*tokens)[0].string, "a\"b\\c");
  EXPECT_EQ((*tokens)[1].string, "");
  EXPECT_EQ((*tokens)[2].string, "caf\xC3\xA9");  // UTF-8 passes through.
}

TEST(LexerTest, TracksLinesAndColumns) {
  absl::StatusOr<std::vector<Token>> tokens = Lex("a &&\n  b\r\n\t|| c");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 6u);
  const std::pair<int, int> expected[] = {{1, 1}, {1, 3}, {2, 3}, {3, 2}, {3, 5}, {3, 6}};
  for (size_t i = 0; i < tokens->size(); ++i) {
    EXPECT_EQ((*tokens)[i].pos.line, expected[i].first) << i;
    EXPECT_EQ((*tokens)[i].pos.column, expected[i].second) << i;
  }
}

TEST(LexerTest, DescribesTokensForMessages) {
  absl::StatusOr<std::vector<Token>> tokens = Lex("12 \"tv\" holds ) in");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(Describe((*tokens)[0]), "number 12");
  EXPECT_EQ(Describe((*tokens)[1]), "string \"tv\"");
  EXPECT_EQ(Describe((*tokens)[2]), "name holds");
  EXPECT_EQ(Describe((*tokens)[3]), "')'");
  EXPECT_EQ(Describe((*tokens)[4]), "'in'");
  EXPECT_EQ(Describe((*tokens)[5]), "end of input");
}

struct ErrorCase {
  std::string source;
  std::string message;
};

TEST(LexerTest, ReportsErrorsWithPositions) {
  const ErrorCase cases[] = {
      {"a & b", "1:3: unexpected character '&'; did you mean '&&'?"},
      {"a | b", "1:3: unexpected character '|'; did you mean '||'?"},
      {"a = 1", "1:3: unexpected character '='; did you mean '=='?"},
      {"x # 1", "1:3: unexpected character '#'"},
      {"x\n  \x01", "2:3: unexpected character byte 0x01"},
      {"'tv'", "1:1: unexpected character '''; strings use double quotes: \"text\""},
      {"holds(\xE2\x80\x9Ctv\xE2\x80\x9D)",
       "1:7: unexpected curly quote; strings use straight double quotes: \"text\""},
      {"\"abc", "1:1: unterminated string (strings end with \" on the same line)"},
      {"x == \"ab\ncd\"", "1:6: unterminated string (strings end with \" on the same line)"},
      {"\"a\\nb\"", "1:3: unknown escape in string; only \\\" and \\\\ are allowed"},
      {"1.", "1:3: expected a digit after '.' in number"},
      {"1e", "1:3: expected a digit in the exponent of number"},
      {"1e999", "1:1: number 1e999 is out of range"},
      {".5", "1:1: unexpected character '.'"},
      {"value.", "1:7: expected a name after '.'"},
      {"value.1", "1:7: expected a name after '.'"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<std::vector<Token>> tokens = Lex(c.source);
    ASSERT_FALSE(tokens.ok()) << c.source;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(tokens.status().message()), c.message) << c.source;
  }
}

}  // namespace
}  // namespace nbo::core::expr
