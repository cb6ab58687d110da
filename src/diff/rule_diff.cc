// Rule-level diff (SPEC §9): rules matched by id and compared field by field
// on their canonical form — the same normalization the content hash uses
// (src/model/policy_hash.cc): names folded, values normalized, lists and
// rows sorted — plus catalog, alias, schema and SoD changes.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "birthright/diff.h"
#include "diff/diff_internal.h"
#include "model/canonical.h"
#include "util/text.h"

namespace birthright {
namespace {

// `department = sales`, `grade l3..l5` (cell syntax after the name).
std::string ConditionText(const std::string& attr, const Predicate& p) {
  return attr + ": " + FormatPredicate(p);
}

std::string CanonicalExpr(const Policy& p, const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPredicate:
      return "(" +
             ConditionText(FoldName(e.attribute),
                           CanonicalPredicate(p, e.attribute, e.predicate)) +
             ")";
    case Expr::Kind::kNot:
      return "not " + CanonicalExpr(p, e.children[0]);
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::vector<std::string> parts;
      for (const Expr& c : e.children) parts.push_back(CanonicalExpr(p, c));
      std::sort(parts.begin(), parts.end());
      std::string out;
      for (const std::string& s : parts) {
        if (!out.empty()) out += e.kind == Expr::Kind::kAnd ? " and " : " or ";
        out += s;
      }
      return "(" + out + ")";
    }
  }
  return "";
}

std::string JoinSorted(std::vector<std::string> v, const char* sep) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string TargetText(const Target& t) {
  std::string s = t.app;
  if (!t.instance.empty()) s += " [" + t.instance + "]";
  if (!t.level.empty()) s += " " + t.level;
  if (!t.scopes.empty()) {
    std::vector<std::string> sc = t.scopes;
    std::sort(sc.begin(), sc.end());
    s += " {";
    for (size_t i = 0; i < sc.size(); ++i) s += (i ? ";" : "") + sc[i];
    s += "}";
  }
  return s;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> RuleFieldsCanonical(
    const Policy& p, const Rule& r) {
  return RuleFields(p, r, true);
}

std::vector<std::pair<std::string, std::string>> RuleFields(const Policy& p,
                                                            const Rule& r,
                                                            bool canonical) {
  std::vector<std::pair<std::string, std::string>> f;
  f.emplace_back("effect", r.effect == Effect::kGrant ? "grant" : "deny");
  std::vector<std::string> conds;
  for (const Condition& c : r.conditions) {
    conds.push_back(canonical ? ConditionText(FoldName(c.attribute),
                                              CanonicalPredicate(p, c.attribute,
                                                                 c.predicate))
                              : ConditionText(c.attribute, c.predicate));
  }
  if (canonical) {
    f.emplace_back("conditions", JoinSorted(conds, "; "));
  } else {
    std::string joined;
    for (const std::string& c : conds)
      joined += (joined.empty() ? "" : "; ") + c;
    f.emplace_back("conditions", joined);
  }
  f.emplace_back("unless", !r.unless   ? ""
                           : canonical ? CanonicalExpr(p, *r.unless)
                                       : FormatExpr(*r.unless));
  std::vector<std::string> targets;
  for (const Target& t : r.targets) {
    if (!canonical) {
      targets.push_back(TargetText(t));
      continue;
    }
    Target c = t;
    c.app = AsciiLowercase(t.app);
    c.instance = AsciiLowercase(t.instance);
    c.level = AsciiLowercase(t.level);
    for (std::string& s : c.scopes) s = AsciiLowercase(s);
    std::sort(c.scopes.begin(), c.scopes.end());
    c.scopes.erase(std::unique(c.scopes.begin(), c.scopes.end()),
                   c.scopes.end());
    targets.push_back(TargetText(c));
  }
  f.emplace_back("targets", JoinSorted(targets, ", "));
  f.emplace_back("priority", std::to_string(r.priority));
  std::string expiry;
  switch (r.expires.kind) {
    case Expiry::Kind::kNever:
      break;
    case Expiry::Kind::kDate:
      expiry = FormatIsoDate(r.expires.date);
      break;
    case Expiry::Kind::kAttribute:
      expiry = FoldName(r.expires.attribute);
      break;
  }
  f.emplace_back("expiry", expiry);
  std::string window;
  if (r.effective_from || r.effective_until) {
    window = (r.effective_from ? FormatIsoDate(*r.effective_from) : "") + ".." +
             (r.effective_until ? FormatIsoDate(*r.effective_until) : "");
  }
  f.emplace_back("window", window);
  f.emplace_back("owner", std::string(TrimWhitespace(r.owner)));
  f.emplace_back("notes", std::string(TrimWhitespace(r.notes)));
  return f;
}

std::string RuleSemanticCanon(const Policy& p, const Rule& r) {
  std::string s;
  for (const auto& [field, value] : RuleFieldsCanonical(p, r)) {
    if (field == "owner" || field == "notes") continue;
    s += field + "=" + value + "\x1f";
  }
  return s;
}

namespace {

// One line, as written: `grant Salesforce Standard when department: Sales;
// grade: >= L5 unless ...`.
std::string RuleText(const Rule& r) {
  std::string s = r.effect == Effect::kGrant ? "grant " : "deny ";
  std::vector<std::string> targets;
  for (const Target& t : r.targets) targets.push_back(TargetText(t));
  for (size_t i = 0; i < targets.size(); ++i) s += (i ? ", " : "") + targets[i];
  if (!r.conditions.empty()) {
    s += " when ";
    for (size_t i = 0; i < r.conditions.size(); ++i) {
      s += (i ? "; " : "") +
           ConditionText(r.conditions[i].attribute, r.conditions[i].predicate);
    }
  } else {
    s += " to everyone";
  }
  if (r.unless) s += " unless " + FormatExpr(*r.unless);
  if (r.priority != 0) s += " priority " + std::to_string(r.priority);
  if (r.expires.kind == Expiry::Kind::kDate)
    s += " expires " + FormatIsoDate(r.expires.date);
  if (r.expires.kind == Expiry::Kind::kAttribute)
    s += " expires " + r.expires.attribute;
  if (r.effective_from) s += " from " + FormatIsoDate(*r.effective_from);
  if (r.effective_until) s += " until " + FormatIsoDate(*r.effective_until);
  return s;
}

std::string CatalogKey(const CatalogEntry& e) {
  return e.instance.empty() ? e.app : e.app + " [" + e.instance + "]";
}

std::vector<std::pair<std::string, std::string>> CatalogFields(
    const CatalogEntry& e) {
  std::string levels;
  for (size_t i = 0; i < e.levels.size(); ++i)
    levels += (i ? " < " : "") + e.levels[i];
  return {
      {"levels", levels},
      {"default level", e.default_level},
      {"owner", e.owner},
      {"provisioning", std::string(ProvisioningName(e.provisioning))},
      {"monthly cost",
       e.monthly_cost_cents ? FormatCents(*e.monthly_cost_cents, false) : ""}};
}

std::string FieldsText(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string s;
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    s += (s.empty() ? "" : "; ") + k + " " + v;
  }
  return s;
}

// Compares two field lists case-insensitively where `ci` says so.
std::vector<FieldChange> CompareFields(
    const std::vector<std::pair<std::string, std::string>>& a,
    const std::vector<std::pair<std::string, std::string>>& b, bool ci) {
  std::vector<FieldChange> out;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool same =
        ci ? AsciiLowercase(a[i].second) == AsciiLowercase(b[i].second)
           : a[i].second == b[i].second;
    if (!same) out.push_back({a[i].first, a[i].second, b[i].second});
  }
  return out;
}

// Generic keyed comparison: items are (key for matching, display key, field
// list, one-line text).
struct Item {
  std::string display;
  std::vector<std::pair<std::string, std::string>> fields;
};

std::vector<ItemChange> CompareItems(const std::map<std::string, Item>& a,
                                     const std::map<std::string, Item>& b,
                                     bool ci) {
  std::vector<ItemChange> out;
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      out.push_back({ChangeKind::kRemoved,
                     ia->second.display,
                     FieldsText(ia->second.fields),
                     "",
                     {}});
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      out.push_back({ChangeKind::kAdded,
                     ib->second.display,
                     "",
                     FieldsText(ib->second.fields),
                     {}});
      ++ib;
    } else {
      std::vector<FieldChange> f =
          CompareFields(ia->second.fields, ib->second.fields, ci);
      if (!f.empty()) {
        out.push_back({ChangeKind::kModified, ib->second.display,
                       FieldsText(ia->second.fields),
                       FieldsText(ib->second.fields), std::move(f)});
      }
      ++ia;
      ++ib;
    }
  }
  return out;
}

std::map<std::string, Item> CatalogItems(const Policy& p) {
  std::map<std::string, Item> m;
  for (const CatalogEntry& e : p.catalog) {
    m[AsciiLowercase(e.app) + "\x1f" + AsciiLowercase(e.instance)] =
        Item{CatalogKey(e), CatalogFields(e)};
  }
  return m;
}

std::map<std::string, Item> AliasItems(const Policy& p) {
  std::map<std::string, Item> m;
  for (const Alias& a : p.aliases) {
    const bool cs = SchemaCaseSensitive(p, a.attribute);
    m[FoldName(a.attribute) + "\x1f" + NormalizeValue(a.alias, cs)] =
        Item{a.attribute + ": " + a.alias,
             {{"canonical", NormalizeValue(a.canonical, cs)}}};
  }
  return m;
}

std::map<std::string, Item> SchemaItems(const Policy& p) {
  std::map<std::string, Item> m;
  for (const AttributeSpec& s : p.schema) {
    std::string order;
    for (size_t i = 0; i < s.order.size(); ++i)
      order += (i ? " < " : "") + NormalizeValue(s.order[i], s.case_sensitive);
    m[FoldName(s.name)] =
        Item{s.name,
             {{"type", std::string(AttrTypeName(s.type))},
              {"order", order},
              {"case sensitive", s.case_sensitive ? "yes" : "no"}}};
  }
  return m;
}

std::string SodSide(const SodEntitlement& e) {
  std::string s = e.app;
  if (!e.instance.empty()) s += " [" + e.instance + "]";
  if (!e.level.empty()) s += " " + e.level;
  return s;
}

std::map<std::string, Item> SodItems(const Policy& p) {
  std::map<std::string, Item> m;
  for (const SodConstraint& c : p.sod) {
    std::vector<std::string> sides = {AsciiLowercase(SodSide(c.first)),
                                      AsciiLowercase(SodSide(c.second))};
    std::sort(sides.begin(), sides.end());
    m[c.id] = Item{c.id, {{"pair", sides[0] + " + " + sides[1]}}};
  }
  return m;
}

}  // namespace

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded:
      return "added";
    case ChangeKind::kRemoved:
      return "removed";
    case ChangeKind::kModified:
      return "modified";
  }
  return "";
}

RuleLevelDiff DiffRuleLevel(const Policy& before, const Policy& after) {
  RuleLevelDiff d;
  d.hash_before = PolicyContentHash(before);
  d.hash_after = PolicyContentHash(after);
  // Ids are unique within a valid policy; should one repeat, the later row
  // is compared (an id collision is `check`'s business, not the diff's).
  std::map<std::string, const Rule*> a, b;
  for (const Rule& r : before.rules) a[r.id] = &r;
  for (const Rule& r : after.rules) b[r.id] = &r;
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    RuleChange c;
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      c.kind = ChangeKind::kRemoved;
      c.id = ia->first;
      c.before = RuleText(*ia->second);
      c.before_location = ia->second->location;
      ++d.removed;
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      c.kind = ChangeKind::kAdded;
      c.id = ib->first;
      c.after = RuleText(*ib->second);
      c.after_location = ib->second->location;
      ++d.added;
      ++ib;
    } else {
      const auto fa = RuleFieldsCanonical(before, *ia->second);
      const auto fb = RuleFieldsCanonical(after, *ib->second);
      // Compared canonically, shown as written.
      const auto da = RuleFields(before, *ia->second, false);
      const auto db = RuleFields(after, *ib->second, false);
      for (size_t k = 0; k < fa.size() && k < fb.size(); ++k) {
        if (fa[k].second != fb[k].second)
          c.fields.push_back({fa[k].first, da[k].second, db[k].second});
      }
      c.kind = ChangeKind::kModified;
      c.id = ib->first;
      c.before = RuleText(*ia->second);
      c.after = RuleText(*ib->second);
      c.before_location = ia->second->location;
      c.after_location = ib->second->location;
      ++ia;
      ++ib;
      if (c.fields.empty()) continue;
      ++d.modified;
    }
    d.rules.push_back(std::move(c));
  }
  d.catalog = CompareItems(CatalogItems(before), CatalogItems(after), false);
  d.aliases = CompareItems(AliasItems(before), AliasItems(after), false);
  d.schema = CompareItems(SchemaItems(before), SchemaItems(after), false);
  d.sod = CompareItems(SodItems(before), SodItems(after), false);
  return d;
}

}  // namespace birthright
