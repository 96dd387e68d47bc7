#include "core/expr/compiled_expr.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/expr/absl_view.h"
#include "core/expr/checker.h"
#include "core/expr/parser.h"
#include "core/expr/program.h"

namespace nbo::core::expr {
namespace {

using internal::Instr;
using internal::Op;
using internal::Program;

// Runs `p` on a stack of kStack slots (uninitialized: no cost). REQUIRES: p.max_stack <= kStack.
template <int kStack>
Value Run(const Program& p, const EvalContext& ctx) {
  Value stack[kStack];
  Value* sp = stack;  // Next free slot.
  const Instr* const code = p.code.data();
  const Instr* const end = code + p.code.size();
  const Value* const consts = p.consts.data();
  for (const Instr* pc = code; pc != end;) {
    const Instr in = *pc++;
    switch (in.op) {
      case Op::kConst:
        *sp++ = consts[in.arg];
        break;
      case Op::kNumberVar:
        *sp++ = Value::Number(ctx.Number(in.arg));
        break;
      case Op::kBoolVar:
        *sp++ = Value::Bool(ctx.Bool(in.arg));
        break;
      case Op::kStringVar:
        *sp++ = Value::String(ctx.String(in.arg));
        break;
      case Op::kCall: {
        sp -= in.aux;
        Value result = ctx.Call(in.arg, absl::Span<const Value>(sp, in.aux));
        const Type type = static_cast<Type>(in.count);
        *sp++ = result.type() == type ? result : Value::Zero(type);
        break;
      }
      case Op::kNot:
        sp[-1] = Value::Bool(!sp[-1].boolean());
        break;
      case Op::kNegate:
        sp[-1] = Value::Number(-sp[-1].number());
        break;
#define NBO_EXPR_BINARY(OP, MAKE, EXPR) \
  case Op::OP: {                        \
    const Value a = sp[-2];             \
    const Value b = sp[-1];             \
    sp[-2] = Value::MAKE(EXPR);         \
    --sp;                               \
    break;                              \
  }
        NBO_EXPR_BINARY(kAdd, Number, a.number() + b.number())
        NBO_EXPR_BINARY(kSub, Number, a.number() - b.number())
        NBO_EXPR_BINARY(kMul, Number, a.number() * b.number())
        NBO_EXPR_BINARY(kDiv, Number, b.number() == 0 ? 0 : a.number() / b.number())
        NBO_EXPR_BINARY(kLt, Bool, a.number() < b.number())
        NBO_EXPR_BINARY(kLe, Bool, a.number() <= b.number())
        NBO_EXPR_BINARY(kGt, Bool, a.number() > b.number())
        NBO_EXPR_BINARY(kGe, Bool, a.number() >= b.number())
        NBO_EXPR_BINARY(kEqNumber, Bool, a.number() == b.number())
        NBO_EXPR_BINARY(kNeNumber, Bool, a.number() != b.number())
        NBO_EXPR_BINARY(kEqBool, Bool, a.boolean() == b.boolean())
        NBO_EXPR_BINARY(kNeBool, Bool, a.boolean() != b.boolean())
        NBO_EXPR_BINARY(kEqString, Bool, a.string() == b.string())
        NBO_EXPR_BINARY(kNeString, Bool, a.string() != b.string())
#undef NBO_EXPR_BINARY
      case Op::kInNumber: {
        const double x = sp[-1].number();
        bool found = false;
        for (int i = in.arg, last = in.arg + in.count; i < last && !found; ++i) {
          found = consts[i].number() == x;
        }
        sp[-1] = Value::Bool(found);
        break;
      }
      case Op::kInString: {
        const std::string_view x = sp[-1].string();
        bool found = false;
        for (int i = in.arg, last = in.arg + in.count; i < last && !found; ++i) {
          found = consts[i].string() == x;
        }
        sp[-1] = Value::Bool(found);
        break;
      }
      case Op::kJumpIfFalse:
        if (!sp[-1].boolean()) {
          pc = code + in.arg;
        } else {
          --sp;
        }
        break;
      case Op::kJumpIfTrue:
        if (sp[-1].boolean()) {
          pc = code + in.arg;
        } else {
          --sp;
        }
        break;
    }
  }
  return sp[-1];
}

}  // namespace

Type CompiledExpr::type() const { return program_ ? program_->type : Type::kBool; }

std::string_view CompiledExpr::source() const {
  return program_ ? std::string_view(program_->source) : std::string_view();
}

std::string CompiledExpr::ToString() const { return program_ ? program_->printed : "false"; }

size_t CompiledExpr::program_size() const { return program_ ? program_->code.size() : 0; }

int CompiledExpr::max_stack_depth() const { return program_ ? program_->max_stack : 0; }

Value CompiledExpr::Eval(const EvalContext& ctx) const {
  if (!program_) return Value::Bool(false);
  // Small programs (nearly all) get a small stack, so the common case touches little memory.
  if (program_->max_stack <= 8) return Run<8>(*program_, ctx);
  if (program_->max_stack <= 32) return Run<32>(*program_, ctx);
  return Run<internal::kMaxStack>(*program_, ctx);
}

bool CompiledExpr::EvalBool(const EvalContext& ctx) const {
  const Value v = Eval(ctx);
  return v.type() == Type::kBool && v.boolean();
}

double CompiledExpr::EvalNumber(const EvalContext& ctx) const {
  const Value v = Eval(ctx);
  return v.type() == Type::kNumber ? v.number() : 0;
}

absl::StatusOr<CompiledExpr> Compile(std::string_view source, const Environment& env,
                                     Type expected_type) {
  absl::StatusOr<std::unique_ptr<Node>> root = Parse(source);
  if (!root.ok()) return root.status();
  if (absl::Status s = Check(**root, env); !s.ok()) return s;
  if ((*root)->type != expected_type) {
    return ErrorAt((*root)->pos, absl::StrCat("rule must be ", AbslView(TypeName(expected_type)),
                                              ", found ", AbslView(TypeName((*root)->type))));
  }
  auto program = std::make_shared<Program>();
  program->source = std::string(source);
  program->printed = expr::ToString(**root);
  program->type = expected_type;
  internal::FoldConstants(**root);
  if (absl::Status s = internal::Generate(**root, *program); !s.ok()) return s;
  return CompiledExpr(std::move(program));
}

}  // namespace nbo::core::expr
