// Constant folding and code generation: checked tree -> Program.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/expr/program.h"

namespace nbo::core::expr::internal {
namespace {

bool IsConstant(const Node& node) { return node.kind == NodeKind::kLiteral; }

void MakeNumber(Node& node, double value) {
  node.kind = NodeKind::kLiteral;
  node.type = Type::kNumber;
  node.number = value;
  node.children.clear();
}

void MakeBool(Node& node, bool value) {
  node.kind = NodeKind::kLiteral;
  node.type = Type::kBool;
  node.boolean = value;
  node.children.clear();
}

double Divide(double a, double b) { return b == 0 ? 0 : a / b; }

bool LiteralEquals(const Node& a, const Node& b) {
  switch (a.type) {
    case Type::kNumber:
      return a.number == b.number;
    case Type::kBool:
      return a.boolean == b.boolean;
    case Type::kString:
      return a.string == b.string;
  }
  return false;
}

void FoldBinary(Node& node) {
  const Node& l = *node.children[0];
  const Node& r = *node.children[1];
  if (!IsConstant(l) || !IsConstant(r)) return;
  switch (node.op) {
    case TokenKind::kPlus:
      return MakeNumber(node, l.number + r.number);
    case TokenKind::kMinus:
      return MakeNumber(node, l.number - r.number);
    case TokenKind::kStar:
      return MakeNumber(node, l.number * r.number);
    case TokenKind::kSlash:
      return MakeNumber(node, Divide(l.number, r.number));
    case TokenKind::kLt:
      return MakeBool(node, l.number < r.number);
    case TokenKind::kLe:
      return MakeBool(node, l.number <= r.number);
    case TokenKind::kGt:
      return MakeBool(node, l.number > r.number);
    case TokenKind::kGe:
      return MakeBool(node, l.number >= r.number);
    case TokenKind::kEq:
      return MakeBool(node, LiteralEquals(l, r));
    case TokenKind::kNe:
      return MakeBool(node, !LiteralEquals(l, r));
    default:
      return;
  }
}

// && and ||: `decisive` is the value that decides the result (false for &&, true for ||).
void FoldLogical(Node& node, bool decisive) {
  std::vector<std::unique_ptr<Node>> kept;
  for (auto& child : node.children) {
    if (!IsConstant(*child)) {
      kept.push_back(std::move(child));
    } else if (child->boolean == decisive) {
      return MakeBool(node, decisive);
    }  // Else the neutral value: drop it.
  }
  if (kept.empty()) return MakeBool(node, !decisive);
  if (kept.size() == 1) {
    Node only = std::move(*kept[0]);
    node = std::move(only);
    return;
  }
  node.children = std::move(kept);
}

class Generator {
 public:
  explicit Generator(Program& program) : p_(program) {}

  void Emit(const Node& node) {
    switch (node.kind) {
      case NodeKind::kLiteral:
        Add(Op::kConst, AddConst(node));
        return Push(1);
      case NodeKind::kVariable: {
        const Op op = node.type == Type::kNumber ? Op::kNumberVar
                      : node.type == Type::kBool ? Op::kBoolVar
                                                 : Op::kStringVar;
        Add(op, node.variable->slot);
        return Push(1);
      }
      case NodeKind::kCall: {
        for (const auto& arg : node.children) Emit(*arg);
        const int argc = static_cast<int>(node.children.size());
        p_.code.push_back(Instr{Op::kCall, static_cast<uint8_t>(argc),
                                static_cast<uint16_t>(node.function->result),
                                node.function->index});
        return Push(1 - argc);
      }
      case NodeKind::kNot:
        Emit(*node.children[0]);
        return Add(Op::kNot, 0);
      case NodeKind::kNegate:
        Emit(*node.children[0]);
        return Add(Op::kNegate, 0);
      case NodeKind::kAnd:
      case NodeKind::kOr:
        return EmitLogical(node);
      case NodeKind::kBinary:
        Emit(*node.children[0]);
        Emit(*node.children[1]);
        Add(BinaryOp(node.op, node.children[0]->type), 0);
        return Push(-1);
      case NodeKind::kIn: {
        Emit(*node.children[0]);
        const int start = static_cast<int>(p_.consts.size());
        for (size_t i = 1; i < node.children.size(); ++i) AddConst(*node.children[i]);
        p_.code.push_back(
            Instr{node.children[0]->type == Type::kNumber ? Op::kInNumber : Op::kInString, 0,
                  static_cast<uint16_t>(node.children.size() - 1), start});
        return;
      }
    }
  }

 private:
  void Add(Op op, int arg) { p_.code.push_back(Instr{op, 0, 0, arg}); }
  void Push(int delta) {
    depth_ += delta;
    p_.max_stack = std::max(p_.max_stack, depth_);
  }

  int AddConst(const Node& literal) {
    switch (literal.type) {
      case Type::kNumber:
        p_.consts.push_back(Value::Number(literal.number));
        break;
      case Type::kBool:
        p_.consts.push_back(Value::Bool(literal.boolean));
        break;
      case Type::kString:
        p_.strings.push_back(literal.string);
        p_.consts.push_back(Value::String(p_.strings.back()));
        break;
    }
    return static_cast<int>(p_.consts.size()) - 1;
  }

  void EmitLogical(const Node& node) {
    const Op jump = node.kind == NodeKind::kAnd ? Op::kJumpIfFalse : Op::kJumpIfTrue;
    std::vector<size_t> jumps;
    for (size_t i = 0; i < node.children.size(); ++i) {
      Emit(*node.children[i]);
      if (i + 1 < node.children.size()) {
        jumps.push_back(p_.code.size());
        Add(jump, 0);
        Push(-1);  // On the fall-through path the operand is popped.
      }
    }
    for (size_t j : jumps) p_.code[j].arg = static_cast<int32_t>(p_.code.size());
  }

  static Op BinaryOp(TokenKind op, Type operand) {
    switch (op) {
      case TokenKind::kPlus:
        return Op::kAdd;
      case TokenKind::kMinus:
        return Op::kSub;
      case TokenKind::kStar:
        return Op::kMul;
      case TokenKind::kSlash:
        return Op::kDiv;
      case TokenKind::kLt:
        return Op::kLt;
      case TokenKind::kLe:
        return Op::kLe;
      case TokenKind::kGt:
        return Op::kGt;
      case TokenKind::kGe:
        return Op::kGe;
      case TokenKind::kEq:
        return operand == Type::kNumber ? Op::kEqNumber
               : operand == Type::kBool ? Op::kEqBool
                                        : Op::kEqString;
      default:  // kNe
        return operand == Type::kNumber ? Op::kNeNumber
               : operand == Type::kBool ? Op::kNeBool
                                        : Op::kNeString;
    }
  }

  Program& p_;
  int depth_ = 0;
};

}  // namespace

void FoldConstants(Node& node) {
  for (auto& child : node.children) FoldConstants(*child);
  switch (node.kind) {
    case NodeKind::kNot:
      if (IsConstant(*node.children[0])) MakeBool(node, !node.children[0]->boolean);
      return;
    case NodeKind::kNegate:
      if (IsConstant(*node.children[0])) MakeNumber(node, -node.children[0]->number);
      return;
    case NodeKind::kAnd:
      return FoldLogical(node, false);
    case NodeKind::kOr:
      return FoldLogical(node, true);
    case NodeKind::kBinary:
      return FoldBinary(node);
    case NodeKind::kIn:
      if (IsConstant(*node.children[0])) {
        bool found = false;
        for (size_t i = 1; i < node.children.size(); ++i) {
          found = found || LiteralEquals(*node.children[0], *node.children[i]);
        }
        MakeBool(node, found);
      }
      return;
    default:
      return;
  }
}

absl::Status Generate(const Node& root, Program& program) {
  Generator(program).Emit(root);
  if (program.max_stack > kMaxStack) {
    return ErrorAt(root.pos, absl::StrCat("expression is too complex (needs ", program.max_stack,
                                          " stack slots, at most ", kMaxStack, ")"));
  }
  return absl::OkStatus();
}

}  // namespace nbo::core::expr::internal
