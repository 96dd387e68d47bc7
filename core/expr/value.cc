#include "core/expr/value.h"

#include <cstdio>
#include <cstdlib>

namespace nbo::core::expr {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNumber:
      return "number";
    case Type::kBool:
      return "bool";
    case Type::kString:
      return "string";
  }
  return "unknown";
}

std::string FormatNumber(double number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.15g", number);
  if (std::strtod(buf, nullptr) != number) std::snprintf(buf, sizeof(buf), "%.17g", number);
  return buf;
}

std::string QuoteString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Value::DebugString() const {
  switch (type_) {
    case Type::kNumber:
      return FormatNumber(number());
    case Type::kBool:
      return boolean() ? "true" : "false";
    case Type::kString:
      return QuoteString(string());
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kNumber:
      return a.number() == b.number();
    case Type::kBool:
      return a.boolean() == b.boolean();
    case Type::kString:
      return a.string() == b.string();
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, const Value& value) { return os << value.DebugString(); }

std::ostream& operator<<(std::ostream& os, Type type) { return os << TypeName(type); }

}  // namespace nbo::core::expr
