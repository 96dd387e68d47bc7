// The rule expression language (docs/expressions.md): compile once, evaluate many times.
//
//   Environment env;
//   env.AddVariable("monetary_total", Type::kNumber, kMonetaryTotalSlot);
//   env.AddFunction("holds", {Type::kString}, Type::kBool, kHoldsFunction);
//   absl::StatusOr<CompiledExpr> rule =
//       Compile("monetary_total > 1000 && !holds(\"tv\")", env, Type::kBool);
//   if (!rule.ok()) return rule.status();  // "1:17: expected ')' but found end of input"
//   bool match = rule->EvalBool(my_context);  // MyContext implements EvalContext.
#ifndef NBO_CORE_EXPR_COMPILED_EXPR_H_
#define NBO_CORE_EXPR_COMPILED_EXPR_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/expr/environment.h"
#include "core/expr/value.h"

namespace nbo::core::expr {

namespace internal {
struct Program;
}  // namespace internal

// The evaluator's window on the caller's data, implemented by the caller (typically a thin
// wrapper over one customer's profile). Slots and function indices are those declared in the
// Environment the expression was compiled with.
//
// Contract for implementations:
//  - Strings returned (by String or inside a Value from Call) must stay valid until the
//    evaluation that asked for them returns.
//  - Call receives exactly the declared number of arguments, of the declared types, and must
//    return a Value of the declared result type (a wrong type is replaced by 0, false or "").
//  - Functions must be pure: the evaluator may skip calls whose result cannot change the outcome
//    (short-circuit of && and ||, constant folding) and must be free to do so.
//  - Methods must not throw. They are called on the evaluating thread only.
class EvalContext {
 public:
  virtual ~EvalContext() = default;
  virtual double Number(int slot) const = 0;
  virtual bool Bool(int slot) const = 0;
  virtual std::string_view String(int slot) const = 0;
  virtual Value Call(int function, absl::Span<const Value> args) const = 0;
};

// A compiled expression: a flat postfix program with jumps for && and ||, constants folded,
// evaluated on a fixed-size stack whose depth is known at compile time. Evaluation allocates no
// memory and its cost is bounded by the size of the expression (no loops).
//
// Arithmetic follows IEEE doubles except that x / 0 yields 0 (a rule never sees inf or NaN from
// a division). == and != compare numbers exactly and strings byte by byte.
//
// Cheap to copy (shares the immutable program). Thread-safe: all const methods may be called
// concurrently from any number of threads. Does not refer to the Environment after Compile.
class CompiledExpr {
 public:
  // The constant `false` (type bool, empty source), so that structs can hold a CompiledExpr
  // before a real one is compiled into them.
  CompiledExpr() = default;

  // The result type, as checked by Compile.
  Type type() const;
  // The source text as given to Compile.
  std::string_view source() const;
  // The parsed form, fully parenthesized, before constant folding:
  // "((monetary_total > 1000) && !holds(\"tv\"))".
  std::string ToString() const;

  // Evaluates against `ctx`. The result has type(); a string result points into ctx's data or
  // into this CompiledExpr (keep both alive while using it).
  Value Eval(const EvalContext& ctx) const;
  // Eval for a bool expression; false when type() is not bool.
  bool EvalBool(const EvalContext& ctx) const;
  // Eval for a number expression; 0 when type() is not number.
  double EvalNumber(const EvalContext& ctx) const;

  // Introspection, for tests and diagnostics: instructions in the program and stack slots
  // needed to run it.
  size_t program_size() const;
  int max_stack_depth() const;

 private:
  friend absl::StatusOr<CompiledExpr> Compile(std::string_view, const Environment&, Type);
  explicit CompiledExpr(std::shared_ptr<const internal::Program> program)
      : program_(std::move(program)) {}

  std::shared_ptr<const internal::Program> program_;
};

// Compiles `source` against `env`, requiring a result of `expected_type`.
// On failure returns InvalidArgument with the message "line:column: what was wrong", line and
// column 1-based within `source`, for: a source longer than kMaxSourceLength (4096) bytes,
// nesting deeper than kMaxNestingDepth (64), a syntax error, an unknown name (with a suggestion
// when a declared name is within edit distance 2), a type error, or a result of another type
// ("1:1: rule must be bool, found number"). Callers prefix the location of the expression.
absl::StatusOr<CompiledExpr> Compile(std::string_view source, const Environment& env,
                                     Type expected_type);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_COMPILED_EXPR_H_
