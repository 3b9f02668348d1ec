// Lexer and recursive-descent (precedence-climbing) parser for Milvus filter expressions.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "expr/ast.h"

namespace vdb::expr {

namespace {

enum class Tok : uint8_t { kEnd, kInt, kFloat, kString, kIdent, kPlaceholder, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;
  std::string text;  // identifier, punctuation, placeholder name, or decoded string
  int64_t i = 0;
  double d = 0;
};

Status SyntaxError(size_t pos, std::string_view what) {
  return Status::InvalidArgument("failed to create query plan: " + std::string(what) +
                                 " at position " + std::to_string(pos));
}

std::string Describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of input";
  if (t.kind == Tok::kString) return "string '" + t.text + "'";
  if (t.kind == Tok::kPlaceholder) return "'{" + t.text + "}'";
  return "'" + t.text + "'";
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Status Next(Token* out) {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    *out = Token();
    out->pos = pos_;
    if (pos_ >= text_.size()) return Status::OK();
    char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && pos_ + 1 < text_.size() &&
         std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      return Number(out);
    }
    if (c == '"' || c == '\'') return String(out);
    if (IsIdentStart(c) || c == '$') {
      size_t start = pos_++;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      out->kind = Tok::kIdent;
      out->text = std::string(text_.substr(start, pos_ - start));
      if (out->text == "$") return SyntaxError(start, "unexpected character '$'");
      return Status::OK();
    }
    if (c == '{') {
      size_t start = pos_++;
      size_t name_start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      if (pos_ >= text_.size() || text_[pos_] != '}' || pos_ == name_start) {
        return SyntaxError(start, "bad template placeholder");
      }
      out->kind = Tok::kPlaceholder;
      out->text = std::string(text_.substr(name_start, pos_ - name_start));
      ++pos_;
      return Status::OK();
    }
    static constexpr std::string_view kTwo[] = {
        "**", "<=", ">=", "==", "!=", "<<", ">>", "&&", "||"};
    for (std::string_view op : kTwo) {
      if (text_.substr(pos_, 2) == op) {
        out->kind = Tok::kPunct;
        out->text = std::string(op);
        pos_ += 2;
        return Status::OK();
      }
    }
    if (std::string_view("+-*/%<>!~&|^()[],").find(c) != std::string_view::npos) {
      out->kind = Tok::kPunct;
      out->text = std::string(1, c);
      ++pos_;
      return Status::OK();
    }
    std::string shown = std::isprint(static_cast<unsigned char>(c))
                            ? std::string(1, c)
                            : "\\x" + std::to_string(static_cast<unsigned char>(c));
    return SyntaxError(pos_, "unexpected character '" + shown + "'");
  }

 private:
  Status Number(Token* out) {
    size_t start = pos_;
    int base = 10;
    size_t digits = pos_;
    if (text_[pos_] == '0' && pos_ + 1 < text_.size()) {
      char x = static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_ + 1])));
      if (x == 'x') base = 16;
      if (x == 'o') base = 8;
      if (x == 'b') base = 2;
      if (base != 10) digits = pos_ + 2;
    }
    if (base == 10) {
      // Decimal, float, or a C-style octal with a leading 0.
      bool is_float = false;
      while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (std::isdigit(static_cast<unsigned char>(c))) {
          ++pos_;
        } else if (c == '.' && !is_float) {
          is_float = true;
          ++pos_;
        } else if ((c == 'e' || c == 'E') && pos_ + 1 < text_.size()) {
          size_t k = pos_ + 1;
          if (text_[k] == '+' || text_[k] == '-') ++k;
          if (k >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[k]))) break;
          is_float = true;
          pos_ = k;
        } else {
          break;
        }
      }
      std::string lit(text_.substr(start, pos_ - start));
      if (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
        return SyntaxError(start, "bad number '" + lit + text_[pos_] + "'");
      }
      out->text = lit;
      if (is_float) {
        out->kind = Tok::kFloat;
        out->d = std::strtod(lit.c_str(), nullptr);
        return Status::OK();
      }
      if (lit.size() > 1 && lit[0] == '0') base = 8, digits = start + 1;
    } else {
      pos_ = digits;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    }
    std::string lit(text_.substr(start, pos_ - start));
    std::string body(text_.substr(digits, pos_ - digits));
    out->text = lit;
    out->kind = Tok::kInt;
    if (body.empty()) return SyntaxError(start, "bad number '" + lit + "'");
    uint64_t value = 0;
    for (char c : body) {
      int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : std::isalpha(static_cast<unsigned char>(c))
                  ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                  : 99;
      if (v >= base) return SyntaxError(start, "bad number '" + lit + "'");
      if (value > (UINT64_MAX - static_cast<uint64_t>(v)) / static_cast<uint64_t>(base)) {
        return SyntaxError(start, "integer out of range '" + lit + "'");
      }
      value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(v);
    }
    // 9223372036854775808 is accepted so that unary minus can make INT64_MIN.
    if (value > uint64_t{1} << 63) return SyntaxError(start, "integer out of range '" + lit + "'");
    out->i = static_cast<int64_t>(value);  // 2^63 wraps to INT64_MIN; negation keeps it there
    return Status::OK();
  }

  Status String(Token* out) {
    size_t start = pos_;
    char quote = text_[pos_++];
    std::string s;
    while (true) {
      if (pos_ >= text_.size()) return SyntaxError(start, "unterminated string");
      char c = text_[pos_++];
      if (c == quote) break;
      if (c != '\\') {
        s.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return SyntaxError(start, "unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case 'n':
          s.push_back('\n');
          break;
        case 't':
          s.push_back('\t');
          break;
        case 'r':
          s.push_back('\r');
          break;
        case '0':
          s.push_back('\0');
          break;
        case '\\':
        case '"':
        case '\'':
          s.push_back(e);
          break;
        // Kept escaped so that `like` patterns can still tell \% and \_ from wildcards.
        case '%':
        case '_':
          s.push_back('\\');
          s.push_back(e);
          break;
        default:
          return SyntaxError(pos_ - 2, std::string("bad escape '\\") + e + "' in string");
      }
    }
    out->kind = Tok::kString;
    out->text = std::move(s);
    return Status::OK();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Binary operator precedence, low to high; 0 = not a binary operator.
constexpr int kPrecOr = 1, kPrecAnd = 2, kPrecBitOr = 3, kPrecBitXor = 4, kPrecBitAnd = 5,
              kPrecEquality = 6, kPrecRelational = 7, kPrecIn = 8, kPrecShift = 9,
              kPrecAdditive = 10, kPrecMultiplicative = 11;

bool IsWord(const Token& t, std::string_view lower) {
  if (t.kind != Tok::kIdent || t.text.size() != lower.size()) return false;
  std::string upper(lower);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t.text == lower || t.text == upper;
}

// Sets n's height from its children; a syntax error when the tree gets too deep (long
// left-associative chains like a+a+a+... nest without parentheses).
Status FixHeight(Node* n) {
  n->height = 1;
  for (const auto& c : n->children) n->height = std::max(n->height, c->height + 1);
  if (n->height > kMaxExprDepth) return SyntaxError(n->pos, "expression nested too deeply");
  return Status::OK();
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  Result<std::unique_ptr<Node>> Run() {
    VDB_RETURN_IF_ERROR(Advance());
    VDB_ASSIGN_OR_RETURN(auto root, ParseExpr(kPrecOr));
    if (tok_.kind != Tok::kEnd) return Unexpected();
    return root;
  }

 private:
  Status Advance() { return lexer_.Next(&tok_); }
  Status Unexpected() { return SyntaxError(tok_.pos, "unexpected " + Describe(tok_)); }
  bool IsPunct(std::string_view p) const { return tok_.kind == Tok::kPunct && tok_.text == p; }
  Status Expect(std::string_view p) {
    if (!IsPunct(p)) {
      return SyntaxError(tok_.pos, "expected '" + std::string(p) + "' but got " + Describe(tok_));
    }
    return Advance();
  }

  // The binary operator at the current token, and its precedence.
  int BinaryPrec(Op* op) const {
    struct Entry {
      std::string_view text;
      Op op;
      int prec;
    };
    static constexpr Entry kPunct[] = {
        {"||", Op::kOr, kPrecOr},
        {"&&", Op::kAnd, kPrecAnd},
        {"|", Op::kBitOr, kPrecBitOr},
        {"^", Op::kBitXor, kPrecBitXor},
        {"&", Op::kBitAnd, kPrecBitAnd},
        {"==", Op::kEq, kPrecEquality},
        {"!=", Op::kNe, kPrecEquality},
        {"<", Op::kLt, kPrecRelational},
        {"<=", Op::kLe, kPrecRelational},
        {">", Op::kGt, kPrecRelational},
        {">=", Op::kGe, kPrecRelational},
        {"<<", Op::kShl, kPrecShift},
        {">>", Op::kShr, kPrecShift},
        {"+", Op::kAdd, kPrecAdditive},
        {"-", Op::kSub, kPrecAdditive},
        {"*", Op::kMul, kPrecMultiplicative},
        {"/", Op::kDiv, kPrecMultiplicative},
        {"%", Op::kMod, kPrecMultiplicative},
    };
    if (tok_.kind == Tok::kPunct) {
      for (const auto& e : kPunct) {
        if (tok_.text == e.text) {
          *op = e.op;
          return e.prec;
        }
      }
      return 0;
    }
    if (IsWord(tok_, "or")) return *op = Op::kOr, kPrecOr;
    if (IsWord(tok_, "and")) return *op = Op::kAnd, kPrecAnd;
    if (IsWord(tok_, "in")) return *op = Op::kIn, kPrecIn;
    if (IsWord(tok_, "not") || IsWord(tok_, "like") || IsWord(tok_, "is")) {
      *op = Op::kNone;  // postfix forms at the `in` level, handled in ParseExpr
      return kPrecIn;
    }
    return 0;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  Result<std::unique_ptr<Node>> ParseExpr(int min_prec) {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxExprDepth) return SyntaxError(tok_.pos, "expression nested too deeply");
    VDB_ASSIGN_OR_RETURN(auto lhs, ParseUnary());
    const Node* last_relational_rhs = nullptr;  // for chained ranges: 1 < x <= 9
    while (true) {
      Op op = Op::kNone;
      int prec = BinaryPrec(&op);
      if (prec == 0 || prec < min_prec) return lhs;
      size_t pos = tok_.pos;
      if (prec == kPrecIn && op == Op::kNone) {
        VDB_ASSIGN_OR_RETURN(lhs, ParsePostfixWord(std::move(lhs)));
        VDB_RETURN_IF_ERROR(FixHeight(lhs.get()));
        last_relational_rhs = nullptr;
        continue;
      }
      VDB_RETURN_IF_ERROR(Advance());
      VDB_ASSIGN_OR_RETURN(auto rhs, ParseExpr(prec + 1));
      if (prec == kPrecRelational && last_relational_rhs != nullptr) {
        auto cmp = MakeBinary(op, last_relational_rhs->Clone(), std::move(rhs), pos);
        last_relational_rhs = cmp->children[1].get();
        lhs = MakeBinary(Op::kAnd, std::move(lhs), std::move(cmp), pos);
        VDB_RETURN_IF_ERROR(FixHeight(lhs->children[1].get()));
        VDB_RETURN_IF_ERROR(FixHeight(lhs.get()));
        continue;
      }
      lhs = MakeBinary(op, std::move(lhs), std::move(rhs), pos);
      VDB_RETURN_IF_ERROR(FixHeight(lhs.get()));
      last_relational_rhs = prec == kPrecRelational ? lhs->children[1].get() : nullptr;
    }
  }

  static std::unique_ptr<Node> MakeBinary(Op op, std::unique_ptr<Node> a, std::unique_ptr<Node> b,
                                          size_t pos) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kBinary;
    n->op = op;
    n->pos = pos;
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  // `not in`, `like "p"`, `is [not] null` after an operand.
  Result<std::unique_ptr<Node>> ParsePostfixWord(std::unique_ptr<Node> lhs) {
    size_t pos = tok_.pos;
    if (IsWord(tok_, "not")) {
      VDB_RETURN_IF_ERROR(Advance());
      if (!IsWord(tok_, "in")) return Unexpected();
      VDB_RETURN_IF_ERROR(Advance());
      VDB_ASSIGN_OR_RETURN(auto rhs, ParseExpr(kPrecIn + 1));
      return MakeBinary(Op::kNotIn, std::move(lhs), std::move(rhs), pos);
    }
    auto n = std::make_unique<Node>();
    n->pos = pos;
    if (IsWord(tok_, "like")) {
      VDB_RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kString) {
        return SyntaxError(tok_.pos, "like needs a string pattern, got " + Describe(tok_));
      }
      n->kind = NodeKind::kLike;
      n->value = Value::String(tok_.text);
      VDB_RETURN_IF_ERROR(Advance());
    } else {  // is [not] null
      VDB_RETURN_IF_ERROR(Advance());
      n->kind = NodeKind::kIsNull;
      if (IsWord(tok_, "not")) {
        n->negated = true;
        VDB_RETURN_IF_ERROR(Advance());
      }
      if (!IsWord(tok_, "null")) return Unexpected();
      VDB_RETURN_IF_ERROR(Advance());
    }
    n->children.push_back(std::move(lhs));
    return n;
  }

  Result<std::unique_ptr<Node>> ParseUnary() {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxExprDepth) return SyntaxError(tok_.pos, "expression nested too deeply");
    Op op = Op::kNone;
    if (IsPunct("-")) op = Op::kNeg;
    if (IsPunct("+")) op = Op::kAdd;  // unary plus: no-op
    if (IsPunct("!") || IsWord(tok_, "not")) op = Op::kNot;
    if (IsPunct("~")) op = Op::kBitNot;
    if (op == Op::kNone) return ParsePower();
    size_t pos = tok_.pos;
    VDB_RETURN_IF_ERROR(Advance());
    VDB_ASSIGN_OR_RETURN(auto operand, ParseUnary());
    if (op == Op::kAdd) return operand;
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kUnary;
    n->op = op;
    n->pos = pos;
    n->children.push_back(std::move(operand));
    VDB_RETURN_IF_ERROR(FixHeight(n.get()));
    return n;
  }

  Result<std::unique_ptr<Node>> ParsePower() {
    VDB_ASSIGN_OR_RETURN(auto base, ParsePrimary());
    if (!IsPunct("**")) return base;
    size_t pos = tok_.pos;
    VDB_RETURN_IF_ERROR(Advance());
    VDB_ASSIGN_OR_RETURN(auto exponent, ParseUnary());  // right-associative
    auto n = MakeBinary(Op::kPow, std::move(base), std::move(exponent), pos);
    VDB_RETURN_IF_ERROR(FixHeight(n.get()));
    return n;
  }

  Result<std::unique_ptr<Node>> ParsePrimary() {
    auto n = std::make_unique<Node>();
    n->pos = tok_.pos;
    switch (tok_.kind) {
      case Tok::kInt:
        n->value = Value::Int(tok_.i);
        break;
      case Tok::kFloat:
        n->value = Value::Float(tok_.d);
        break;
      case Tok::kString:
        n->value = Value::String(tok_.text);
        break;
      case Tok::kPlaceholder:
        n->kind = NodeKind::kPlaceholder;
        n->name = tok_.text;
        break;
      case Tok::kIdent:
        return ParseIdentifier();
      case Tok::kEnd:
        return Unexpected();
      case Tok::kPunct:
        if (IsPunct("(")) {
          VDB_RETURN_IF_ERROR(Advance());
          VDB_ASSIGN_OR_RETURN(auto inner, ParseExpr(kPrecOr));
          VDB_RETURN_IF_ERROR(Expect(")"));
          return inner;
        }
        if (IsPunct("[")) return ParseList();
        return Unexpected();
    }
    VDB_RETURN_IF_ERROR(Advance());
    return n;
  }

  Result<std::unique_ptr<Node>> ParseList() {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kList;
    n->pos = tok_.pos;
    VDB_RETURN_IF_ERROR(Advance());  // [
    while (!IsPunct("]")) {
      if (n->children.size() >= kMaxListSize) return SyntaxError(tok_.pos, "list too long");
      VDB_ASSIGN_OR_RETURN(auto element, ParseExpr(kPrecOr));
      n->children.push_back(std::move(element));
      if (!IsPunct(",")) break;
      VDB_RETURN_IF_ERROR(Advance());
    }
    VDB_RETURN_IF_ERROR(Expect("]"));
    VDB_RETURN_IF_ERROR(FixHeight(n.get()));
    return n;
  }

  Result<std::unique_ptr<Node>> ParseIdentifier() {
    auto n = std::make_unique<Node>();
    n->pos = tok_.pos;
    std::string word = tok_.text;
    if (IsWord(tok_, "true") || word == "True" || IsWord(tok_, "false") || word == "False") {
      n->value = Value::Bool(word[0] == 't' || word[0] == 'T');
      VDB_RETURN_IF_ERROR(Advance());
      return n;
    }
    if (IsWord(tok_, "null")) {
      VDB_RETURN_IF_ERROR(Advance());
      return n;  // a null literal
    }
    static constexpr std::string_view kReserved[] = {"and", "or", "not", "in", "like", "is"};
    for (std::string_view r : kReserved) {
      if (IsWord(tok_, r)) return Unexpected();
    }
    bool exists = IsWord(tok_, "exists");
    VDB_RETURN_IF_ERROR(Advance());
    if (exists) {  // exists f["k"] and exists(f["k"]) alike
      VDB_ASSIGN_OR_RETURN(auto operand, ParseUnary());
      n->kind = NodeKind::kExists;
      n->children.push_back(std::move(operand));
      VDB_RETURN_IF_ERROR(FixHeight(n.get()));
      return n;
    }
    if (IsPunct("(")) return ParseCall(std::move(n), word);
    n->kind = NodeKind::kField;
    n->name = word;
    while (IsPunct("[")) {
      VDB_RETURN_IF_ERROR(Advance());
      PathStep step;
      if (tok_.kind == Tok::kString) {
        step.key = tok_.text;
      } else if (tok_.kind == Tok::kInt && tok_.i >= 0) {
        step.is_index = true;
        step.index = tok_.i;
      } else {
        return SyntaxError(tok_.pos, "bad path element " + Describe(tok_));
      }
      VDB_RETURN_IF_ERROR(Advance());
      VDB_RETURN_IF_ERROR(Expect("]"));
      if (n->path.size() >= 64) return SyntaxError(tok_.pos, "path too long");
      n->path.push_back(std::move(step));
    }
    return n;
  }

  Result<std::unique_ptr<Node>> ParseCall(std::unique_ptr<Node> n, std::string name) {
    n->kind = NodeKind::kCall;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    n->name = std::move(name);
    VDB_RETURN_IF_ERROR(Advance());  // (
    while (!IsPunct(")")) {
      if (n->children.size() >= 16) return SyntaxError(tok_.pos, "too many arguments");
      VDB_ASSIGN_OR_RETURN(auto arg, ParseExpr(kPrecOr));
      n->children.push_back(std::move(arg));
      if (!IsPunct(",")) break;
      VDB_RETURN_IF_ERROR(Advance());
    }
    VDB_RETURN_IF_ERROR(Expect(")"));
    VDB_RETURN_IF_ERROR(FixHeight(n.get()));
    return n;
  }

  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
};

void AppendValue(const Value& v, std::string* out) {
  switch (v.type) {
    case ValueType::kNull:
      *out += "null";
      break;
    case ValueType::kBool:
      *out += v.b ? "true" : "false";
      break;
    case ValueType::kInt:
      *out += std::to_string(v.i);
      break;
    case ValueType::kFloat:
      *out += std::to_string(v.d);
      break;
    case ValueType::kString:
      *out += "\"" + v.s + "\"";
      break;
    case ValueType::kList:
    case ValueType::kObject: {
      *out += "[";
      for (size_t k = 0; k < v.list.size(); ++k) {
        if (k) *out += ", ";
        AppendValue(v.list[k], out);
      }
      *out += "]";
      break;
    }
  }
}

}  // namespace

std::unique_ptr<Node> Node::Clone() const {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  n->pos = pos;
  n->op = op;
  n->negated = negated;
  n->value = value;
  n->name = name;
  n->path = path;
  n->height = height;
  for (const auto& c : children) n->children.push_back(c->Clone());
  return n;
}

Result<std::unique_ptr<Node>> Parse(std::string_view text) {
  if (text.size() > kMaxExprBytes) {
    return Status::InvalidArgument("failed to create query plan: expression longer than " +
                                   std::to_string(kMaxExprBytes) + " bytes");
  }
  return Parser(text).Run();
}

std::string NodeToString(const Node& node) {
  std::string out;
  auto child = [&](size_t k) { return NodeToString(*node.children[k]); };
  switch (node.kind) {
    case NodeKind::kLiteral:
      AppendValue(node.value, &out);
      break;
    case NodeKind::kList:
      out = "[";
      for (size_t k = 0; k < node.children.size(); ++k) out += (k ? ", " : "") + child(k);
      out += "]";
      break;
    case NodeKind::kField:
      out = node.name;
      for (const auto& s : node.path) {
        out += s.is_index ? "[" + std::to_string(s.index) + "]" : "[\"" + s.key + "\"]";
      }
      break;
    case NodeKind::kPlaceholder:
      out = "{" + node.name + "}";
      break;
    case NodeKind::kUnary:
      out = "(" + std::string(OpName(node.op)) + " " + child(0) + ")";
      break;
    case NodeKind::kBinary:
      out = "(" + child(0) + " " + std::string(OpName(node.op)) + " " + child(1) + ")";
      break;
    case NodeKind::kLike:
      out = "(" + child(0) + " like \"" + node.value.s + "\")";
      break;
    case NodeKind::kIsNull:
      out = "(" + child(0) + (node.negated ? " is not null)" : " is null)");
      break;
    case NodeKind::kExists:
      out = "(exists " + child(0) + ")";
      break;
    case NodeKind::kCall:
      out = node.name + "(";
      for (size_t k = 0; k < node.children.size(); ++k) out += (k ? ", " : "") + child(k);
      out += ")";
      break;
  }
  return out;
}

}  // namespace vdb::expr
