// Parsers for the SPEC §3 cell grammar and `unless` expressions.
//
// Both are hand-written recursive descent over the raw text with explicit
// depth and size limits, so hostile input costs linear time and bounded
// stack (SPEC §10).
#include "birthright/predicate.h"

#include <string>
#include <utility>

#include "util/text.h"

namespace birthright {

std::string_view PredicateOpName(PredicateOp op) {
  switch (op) {
    case PredicateOp::kAnyOf:
      return "any-of";
    case PredicateOp::kNoneOf:
      return "none-of";
    case PredicateOp::kLess:
      return "<";
    case PredicateOp::kLessEq:
      return "<=";
    case PredicateOp::kGreater:
      return ">";
    case PredicateOp::kGreaterEq:
      return ">=";
    case PredicateOp::kRange:
      return "range";
    case PredicateOp::kContains:
      return "contains";
    case PredicateOp::kStartsWith:
      return "starts with";
    case PredicateOp::kEndsWith:
      return "ends with";
    case PredicateOp::kRegex:
      return "regex";
    case PredicateOp::kExists:
      return "exists";
    case PredicateOp::kMissing:
      return "missing";
  }
  return "?";
}

bool IsOrderedOp(PredicateOp op) {
  return op == PredicateOp::kLess || op == PredicateOp::kLessEq ||
         op == PredicateOp::kGreater || op == PredicateOp::kGreaterEq ||
         op == PredicateOp::kRange;
}

bool IsPatternOp(PredicateOp op) {
  return op == PredicateOp::kContains || op == PredicateOp::kStartsWith ||
         op == PredicateOp::kEndsWith || op == PredicateOp::kRegex;
}

namespace {

// True if `s` at `pos` starts with keyword `kw` (case-insensitive) followed
// by end, whitespace or one of `follow`.
bool HasKeyword(std::string_view s, size_t pos, std::string_view kw,
                std::string_view follow = "") {
  if (s.size() - pos < kw.size()) return false;
  if (!EqualsIgnoreCase(s.substr(pos, kw.size()), kw)) return false;
  const size_t end = pos + kw.size();
  return end == s.size() || IsAsciiSpace(s[end]) ||
         follow.find(s[end]) != std::string_view::npos;
}

// ---------------------------------------------------------------------------
// Cell grammar.

class CellParser {
 public:
  CellParser(std::string_view text, const ExprLimits& limits)
      : text_(text), limits_(limits) {}

  CellParse Parse() {
    CellParse out;
    const size_t b = SkipSpace(0);
    size_t e = text_.size();
    while (e > b && IsAsciiSpace(text_[e - 1])) --e;
    const std::string_view body = text_.substr(b, e - b);
    if (body.empty() || body == "*" || EqualsIgnoreCase(body, "any")) {
      return out;
    }
    Predicate p;
    if (EqualsIgnoreCase(body, "exists")) {
      p.op = PredicateOp::kExists;
    } else if (EqualsIgnoreCase(body, "missing")) {
      p.op = PredicateOp::kMissing;
    } else if (body.size() >= 2 && body.front() == '/' && body.back() == '/') {
      p.op = PredicateOp::kRegex;
      p.values.emplace_back(body.substr(1, body.size() - 2));
      if (p.values[0].empty())
        return Error(&out, b + 1, "empty regular expression");
    } else if (body.front() == '/') {
      return Error(&out, b,
                   "unterminated regular expression; expected a closing '/'");
    } else if (body.front() == '!' || HasKeyword(body, 0, "not", "(")) {
      const size_t skip = body.front() == '!' ? 1 : 3;
      size_t pos = SkipSpace(b + skip);
      size_t end = e;
      if (pos < end && text_[pos] == '(') {
        if (text_[end - 1] != ')') {
          return Error(&out, end, "expected ')' to close 'not ('");
        }
        ++pos;
        --end;
      }
      p.op = PredicateOp::kNoneOf;
      if (!ParseList(pos, end, &p.values, &out)) return out;
    } else if (body.starts_with(">=") || body.starts_with("<=")) {
      p.op = body[0] == '>' ? PredicateOp::kGreaterEq : PredicateOp::kLessEq;
      if (!ParseSingle(b + 2, e,
                       "a value after '" + std::string(body.substr(0, 2)) + "'",
                       &p.values, &out)) {
        return out;
      }
    } else if (body.front() == '>' || body.front() == '<') {
      p.op = body[0] == '>' ? PredicateOp::kGreater : PredicateOp::kLess;
      if (!ParseSingle(b + 1, e, std::string("a value after '") + body[0] + "'",
                       &p.values, &out)) {
        return out;
      }
    } else if (HasKeyword(body, 0, "contains")) {
      p.op = PredicateOp::kContains;
      if (!ParseSingle(b + 8, e, "text after 'contains'", &p.values, &out))
        return out;
    } else if (HasKeyword(body, 0, "starts") &&
               HasKeyword(text_, SkipSpace(b + 6), "with")) {
      p.op = PredicateOp::kStartsWith;
      if (!ParseSingle(SkipSpace(b + 6) + 4, e, "text after 'starts with'",
                       &p.values, &out)) {
        return out;
      }
    } else if (HasKeyword(body, 0, "ends") &&
               HasKeyword(text_, SkipSpace(b + 4), "with")) {
      p.op = PredicateOp::kEndsWith;
      if (!ParseSingle(SkipSpace(b + 4) + 4, e, "text after 'ends with'",
                       &p.values, &out)) {
        return out;
      }
    } else {
      p.op = PredicateOp::kAnyOf;
      bool quoted = false;
      if (!ParseList(b, e, &p.values, &out, &quoted)) return out;
      // An unquoted single value with ".." is an inclusive range.
      if (!quoted && p.values.size() == 1) {
        const size_t dots = p.values[0].find("..");
        if (dots != std::string::npos) {
          std::string lo(
              TrimWhitespace(std::string_view(p.values[0]).substr(0, dots)));
          std::string hi(
              TrimWhitespace(std::string_view(p.values[0]).substr(dots + 2)));
          // "a...b" would be ambiguous (which two dots?), so bounds may not
          // start or end with '.'.
          if (lo.empty() || hi.empty() || hi.find("..") != std::string::npos ||
              lo.back() == '.' || hi.front() == '.') {
            return Error(&out, b, "malformed range; expected LOW..HIGH");
          }
          p.op = PredicateOp::kRange;
          p.values = {std::move(lo), std::move(hi)};
        }
      }
    }
    out.predicate = std::move(p);
    return out;
  }

 private:
  size_t SkipSpace(size_t pos) const {
    while (pos < text_.size() && IsAsciiSpace(text_[pos])) ++pos;
    return pos;
  }

  bool Fail(CellParse* out, size_t pos, std::string message) {
    out->error = SyntaxError{static_cast<int32_t>(pos) + 1, std::move(message)};
    return false;
  }
  CellParse Error(CellParse* out, size_t pos, const char* message) {
    Fail(out, pos, std::string(message));
    return std::move(*out);
  }

  // One value, possibly quoted, filling [pos, end).
  bool ParseSingle(size_t pos, size_t end, const std::string& expected,
                   std::vector<std::string>* values, CellParse* out) {
    pos = SkipSpace(pos);
    if (pos >= end) return Fail(out, pos, "expected " + expected);
    std::vector<std::string> tmp;
    bool quoted = false;
    if (!ParseList(pos, end, &tmp, out, &quoted, /*allow_list=*/false))
      return false;
    *values = std::move(tmp);
    return true;
  }

  // Values separated by '|' or ';' (outside double quotes) in [pos, end).
  bool ParseList(size_t pos, size_t end, std::vector<std::string>* values,
                 CellParse* out, bool* any_quoted = nullptr,
                 bool allow_list = true) {
    std::string current;
    bool have_quote = false;
    size_t item_start = pos;
    auto finish = [&](size_t at) -> bool {
      std::string v(TrimWhitespace(current));
      if (v.empty() && !have_quote) {
        return Fail(out, at, std::string("expected a value"));
      }
      if (static_cast<int32_t>(values->size()) >= limits_.max_list_values) {
        out->limit_hit = true;
        return Fail(out, at,
                    "too many values in one list (limit " +
                        std::to_string(limits_.max_list_values) + ")");
      }
      values->push_back(std::move(v));
      current.clear();
      have_quote = false;
      return true;
    };
    for (size_t i = pos; i < end; ++i) {
      const char c = text_[i];
      if (c == '"') {
        const size_t close = text_.find('"', i + 1);
        if (close == std::string_view::npos || close >= end) {
          return Fail(
              out, i,
              std::string(
                  "unterminated quoted value; expected a closing '\"'"));
        }
        if (!TrimWhitespace(current).empty()) {
          return Fail(
              out, i,
              std::string(
                  "unexpected '\"' inside a value; quote the whole value"));
        }
        current.assign(text_.substr(i + 1, close - i - 1));
        have_quote = true;
        if (any_quoted != nullptr) *any_quoted = true;
        i = close;
        // Only spaces may follow up to the separator.
        size_t j = close + 1;
        while (j < end && IsAsciiSpace(text_[j])) ++j;
        if (j < end && text_[j] != '|' && text_[j] != ';') {
          return Fail(out, j,
                      std::string("expected '|' or ';' after a quoted value"));
        }
        continue;
      }
      if (c == '|' || c == ';') {
        if (!allow_list) {
          return Fail(out, i,
                      std::string("expected a single value; quote it if it "
                                  "contains '|' or ';'"));
        }
        if (!finish(item_start)) return false;
        item_start = i + 1;
        continue;
      }
      if (have_quote) {
        if (!IsAsciiSpace(c))
          return Fail(out, i,
                      std::string("unexpected text after quoted value"));
        continue;
      }
      current.push_back(c);
    }
    return finish(item_start);
  }

  std::string_view text_;
  const ExprLimits& limits_;
};

// ---------------------------------------------------------------------------
// Expression grammar.
//
//   or   := and ("or" and)*
//   and  := unary ("and" unary)*
//   unary:= "not" unary | "(" or ")" | pred
//   pred := ATTR-WORDS op
class ExprParser {
 public:
  ExprParser(std::string_view text, const ExprLimits& limits)
      : text_(text), limits_(limits) {}

  ExprParse Parse() {
    ExprParse out;
    Expr e;
    if (!ParseOr(&e, 0)) {
      out.error = error_;
      out.limit_hit = limit_hit_;
      return out;
    }
    Skip();
    if (pos_ < text_.size()) {
      out.error = SyntaxError{
          Col(), "unexpected '" + Snippet() + "'; expected 'and', 'or' or end"};
      return out;
    }
    out.expr = std::move(e);
    return out;
  }

 private:
  static constexpr std::string_view kSpecial = "()\",|;=<>!/";

  int32_t Col() const { return static_cast<int32_t>(pos_) + 1; }
  void Skip() {
    while (pos_ < text_.size() && IsAsciiSpace(text_[pos_])) ++pos_;
  }
  std::string Snippet() const {
    return std::string(
        text_.substr(pos_, std::min<size_t>(12, text_.size() - pos_)));
  }
  bool Fail(std::string message) {
    if (!error_) error_ = SyntaxError{Col(), std::move(message)};
    return false;
  }
  bool Keyword(std::string_view kw, std::string_view follow = "(") {
    Skip();
    if (HasKeyword(text_, pos_, kw, follow)) {
      pos_ += kw.size();
      return true;
    }
    return false;
  }
  bool PeekKeyword(std::string_view kw, std::string_view follow = "(") {
    Skip();
    return HasKeyword(text_, pos_, kw, follow);
  }
  bool CountNode() {
    if (++nodes_ > limits_.max_nodes) {
      limit_hit_ = true;
      return Fail("expression has too many parts (limit " +
                  std::to_string(limits_.max_nodes) + ")");
    }
    return true;
  }

  bool ParseOr(Expr* out, int depth) {
    if (depth > limits_.max_depth) {
      limit_hit_ = true;
      return Fail("expression nested too deeply (limit " +
                  std::to_string(limits_.max_depth) + ")");
    }
    Expr first;
    if (!ParseAnd(&first, depth)) return false;
    if (!PeekKeyword("or")) {
      *out = std::move(first);
      return true;
    }
    Expr node;
    node.kind = Expr::Kind::kOr;
    node.column = first.column;
    node.children.push_back(std::move(first));
    while (Keyword("or")) {
      Expr next;
      if (!ParseAnd(&next, depth)) return false;
      node.children.push_back(std::move(next));
    }
    *out = std::move(node);
    return CountNode();
  }

  bool ParseAnd(Expr* out, int depth) {
    Expr first;
    if (!ParseUnary(&first, depth)) return false;
    if (!PeekKeyword("and")) {
      *out = std::move(first);
      return true;
    }
    Expr node;
    node.kind = Expr::Kind::kAnd;
    node.column = first.column;
    node.children.push_back(std::move(first));
    while (Keyword("and")) {
      Expr next;
      if (!ParseUnary(&next, depth)) return false;
      node.children.push_back(std::move(next));
    }
    *out = std::move(node);
    return CountNode();
  }

  bool ParseUnary(Expr* out, int depth) {
    if (depth > limits_.max_depth) {
      limit_hit_ = true;
      return Fail("expression nested too deeply (limit " +
                  std::to_string(limits_.max_depth) + ")");
    }
    Skip();
    const int32_t col = Col();
    if (Keyword("not")) {
      Expr child;
      if (!ParseUnary(&child, depth + 1)) return false;
      Expr node;
      node.kind = Expr::Kind::kNot;
      node.column = col;
      node.children.push_back(std::move(child));
      *out = std::move(node);
      return CountNode();
    }
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      if (!ParseOr(out, depth + 1)) return false;
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != ')') {
        return Fail("expected ')'");
      }
      ++pos_;
      return true;
    }
    return ParsePredicate(out);
  }

  // A bare word: a run of non-space, non-special characters.
  std::string_view Word() {
    Skip();
    const size_t b = pos_;
    while (pos_ < text_.size() && !IsAsciiSpace(text_[pos_]) &&
           kSpecial.find(text_[pos_]) == std::string_view::npos) {
      ++pos_;
    }
    return text_.substr(b, pos_ - b);
  }

  static bool IsOperatorWord(std::string_view w) {
    for (std::string_view kw :
         {"in", "not", "contains", "starts", "ends", "matches", "exists",
          "missing", "is", "and", "or"}) {
      if (EqualsIgnoreCase(w, kw)) return true;
    }
    return false;
  }

  bool ParsePredicate(Expr* out) {
    Skip();
    out->kind = Expr::Kind::kPredicate;
    out->column = Col();
    std::string attr;
    while (true) {
      const size_t save = pos_;
      std::string_view w = Word();
      if (w.empty()) {
        pos_ = save;
        break;
      }
      if (IsOperatorWord(w)) {
        pos_ = save;
        break;
      }
      if (!attr.empty()) attr.push_back(' ');
      attr.append(w);
    }
    if (attr.empty()) return Fail("expected an attribute name");
    out->attribute = std::move(attr);
    Predicate& p = out->predicate;
    Skip();
    auto sym = [&](std::string_view s) {
      if (text_.substr(pos_).starts_with(s)) {
        pos_ += s.size();
        return true;
      }
      return false;
    };
    if (sym("==") || sym("=")) {
      p.op = PredicateOp::kAnyOf;
      return ParseValue(&p.values, "a value after '='") && CountNode();
    }
    if (sym("!=")) {
      p.op = PredicateOp::kNoneOf;
      return ParseValue(&p.values, "a value after '!='") && CountNode();
    }
    if (sym(">=") || sym("<=") || sym(">") || sym("<")) {
      const char c0 =
          text_[pos_ - 1] == '=' ? text_[pos_ - 2] : text_[pos_ - 1];
      const bool eq = text_[pos_ - 1] == '=';
      p.op = c0 == '>' ? (eq ? PredicateOp::kGreaterEq : PredicateOp::kGreater)
                       : (eq ? PredicateOp::kLessEq : PredicateOp::kLess);
      return ParseValue(&p.values, "a value after the comparison") &&
             CountNode();
    }
    if (Keyword("not")) {
      if (!Keyword("in")) return Fail("expected 'in' after 'not'");
      p.op = PredicateOp::kNoneOf;
      return ParseList(&p.values) && CountNode();
    }
    if (Keyword("in")) {
      Skip();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        p.op = PredicateOp::kAnyOf;
        return ParseList(&p.values) && CountNode();
      }
      std::vector<std::string> v;
      if (!ParseValue(&v, "'(' or a range LOW..HIGH after 'in'")) return false;
      const size_t dots = v[0].find("..");
      if (dots == std::string::npos) {
        return Fail("expected '(' or a range LOW..HIGH after 'in'");
      }
      p.op = PredicateOp::kRange;
      p.values = {
          std::string(TrimWhitespace(std::string_view(v[0]).substr(0, dots))),
          std::string(TrimWhitespace(std::string_view(v[0]).substr(dots + 2)))};
      if (p.values[0].empty() || p.values[1].empty() ||
          p.values[1].find("..") != std::string::npos ||
          p.values[0].back() == '.' || p.values[1].front() == '.') {
        return Fail("malformed range; expected LOW..HIGH");
      }
      return CountNode();
    }
    if (Keyword("contains", "\"")) {
      p.op = PredicateOp::kContains;
      return ParseValue(&p.values, "text after 'contains'") && CountNode();
    }
    if (Keyword("starts")) {
      if (!Keyword("with", "\"")) return Fail("expected 'with' after 'starts'");
      p.op = PredicateOp::kStartsWith;
      return ParseValue(&p.values, "text after 'starts with'") && CountNode();
    }
    if (Keyword("ends")) {
      if (!Keyword("with", "\"")) return Fail("expected 'with' after 'ends'");
      p.op = PredicateOp::kEndsWith;
      return ParseValue(&p.values, "text after 'ends with'") && CountNode();
    }
    if (Keyword("matches", "/")) {
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != '/') {
        return Fail("expected /regex/ after 'matches'");
      }
      size_t close = pos_ + 1;
      // A regex ends at the next unescaped '/'.
      while (close < text_.size() && text_[close] != '/') {
        if (text_[close] == '\\') ++close;
        ++close;
      }
      if (close >= text_.size()) return Fail("unterminated regular expression");
      p.op = PredicateOp::kRegex;
      p.values.emplace_back(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      if (p.values[0].empty()) return Fail("empty regular expression");
      return CountNode();
    }
    if (Keyword("exists", ")")) {
      p.op = PredicateOp::kExists;
      return CountNode();
    }
    if (Keyword("missing", ")")) {
      p.op = PredicateOp::kMissing;
      return CountNode();
    }
    if (Keyword("is")) {
      if (Keyword("not")) {
        if (!Keyword("missing", ")"))
          return Fail("expected 'missing' after 'is not'");
        p.op = PredicateOp::kExists;
        return CountNode();
      }
      if (!Keyword("missing", ")"))
        return Fail("expected 'missing' after 'is'");
      p.op = PredicateOp::kMissing;
      return CountNode();
    }
    return Fail(
        "expected an operator (=, !=, in, not in, <, <=, >, >=, "
        "contains, starts with, ends with, matches, exists, missing) "
        "after '" +
        out->attribute + "'");
  }

  // A value: a quoted string, or words up to and/or/')'/','/end.
  bool ParseValue(std::vector<std::string>* values, const std::string& expected,
                  bool in_list = false) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const size_t close = text_.find('"', pos_ + 1);
      if (close == std::string_view::npos) {
        return Fail("unterminated quoted value; expected a closing '\"'");
      }
      values->emplace_back(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return true;
    }
    std::string v;
    while (true) {
      Skip();
      if (pos_ >= text_.size()) break;
      const char c = text_[pos_];
      if (c == ')' || c == ',' || c == '(' || c == '"') break;
      if (in_list && (c == '|' || c == ';')) break;
      if (HasKeyword(text_, pos_, "and", "(") ||
          HasKeyword(text_, pos_, "or", "(")) {
        break;
      }
      const size_t b = pos_;
      // A '"' inside an unquoted word ends it (and is then an error): a
      // value holding a quote could not be written back (no escapes).
      while (pos_ < text_.size() && !IsAsciiSpace(text_[pos_]) &&
             text_[pos_] != ')' && text_[pos_] != ',' && text_[pos_] != '(' &&
             text_[pos_] != '"' &&
             !(in_list && (text_[pos_] == '|' || text_[pos_] == ';'))) {
        ++pos_;
      }
      if (!v.empty()) v.push_back(' ');
      v.append(text_.substr(b, pos_ - b));
    }
    if (v.empty()) return Fail("expected " + expected);
    values->push_back(std::move(v));
    return true;
  }

  bool ParseList(std::vector<std::string>* values) {
    Skip();
    if (pos_ >= text_.size() || text_[pos_] != '(') {
      return Fail("expected '(' to start a list");
    }
    ++pos_;
    while (true) {
      if (static_cast<int32_t>(values->size()) >= limits_.max_list_values) {
        limit_hit_ = true;
        return Fail("too many values in one list");
      }
      if (!ParseValue(values, "a value in the list", /*in_list=*/true))
        return false;
      Skip();
      if (pos_ < text_.size() &&
          (text_[pos_] == ',' || text_[pos_] == '|' || text_[pos_] == ';')) {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ')') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or ')' in the list");
    }
  }

  std::string_view text_;
  const ExprLimits& limits_;
  size_t pos_ = 0;
  int32_t nodes_ = 0;
  bool limit_hit_ = false;
  std::optional<SyntaxError> error_;
};

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == '|' || c == ';' || c == ',' || c == '(' || c == ')' || c == '"' ||
        c == '/' || c == '!' || c == '<' || c == '>' || c == '=') {
      return true;
    }
  }
  if (v.find("..") != std::string_view::npos) return true;
  // Any word that is a keyword of the cell or expression grammar would be
  // read as one: quote the value.
  for (size_t i = 0; i < v.size();) {
    while (i < v.size() && IsAsciiSpace(v[i])) ++i;
    size_t j = i;
    while (j < v.size() && !IsAsciiSpace(v[j])) ++j;
    const std::string_view word = v.substr(i, j - i);
    for (std::string_view kw :
         {"not", "contains", "starts", "ends", "exists", "missing", "any", "*",
          "and", "or", "in", "is", "matches", "with"}) {
      if (EqualsIgnoreCase(word, kw)) return true;
    }
    i = j;
  }
  return IsAsciiSpace(v.front()) || IsAsciiSpace(v.back());
}

std::string Quote(std::string_view v) {
  return NeedsQuotes(v) ? "\"" + std::string(v) + "\"" : std::string(v);
}

}  // namespace

CellParse ParseCell(std::string_view cell, const ExprLimits& limits) {
  return CellParser(cell, limits).Parse();
}

ExprParse ParseExpr(std::string_view text, const ExprLimits& limits) {
  return ExprParser(text, limits).Parse();
}

std::string FormatPredicate(const Predicate& p) {
  std::string out;
  auto join = [&](std::string_view sep) {
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (i > 0) out += sep;
      out += Quote(p.values[i]);
    }
  };
  switch (p.op) {
    case PredicateOp::kAnyOf:
      join(" | ");
      break;
    case PredicateOp::kNoneOf:
      out = p.values.size() == 1 ? "not " : "not (";
      join(" | ");
      if (p.values.size() != 1) out += ")";
      break;
    case PredicateOp::kLess:
      out = "< " + Quote(p.values[0]);
      break;
    case PredicateOp::kLessEq:
      out = "<= " + Quote(p.values[0]);
      break;
    case PredicateOp::kGreater:
      out = "> " + Quote(p.values[0]);
      break;
    case PredicateOp::kGreaterEq:
      out = ">= " + Quote(p.values[0]);
      break;
    case PredicateOp::kRange:
      out = p.values[0] + ".." + p.values[1];
      break;
    case PredicateOp::kContains:
      out = "contains " + Quote(p.values[0]);
      break;
    case PredicateOp::kStartsWith:
      out = "starts with " + Quote(p.values[0]);
      break;
    case PredicateOp::kEndsWith:
      out = "ends with " + Quote(p.values[0]);
      break;
    case PredicateOp::kRegex:
      out = "/" + p.values[0] + "/";
      break;
    case PredicateOp::kExists:
      out = "exists";
      break;
    case PredicateOp::kMissing:
      out = "missing";
      break;
  }
  return out;
}

void ForEachPredicate(const Expr& e,
                      const std::function<void(const Expr&)>& f) {
  if (e.kind == Expr::Kind::kPredicate) {
    f(e);
    return;
  }
  for (const Expr& c : e.children) ForEachPredicate(c, f);
}

std::string FormatExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPredicate: {
      const Predicate& p = e.predicate;
      auto list = [&] {
        std::string s = "(";
        for (size_t i = 0; i < p.values.size(); ++i) {
          if (i > 0) s += ", ";
          s += Quote(p.values[i]);
        }
        return s + ")";
      };
      switch (p.op) {
        case PredicateOp::kAnyOf:
          return p.values.size() == 1 ? e.attribute + " = " + Quote(p.values[0])
                                      : e.attribute + " in " + list();
        case PredicateOp::kNoneOf:
          return p.values.size() == 1
                     ? e.attribute + " != " + Quote(p.values[0])
                     : e.attribute + " not in " + list();
        case PredicateOp::kRange:
          return e.attribute + " in " + p.values[0] + ".." + p.values[1];
        case PredicateOp::kRegex:
          return e.attribute + " matches /" + p.values[0] + "/";
        default:
          return e.attribute + " " + FormatPredicate(p);
      }
    }
    case Expr::Kind::kNot:
      return "not (" + FormatExpr(e.children[0]) + ")";
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::string s;
      const char* sep = e.kind == Expr::Kind::kAnd ? " and " : " or ";
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) s += sep;
        const bool paren = e.children[i].kind == Expr::Kind::kAnd ||
                           e.children[i].kind == Expr::Kind::kOr;
        s += paren ? "(" + FormatExpr(e.children[i]) + ")"
                   : FormatExpr(e.children[i]);
      }
      return s;
    }
  }
  return "";
}

}  // namespace birthright
