#include "core/expr/checker.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/expr/absl_view.h"

namespace nbo::core::expr {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Suggestion(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string_view nearest = NearestName(name, candidates);
  if (nearest.empty()) return "";
  return absl::StrCat("; did you mean \"", AbslView(nearest), "\"?");
}

std::string Signature(const FunctionInfo& f) {
  return absl::StrCat(
      f.name, "(",
      absl::StrJoin(f.params, ", ",
                    [](std::string* out, Type t) { absl::StrAppend(out, AbslView(TypeName(t))); }),
      ")");
}

std::string OpName(const Node& node) {
  switch (node.kind) {
    case NodeKind::kAnd:
      return "'&&'";
    case NodeKind::kOr:
      return "'||'";
    case NodeKind::kNot:
      return "'!'";
    case NodeKind::kNegate:
      return "'-'";
    default:
      return Spelling(node.op);
  }
}

class Checker {
 public:
  explicit Checker(const Environment& env) : env_(env) {}

  absl::Status Visit(Node& node) {
    for (auto& child : node.children) {
      if (absl::Status s = Visit(*child); !s.ok()) return s;
    }
    switch (node.kind) {
      case NodeKind::kLiteral:
        return absl::OkStatus();  // Typed by the parser.
      case NodeKind::kVariable:
        return ResolveVariable(node);
      case NodeKind::kCall:
        return ResolveCall(node);
      case NodeKind::kNot:
        node.type = Type::kBool;
        return Want(node, *node.children[0], Type::kBool, "a bool");
      case NodeKind::kNegate:
        node.type = Type::kNumber;
        return Want(node, *node.children[0], Type::kNumber, "a number");
      case NodeKind::kAnd:
      case NodeKind::kOr:
        node.type = Type::kBool;
        for (auto& child : node.children) {
          if (absl::Status s = Want(node, *child, Type::kBool, "bools"); !s.ok()) return s;
        }
        return absl::OkStatus();
      case NodeKind::kBinary:
        return CheckBinary(node);
      case NodeKind::kIn:
        return CheckIn(node);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Want(const Node& op, const Node& operand, Type type, std::string_view what) {
    if (operand.type == type) return absl::OkStatus();
    return ErrorAt(operand.pos, absl::StrCat("operator ", OpName(op), " needs ", AbslView(what),
                                             ", found ", AbslView(TypeName(operand.type))));
  }

  absl::Status ResolveVariable(Node& node) {
    node.variable = env_.FindVariable(node.name);
    if (node.variable != nullptr) {
      node.type = node.variable->type;
      return absl::OkStatus();
    }
    if (const FunctionInfo* f = env_.FindFunction(node.name); f != nullptr) {
      return ErrorAt(node.pos,
                     absl::StrCat("\"", node.name,
                                  "\" is a function; call it with arguments: ", Signature(*f)));
    }
    return ErrorAt(node.pos, absl::StrCat("unknown variable \"", node.name, "\"",
                                          Suggestion(node.name, env_.VariableNames())));
  }

  absl::Status ResolveCall(Node& node) {
    node.function = env_.FindFunction(node.name);
    if (node.function == nullptr) {
      if (env_.FindVariable(node.name) != nullptr) {
        return ErrorAt(node.pos, absl::StrCat("\"", node.name,
                                              "\" is a variable, not a function; remove the "
                                              "parentheses"));
      }
      return ErrorAt(node.pos, absl::StrCat("unknown function \"", node.name, "\"",
                                            Suggestion(node.name, env_.FunctionNames())));
    }
    const FunctionInfo& f = *node.function;
    node.type = f.result;
    if (node.children.size() != f.params.size()) {
      return ErrorAt(node.pos, absl::StrCat("function ", Signature(f), " takes ", f.params.size(),
                                            f.params.size() == 1 ? " argument" : " arguments",
                                            ", found ", node.children.size()));
    }
    for (size_t i = 0; i < f.params.size(); ++i) {
      const Node& arg = *node.children[i];
      if (arg.type != f.params[i]) {
        return ErrorAt(arg.pos, absl::StrCat("argument ", i + 1, " of ", Signature(f), " must be ",
                                             AbslView(TypeName(f.params[i])), ", found ",
                                             AbslView(TypeName(arg.type))));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckBinary(Node& node) {
    const Node& left = *node.children[0];
    const Node& right = *node.children[1];
    switch (node.op) {
      case TokenKind::kEq:
      case TokenKind::kNe:
        node.type = Type::kBool;
        if (left.type == right.type) return absl::OkStatus();
        return ErrorAt(node.op_pos, absl::StrCat("operator ", OpName(node),
                                                 " needs the same type on both "
                                                 "sides, found ",
                                                 AbslView(TypeName(left.type)), " and ",
                                                 AbslView(TypeName(right.type))));
      case TokenKind::kLt:
      case TokenKind::kLe:
      case TokenKind::kGt:
      case TokenKind::kGe:
        node.type = Type::kBool;
        break;
      default:  // + - * /
        node.type = Type::kNumber;
        break;
    }
    if (absl::Status s = Want(node, left, Type::kNumber, "numbers"); !s.ok()) return s;
    return Want(node, right, Type::kNumber, "numbers");
  }

  absl::Status CheckIn(Node& node) {
    node.type = Type::kBool;
    const Node& left = *node.children[0];
    if (left.type == Type::kBool) {
      return ErrorAt(left.pos, "operator 'in' needs a number or a string on the left, found bool");
    }
    for (size_t i = 1; i < node.children.size(); ++i) {
      const Node& item = *node.children[i];
      if (item.type != left.type) {
        return ErrorAt(
            item.pos,
            absl::StrCat("list element must be ", AbslView(TypeName(left.type)),
                         " like the left side of 'in', found ", AbslView(TypeName(item.type))));
      }
    }
    return absl::OkStatus();
  }

  const Environment& env_;
};

}  // namespace

std::string_view NearestName(std::string_view name,
                             const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = 3;  // Only distances <= 2 qualify.
  for (std::string_view candidate : candidates) {
    const size_t d = EditDistance(name, candidate);
    if (d < best_distance && d < name.size()) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

absl::Status Check(Node& root, const Environment& env) { return Checker(env).Visit(root); }

}  // namespace nbo::core::expr
