// The compiled form of an expression: a flat postfix program. Internal to nbo::expr.
#ifndef NBO_CORE_EXPR_PROGRAM_H_
#define NBO_CORE_EXPR_PROGRAM_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/expr/ast.h"
#include "core/expr/value.h"

namespace nbo::core::expr::internal {

// Stack slots the evaluator can provide; deeper programs are refused at compile time. The
// nesting limit keeps real programs far below it.
inline constexpr int kMaxStack = 256;

enum class Op : uint8_t {
  kConst,      // push consts[arg]
  kNumberVar,  // push ctx.Number(arg)
  kBoolVar,    // push ctx.Bool(arg)
  kStringVar,  // push ctx.String(arg)
  kCall,       // pop aux args, push ctx.Call(arg, args); result type in `count`
  kNot,        // bool -> bool
  kNegate,     // number -> number
  kAdd,        // number, number -> number
  kSub,
  kMul,
  kDiv,  // x / 0 == 0
  kLt,   // number, number -> bool
  kLe,
  kGt,
  kGe,
  kEqNumber,  // T, T -> bool
  kNeNumber,
  kEqBool,
  kNeBool,
  kEqString,
  kNeString,
  kInNumber,     // number -> bool: is it one of consts[arg .. arg+count)
  kInString,     // string -> bool: likewise
  kJumpIfFalse,  // top false: jump to arg keeping it; else pop it (for &&)
  kJumpIfTrue,   // top true: jump to arg keeping it; else pop it (for ||)
};

struct Instr {
  Op op;
  uint8_t aux;     // kCall: argument count.
  uint16_t count;  // kCall: result Type; kIn*: list length.
  int32_t arg;
};
static_assert(sizeof(Instr) == 8);

// Immutable once built; shared by copies of a CompiledExpr.
struct Program {
  std::string source;
  std::string printed;  // ToString() of the parsed tree, before folding.
  Type type = Type::kBool;
  std::vector<Instr> code;
  std::vector<Value> consts;        // String values point into `strings`.
  std::deque<std::string> strings;  // Deque: elements never move once added.
  int max_stack = 0;
};

// Folds constant subexpressions of a checked tree in place (including `false && x` -> false and
// `true && x` -> x, which relies on functions being pure).
void FoldConstants(Node& root);

// Generates the program for a checked (and possibly folded) tree into `program` (code, consts,
// strings, max_stack). InvalidArgument when the program would need more than kMaxStack slots.
absl::Status Generate(const Node& root, Program& program);

}  // namespace nbo::core::expr::internal

#endif  // NBO_CORE_EXPR_PROGRAM_H_
