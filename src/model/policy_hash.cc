// Content hash of a policy over a canonical rendering (SPEC §9): names
// folded, values normalized, lists and rows sorted, so reformatting a sheet
// or reordering its rows does not change the hash.
#include <algorithm>
#include <string>
#include <vector>

#include "birthright/policy.h"
#include "model/canonical.h"
#include "util/hash.h"
#include "util/text.h"

namespace birthright {

bool SchemaCaseSensitive(const Policy& policy, std::string_view attr) {
  const std::string folded = FoldName(attr);
  for (const AttributeSpec& s : policy.schema) {
    if (FoldName(s.name) == folded) return s.case_sensitive;
  }
  return false;
}

Predicate CanonicalPredicate(const Policy& policy, std::string_view attr,
                             const Predicate& pred) {
  Predicate c = pred;
  const bool cs = SchemaCaseSensitive(policy, attr);
  if (pred.op != PredicateOp::kRegex) {
    for (std::string& v : c.values) v = NormalizeValue(v, cs);
  }
  if (pred.op == PredicateOp::kAnyOf || pred.op == PredicateOp::kNoneOf) {
    std::sort(c.values.begin(), c.values.end());
    c.values.erase(std::unique(c.values.begin(), c.values.end()),
                   c.values.end());
  }
  return c;
}

namespace {

// `department sales`: the folded name, then the predicate in cell syntax.
std::string CanonicalCondition(const Policy& p, const std::string& attr,
                               const Predicate& pred) {
  return FoldName(attr) + " " +
         FormatPredicate(CanonicalPredicate(p, attr, pred));
}

std::string CanonicalExpr(const Policy& p, const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPredicate:
      return "(" + CanonicalCondition(p, e.attribute, e.predicate) + ")";
    case Expr::Kind::kNot:
      return "not" + CanonicalExpr(p, e.children[0]);
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::vector<std::string> parts;
      for (const Expr& c : e.children) parts.push_back(CanonicalExpr(p, c));
      std::sort(parts.begin(), parts.end());
      std::string out = e.kind == Expr::Kind::kAnd ? "and[" : "or[";
      for (const std::string& s : parts) out += s + ",";
      return out + "]";
    }
  }
  return "";
}

std::string Join(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string out;
  for (const std::string& s : v) out += s + "\x1e";
  return out;
}

}  // namespace

std::string PolicyContentHash(const Policy& policy) {
  std::vector<std::string> rules;
  for (const Rule& r : policy.rules) {
    std::vector<std::string> conds;
    for (const Condition& c : r.conditions)
      conds.push_back(CanonicalCondition(policy, c.attribute, c.predicate));
    std::vector<std::string> targets;
    for (const Target& t : r.targets) {
      std::vector<std::string> scopes;
      for (const std::string& s : t.scopes) scopes.push_back(AsciiLowercase(s));
      targets.push_back(AsciiLowercase(t.app) + "|" +
                        AsciiLowercase(t.instance) + "|" +
                        AsciiLowercase(t.level) + "|" + Join(scopes));
    }
    std::string s =
        "rule\x1f" + r.id + "\x1f" +
        (r.effect == Effect::kGrant ? "grant" : "deny") + "\x1f" + Join(conds) +
        "\x1f" + (r.unless ? CanonicalExpr(policy, *r.unless) : std::string()) +
        "\x1f" + Join(targets) + "\x1f" + std::to_string(r.priority) + "\x1f";
    switch (r.expires.kind) {
      case Expiry::Kind::kNever:
        break;
      case Expiry::Kind::kDate:
        s += FormatIsoDate(r.expires.date);
        break;
      case Expiry::Kind::kAttribute:
        s += "@" + FoldName(r.expires.attribute);
        break;
    }
    s += "\x1f" + (r.effective_from ? FormatIsoDate(*r.effective_from) : "") +
         "\x1f" + (r.effective_until ? FormatIsoDate(*r.effective_until) : "") +
         "\x1f" + r.owner + "\x1f" + r.notes;
    rules.push_back(std::move(s));
  }
  std::vector<std::string> catalog;
  for (const CatalogEntry& e : policy.catalog) {
    std::string levels;
    for (const std::string& l : e.levels)
      levels += AsciiLowercase(l) + ";";  // Order matters.
    catalog.push_back(
        "app\x1f" + AsciiLowercase(e.app) + "\x1f" +
        AsciiLowercase(e.instance) + "\x1f" + levels + "\x1f" +
        AsciiLowercase(e.default_level) + "\x1f" + e.owner + "\x1f" +
        std::string(ProvisioningName(e.provisioning)) + "\x1f" +
        (e.monthly_cost_cents ? std::to_string(*e.monthly_cost_cents) : ""));
  }
  std::vector<std::string> aliases;
  for (const Alias& a : policy.aliases) {
    const bool cs = SchemaCaseSensitive(policy, a.attribute);
    aliases.push_back("alias\x1f" + FoldName(a.attribute) + "\x1f" +
                      NormalizeValue(a.alias, cs) + "\x1f" +
                      NormalizeValue(a.canonical, cs));
  }
  std::vector<std::string> schema;
  for (const AttributeSpec& s : policy.schema) {
    std::string order;
    for (const std::string& o : s.order)
      order += NormalizeValue(o, s.case_sensitive) + ";";
    schema.push_back("attr\x1f" + FoldName(s.name) + "\x1f" +
                     std::string(AttrTypeName(s.type)) + "\x1f" + order +
                     "\x1f" + (s.case_sensitive ? "cs" : "ci"));
  }
  std::vector<std::string> sod;
  for (const SodConstraint& c : policy.sod) {
    sod.push_back("sod\x1f" + c.id + "\x1f" + AsciiLowercase(c.first.app) +
                  "|" + AsciiLowercase(c.first.instance) + "|" +
                  AsciiLowercase(c.first.level) + "\x1f" +
                  AsciiLowercase(c.second.app) + "|" +
                  AsciiLowercase(c.second.instance) + "|" +
                  AsciiLowercase(c.second.level));
  }
  return Sha256Hex("birthright-policy-v1\n" + Join(rules) + "\n" +
                   Join(catalog) + "\n" + Join(aliases) + "\n" + Join(schema) +
                   "\n" + Join(sod));
}

}  // namespace birthright
