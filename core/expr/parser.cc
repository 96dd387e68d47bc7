#include "core/expr/parser.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/expr/absl_view.h"

namespace nbo::core::expr {
namespace {

bool IsComparison(TokenKind k) {
  return k == TokenKind::kEq || k == TokenKind::kNe || k == TokenKind::kLt || k == TokenKind::kLe ||
         k == TokenKind::kGt || k == TokenKind::kGe || k == TokenKind::kIn;
}

using NodePtr = std::unique_ptr<Node>;
using Result = absl::StatusOr<NodePtr>;

// Recursive descent, one function per precedence level (low to high):
//   or  := and { "||" and }          and := not { "&&" not }
//   not := "!" not | cmp             cmp := sum [ cmpop sum | "in" list ]
//   sum := product { ("+"|"-") product }   product := unary { ("*"|"/") unary }
//   unary := "-" unary | primary
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result ParseAll() {
    Result root = ParseOr();
    if (!root.ok()) return root;
    if (Peek().kind != TokenKind::kEnd) {
      return Expected("an operator or end of input");
    }
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[i_]; }
  const Token& Take() { return tokens_[i_++]; }  // Never moves past kEnd: callers check.
  absl::Status Expected(std::string_view what) const {
    return ErrorAt(Peek().pos,
                   absl::StrCat("expected ", AbslView(what), " but found ", Describe(Peek())));
  }
  // Opens one nesting level at `pos` (the opening token).
  absl::Status Enter(Position pos) {
    if (++depth_ > kMaxNestingDepth) {
      return ErrorAt(pos, absl::StrCat("expression is nested too deeply (more than ",
                                       kMaxNestingDepth, " levels)"));
    }
    return absl::OkStatus();
  }
  void Leave() { --depth_; }
  absl::Status ChainedComparison() const {
    return ErrorAt(Peek().pos, "comparisons cannot be chained (a < b < c); combine them with &&");
  }

  static NodePtr MakeNode(NodeKind kind, Position pos) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->pos = pos;
    node->op_pos = pos;
    return node;
  }

  Result ParseChain(NodeKind kind, TokenKind op, Result (Parser::*next)()) {
    Result first = (this->*next)();
    if (!first.ok() || Peek().kind != op) return first;
    NodePtr node = MakeNode(kind, (*first)->pos);
    node->op_pos = Peek().pos;
    node->children.push_back(*std::move(first));
    while (Peek().kind == op) {
      Take();
      Result operand = (this->*next)();
      if (!operand.ok()) return operand;
      node->children.push_back(*std::move(operand));
    }
    return node;
  }

  Result ParseOr() { return ParseChain(NodeKind::kOr, TokenKind::kOr, &Parser::ParseAnd); }
  Result ParseAnd() { return ParseChain(NodeKind::kAnd, TokenKind::kAnd, &Parser::ParseNot); }

  Result ParseNot() {
    if (Peek().kind != TokenKind::kNot) return ParseComparison();
    NodePtr node = MakeNode(NodeKind::kNot, Peek().pos);
    Take();
    if (absl::Status s = Enter(node->pos); !s.ok()) return s;
    Result operand = ParseNot();
    Leave();
    if (!operand.ok()) return operand;
    node->children.push_back(*std::move(operand));
    return node;
  }

  Result ParseComparison() {
    Result left = ParseSum();
    if (!left.ok() || !IsComparison(Peek().kind)) return left;
    const Token& op = Take();
    NodePtr node =
        MakeNode(op.kind == TokenKind::kIn ? NodeKind::kIn : NodeKind::kBinary, (*left)->pos);
    node->op = op.kind;
    node->op_pos = op.pos;
    node->children.push_back(*std::move(left));
    if (op.kind == TokenKind::kIn) {
      if (absl::Status s = ParseList(*node); !s.ok()) return s;
    } else {
      Result right = ParseSum();
      if (!right.ok()) return right;
      node->children.push_back(*std::move(right));
    }
    if (IsComparison(Peek().kind)) return ChainedComparison();
    return node;
  }

  // list := "[" [ literal { "," literal } ] "]"   literal := ["-"] number | string
  absl::Status ParseList(Node& in) {
    if (Peek().kind != TokenKind::kLBracket) return Expected("'[' to start a list after 'in'");
    Take();
    if (Peek().kind == TokenKind::kRBracket) {
      Take();
      return absl::OkStatus();
    }
    while (true) {
      const Position pos = Peek().pos;
      bool negative = false;
      if (Peek().kind == TokenKind::kMinus) {
        Take();
        negative = true;
      }
      const Token& t = Peek();
      if (t.kind == TokenKind::kNumber) {
        NodePtr item = MakeNode(NodeKind::kLiteral, pos);
        item->type = Type::kNumber;
        item->number = negative ? -t.number : t.number;
        in.children.push_back(std::move(item));
      } else if (t.kind == TokenKind::kString && !negative) {
        NodePtr item = MakeNode(NodeKind::kLiteral, pos);
        item->type = Type::kString;
        item->string = t.string;
        in.children.push_back(std::move(item));
      } else {
        return Expected(negative ? "a number" : "a number or a string in the list");
      }
      Take();
      if (Peek().kind == TokenKind::kRBracket) {
        Take();
        return absl::OkStatus();
      }
      if (Peek().kind != TokenKind::kComma) return Expected("',' or ']'");
      Take();
    }
  }

  Result ParseBinaryLevel(TokenKind op1, TokenKind op2, Result (Parser::*next)()) {
    Result left = (this->*next)();
    if (!left.ok()) return left;
    NodePtr node = *std::move(left);
    while (Peek().kind == op1 || Peek().kind == op2) {
      const Token& op = Take();
      Result right = (this->*next)();
      if (!right.ok()) return right;
      NodePtr parent = MakeNode(NodeKind::kBinary, node->pos);
      parent->op = op.kind;
      parent->op_pos = op.pos;
      parent->children.push_back(std::move(node));
      parent->children.push_back(*std::move(right));
      node = std::move(parent);
    }
    return node;
  }

  Result ParseSum() {
    return ParseBinaryLevel(TokenKind::kPlus, TokenKind::kMinus, &Parser::ParseProduct);
  }
  Result ParseProduct() {
    return ParseBinaryLevel(TokenKind::kStar, TokenKind::kSlash, &Parser::ParseUnary);
  }

  Result ParseUnary() {
    if (Peek().kind != TokenKind::kMinus) return ParsePrimary();
    NodePtr node = MakeNode(NodeKind::kNegate, Peek().pos);
    Take();
    if (absl::Status s = Enter(node->pos); !s.ok()) return s;
    Result operand = ParseUnary();
    Leave();
    if (!operand.ok()) return operand;
    node->children.push_back(*std::move(operand));
    return node;
  }

  Result ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kNumber: {
        NodePtr node = MakeNode(NodeKind::kLiteral, t.pos);
        node->type = Type::kNumber;
        node->number = t.number;
        Take();
        return node;
      }
      case TokenKind::kString: {
        NodePtr node = MakeNode(NodeKind::kLiteral, t.pos);
        node->type = Type::kString;
        node->string = t.string;
        Take();
        return node;
      }
      case TokenKind::kTrue:
      case TokenKind::kFalse: {
        NodePtr node = MakeNode(NodeKind::kLiteral, t.pos);
        node->type = Type::kBool;
        node->boolean = t.kind == TokenKind::kTrue;
        Take();
        return node;
      }
      case TokenKind::kName:
        return ParseNameOrCall();
      case TokenKind::kLParen: {
        if (absl::Status s = Enter(Take().pos); !s.ok()) return s;
        Result inner = ParseOr();
        Leave();
        if (!inner.ok()) return inner;
        if (Peek().kind != TokenKind::kRParen) return Expected("')'");
        Take();
        return inner;
      }
      default:
        return Expected("an expression");
    }
  }

  Result ParseNameOrCall() {
    const Token& name = Take();
    if (Peek().kind != TokenKind::kLParen) {
      NodePtr node = MakeNode(NodeKind::kVariable, name.pos);
      node->name = std::string(name.text);
      return node;
    }
    NodePtr node = MakeNode(NodeKind::kCall, name.pos);
    node->name = std::string(name.text);
    Take();  // (
    if (absl::Status s = Enter(name.pos); !s.ok()) return s;
    if (Peek().kind != TokenKind::kRParen) {
      while (true) {
        Result arg = ParseOr();
        if (!arg.ok()) return arg;
        node->children.push_back(*std::move(arg));
        if (Peek().kind == TokenKind::kRParen) break;
        if (Peek().kind != TokenKind::kComma) return Expected("',' or ')'");
        Take();
      }
    }
    Take();  // )
    Leave();
    return node;
  }

  std::vector<Token> tokens_;
  size_t i_ = 0;
  int depth_ = 0;
};

const char* OpText(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEq:
      return "==";
    case TokenKind::kNe:
      return "!=";
    case TokenKind::kLt:
      return "<";
    case TokenKind::kLe:
      return "<=";
    case TokenKind::kGt:
      return ">";
    case TokenKind::kGe:
      return ">=";
    case TokenKind::kPlus:
      return "+";
    case TokenKind::kMinus:
      return "-";
    case TokenKind::kStar:
      return "*";
    case TokenKind::kSlash:
      return "/";
    default:
      return "?";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Node>> Parse(std::string_view source) {
  if (source.size() > static_cast<size_t>(kMaxSourceLength)) {
    return ErrorAt(Position{}, absl::StrCat("expression is too long (", source.size(),
                                            " characters, at most ", kMaxSourceLength, ")"));
  }
  absl::StatusOr<std::vector<Token>> tokens = Lex(source);
  if (!tokens.ok()) return tokens.status();
  return Parser(*std::move(tokens)).ParseAll();
}

std::string ToString(const Node& node) {
  auto children = [&node](const char* sep) {
    return absl::StrJoin(node.children, sep, [](std::string* out, const std::unique_ptr<Node>& n) {
      absl::StrAppend(out, ToString(*n));
    });
  };
  switch (node.kind) {
    case NodeKind::kLiteral:
      switch (node.type) {
        case Type::kNumber:
          return FormatNumber(node.number);
        case Type::kBool:
          return node.boolean ? "true" : "false";
        case Type::kString:
          return QuoteString(node.string);
      }
      return "?";
    case NodeKind::kVariable:
      return node.name;
    case NodeKind::kCall:
      return absl::StrCat(node.name, "(", children(", "), ")");
    case NodeKind::kNot:
      return absl::StrCat("!", ToString(*node.children[0]));
    case NodeKind::kNegate:
      return absl::StrCat("-", ToString(*node.children[0]));
    case NodeKind::kAnd:
      return absl::StrCat("(", children(" && "), ")");
    case NodeKind::kOr:
      return absl::StrCat("(", children(" || "), ")");
    case NodeKind::kBinary:
      return absl::StrCat("(", ToString(*node.children[0]), " ", OpText(node.op), " ",
                          ToString(*node.children[1]), ")");
    case NodeKind::kIn: {
      std::string out = absl::StrCat("(", ToString(*node.children[0]), " in [");
      for (size_t i = 1; i < node.children.size(); ++i) {
        absl::StrAppend(&out, i > 1 ? ", " : "", ToString(*node.children[i]));
      }
      return absl::StrCat(out, "])");
    }
  }
  return "?";
}

}  // namespace nbo::core::expr
