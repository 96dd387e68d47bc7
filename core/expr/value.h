// Types and values of the rule expression language (see docs/expressions.md).
#ifndef NBO_CORE_EXPR_VALUE_H_
#define NBO_CORE_EXPR_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

namespace nbo::core::expr {

// The three types of the language. Every expression has exactly one, known at compile time.
enum class Type : uint8_t { kNumber, kBool, kString };

// "number", "bool" or "string": the spelling used in error messages.
std::string_view TypeName(Type type);

// A small, trivially-copyable tagged value: a number (double), a bool or a string.
//
// A string value does not own its characters: it is a view. Whoever creates it (the caller's
// EvalContext, or a CompiledExpr for literals) keeps the characters alive for as long as the
// value is used (for an evaluation: until Eval returns).
//
// A default-constructed Value is uninitialized (so that arrays of them cost nothing); `Value{}`
// is the number 0. Reading the payload of the wrong type is undefined: check type() first.
// Thread-safe: it is a plain value.
class Value {
 public:
  Value() = default;

  // The factories write only the tag and the payload member (no zeroing): they are on the
  // evaluator's hot path.
  static Value Number(double number) {
    Value v;
    v.type_ = Type::kNumber;
    v.u_.number = number;
    return v;
  }
  static Value Bool(bool boolean) {
    Value v;
    v.type_ = Type::kBool;
    v.u_.boolean = boolean;
    return v;
  }
  static Value String(std::string_view string) {
    Value v;
    v.type_ = Type::kString;
    v.u_.str = {string.data(), string.size()};
    return v;
  }
  // The zero value of `type`: 0, false or "".
  static Value Zero(Type type) {
    switch (type) {
      case Type::kNumber:
        return Number(0);
      case Type::kBool:
        return Bool(false);
      case Type::kString:
        break;
    }
    return String({});
  }

  Type type() const { return type_; }
  // REQUIRES: type() is the one asked for.
  double number() const { return u_.number; }
  bool boolean() const { return u_.boolean; }
  std::string_view string() const { return {u_.str.data, u_.str.size}; }

  // Human-readable form: 12, true, "text" (quoted and escaped like a literal).
  std::string DebugString() const;

 private:
  struct StringRef {
    const char* data;
    size_t size;
  };
  union Payload {
    double number;
    bool boolean;
    StringRef str;
  };
  Payload u_;
  Type type_;
};

static_assert(std::is_trivially_copyable_v<Value>, "Value must stay trivially copyable");

// Same type and same payload (strings compare by content).
bool operator==(const Value& a, const Value& b);
inline bool operator!=(const Value& a, const Value& b) { return !(a == b); }
std::ostream& operator<<(std::ostream& os, const Value& value);
std::ostream& operator<<(std::ostream& os, Type type);

// Formats a number the shortest way that reads back to the same double ("12", "0.5", "1e+30").
std::string FormatNumber(double number);
// Quotes `text` as a string literal of the language: "a\"b" (only " and \ are escaped).
std::string QuoteString(std::string_view text);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_VALUE_H_
