// Canonical printer of the policy language (docs/policy-language.md).
//
// One spelling per construct, so printing is idempotent and two policies
// that differ only in layout print the same: sections in a fixed order, one
// clause per line, values quoted only where the parser needs it.
#include <string>
#include <vector>

#include "birthright/date.h"
#include "birthright/policy_text.h"
#include "lang/syntax.h"
#include "util/text.h"

namespace birthright {
namespace {

using lang::QuoteToken;

// Characters the expression grammar of predicate.h treats specially.
constexpr std::string_view kExprSpecial = "()\",|;=<>!/#";

bool ExprAttributeOk(std::string_view a) {
  if (TrimWhitespace(a).empty()) return false;
  for (char c : a) {
    if (kExprSpecial.find(c) != std::string_view::npos) return false;
    if (static_cast<unsigned char>(c) < 0x20 && !IsAsciiSpace(c)) return false;
  }
  for (size_t i = 0; i < a.size();) {
    while (i < a.size() && IsAsciiSpace(a[i])) ++i;
    size_t j = i;
    while (j < a.size() && !IsAsciiSpace(a[j])) ++j;
    if (j > i && lang::IsExprOperatorWord(a.substr(i, j - i))) return false;
    i = j;
  }
  return true;
}

std::string CollapseSpaces(std::string_view a, char sep) {
  std::string out;
  for (size_t i = 0; i < a.size();) {
    while (i < a.size() && IsAsciiSpace(a[i])) ++i;
    size_t j = i;
    while (j < a.size() && !IsAsciiSpace(a[j])) ++j;
    if (j > i) {
      if (!out.empty()) out.push_back(sep);
      out.append(a.substr(i, j - i));
    }
    i = j;
  }
  return out;
}

// An attribute as written in a `when`/`unless` predicate: as spelled when
// the expression grammar reads it back, else with '_' for spaces (the same
// attribute under SPEC §2 folding).
std::string ExprAttribute(std::string_view a) {
  if (ExprAttributeOk(a)) return CollapseSpaces(a, ' ');
  return CollapseSpaces(a, '_');
}

// A value in a predicate: bare when it is one word the expression grammar
// reads back unchanged, else double-quoted (values cannot hold '"'; SPEC §3).
bool ExprValueNeedsQuotes(std::string_view v) {
  if (v.empty() || IsAsciiSpace(v.front()) || IsAsciiSpace(v.back())) {
    return true;
  }
  for (char c : v) {
    if (kExprSpecial.find(c) != std::string_view::npos || c == '\\') {
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return true;
  }
  if (v.find("..") != std::string_view::npos) return true;
  // Several words are quoted: the parser would read them back (collapsing
  // runs of spaces), but "New York" reads better than New York in a list.
  for (char c : v) {
    if (IsAsciiSpace(c)) return true;
  }
  for (size_t i = 0; i < v.size();) {
    while (i < v.size() && IsAsciiSpace(v[i])) ++i;
    size_t j = i;
    while (j < v.size() && !IsAsciiSpace(v[j])) ++j;
    const std::string_view w = v.substr(i, j - i);
    if (lang::IsExprOperatorWord(w) || EqualsIgnoreCase(w, "with") ||
        EqualsIgnoreCase(w, "any") || w == "*") {
      return true;
    }
    i = j;
  }
  return false;
}

std::string ExprValue(std::string_view v) {
  if (!ExprValueNeedsQuotes(v)) return std::string(v);
  // Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on
  // "\"" + std::string(v) + "\"".
  std::string out;
  out.reserve(v.size() + 2);
  out.push_back('"');
  out.append(v);
  out.push_back('"');
  return out;
}

std::string ExprList(const std::vector<std::string>& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) s += ", ";
    s += ExprValue(values[i]);
  }
  return s + ")";
}

std::string PrintPredicate(const std::string& attribute, const Predicate& p) {
  const std::string a = ExprAttribute(attribute);
  auto one = [&]() -> std::string {
    return p.values.empty() ? std::string("\"\"") : ExprValue(p.values[0]);
  };
  switch (p.op) {
    case PredicateOp::kAnyOf:
      return p.values.size() == 1 ? a + " = " + one()
                                  : a + " in " + ExprList(p.values);
    case PredicateOp::kNoneOf:
      return p.values.size() == 1 ? a + " != " + one()
                                  : a + " not in " + ExprList(p.values);
    case PredicateOp::kLess:
      return a + " < " + one();
    case PredicateOp::kLessEq:
      return a + " <= " + one();
    case PredicateOp::kGreater:
      return a + " > " + one();
    case PredicateOp::kGreaterEq:
      return a + " >= " + one();
    case PredicateOp::kRange: {
      const std::string lo = p.values.size() > 0 ? p.values[0] : "";
      const std::string hi = p.values.size() > 1 ? p.values[1] : "";
      const std::string range = lo + ".." + hi;
      return ExprValueNeedsQuotes(lo) || ExprValueNeedsQuotes(hi)
                 ? a + " in \"" + range + "\""
                 : a + " in " + range;
    }
    case PredicateOp::kContains:
      return a + " contains " + one();
    case PredicateOp::kStartsWith:
      return a + " starts with " + one();
    case PredicateOp::kEndsWith:
      return a + " ends with " + one();
    case PredicateOp::kRegex:
      return a + " matches /" + (p.values.empty() ? "" : p.values[0]) + "/";
    case PredicateOp::kExists:
      return a + " exists";
    case PredicateOp::kMissing:
      return a + " missing";
  }
  return a;
}

std::string PrintExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPredicate:
      return PrintPredicate(e.attribute, e.predicate);
    case Expr::Kind::kNot:
      if (e.children.empty()) return "";
      return "not (" + PrintExpr(e.children[0]).append(")");
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::string s;
      const char* sep = e.kind == Expr::Kind::kAnd ? " and " : " or ";
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) s += sep;
        const Expr& c = e.children[i];
        const bool paren =
            c.kind == Expr::Kind::kAnd || c.kind == Expr::Kind::kOr;
        if (paren) s += '(';
        s += PrintExpr(c);
        if (paren) s += ')';
      }
      return s;
    }
  }
  return "";
}

std::string TokenList(const std::vector<std::string>& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) s += ", ";
    s += QuoteToken(values[i]);
  }
  return s + ")";
}

std::string AppRef(const std::string& app, const std::string& instance) {
  std::string s = QuoteToken(app);
  if (!instance.empty()) s += " [" + QuoteToken(instance) + "]";
  return s;
}

std::string PrintTarget(const Target& t) {
  std::string s = AppRef(t.app, t.instance);
  if (!t.level.empty()) s += ": " + QuoteToken(t.level);
  if (!t.scopes.empty()) s += " scopes " + TokenList(t.scopes);
  return s;
}

std::string PrintSodEntitlement(const SodEntitlement& e) {
  std::string s = AppRef(e.app, e.instance);
  if (!e.level.empty()) s += ": " + QuoteToken(e.level);
  return s;
}

// A name in a declaration (attribute, expiry attribute), spelled exactly:
// bare when it is one word, else quoted ("job title").
std::string NameToken(std::string_view name) { return QuoteToken(name); }

std::string ExpiryAttributeToken(std::string_view name) {
  std::string t = NameToken(name);
  // An unquoted word starting with a digit reads as a date.
  if (!t.empty() && t[0] != '"' && IsAsciiDigit(t[0])) {
    return "\"" + std::string(name) + "\"";
  }
  return t;
}

std::string Cost(int64_t cents) {
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return std::to_string(cents / 100) + "." + frac;
}

void Comments(const std::vector<std::string>* lines, std::string* out) {
  if (lines == nullptr) return;
  for (const std::string& l : *lines) *out += l + "\n";
}

const std::vector<std::string>* At(
    const PolicyTextComments* c,
    std::vector<std::vector<std::string>> PolicyTextComments::*field,
    size_t i) {
  if (c == nullptr) return nullptr;
  const auto& v = c->*field;
  return i < v.size() ? &v[i] : nullptr;
}

}  // namespace

std::string FormatPolicyText(const Policy& policy,
                             const PolicyTextComments* comments) {
  std::string out;
  auto section_break = [&] {
    if (!out.empty() && !out.ends_with("\n\n")) out += "\n";
  };
  if (comments != nullptr) Comments(&comments->policy, &out);
  // The policy line also carries its comments, so it is printed when there
  // are any, even for an empty name.
  if (!policy.name.empty() || !policy.version.empty() ||
      (comments != nullptr && !comments->policy.empty())) {
    out += "policy " + QuoteToken(policy.name);
    if (!policy.version.empty()) {
      out += " version " + QuoteToken(policy.version);
    }
    out += "\n";
  }
  if (!policy.schema.empty()) section_break();
  for (size_t i = 0; i < policy.schema.size(); ++i) {
    const AttributeSpec& s = policy.schema[i];
    Comments(At(comments, &PolicyTextComments::attributes, i), &out);
    out += "attribute " + NameToken(s.name) + " " +
           std::string(AttrTypeName(s.type));
    if (!s.order.empty()) out += " " + TokenList(s.order);
    if (s.case_sensitive) out += " case-sensitive";
    out += "\n";
  }
  if (!policy.aliases.empty()) section_break();
  for (size_t i = 0; i < policy.aliases.size(); ++i) {
    const Alias& a = policy.aliases[i];
    Comments(At(comments, &PolicyTextComments::aliases, i), &out);
    out += "alias " + NameToken(a.attribute) + " " + QuoteToken(a.alias) +
           " = " + QuoteToken(a.canonical) + "\n";
  }
  if (!policy.catalog.empty()) section_break();
  for (size_t i = 0; i < policy.catalog.size(); ++i) {
    const CatalogEntry& e = policy.catalog[i];
    Comments(At(comments, &PolicyTextComments::apps, i), &out);
    out +=
        "app " + AppRef(e.app, e.instance) + " levels " + TokenList(e.levels);
    if (!e.default_level.empty())
      out += " default " + QuoteToken(e.default_level);
    if (!e.owner.empty()) out += " owner " + QuoteToken(e.owner);
    if (e.provisioning != Provisioning::kUnspecified) {
      out += " provisioning " + std::string(ProvisioningName(e.provisioning));
    }
    if (e.monthly_cost_cents) out += " cost " + Cost(*e.monthly_cost_cents);
    out += "\n";
  }
  if (!policy.sod.empty()) section_break();
  for (size_t i = 0; i < policy.sod.size(); ++i) {
    const SodConstraint& c = policy.sod[i];
    Comments(At(comments, &PolicyTextComments::sod, i), &out);
    out += "sod " + QuoteToken(c.id) + " " + PrintSodEntitlement(c.first) +
           " with " + PrintSodEntitlement(c.second);
    if (!c.message.empty()) out += " message " + QuoteToken(c.message);
    out += "\n";
  }
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& r = policy.rules[i];
    section_break();
    Comments(At(comments, &PolicyTextComments::rules, i), &out);
    out += "rule " + QuoteToken(r.id) +
           (r.effect == Effect::kGrant ? " grant " : " deny ");
    for (size_t t = 0; t < r.targets.size(); ++t) {
      if (t > 0) out += ",\n    ";
      out += PrintTarget(r.targets[t]);
    }
    out += "\n";
    for (size_t c = 0; c < r.conditions.size(); ++c) {
      out += c == 0 ? "  when " : "   and ";
      out +=
          PrintPredicate(r.conditions[c].attribute, r.conditions[c].predicate);
      out += "\n";
    }
    if (r.unless) out += "  unless " + PrintExpr(*r.unless) + "\n";
    if (r.priority != 0)
      out += "  priority " + std::to_string(r.priority) + "\n";
    switch (r.expires.kind) {
      case Expiry::Kind::kNever:
        break;
      case Expiry::Kind::kDate:
        out += "  expires " + FormatIsoDate(r.expires.date) + "\n";
        break;
      case Expiry::Kind::kAttribute:
        out += "  expires " + ExpiryAttributeToken(r.expires.attribute) + "\n";
        break;
    }
    if (r.effective_from) {
      out += "  from " + FormatIsoDate(*r.effective_from) + "\n";
    }
    if (r.effective_until) {
      out += "  until " + FormatIsoDate(*r.effective_until) + "\n";
    }
    if (!r.owner.empty()) out += "  owner " + QuoteToken(r.owner) + "\n";
    if (!r.notes.empty()) out += "  note " + QuoteToken(r.notes) + "\n";
  }
  if (comments != nullptr && !comments->trailing.empty()) {
    section_break();
    Comments(&comments->trailing, &out);
  }
  return out;
}

}  // namespace birthright
