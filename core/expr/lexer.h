// Lexer of the rule expression language: source text -> tokens with line:column positions.
// Internal to nbo::expr (used by the parser); exposed for tests.
#ifndef NBO_CORE_EXPR_LEXER_H_
#define NBO_CORE_EXPR_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nbo::core::expr {

// 1-based line and column (in bytes) within the expression source.
struct Position {
  int line = 1;
  int column = 1;
};

// InvalidArgument "line:column: message" — the one error format of the language.
absl::Status ErrorAt(Position pos, std::string_view message);

enum class TokenKind {
  kEnd,
  kNumber,
  kString,
  kName,
  kTrue,
  kFalse,
  kIn,
  kOr,        // ||
  kAnd,       // &&
  kNot,       // !
  kEq,        // ==
  kNe,        // !=
  kLt,        // <
  kLe,        // <=
  kGt,        // >
  kGe,        // >=
  kPlus,      // +
  kMinus,     // -
  kStar,      // *
  kSlash,     // /
  kLParen,    // (
  kRParen,    // )
  kLBracket,  // [
  kRBracket,  // ]
  kComma,     // ,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Position pos;
  std::string_view text;  // The token's characters in the source (empty for kEnd).
  double number = 0;      // kNumber: the value.
  std::string string;     // kString: the decoded value (escapes resolved).
};

// Splits `source` into tokens; the last one is always kEnd. Whitespace (space, tab, CR, LF)
// separates tokens; LF starts a new line.
// On failure: InvalidArgument "line:column: ..." (unexpected character, unterminated string,
// unknown escape, malformed or out-of-range number).
absl::StatusOr<std::vector<Token>> Lex(std::string_view source);

// The operator or punctuation spelled in quotes: "')'", "'&&'", "'in'".
std::string Spelling(TokenKind kind);

// How a token is named in "expected X but found Y": "end of input", "')'", "number 12",
// "string \"tv\"", "name holds".
std::string Describe(const Token& token);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_LEXER_H_
