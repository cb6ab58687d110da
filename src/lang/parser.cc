// Parser of the policy language (docs/policy-language.md).
//
// Hand-written: a lexer that reads one token ahead over the whole file, and
// one function per declaration. A declaration starts at a line whose first
// token is a declaration keyword and runs to the next such line, so
// indentation is free. `when` and `unless` clauses are the exception: their
// text runs to the end of the line (plus continuation lines that do not
// start with a keyword) and goes to the expression parser of predicate.h,
// whose columns are mapped back to file positions. Every error carries
// file:line:col and a caret excerpt (SPEC §10).
#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "birthright/date.h"
#include "birthright/policy_text.h"
#include "lang/syntax.h"
#include "util/diagnostic.h"
#include "util/status_macros.h"
#include "util/text.h"

namespace birthright {

std::string FormatCaretError(std::string_view text, std::string_view file,
                             int32_t line, int32_t column,
                             std::string_view message) {
  std::string out =
      FormatLocation(file, line, column) + ": " + std::string(message);
  if (line <= 0) return out;
  // Find the line.
  size_t start = 0;
  for (int32_t l = 1; l < line && start < text.size(); ++l) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return out;
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string_view src = text.substr(start, end - start);
  if (!src.empty() && src.back() == '\r') src.remove_suffix(1);
  // Long lines are cut so the excerpt stays readable.
  constexpr size_t kMaxExcerpt = 200;
  size_t from = 0;
  const size_t col0 = column > 0 ? static_cast<size_t>(column - 1) : 0;
  if (col0 > kMaxExcerpt - 20) from = col0 - (kMaxExcerpt - 20);
  std::string_view shown = src.substr(std::min(from, src.size()), kMaxExcerpt);
  out += "\n  ";
  for (char c : shown) {
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 && c != '\t' ? ' ' : c);
  }
  out += "\n  ";
  // The caret under the column: the same tabs as the source, one space per
  // UTF-8 character otherwise, so it lines up in a terminal.
  for (size_t i = from; i < col0 && i < src.size(); ++i) {
    const unsigned char u = static_cast<unsigned char>(src[i]);
    if (src[i] == '\t') {
      out.push_back('\t');
    } else if ((u & 0xC0) != 0x80) {
      out.push_back(' ');
    }
  }
  for (size_t i = src.size(); i < col0; ++i) out.push_back(' ');
  out.push_back('^');
  return out;
}

bool LooksLikePolicyText(std::string_view data) {
  if (data.starts_with("\xEF\xBB\xBF")) data.remove_prefix(3);
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = TrimWhitespace(data.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line.front() == '#') continue;
    size_t w = 0;
    while (w < line.size() && !IsAsciiSpace(line[w])) ++w;
    return w < line.size() && lang::IsDeclarationKeyword(line.substr(0, w));
  }
  return false;
}

namespace {

struct Token {
  enum Kind { kWord, kString, kPunct, kEnd };
  Kind kind = kEnd;
  std::string text;
  int32_t line = 1;
  int32_t column = 1;
  size_t offset = 0;
  bool first_on_line = false;
};

struct Comment {
  std::string text;
  int32_t line = 0;
};

// A `when`/`unless` clause gathered from one or more lines, with a map from
// its byte offsets back to file positions.
struct ClauseText {
  std::string text;
  struct Segment {
    size_t offset;  // In `text`.
    int32_t line;
    int32_t column;
  };
  std::vector<Segment> segments;

  // File position of the 1-based column `col` of `text`.
  std::pair<int32_t, int32_t> Map(int32_t col) const {
    const size_t off = col > 0 ? static_cast<size_t>(col - 1) : 0;
    // Segments are sorted by offset: the last one starting at or before off.
    auto it = std::upper_bound(
        segments.begin(), segments.end(), off,
        [](size_t o, const Segment& s) { return o < s.offset; });
    const Segment& seg = it == segments.begin() ? segments.front() : *(it - 1);
    return {seg.line, seg.column + static_cast<int32_t>(off - seg.offset)};
  }
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view file,
         const PolicyTextLimits& limits)
      : text_(text), file_(file), limits_(limits) {}

  absl::StatusOr<ParsedPolicyText> Parse() {
    if (static_cast<int64_t>(text_.size()) > limits_.max_file_bytes) {
      return LimitAt(1, 1,
                     "policy text is " + std::to_string(text_.size()) +
                         " bytes; limit " +
                         std::to_string(limits_.max_file_bytes) + " bytes");
    }
    if (text_.starts_with("\xEF\xBB\xBF")) {
      pos_ = 3;
      line_start_ = 3;  // Columns count from after the BOM.
    }
    int64_t declarations = 0;
    while (true) {
      BR_ASSIGN_OR_RETURN(Token t, Peek());
      if (t.kind == Token::kEnd) break;
      if (!IsDeclStart(t)) {
        return ErrorAt(t, "unexpected " + Describe(t) +
                              "; expected a declaration at the start of a "
                              "line: policy, attribute, alias, app, sod or "
                              "rule");
      }
      if (++declarations > limits_.max_declarations) {
        return LimitAt(t.line, t.column,
                       "too many declarations (limit " +
                           std::to_string(limits_.max_declarations) + ")");
      }
      std::vector<std::string> leading = TakeComments(INT32_MAX);
      Next();
      const std::string kw = AsciiLowercase(t.text);
      std::vector<std::string>* slot = nullptr;
      // A declaration that fails may have appended nothing: pick its
      // comment slot only after it parsed.
      if (kw == "policy") {
        BR_RETURN_IF_ERROR(ParsePolicyLine(t));
        slot = &out_.comments.policy;
      } else if (kw == "attribute") {
        BR_RETURN_IF_ERROR(ParseAttribute(t));
        slot = &Slot(out_.comments.attributes, out_.policy.schema.size());
      } else if (kw == "alias") {
        BR_RETURN_IF_ERROR(ParseAlias(t));
        slot = &Slot(out_.comments.aliases, out_.policy.aliases.size());
      } else if (kw == "app") {
        BR_RETURN_IF_ERROR(ParseApp(t));
        slot = &Slot(out_.comments.apps, out_.policy.catalog.size());
      } else if (kw == "sod") {
        BR_RETURN_IF_ERROR(ParseSod(t));
        slot = &Slot(out_.comments.sod, out_.policy.sod.size());
      } else {
        BR_RETURN_IF_ERROR(ParseRule(t));
        slot = &Slot(out_.comments.rules, out_.policy.rules.size());
      }
      // The declaration must end here: the next token starts a new one.
      BR_ASSIGN_OR_RETURN(Token after, Peek());
      if (after.kind != Token::kEnd && !IsDeclStart(after)) {
        return ErrorAt(after, "unexpected " + Describe(after) + " in '" + kw +
                                  "' declaration; expected " +
                                  ExpectedAfter(kw));
      }
      std::vector<std::string> inside = TakeComments(last_line_);
      slot->insert(slot->end(), leading.begin(), leading.end());
      slot->insert(slot->end(), inside.begin(), inside.end());
    }
    out_.comments.trailing = TakeComments(INT32_MAX);
    return std::move(out_);
  }

 private:
  static std::string ExpectedAfter(const std::string& kw) {
    if (kw == "policy") return "'version' or the end of the declaration";
    if (kw == "attribute") return "'case-sensitive' or the end of the line";
    if (kw == "app") {
      return "'default', 'owner', 'provisioning', 'cost' or the end of the "
             "declaration";
    }
    if (kw == "sod") return "'message' or the end of the declaration";
    if (kw == "rule") {
      return "',' and another target, or a clause: when, unless, priority, "
             "expires, from, until, owner, note";
    }
    return "the end of the declaration";
  }

  // REQUIRES: size_after >= 1 (the declaration just parsed was appended).
  static std::vector<std::string>& Slot(
      std::vector<std::vector<std::string>>& v, size_t size_after) {
    assert(size_after >= 1);
    if (v.size() < size_after) v.resize(size_after);
    return v[size_after - 1];
  }

  // Comments recorded so far on lines <= `max_line`, removed from pending.
  std::vector<std::string> TakeComments(int32_t max_line) {
    std::vector<std::string> out;
    std::vector<Comment> keep;
    for (Comment& c : pending_comments_) {
      if (c.line <= max_line) {
        out.push_back(std::move(c.text));
      } else {
        keep.push_back(std::move(c));
      }
    }
    pending_comments_ = std::move(keep);
    return out;
  }

  // ---- Errors -------------------------------------------------------------

  absl::Status ErrorAt(int32_t line, int32_t column, std::string_view message) {
    return absl::InvalidArgumentError(
        FormatCaretError(text_, file_, line, column, message));
  }
  absl::Status ErrorAt(const Token& t, std::string_view message) {
    return ErrorAt(t.line, t.column, message);
  }
  absl::Status LimitAt(int32_t line, int32_t column, std::string_view message) {
    return absl::ResourceExhaustedError(
        FormatCaretError(text_, file_, line, column, message));
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Token::kEnd:
        return "end of file";
      case Token::kString:
        return "string \"" + t.text.substr(0, 40) + "\"";
      case Token::kPunct:
        return "'" + t.text + "'";
      case Token::kWord:
        return "'" + t.text.substr(0, 40) + "'";
    }
    return "?";
  }

  // ---- Lexer --------------------------------------------------------------

  int32_t Col() const { return static_cast<int32_t>(pos_ - line_start_) + 1; }

  // Skips whitespace and comments; returns whether a newline was crossed.
  bool SkipTrivia() {
    bool newline = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
        token_on_line_ = false;
        newline = true;
      } else if (IsAsciiSpace(c)) {
        ++pos_;
      } else if (c == '#') {
        size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        RecordComment(text_.substr(pos_, end - pos_), line_);
        pos_ = end;
      } else {
        break;
      }
    }
    return newline;
  }

  void RecordComment(std::string_view c, int32_t line) {
    while (!c.empty() && IsAsciiSpace(c.back())) c.remove_suffix(1);
    if (!pending_comments_.empty() && pending_comments_.back().line == line &&
        pending_comments_.back().text == c) {
      return;  // Re-scanned after a rewind.
    }
    pending_comments_.push_back(Comment{std::string(c), line});
  }

  absl::StatusOr<Token> Lex() {
    SkipTrivia();
    Token t;
    t.line = line_;
    t.column = Col();
    t.offset = pos_;
    // Tracked rather than recomputed from the line, so a long line costs
    // linear time.
    t.first_on_line = !token_on_line_;
    if (pos_ >= text_.size()) {
      t.kind = Token::kEnd;
      return t;
    }
    token_on_line_ = true;
    const char c = text_[pos_];
    if (c == '"') {
      t.kind = Token::kString;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size() || text_[pos_] == '\n') {
          return ErrorAt(t, "unterminated string; expected a closing '\"'");
        }
        const char d = text_[pos_];
        if (d == '"') {
          ++pos_;
          break;
        }
        if (d == '\\') {
          if (pos_ + 1 >= text_.size()) {
            return ErrorAt(line_, Col(), "unterminated string escape");
          }
          const char e = text_[pos_ + 1];
          const char* repl = nullptr;
          switch (e) {
            case '"':
              repl = "\"";
              break;
            case '\\':
              repl = "\\";
              break;
            case 'n':
              repl = "\n";
              break;
            case 't':
              repl = "\t";
              break;
            case 'r':
              repl = "\r";
              break;
            default:
              return ErrorAt(line_, Col(),
                             std::string("unknown escape '\\") + e +
                                 "'; expected \\\", \\\\, \\n, \\t or \\r");
          }
          t.text += repl;
          pos_ += 2;
        } else {
          t.text.push_back(d);
          ++pos_;
        }
        if (static_cast<int64_t>(t.text.size()) > limits_.max_string_bytes) {
          return LimitAt(t.line, t.column,
                         "string longer than " +
                             std::to_string(limits_.max_string_bytes) +
                             " bytes");
        }
      }
      return t;
    }
    if (std::string_view(":[](),=").find(c) != std::string_view::npos) {
      t.kind = Token::kPunct;
      t.text = std::string(1, c);
      ++pos_;
      return t;
    }
    if (c == '\\') {
      return ErrorAt(t, "unexpected '\\' outside a quoted string");
    }
    t.kind = Token::kWord;
    const size_t b = pos_;
    while (pos_ < text_.size() && !IsAsciiSpace(text_[pos_]) &&
           lang::kWordStops.find(text_[pos_]) == std::string_view::npos) {
      ++pos_;
    }
    t.text = std::string(text_.substr(b, pos_ - b));
    if (static_cast<int64_t>(t.text.size()) > limits_.max_string_bytes) {
      return LimitAt(t.line, t.column,
                     "word longer than " +
                         std::to_string(limits_.max_string_bytes) + " bytes");
    }
    return t;
  }

  absl::StatusOr<Token> Peek() {
    if (!peeked_) {
      BR_ASSIGN_OR_RETURN(Token t, Lex());
      peeked_ = std::move(t);
    }
    return *peeked_;
  }

  // Consumes the peeked token (REQUIRES: Peek() succeeded).
  Token Next() {
    Token t = std::move(*peeked_);
    peeked_.reset();
    last_line_ = t.line;
    return t;
  }

  absl::StatusOr<Token> Take() {
    BR_ASSIGN_OR_RETURN(Token t, Peek());
    return Next();
  }

  static bool IsDeclStart(const Token& t) {
    return t.kind == Token::kWord && t.first_on_line &&
           lang::IsDeclarationKeyword(t.text);
  }
  // True for an unquoted keyword `kw` that does not start a declaration.
  static bool IsKeyword(const Token& t, std::string_view kw) {
    return t.kind == Token::kWord && EqualsIgnoreCase(t.text, kw) &&
           !IsDeclStart(t);
  }
  absl::StatusOr<bool> PeekKeyword(std::string_view kw) {
    BR_ASSIGN_OR_RETURN(Token t, Peek());
    return IsKeyword(t, kw);
  }
  absl::StatusOr<bool> PeekPunct(char p) {
    BR_ASSIGN_OR_RETURN(Token t, Peek());
    return t.kind == Token::kPunct && t.text[0] == p;
  }

  absl::StatusOr<Token> ExpectPunct(char p, std::string_view what) {
    BR_ASSIGN_OR_RETURN(Token t, Peek());
    if (t.kind != Token::kPunct || t.text[0] != p) {
      return ErrorAt(t, "expected '" + std::string(1, p) + "' " +
                            std::string(what) + ", got " + Describe(t));
    }
    return Next();
  }

  // A value: a quoted string or a bare word that is not a keyword.
  absl::StatusOr<Token> ExpectValue(std::string_view what) {
    BR_ASSIGN_OR_RETURN(Token t, Peek());
    if (t.kind == Token::kString) return Next();
    if (t.kind == Token::kWord && !IsDeclStart(t) &&
        !lang::IsReservedWord(t.text)) {
      return Next();
    }
    std::string hint;
    if (t.kind == Token::kWord && lang::IsReservedWord(t.text)) {
      hint = " ('" + t.text + "' is a keyword; quote it to use it as a name)";
    }
    return ErrorAt(
        t, "expected " + std::string(what) + ", got " + Describe(t) + hint);
  }

  // '(' value (',' value)* ')'.
  absl::Status ParseList(std::string_view what, std::vector<std::string>* out,
                         std::vector<SourceLocation>* locs = nullptr) {
    BR_ASSIGN_OR_RETURN(Token open, ExpectPunct('(', "to start the list of " +
                                                         std::string(what)));
    while (true) {
      BR_ASSIGN_OR_RETURN(Token v, ExpectValue(what));
      if (static_cast<int32_t>(out->size()) >= limits_.max_list_values) {
        return LimitAt(v.line, v.column,
                       "too many " + std::string(what) + " (limit " +
                           std::to_string(limits_.max_list_values) + ")");
      }
      out->push_back(v.text);
      if (locs) locs->push_back(Loc(v));
      BR_ASSIGN_OR_RETURN(Token sep, Peek());
      if (sep.kind == Token::kPunct && sep.text == ",") {
        Next();
        continue;
      }
      if (sep.kind == Token::kPunct && sep.text == ")") {
        Next();
        return absl::OkStatus();
      }
      return ErrorAt(sep, "expected ',' or ')' in the list of " +
                              std::string(what) + ", got " + Describe(sep));
    }
  }

  SourceLocation Loc(const Token& t) const {
    return SourceLocation{std::string(file_), t.line, t.column};
  }
  SourceLocation LineLoc(const Token& t) const {
    return SourceLocation{std::string(file_), t.line, 0};
  }

  // ---- Declarations -------------------------------------------------------

  absl::Status ParsePolicyLine(const Token& kw) {
    if (out_.has_policy_line) {
      return ErrorAt(kw, "second 'policy' declaration (first at line " +
                             std::to_string(policy_line_) +
                             "); expected one per file");
    }
    out_.has_policy_line = true;
    policy_line_ = kw.line;
    BR_ASSIGN_OR_RETURN(Token name, ExpectValue("the policy name"));
    out_.policy.name = name.text;
    BR_ASSIGN_OR_RETURN(bool v, PeekKeyword("version"));
    if (v) {
      Next();
      BR_ASSIGN_OR_RETURN(Token label, ExpectValue("a version label"));
      out_.policy.version = label.text;
    }
    return absl::OkStatus();
  }

  absl::Status ParseAttribute(const Token& kw) {
    AttributeSpec s;
    s.location = LineLoc(kw);
    BR_ASSIGN_OR_RETURN(Token name, ExpectValue("an attribute name"));
    s.name = name.text;
    if (FoldName(s.name).empty()) {
      return ErrorAt(name,
                     "expected an attribute name with letters or "
                     "digits");
    }
    BR_ASSIGN_OR_RETURN(Token type, Take());
    std::optional<AttrType> at;
    if (type.kind == Token::kWord) at = ParseAttrType(type.text);
    if (!at) {
      return ErrorAt(type,
                     "expected a type (string, int, date, ordinal or "
                     "set), got " +
                         Describe(type));
    }
    s.type = *at;
    BR_ASSIGN_OR_RETURN(bool list, PeekPunct('('));
    if (list) {
      absl::StatusOr<Token> open = Peek();
      if (s.type != AttrType::kOrdinal) {
        return ErrorAt(*open,
                       "an order list is only meaningful for an ordinal "
                       "attribute");
      }
      BR_RETURN_IF_ERROR(ParseList("ordinal values", &s.order));
    }
    BR_ASSIGN_OR_RETURN(Token t, Peek());
    if (IsKeyword(t, "case-sensitive")) {
      Next();
      s.case_sensitive = true;
    } else if (IsKeyword(t, "case")) {
      Next();
      BR_ASSIGN_OR_RETURN(Token sens, Take());
      if (sens.kind != Token::kWord ||
          !EqualsIgnoreCase(sens.text, "sensitive")) {
        return ErrorAt(sens, "expected 'sensitive' after 'case'");
      }
      s.case_sensitive = true;
    }
    const std::string folded = FoldName(s.name);
    auto [it, inserted] = attribute_lines_.emplace(folded, name.line);
    if (!inserted) {
      return ErrorAt(name, "attribute '" + s.name +
                               "' declared twice (first at line " +
                               std::to_string(it->second) + ")");
    }
    out_.policy.schema.push_back(std::move(s));
    return absl::OkStatus();
  }

  absl::Status ParseAlias(const Token& kw) {
    Alias a;
    BR_ASSIGN_OR_RETURN(Token attr, ExpectValue("an attribute name"));
    a.attribute = attr.text;
    if (FoldName(a.attribute).empty()) {
      return ErrorAt(attr,
                     "expected an attribute name with letters or "
                     "digits");
    }
    BR_ASSIGN_OR_RETURN(Token alias, ExpectValue("the alias value"));
    a.alias = alias.text;
    a.location = Loc(alias);
    BR_ASSIGN_OR_RETURN(Token eq, ExpectPunct('=',
                                              "between the alias and its "
                                              "canonical value"));
    BR_ASSIGN_OR_RETURN(Token canon, ExpectValue("the canonical value"));
    a.canonical = canon.text;
    if (TrimWhitespace(a.alias).empty()) {
      return ErrorAt(alias, "expected a non-empty alias value");
    }
    if (TrimWhitespace(a.canonical).empty()) {
      return ErrorAt(canon, "expected a non-empty canonical value");
    }
    out_.policy.aliases.push_back(std::move(a));
    return absl::OkStatus();
  }

  // APP ['[' INSTANCE ']'] — the app and instance of a target, app or SoD.
  absl::Status ParseAppRef(std::string* app, std::string* instance,
                           Token* app_token) {
    BR_ASSIGN_OR_RETURN(Token a, ExpectValue("an app name"));
    *app = a.text;
    *app_token = a;
    if (TrimWhitespace(*app).empty()) {
      return ErrorAt(a, "expected a non-empty app name");
    }
    BR_ASSIGN_OR_RETURN(bool br, PeekPunct('['));
    if (br) {
      Next();
      BR_ASSIGN_OR_RETURN(Token inst, ExpectValue("an instance name"));
      *instance = inst.text;
      BR_ASSIGN_OR_RETURN(Token close,
                          ExpectPunct(']', "to close the instance name"));
    }
    return absl::OkStatus();
  }

  absl::Status ParseApp(const Token& kw) {
    CatalogEntry e;
    e.location = LineLoc(kw);
    Token app_token;
    BR_RETURN_IF_ERROR(ParseAppRef(&e.app, &e.instance, &app_token));
    BR_ASSIGN_OR_RETURN(Token lv, Take());
    if (!IsKeyword(lv, "levels")) {
      return ErrorAt(lv,
                     "expected 'levels (LOW, ..., HIGH)' after the app "
                     "name, got " +
                         Describe(lv));
    }
    std::vector<SourceLocation> level_locs;
    BR_RETURN_IF_ERROR(ParseList("levels", &e.levels, &level_locs));
    for (size_t i = 0; i < e.levels.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (EqualsIgnoreCase(TrimWhitespace(e.levels[i]),
                             TrimWhitespace(e.levels[j]))) {
          return ErrorAt(level_locs[i].line, level_locs[i].column,
                         "level '" + e.levels[i] + "' listed twice");
        }
      }
    }
    std::map<std::string, int32_t> seen;
    while (true) {
      BR_ASSIGN_OR_RETURN(Token t, Peek());
      if (t.kind != Token::kWord || IsDeclStart(t)) break;
      const std::string k = AsciiLowercase(t.text);
      if (k != "default" && k != "owner" && k != "provisioning" &&
          k != "cost") {
        break;
      }
      if (seen.count(k)) {
        return ErrorAt(t, "'" + k +
                              "' given twice for this app (first at "
                              "line " +
                              std::to_string(seen[k]) + ")");
      }
      seen[k] = t.line;
      Next();
      BR_ASSIGN_OR_RETURN(
          Token v,
          ExpectValue(k == "default"        ? "the default level"
                      : k == "owner"        ? "the owner"
                      : k == "provisioning" ? "scim, api or manual"
                                            : "a monthly cost like 12.50"));
      if (k == "default") {
        bool found = false;
        for (const std::string& l : e.levels) {
          if (EqualsIgnoreCase(TrimWhitespace(l), TrimWhitespace(v.text))) {
            e.default_level = l;
            found = true;
          }
        }
        if (!found) {
          return ErrorAt(v, "default level '" + v.text +
                                "' is not one of this app's levels");
        }
      } else if (k == "owner") {
        e.owner = v.text;
      } else if (k == "provisioning") {
        const std::string p = FoldName(v.text);
        if (p == "scim") {
          e.provisioning = Provisioning::kScim;
        } else if (p == "api") {
          e.provisioning = Provisioning::kApi;
        } else if (p == "manual") {
          e.provisioning = Provisioning::kManual;
        } else {
          return ErrorAt(v, "unknown provisioning '" + v.text +
                                "'; expected scim, api or manual");
        }
      } else {
        std::optional<int64_t> cents = ParseCost(v.text);
        if (!cents) {
          return ErrorAt(v, "malformed monthly cost '" + v.text +
                                "'; expected a number like 12.50");
        }
        e.monthly_cost_cents = cents;
      }
    }
    const std::string key = AsciiLowercase(TrimWhitespace(e.app)) + "\x1f" +
                            AsciiLowercase(TrimWhitespace(e.instance));
    auto [it, inserted] = app_lines_.emplace(key, app_token.line);
    if (!inserted) {
      return ErrorAt(app_token,
                     "duplicate app " + e.app +
                         (e.instance.empty() ? "" : " [" + e.instance + "]") +
                         " (first at line " + std::to_string(it->second) + ")");
    }
    out_.policy.catalog.push_back(std::move(e));
    return absl::OkStatus();
  }

  static std::optional<int64_t> ParseCost(std::string v) {
    if (!v.empty() && v[0] == '$') v.erase(0, 1);
    if (v.empty()) return std::nullopt;
    const size_t dot = v.find('.');
    const std::string whole = v.substr(0, dot);
    const std::string frac = dot == std::string::npos ? "" : v.substr(dot + 1);
    for (char c : whole + frac) {
      if (!IsAsciiDigit(c)) return std::nullopt;
    }
    if (frac.size() > 2 || (dot != std::string::npos && frac.empty()) ||
        whole.size() > 10) {
      return std::nullopt;
    }
    std::optional<int64_t> w = ParseInt64(whole.empty() ? "0" : whole);
    if (!w || *w > 1'000'000'000) return std::nullopt;
    int64_t f = frac.empty() ? 0 : *ParseInt64(frac);
    if (frac.size() == 1) f *= 10;
    return *w * 100 + f;
  }

  absl::Status ParseSodEntitlement(SodEntitlement* e) {
    Token app_token;
    BR_RETURN_IF_ERROR(ParseAppRef(&e->app, &e->instance, &app_token));
    BR_ASSIGN_OR_RETURN(bool colon, PeekPunct(':'));
    if (colon) {
      Next();
      BR_ASSIGN_OR_RETURN(Token lv, ExpectValue("a level after ':'"));
      e->level = lv.text;
    }
    return absl::OkStatus();
  }

  absl::Status ParseSod(const Token& kw) {
    SodConstraint c;
    c.location = LineLoc(kw);
    BR_ASSIGN_OR_RETURN(Token id, ExpectValue("the SoD id"));
    c.id = id.text;
    BR_RETURN_IF_ERROR(ParseSodEntitlement(&c.first));
    BR_ASSIGN_OR_RETURN(Token with, Take());
    if (!IsKeyword(with, "with")) {
      return ErrorAt(with,
                     "expected 'with' between the two entitlements of a "
                     "separation-of-duties declaration, got " +
                         Describe(with));
    }
    BR_RETURN_IF_ERROR(ParseSodEntitlement(&c.second));
    BR_ASSIGN_OR_RETURN(bool msg, PeekKeyword("message"));
    if (msg) {
      Next();
      BR_ASSIGN_OR_RETURN(Token m, ExpectValue("the message"));
      c.message = m.text;
    }
    auto [it, inserted] = sod_lines_.emplace(c.id, id.line);
    if (!inserted) {
      return ErrorAt(id, "duplicate sod id '" + c.id + "' (first at line " +
                             std::to_string(it->second) + ")");
    }
    out_.policy.sod.push_back(std::move(c));
    return absl::OkStatus();
  }

  absl::Status ParseTarget(Target* t) {
    Token app_token;
    BR_RETURN_IF_ERROR(ParseAppRef(&t->app, &t->instance, &app_token));
    t->location = Loc(app_token);
    BR_ASSIGN_OR_RETURN(bool colon, PeekPunct(':'));
    if (colon) {
      Next();
      BR_ASSIGN_OR_RETURN(Token lv, ExpectValue("a level after ':'"));
      t->level = lv.text;
    }
    BR_ASSIGN_OR_RETURN(bool sc, PeekKeyword("scopes"));
    if (sc) {
      Next();
      BR_RETURN_IF_ERROR(ParseList("scopes", &t->scopes));
    }
    return absl::OkStatus();
  }

  absl::Status ParseRule(const Token& kw) {
    if (static_cast<int64_t>(out_.policy.rules.size()) >= limits_.max_rules) {
      return LimitAt(
          kw.line, kw.column,
          "too many rules (limit " + std::to_string(limits_.max_rules) + ")");
    }
    Rule r;
    r.location = LineLoc(kw);
    BR_ASSIGN_OR_RETURN(Token id, ExpectValue("the rule id"));
    r.id = id.text;
    r.id_location = Loc(id);
    if (TrimWhitespace(r.id).empty()) {
      return ErrorAt(id, "expected a non-empty rule id");
    }
    BR_ASSIGN_OR_RETURN(Token eff, Take());
    if (IsKeyword(eff, "grant")) {
      r.effect = Effect::kGrant;
    } else if (IsKeyword(eff, "deny")) {
      r.effect = Effect::kDeny;
    } else {
      return ErrorAt(eff,
                     "expected 'grant' or 'deny' after the rule id, "
                     "got " +
                         Describe(eff));
    }
    while (true) {
      Target t;
      BR_ASSIGN_OR_RETURN(Token at, Peek());
      if (static_cast<int32_t>(r.targets.size()) >=
          limits_.max_targets_per_rule) {
        return LimitAt(at.line, at.column,
                       "too many targets in one rule (limit " +
                           std::to_string(limits_.max_targets_per_rule) + ")");
      }
      BR_RETURN_IF_ERROR(ParseTarget(&t));
      r.targets.push_back(std::move(t));
      BR_ASSIGN_OR_RETURN(bool comma, PeekPunct(','));
      if (!comma) break;
      Next();
    }
    std::map<std::string, int32_t> seen;
    while (true) {
      BR_ASSIGN_OR_RETURN(Token t, Peek());
      if (t.kind != Token::kWord || IsDeclStart(t) ||
          !lang::IsClauseKeyword(t.text)) {
        break;
      }
      std::string k = AsciiLowercase(t.text);
      if (k == "notes") k = "note";
      if (seen.count(k)) {
        return ErrorAt(t, "'" + k + "' given twice in rule " + r.id +
                              " (first at line " + std::to_string(seen[k]) +
                              ")");
      }
      seen[k] = t.line;
      const Token clause = Next();
      BR_RETURN_IF_ERROR(ParseClause(k, clause, &r));
    }
    auto [it, inserted] = rule_ids_.emplace(r.id, r.id_location);
    if (!inserted) {
      return ErrorAt(id, "duplicate rule id '" + r.id + "' (first at " +
                             FormatSourceLocation(it->second) +
                             "); expected unique ids");
    }
    out_.policy.rules.push_back(std::move(r));
    return absl::OkStatus();
  }

  absl::Status ParseClause(const std::string& k, const Token& kw, Rule* r) {
    if (k == "when" || k == "unless") return ParseExprClause(k, kw, r);
    if (k == "priority") {
      BR_ASSIGN_OR_RETURN(Token v, ExpectValue("an integer priority"));
      std::optional<int64_t> p = ParseInt64(v.text);
      if (v.kind != Token::kWord || !p || *p < -1'000'000'000 ||
          *p > 1'000'000'000) {
        return ErrorAt(v, "malformed priority '" + v.text +
                              "'; expected an integer between -1000000000 "
                              "and 1000000000");
      }
      r->priority = static_cast<int32_t>(*p);
      return absl::OkStatus();
    }
    if (k == "expires") {
      BR_ASSIGN_OR_RETURN(Token v,
                          ExpectValue("a date YYYY-MM-DD or a date attribute"));
      r->expires_location = Loc(v);
      if (v.kind == Token::kWord) {
        if (std::optional<Date> d = ParseIsoDate(v.text)) {
          r->expires.kind = Expiry::Kind::kDate;
          r->expires.date = *d;
          return absl::OkStatus();
        }
        if (IsAsciiDigit(v.text[0])) {
          return ErrorAt(v, "malformed expiry '" + v.text +
                                "'; expected an ISO date YYYY-MM-DD or the "
                                "name of a date attribute");
        }
      }
      if (FoldName(v.text).empty()) {
        return ErrorAt(v, "expected a date attribute name");
      }
      r->expires.kind = Expiry::Kind::kAttribute;
      r->expires.attribute = v.text;
      return absl::OkStatus();
    }
    if (k == "from" || k == "until") {
      BR_ASSIGN_OR_RETURN(Token v, ExpectValue("an ISO date YYYY-MM-DD"));
      std::optional<Date> d = ParseIsoDate(v.text);
      if (!d || v.kind != Token::kWord) {
        return ErrorAt(v, "malformed " +
                              std::string(k == "from" ? "effective-from"
                                                      : "effective-until") +
                              " date '" + v.text +
                              "'; expected an ISO date YYYY-MM-DD");
      }
      (k == "from" ? r->effective_from : r->effective_until) = *d;
      return absl::OkStatus();
    }
    BR_ASSIGN_OR_RETURN(
        Token v, ExpectValue(k == "owner" ? "the owner" : "the note text"));
    (k == "owner" ? r->owner : r->notes) = v.text;
    return absl::OkStatus();
  }

  // The rest of the keyword's line, plus following lines that do not start
  // with a keyword or a comment; a '#' outside quotes and regexes ends a
  // line's text (and is kept as a comment).
  absl::StatusOr<ClauseText> CaptureClause(const Token& kw) {
    ClauseText out;
    size_t p = kw.offset + kw.text.size();
    int32_t line = kw.line;
    size_t line_start = line_start_;
    while (true) {
      size_t end = text_.find('\n', p);
      if (end == std::string_view::npos) end = text_.size();
      const size_t body_end = CommentStart(p, end);
      if (body_end < end)
        RecordComment(text_.substr(body_end, end - body_end), line);
      std::string_view body = text_.substr(p, body_end - p);
      while (!body.empty() && IsAsciiSpace(body.back())) body.remove_suffix(1);
      if (!out.text.empty()) out.text.push_back(' ');
      out.segments.push_back(ClauseText::Segment{
          out.text.size(), line, static_cast<int32_t>(p - line_start) + 1});
      out.text.append(body);
      last_line_ = line;
      pos_ = end;
      line_ = line;
      line_start_ = line_start;
      token_on_line_ = true;
      if (end >= text_.size()) break;
      // Does the next line continue the clause?
      const size_t next = end + 1;
      size_t q = next;
      while (q < text_.size() && text_[q] != '\n' && IsAsciiSpace(text_[q]))
        ++q;
      if (q >= text_.size() || text_[q] == '\n' || text_[q] == '#') break;
      size_t w = q;
      while (w < text_.size() && !IsAsciiSpace(text_[w]) &&
             lang::kWordStops.find(text_[w]) == std::string_view::npos) {
        ++w;
      }
      const std::string_view first = text_.substr(q, w - q);
      if (lang::IsClauseKeyword(first) || lang::IsDeclarationKeyword(first)) {
        break;
      }
      p = q;
      ++line;
      line_start = next;
    }
    return out;
  }

  // Where a comment starts in [p, end): a '#' at the start or after
  // whitespace, outside double quotes and outside a `matches /.../` regex.
  size_t CommentStart(size_t p, size_t end) const {
    bool in_quote = false;
    for (size_t i = p; i < end; ++i) {
      const char c = text_[i];
      if (in_quote) {
        if (c == '"') in_quote = false;
        continue;
      }
      if (c == '"') {
        in_quote = true;
      } else if (c == '/' && i >= 7 &&
                 EndsWithMatches(text_.substr(p, i - p))) {
        // Skip the regex up to its closing unescaped '/'.
        size_t j = i + 1;
        while (j < end && text_[j] != '/') {
          if (text_[j] == '\\') ++j;
          ++j;
        }
        i = std::min(j, end);
      } else if (c == '#' && (i == p || IsAsciiSpace(text_[i - 1]))) {
        return i;
      }
    }
    return end;
  }

  static bool EndsWithMatches(std::string_view s) {
    while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
    if (s.size() < 7) return false;
    std::string_view w = s.substr(s.size() - 7);
    return EqualsIgnoreCase(w, "matches") &&
           (s.size() == 7 || IsAsciiSpace(s[s.size() - 8]));
  }

  absl::Status ClauseError(const ClauseText& c, const SyntaxError& e,
                           bool limit, const std::string& k) {
    auto [line, col] = c.Map(e.column);
    const std::string msg = "in '" + k + "': " + e.message;
    return limit ? LimitAt(line, col, msg) : ErrorAt(line, col, msg);
  }

  void CollectLocations(const ClauseText& c, const Expr& e,
                        std::vector<SourceLocation>* out) {
    ForEachPredicate(e, [&](const Expr& p) {
      auto [line, col] = c.Map(p.column);
      out->push_back(SourceLocation{std::string(file_), line, col});
    });
  }

  absl::Status FlattenWhen(const ClauseText& c, const Expr& e,
                           std::vector<const Expr*>* out) {
    if (e.kind == Expr::Kind::kPredicate) {
      out->push_back(&e);
      return absl::OkStatus();
    }
    if (e.kind == Expr::Kind::kAnd) {
      for (const Expr& ch : e.children) {
        BR_RETURN_IF_ERROR(FlattenWhen(c, ch, out));
      }
      return absl::OkStatus();
    }
    auto [line, col] = c.Map(e.column);
    return ErrorAt(
        line, col,
        std::string("'when' takes predicates joined by 'and' (SPEC §3: a "
                    "conjunction of per-attribute predicates); found '") +
            (e.kind == Expr::Kind::kOr ? "or" : "not") +
            "': write alternatives as 'ATTR in (A, B)' or 'ATTR not in (A, "
            "B)', or move them to 'unless'");
  }

  absl::Status ParseExprClause(const std::string& k, const Token& kw, Rule* r) {
    // The keyword was the last token consumed, so nothing is peeked.
    BR_ASSIGN_OR_RETURN(ClauseText clause, CaptureClause(kw));
    if (TrimWhitespace(clause.text).empty()) {
      return ErrorAt(kw.line, kw.column + static_cast<int32_t>(k.size()) + 1,
                     k == "when" ? "expected a condition after 'when', e.g. "
                                   "'when department = Sales'"
                                 : "expected an expression after 'unless', "
                                   "e.g. 'unless employment type = "
                                   "Contractor'");
    }
    ExprParse parsed = ParseExpr(clause.text, limits_.expr);
    if (parsed.error) {
      return ClauseError(clause, *parsed.error, parsed.limit_hit, k);
    }
    if (k == "unless") {
      const size_t lead = clause.text.find_first_not_of(" \t");
      auto [line, col] = clause.Map(static_cast<int32_t>(lead) + 1);
      r->unless_location = SourceLocation{std::string(file_), line, col};
      CollectLocations(clause, *parsed.expr, &r->unless_predicate_locations);
      r->unless_text = std::string(TrimWhitespace(clause.text));
      r->unless = std::move(*parsed.expr);
      return absl::OkStatus();
    }
    std::vector<const Expr*> preds;
    BR_RETURN_IF_ERROR(FlattenWhen(clause, *parsed.expr, &preds));
    for (const Expr* p : preds) {
      Condition c;
      c.attribute = p->attribute;
      c.predicate = p->predicate;
      c.text = FormatPredicate(p->predicate);
      auto [line, col] = clause.Map(p->column);
      c.location = SourceLocation{std::string(file_), line, col};
      r->conditions.push_back(std::move(c));
    }
    return absl::OkStatus();
  }

  std::string_view text_;
  std::string_view file_;
  const PolicyTextLimits& limits_;
  size_t pos_ = 0;
  int32_t line_ = 1;
  size_t line_start_ = 0;
  int32_t last_line_ = 0;
  bool token_on_line_ = false;  // A token was lexed on the current line.
  std::optional<Token> peeked_;
  std::vector<Comment> pending_comments_;
  ParsedPolicyText out_;
  int32_t policy_line_ = 0;
  std::map<std::string, int32_t> attribute_lines_;
  std::map<std::string, int32_t> app_lines_;
  std::map<std::string, int32_t> sod_lines_;
  std::map<std::string, SourceLocation> rule_ids_;
};

}  // namespace

absl::StatusOr<ParsedPolicyText> ParsePolicyTextWithComments(
    std::string_view text, std::string_view file,
    const PolicyTextLimits& limits) {
  return Parser(text, file, limits).Parse();
}

absl::StatusOr<Policy> ParsePolicyText(std::string_view text,
                                       std::string_view file,
                                       const PolicyTextLimits& limits) {
  BR_ASSIGN_OR_RETURN(ParsedPolicyText parsed,
                      ParsePolicyTextWithComments(text, file, limits));
  return std::move(parsed.policy);
}

}  // namespace birthright
