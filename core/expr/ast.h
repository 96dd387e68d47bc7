// Syntax tree of the rule expression language. Internal to nbo::expr; exposed for tests.
#ifndef NBO_CORE_EXPR_AST_H_
#define NBO_CORE_EXPR_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "core/expr/environment.h"
#include "core/expr/lexer.h"
#include "core/expr/value.h"

namespace nbo::core::expr {

enum class NodeKind {
  kLiteral,   // number, bool or string constant
  kVariable,  // name
  kCall,      // name(children...)
  kNot,       // !children[0]
  kNegate,    // -children[0]
  kAnd,       // children[0] && children[1] && ... (n-ary, >= 2)
  kOr,        // children[0] || children[1] || ... (n-ary, >= 2)
  kBinary,    // children[0] op children[1]: arithmetic or comparison
  kIn,        // children[0] in [children[1], ...]: the rest are literals
};

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  Position pos;     // Where the expression starts (its first token).
  Position op_pos;  // kBinary/kIn/kAnd/kOr/kNot/kNegate: where the (first) operator is.
  TokenKind op = TokenKind::kEnd;  // kBinary: the operator.

  // kLiteral: the value, in the member of its type.
  Type type = Type::kBool;  // Literal type after parsing; every node's type after checking.
  double number = 0;
  bool boolean = false;
  std::string string;

  std::string name;  // kVariable, kCall.
  std::vector<std::unique_ptr<Node>> children;

  // Filled by the checker.
  const VariableInfo* variable = nullptr;
  const FunctionInfo* function = nullptr;
};

// Fully parenthesized form, e.g. ((a > 1) && holds("tv")).
std::string ToString(const Node& node);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_AST_H_
