// Type checker of the rule expression language: resolves names against an Environment and gives
// every node its type. Internal to nbo::expr; exposed for tests.
#ifndef NBO_CORE_EXPR_CHECKER_H_
#define NBO_CORE_EXPR_CHECKER_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/expr/ast.h"
#include "core/expr/environment.h"

namespace nbo::core::expr {

// Resolves names and sets Node::type on every node of `root`. Afterwards the nodes point into
// `env` (Node::variable, Node::function), so `env` must outlive `root`.
// On failure: InvalidArgument "line:column: ..." for the first error found (operands before
// their operator, left to right): an unknown name (with a "did you mean" suggestion when one is
// close), a variable called like a function or the reverse, a wrong argument count or type, or an
// operand of the wrong type.
absl::Status Check(Node& root, const Environment& env);

// The candidate closest to `name` by edit distance (insertions, deletions, substitutions), if
// that distance is at most 2 and smaller than name's length; ties go to the first candidate.
// Empty when none is close enough.
std::string_view NearestName(std::string_view name,
                             const std::vector<std::string_view>& candidates);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_CHECKER_H_
