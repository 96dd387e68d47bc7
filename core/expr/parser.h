// Parser of the rule expression language: source -> syntax tree (names not yet resolved).
// Internal to nbo::expr; exposed for tests.
#ifndef NBO_CORE_EXPR_PARSER_H_
#define NBO_CORE_EXPR_PARSER_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/expr/ast.h"

namespace nbo::core::expr {

// Longest accepted source, in bytes.
inline constexpr int kMaxSourceLength = 4096;
// Deepest accepted nesting: each parenthesis, function call, list and unary operator ('!', '-')
// opens one level. Long chains such as a && b && c or a + b + c do not nest.
inline constexpr int kMaxNestingDepth = 64;

// Parses one expression (the whole of `source`). On failure: InvalidArgument
// "line:column: ..." for a syntax error, a chained comparison (a < b < c), or a limit exceeded.
absl::StatusOr<std::unique_ptr<Node>> Parse(std::string_view source);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_PARSER_H_
