#include "core/expr/lexer.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/charconv.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/expr/absl_view.h"

namespace nbo::core::expr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }

std::string ShowChar(char c) {
  if (absl::ascii_isprint(static_cast<unsigned char>(c)))
    return absl::StrCat("'", std::string(1, c), "'");
  return absl::StrFormat("byte 0x%02X", static_cast<unsigned char>(c));
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpace();
      Token token;
      token.pos = pos_;
      if (i_ == src_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      size_t start = i_;
      if (absl::Status s = Next(token); !s.ok()) return s;
      token.text = src_.substr(start, i_ - start);
      tokens.push_back(std::move(token));
    }
  }

 private:
  char Peek(size_t ahead = 0) const { return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0'; }
  void Advance(size_t n = 1) {
    for (; n > 0 && i_ < src_.size(); --n, ++i_) {
      if (src_[i_] == '\n') {
        ++pos_.line;
        pos_.column = 1;
      } else {
        ++pos_.column;
      }
    }
  }
  void SkipSpace() {
    while (i_ < src_.size() &&
           (src_[i_] == ' ' || src_[i_] == '\t' || src_[i_] == '\r' || src_[i_] == '\n')) {
      Advance();
    }
  }

  absl::Status Next(Token& token) {
    const char c = Peek();
    if (IsDigit(c)) return LexNumber(token);
    if (c == '"') return LexString(token);
    if (IsNameStart(c)) return LexName(token);
    struct Op {
      const char* text;
      TokenKind kind;
    };
    // Two-character operators first.
    static constexpr Op kOps[] = {
        {"||", TokenKind::kOr},      {"&&", TokenKind::kAnd},     {"==", TokenKind::kEq},
        {"!=", TokenKind::kNe},      {"<=", TokenKind::kLe},      {">=", TokenKind::kGe},
        {"!", TokenKind::kNot},      {"<", TokenKind::kLt},       {">", TokenKind::kGt},
        {"+", TokenKind::kPlus},     {"-", TokenKind::kMinus},    {"*", TokenKind::kStar},
        {"/", TokenKind::kSlash},    {"(", TokenKind::kLParen},   {")", TokenKind::kRParen},
        {"[", TokenKind::kLBracket}, {"]", TokenKind::kRBracket}, {",", TokenKind::kComma},
    };
    for (const Op& op : kOps) {
      std::string_view text(op.text);
      if (src_.substr(i_, text.size()) == text) {
        token.kind = op.kind;
        Advance(text.size());
        return absl::OkStatus();
      }
    }
    if (c == '&') return ErrorAt(pos_, "unexpected character '&'; did you mean '&&'?");
    if (c == '|') return ErrorAt(pos_, "unexpected character '|'; did you mean '||'?");
    if (c == '=') return ErrorAt(pos_, "unexpected character '='; did you mean '=='?");
    if (c == '\'') {
      return ErrorAt(pos_, "unexpected character '''; strings use double quotes: \"text\"");
    }
    // U+201C and U+201D (curly double quotes), as pasted from word processors.
    if (static_cast<unsigned char>(c) == 0xE2 && static_cast<unsigned char>(Peek(1)) == 0x80 &&
        (static_cast<unsigned char>(Peek(2)) == 0x9C ||
         static_cast<unsigned char>(Peek(2)) == 0x9D)) {
      return ErrorAt(pos_, "unexpected curly quote; strings use straight double quotes: \"text\"");
    }
    return ErrorAt(pos_, absl::StrCat("unexpected character ", ShowChar(c)));
  }

  absl::Status LexNumber(Token& token) {
    const size_t start = i_;
    while (IsDigit(Peek())) Advance();
    if (Peek() == '.') {
      Advance();
      if (!IsDigit(Peek())) return ErrorAt(pos_, "expected a digit after '.' in number");
      while (IsDigit(Peek())) Advance();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      if (!IsDigit(Peek())) return ErrorAt(pos_, "expected a digit in the exponent of number");
      while (IsDigit(Peek())) Advance();
    }
    std::string_view text = src_.substr(start, i_ - start);
    double value = 0;
    auto result = absl::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || !std::isfinite(value)) {
      return ErrorAt(token.pos, absl::StrCat("number ", AbslView(text), " is out of range"));
    }
    token.kind = TokenKind::kNumber;
    token.number = value;
    return absl::OkStatus();
  }

  absl::Status LexString(Token& token) {
    Advance();  // Opening quote.
    while (true) {
      const char c = Peek();
      if (i_ == src_.size() || c == '\n') {
        return ErrorAt(token.pos, "unterminated string (strings end with \" on the same line)");
      }
      if (c == '"') {
        Advance();
        break;
      }
      if (c == '\\') {
        const char e = Peek(1);
        if (e != '"' && e != '\\') {
          return ErrorAt(pos_, "unknown escape in string; only \\\" and \\\\ are allowed");
        }
        token.string.push_back(e);
        Advance(2);
        continue;
      }
      token.string.push_back(c);
      Advance();
    }
    token.kind = TokenKind::kString;
    return absl::OkStatus();
  }

  absl::Status LexName(Token& token) {
    const size_t start = i_;
    while (true) {
      while (IsNameChar(Peek())) Advance();
      if (Peek() != '.') break;
      if (!IsNameStart(Peek(1))) {
        Advance();
        return ErrorAt(pos_, "expected a name after '.'");
      }
      Advance();
    }
    std::string_view text = src_.substr(start, i_ - start);
    if (text == "true") {
      token.kind = TokenKind::kTrue;
    } else if (text == "false") {
      token.kind = TokenKind::kFalse;
    } else if (text == "in") {
      token.kind = TokenKind::kIn;
    } else {
      token.kind = TokenKind::kName;
    }
    return absl::OkStatus();
  }

  std::string_view src_;
  size_t i_ = 0;
  Position pos_;
};

}  // namespace

absl::Status ErrorAt(Position pos, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(pos.line, ":", pos.column, ": ", AbslView(message)));
}

absl::StatusOr<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

std::string Spelling(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kNumber:
      return "a number";
    case TokenKind::kString:
      return "a string";
    case TokenKind::kName:
      return "a name";
    case TokenKind::kTrue:
      return "'true'";
    case TokenKind::kFalse:
      return "'false'";
    case TokenKind::kIn:
      return "'in'";
    case TokenKind::kOr:
      return "'||'";
    case TokenKind::kAnd:
      return "'&&'";
    case TokenKind::kNot:
      return "'!'";
    case TokenKind::kEq:
      return "'=='";
    case TokenKind::kNe:
      return "'!='";
    case TokenKind::kLt:
      return "'<'";
    case TokenKind::kLe:
      return "'<='";
    case TokenKind::kGt:
      return "'>'";
    case TokenKind::kGe:
      return "'>='";
    case TokenKind::kPlus:
      return "'+'";
    case TokenKind::kMinus:
      return "'-'";
    case TokenKind::kStar:
      return "'*'";
    case TokenKind::kSlash:
      return "'/'";
    case TokenKind::kLParen:
      return "'('";
    case TokenKind::kRParen:
      return "')'";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kComma:
      return "','";
  }
  return "?";
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kNumber:
      return absl::StrCat("number ", AbslView(token.text));
    case TokenKind::kString:
      return absl::StrCat("string ", AbslView(token.text));
    case TokenKind::kName:
      return absl::StrCat("name ", AbslView(token.text));
    default:
      return Spelling(token.kind);
  }
}

}  // namespace nbo::core::expr
