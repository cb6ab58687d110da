// Binding: typing, alias canonicalization and catalog resolution (SPEC §2,
// §4.3, §4.6). See bound_policy.h.
#include "birthright/bound_policy.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "re2/re2.h"
#include "util/diagnostic.h"
#include "util/text.h"

namespace birthright {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// BoundAttribute.

std::string BoundAttribute::Canonical(std::string_view raw) const {
  std::string v = NormalizeValue(raw, case_sensitive);
  auto it = aliases.find(v);
  if (it != aliases.end()) return it->second;
  return v;
}

std::optional<Key> BoundAttribute::ParseScalar(std::string_view raw) const {
  std::string v = Canonical(raw);
  if (v.empty()) return std::nullopt;
  Key k;
  switch (type) {
    case AttrType::kInt: {
      std::optional<int64_t> n = ParseInt64(v);
      if (!n) return std::nullopt;
      k.num = *n;
      return k;
    }
    case AttrType::kDate: {
      std::optional<Date> d = ParseIsoDate(v);
      if (!d) return std::nullopt;
      k.num = d->days;
      return k;
    }
    case AttrType::kOrdinal:
      if (!order.empty()) {
        auto it = rank.find(case_sensitive ? v : AsciiLowercase(v));
        if (it == rank.end()) return std::nullopt;
        k.num = it->second;
        return k;
      }
      k.text = case_sensitive ? v : AsciiLowercase(v);
      return k;
    case AttrType::kString:
    case AttrType::kSet:
      k.text = std::move(v);
      return k;
  }
  return std::nullopt;
}

Value BoundAttribute::ParseValue(std::string_view raw) const {
  Value out;
  if (type == AttrType::kSet) {
    for (const std::string& piece : SplitTrimmed(raw, ';')) {
      std::string c = Canonical(piece);
      if (!c.empty()) out.members.push_back(std::move(c));
    }
    std::sort(out.members.begin(), out.members.end());
    out.members.erase(std::unique(out.members.begin(), out.members.end()),
                      out.members.end());
    out.present = !out.members.empty();
    return out;
  }
  std::optional<Key> k = ParseScalar(raw);
  if (k) {
    out.present = true;
    out.scalar = std::move(*k);
  }
  return out;
}

int BoundAttribute::Compare(const Key& a, const Key& b) const {
  if (numeric()) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  if (type == AttrType::kOrdinal) return NaturalCompare(a.text, b.text);
  const int c = a.text.compare(b.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// ---------------------------------------------------------------------------
// Predicate evaluation.

namespace {

bool ScalarHolds(const BoundPolicy& policy, const BoundAttribute& attr,
                 const BoundPredicate& p, const Key& k) {
  switch (p.op) {
    case PredicateOp::kAnyOf:
    case PredicateOp::kNoneOf: {
      const bool in = std::binary_search(
          p.keys.begin(), p.keys.end(), k,
          [&](const Key& a, const Key& b) { return attr.Compare(a, b) < 0; });
      return p.op == PredicateOp::kAnyOf ? in : !in;
    }
    case PredicateOp::kLess:
      return attr.Compare(k, p.keys[0]) < 0;
    case PredicateOp::kLessEq:
      return attr.Compare(k, p.keys[0]) <= 0;
    case PredicateOp::kGreater:
      return attr.Compare(k, p.keys[0]) > 0;
    case PredicateOp::kGreaterEq:
      return attr.Compare(k, p.keys[0]) >= 0;
    case PredicateOp::kRange:
      return attr.Compare(p.keys[0], k) <= 0 && attr.Compare(k, p.keys[1]) <= 0;
    case PredicateOp::kContains:
      return k.text.find(p.needle) != std::string::npos;
    case PredicateOp::kStartsWith:
      return std::string_view(k.text).starts_with(p.needle);
    case PredicateOp::kEndsWith:
      return std::string_view(k.text).ends_with(p.needle);
    case PredicateOp::kRegex:
      return RE2::PartialMatch(k.text, policy.regex(p.regex));
    case PredicateOp::kExists:
    case PredicateOp::kMissing:
      return true;  // Handled by the caller.
  }
  return false;
}

}  // namespace

Tri BoundPolicy::EvalPredicate(const BoundPredicate& p, const Value& v) const {
  if (p.op == PredicateOp::kExists) return v.present ? Tri::kTrue : Tri::kFalse;
  if (p.op == PredicateOp::kMissing)
    return v.present ? Tri::kFalse : Tri::kTrue;
  if (!v.present) return Tri::kUnknown;
  const BoundAttribute& attr = attributes_[p.attr];
  if (attr.type == AttrType::kSet) {
    // Positive predicates hold for some member; none-of holds when no
    // member is in the list (SPEC §2).
    if (p.op == PredicateOp::kNoneOf) {
      BoundPredicate any = p;
      any.op = PredicateOp::kAnyOf;
      for (const std::string& m : v.members) {
        if (ScalarHolds(*this, attr, any, Key{0, m})) return Tri::kFalse;
      }
      return Tri::kTrue;
    }
    for (const std::string& m : v.members) {
      if (ScalarHolds(*this, attr, p, Key{0, m})) return Tri::kTrue;
    }
    return Tri::kFalse;
  }
  return ScalarHolds(*this, attr, p, v.scalar) ? Tri::kTrue : Tri::kFalse;
}

BoundPolicy::~BoundPolicy() = default;

void CollectPredicates(const BoundExpr& e,
                       std::vector<const BoundPredicate*>* out) {
  if (e.kind == Expr::Kind::kPredicate) {
    out->push_back(&e.predicate);
    return;
  }
  for (const BoundExpr& c : e.children) CollectPredicates(c, out);
}

AttrId BoundPolicy::FindAttribute(std::string_view folded) const {
  auto it = attribute_index_.find(std::string(folded));
  return it == attribute_index_.end() ? -1 : it->second;
}

// ---------------------------------------------------------------------------
// Binder.

class Binder {
 public:
  Binder(const Policy& policy, const Population* hr, const BindOptions& options)
      : policy_(policy), hr_(hr), options_(options), out_(new BoundPolicy()) {}

  absl::StatusOr<std::unique_ptr<BoundPolicy>> Run() {
    if (static_cast<int64_t>(policy_.rules.size()) > options_.max_rules) {
      return absl::ResourceExhaustedError(
          "policy has " + std::to_string(policy_.rules.size()) +
          " rules; the limit is " + std::to_string(options_.max_rules));
    }
    out_->name_ = policy_.name;
    out_->version_ = policy_.version;
    out_->hash_ = PolicyContentHash(policy_);
    CollectAttributes();
    InferTypes();
    AttachAliases();
    BuildInstances();
    for (size_t i = 0; i < policy_.rules.size(); ++i) BindRule(i);
    for (const SodConstraint& c : policy_.sod) BindSod(c);
    if (options_.strict) {
      std::vector<const BindIssue*> errors;
      for (const BindIssue& issue : out_->issues_) {
        if (issue.severity == Severity::kError) errors.push_back(&issue);
      }
      if (!errors.empty()) {
        std::string msg = FormatSourceLocation(errors[0]->location) + ": " +
                          errors[0]->message + " [" + errors[0]->code + "]";
        if (errors.size() > 1) {
          msg += " (and " + std::to_string(errors.size() - 1) +
                 " more; run `birthright check` to list them)";
        }
        return absl::InvalidArgumentError(msg);
      }
    }
    return std::move(out_);
  }

 private:
  void Issue(std::string code, Severity sev, const std::string& rule_id,
             const SourceLocation& loc, std::string message) {
    out_->issues_.push_back(
        BindIssue{std::move(code), sev, rule_id, loc, std::move(message)});
  }

  AttrId Intern(const std::string& name) {
    const std::string folded = FoldName(name);
    auto it = out_->attribute_index_.find(folded);
    if (it != out_->attribute_index_.end()) return it->second;
    const AttrId id = static_cast<AttrId>(out_->attributes_.size());
    BoundAttribute a;
    a.name = std::string(TrimWhitespace(name));
    a.folded = folded;
    out_->attributes_.push_back(std::move(a));
    out_->attribute_index_.emplace(folded, id);
    return id;
  }

  // Where predicate number `index` of `rule.unless` (in ForEachPredicate order)
  // starts: exact when the importer recorded it, else the `unless` cell,
  // else the rule's row.
  static const SourceLocation& UnlessPredicateLocation(const Rule& rule,
                                                       size_t index) {
    if (index < rule.unless_predicate_locations.size()) {
      return rule.unless_predicate_locations[index];
    }
    return rule.unless_location.line > 0 ? rule.unless_location : rule.location;
  }

  void CollectAttributes() {
    for (const AttributeSpec& s : policy_.schema) {
      const AttrId id = Intern(s.name);
      BoundAttribute& a = out_->attributes_[id];
      a.type = s.type;
      a.case_sensitive = s.case_sensitive;
      a.declared = true;
      for (const std::string& o : s.order) {
        std::string n = NormalizeValue(o, s.case_sensitive);
        if (!a.rank.count(n)) {
          a.rank.emplace(n, static_cast<int64_t>(a.order.size()));
          a.order.push_back(n);
        }
      }
    }
    const bool have_schema = !policy_.schema.empty();
    auto reference = [&](const std::string& name, const std::string& rule_id,
                         const SourceLocation& loc) {
      const std::string folded = FoldName(name);
      const bool known = out_->attribute_index_.count(folded) > 0;
      Intern(name);
      if (have_schema && !known && !warned_unknown_.count(folded)) {
        warned_unknown_.insert(folded);
        Issue("unknown-attribute", Severity::kWarning, rule_id, loc,
              "attribute '" + name +
                  "' is not in the schema; its type is inferred");
      }
    };
    for (const Rule& r : policy_.rules) {
      for (const Condition& c : r.conditions)
        reference(c.attribute, r.id, c.location);
      if (r.unless) {
        size_t next = 0;
        ForEachPredicate(*r.unless, [&](const Expr& e) {
          reference(e.attribute, r.id, UnlessPredicateLocation(r, next++));
        });
      }
      if (r.expires.kind == Expiry::Kind::kAttribute) {
        const AttrId id = Intern(r.expires.attribute);
        expiry_attrs_.insert(id);
        (void)id;
      }
    }
  }

  // Literal texts of equality/ordered predicates on `attr` (for inference).
  void CollectLiterals(AttrId attr, std::vector<std::string>* out) {
    auto take = [&](const std::string& name, const Predicate& p) {
      if (FoldName(name) != out_->attributes_[attr].folded) return;
      if (IsPatternOp(p.op)) return;
      for (const std::string& v : p.values) out->push_back(v);
    };
    for (const Rule& r : policy_.rules) {
      for (const Condition& c : r.conditions) take(c.attribute, c.predicate);
      if (r.unless) {
        ForEachPredicate(
            *r.unless, [&](const Expr& e) { take(e.attribute, e.predicate); });
      }
    }
  }

  static AttrType InferFrom(const std::vector<std::string>& values) {
    bool all_int = true, all_date = true, all_ord = true;
    for (const std::string& v : values) {
      const std::string_view t = TrimWhitespace(v);
      if (!ParseInt64(t)) all_int = false;
      if (!ParseIsoDate(t)) all_date = false;
      if (!LooksLikeOrdinalToken(t)) all_ord = false;
    }
    if (all_int) return AttrType::kInt;
    if (all_date) return AttrType::kDate;
    if (all_ord) return AttrType::kOrdinal;
    return AttrType::kString;
  }

  void InferTypes() {
    for (AttrId id = 0; id < static_cast<AttrId>(out_->attributes_.size());
         ++id) {
      BoundAttribute& a = out_->attributes_[id];
      if (a.declared) continue;
      std::vector<std::string> values;
      if (hr_ != nullptr) {
        for (const Person& p : hr_->people) {
          for (const auto& [name, value] : p.attributes) {
            if (FoldName(name) != a.folded) continue;
            if (!TrimWhitespace(value).empty())
              values.emplace_back(TrimWhitespace(value));
          }
        }
      }
      if (!values.empty()) {
        a.inferred_from = "HR values";
      } else {
        CollectLiterals(id, &values);
        a.inferred_from = values.empty() ? "default" : "rule literals";
      }
      a.type = values.empty() ? AttrType::kString : InferFrom(values);
      if (expiry_attrs_.count(id) && a.inferred_from != "HR values") {
        a.type = AttrType::kDate;  // Only dates can be expiries.
        a.inferred_from = "expires column";
      }
      Issue("inferred-type", Severity::kInfo, "", SourceLocation{},
            "attribute '" + a.name + "' inferred as " +
                std::string(AttrTypeName(a.type)) + " from " + a.inferred_from +
                "; declare it in the schema to pin it");
    }
  }

  void AttachAliases() {
    for (const Alias& al : policy_.aliases) {
      const AttrId id = out_->FindAttribute(FoldName(al.attribute));
      if (id < 0) continue;  // Aliases for attributes no rule reads.
      BoundAttribute& a = out_->attributes_[id];
      std::string from = NormalizeValue(al.alias, a.case_sensitive);
      std::string to = NormalizeValue(al.canonical, a.case_sensitive);
      auto [it, inserted] = a.aliases.emplace(from, to);
      if (!inserted && it->second != to) {
        Issue("alias-conflict", Severity::kError, "", al.location,
              "alias '" + al.alias + "' of '" + al.attribute +
                  "' maps to two canonical values");
      }
    }
  }

  void BuildInstances() {
    std::vector<AppInstance> list;
    if (!policy_.catalog.empty()) {
      out_->has_catalog_ = true;
      for (const CatalogEntry& e : policy_.catalog) {
        AppInstance inst;
        inst.app = e.app;
        inst.instance = e.instance;
        inst.levels = e.levels;
        inst.default_level = 0;
        for (size_t i = 0; i < e.levels.size(); ++i) {
          if (!e.default_level.empty() &&
              EqualsIgnoreCase(e.levels[i], e.default_level)) {
            inst.default_level = static_cast<int32_t>(i);
          }
        }
        inst.owner = e.owner;
        inst.provisioning = e.provisioning;
        inst.monthly_cost_cents = e.monthly_cost_cents;
        inst.location = e.location;
        list.push_back(std::move(inst));
      }
    } else {
      // Without a catalog: apps, instances and levels from the rules, levels
      // of one app ordered by first appearance (SPEC §4.6).
      struct Derived {
        std::string app;
        std::vector<std::string> instances;
        std::vector<std::string> levels;
        SourceLocation location;
      };
      std::vector<Derived> apps;
      auto find_ci = [](std::vector<std::string>& v, const std::string& s) {
        for (const std::string& x : v)
          if (EqualsIgnoreCase(x, s)) return true;
        return false;
      };
      for (const Rule& r : policy_.rules) {
        for (const Target& t : r.targets) {
          Derived* d = nullptr;
          for (Derived& x : apps)
            if (EqualsIgnoreCase(x.app, t.app)) d = &x;
          if (d == nullptr) {
            apps.push_back(Derived{t.app, {}, {}, t.location});
            d = &apps.back();
          }
          if (!t.instance.empty() && !find_ci(d->instances, t.instance)) {
            d->instances.push_back(t.instance);
          }
          if (!t.level.empty() && !find_ci(d->levels, t.level))
            d->levels.push_back(t.level);
        }
      }
      for (Derived& d : apps) {
        if (d.instances.empty()) d.instances.push_back("");
        if (d.levels.empty()) d.levels.push_back("");
        for (const std::string& i : d.instances) {
          AppInstance inst;
          inst.app = d.app;
          inst.instance = i;
          inst.levels = d.levels;
          inst.location = d.location;
          list.push_back(std::move(inst));
        }
      }
      Issue("no-catalog", Severity::kWarning, "", SourceLocation{},
            "no catalog: apps and instances come from the rules and levels "
            "are ordered by first appearance (lowest first)");
    }
    std::sort(list.begin(), list.end(),
              [](const AppInstance& a, const AppInstance& b) {
                if (a.app != b.app) return a.app < b.app;
                return a.instance < b.instance;
              });
    out_->instances_ = std::move(list);
  }

  // Types `text` as a literal of `attr`; records a type-mismatch on failure.
  std::optional<Key> Literal(const BoundAttribute& attr,
                             const std::string& text, const Rule& rule,
                             const SourceLocation& loc) {
    std::optional<Key> k = attr.ParseScalar(text);
    if (!k) {
      std::string expected;
      switch (attr.type) {
        case AttrType::kInt:
          expected = "an integer";
          break;
        case AttrType::kDate:
          expected = "an ISO date YYYY-MM-DD";
          break;
        case AttrType::kOrdinal: {
          expected = "one of the declared values (";
          for (size_t i = 0; i < attr.order.size(); ++i) {
            if (i > 0) expected += " < ";
            expected += attr.order[i];
          }
          expected += ")";
          break;
        }
        default:
          expected = "a non-empty value";
          break;
      }
      Issue("type-mismatch", Severity::kError, rule.id, loc,
            "'" + text + "' is not a valid " +
                std::string(AttrTypeName(attr.type)) + " value for '" +
                attr.name + "'; expected " + expected);
    }
    return k;
  }

  bool BindPredicate(const std::string& attr_name, const Predicate& p,
                     const Rule& rule, const SourceLocation& loc,
                     BoundPredicate* out) {
    out->attr = out_->FindAttribute(FoldName(attr_name));
    out->op = p.op;
    const BoundAttribute& attr = out_->attributes_[out->attr];
    auto mismatch = [&](const std::string& why) {
      Issue("type-mismatch", Severity::kError, rule.id, loc, why);
      return false;
    };
    if (IsOrderedOp(p.op) &&
        (attr.type == AttrType::kString || attr.type == AttrType::kSet)) {
      return mismatch("ordered comparison '" + FormatPredicate(p) + "' on " +
                      std::string(AttrTypeName(attr.type)) + " attribute '" +
                      attr.name + "'; declare it int, date or ordinal");
    }
    if (IsPatternOp(p.op) &&
        !(attr.type == AttrType::kString || attr.type == AttrType::kSet)) {
      return mismatch("text match '" + FormatPredicate(p) + "' on " +
                      std::string(AttrTypeName(attr.type)) + " attribute '" +
                      attr.name +
                      "'; only string and set attributes take substring "
                      "and regex conditions");
    }
    bool ok = true;
    switch (p.op) {
      case PredicateOp::kAnyOf:
      case PredicateOp::kNoneOf:
      case PredicateOp::kLess:
      case PredicateOp::kLessEq:
      case PredicateOp::kGreater:
      case PredicateOp::kGreaterEq:
      case PredicateOp::kRange:
        for (const std::string& v : p.values) {
          std::optional<Key> k = Literal(attr, v, rule, loc);
          if (!k) {
            ok = false;
            continue;
          }
          out->keys.push_back(std::move(*k));
        }
        if (p.op == PredicateOp::kAnyOf || p.op == PredicateOp::kNoneOf) {
          std::sort(out->keys.begin(), out->keys.end(),
                    [&](const Key& a, const Key& b) {
                      return attr.Compare(a, b) < 0;
                    });
          out->keys.erase(std::unique(out->keys.begin(), out->keys.end(),
                                      [&](const Key& a, const Key& b) {
                                        return attr.Compare(a, b) == 0;
                                      }),
                          out->keys.end());
        }
        break;
      case PredicateOp::kContains:
      case PredicateOp::kStartsWith:
      case PredicateOp::kEndsWith:
        out->needle = NormalizeValue(p.values[0], attr.case_sensitive);
        break;
      case PredicateOp::kRegex: {
        RE2::Options o;
        o.set_log_errors(false);
        o.set_case_sensitive(attr.case_sensitive);
        o.set_max_mem(options_.max_regex_program_size * 16);
        auto re = std::make_unique<RE2>(p.values[0], o);
        if (!re->ok()) {
          Issue("invalid-regex", Severity::kError, rule.id, loc,
                "invalid regular expression /" + p.values[0] +
                    "/: " + re->error());
          return false;
        }
        if (re->ProgramSize() > options_.max_regex_program_size) {
          Issue("invalid-regex", Severity::kError, rule.id, loc,
                "regular expression /" + p.values[0] + "/ is too large");
          return false;
        }
        // Reuse an identical pattern so analyses see one regex class.
        const std::string key =
            (attr.case_sensitive ? "s:" : "i:") + p.values[0];
        auto it = regex_ids_.find(key);
        if (it != regex_ids_.end()) {
          out->regex = it->second;
        } else {
          out->regex = static_cast<int32_t>(out_->regexes_.size());
          out_->regexes_.push_back(std::move(re));
          out_->patterns_.push_back(p.values[0]);
          regex_ids_.emplace(key, out->regex);
        }
        break;
      }
      case PredicateOp::kExists:
      case PredicateOp::kMissing:
        break;
    }
    return ok;
  }

  // Binds `e`, part of `rule.unless`. `*next_predicate` counts the
  // predicates bound so far, in ForEachPredicate order, to find where each
  // starts.
  bool BindExpr(const Expr& e, const Rule& rule, size_t* next_predicate,
                BoundExpr* out) {
    out->kind = e.kind;
    if (e.kind == Expr::Kind::kPredicate) {
      const SourceLocation& loc =
          UnlessPredicateLocation(rule, (*next_predicate)++);
      return BindPredicate(e.attribute, e.predicate, rule, loc,
                           &out->predicate);
    }
    bool ok = true;
    for (const Expr& c : e.children) {
      out->children.emplace_back();
      ok = BindExpr(c, rule, next_predicate, &out->children.back()) && ok;
    }
    return ok;
  }

  // Instances of `app` (case-insensitive), in id order.
  std::vector<int32_t> InstancesOf(const std::string& app) {
    std::vector<int32_t> out;
    for (size_t i = 0; i < out_->instances_.size(); ++i) {
      if (EqualsIgnoreCase(out_->instances_[i].app, app))
        out.push_back(static_cast<int32_t>(i));
    }
    return out;
  }

  int32_t LevelIndex(const AppInstance& inst, const std::string& level) {
    for (size_t i = 0; i < inst.levels.size(); ++i) {
      if (EqualsIgnoreCase(inst.levels[i], level))
        return static_cast<int32_t>(i);
    }
    return -1;
  }

  static std::vector<std::string> CanonicalScopes(
      const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const std::string& s : in) {
      bool dup = false;
      for (const std::string& o : out) dup = dup || EqualsIgnoreCase(o, s);
      if (!dup) out.push_back(s);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  bool BindTarget(const Rule& rule, const Target& t, BoundRule* br) {
    const std::vector<int32_t> instances = InstancesOf(t.app);
    const std::string where =
        t.app + (t.instance.empty() ? "" : " [" + t.instance + "]");
    if (instances.empty()) {
      Issue("unknown-app", Severity::kError, rule.id, t.location,
            "app '" + t.app + "' is not in the catalog");
      return false;
    }
    std::vector<int32_t> chosen;
    if (t.instance.empty()) {
      if (rule.effect == Effect::kGrant && instances.size() > 1) {
        std::string names;
        for (int32_t i : instances) {
          names += (names.empty() ? "" : ", ") + out_->instances_[i].instance;
        }
        Issue("ambiguous-instance", Severity::kError, rule.id, t.location,
              "app '" + t.app + "' has several instances (" + names +
                  "); expected an instance for this grant");
        return false;
      }
      chosen = instances;
    } else {
      for (int32_t i : instances) {
        if (EqualsIgnoreCase(out_->instances_[i].instance, t.instance))
          chosen.push_back(i);
      }
      if (chosen.empty()) {
        Issue("unknown-instance", Severity::kError, rule.id, t.location,
              "app '" + t.app + "' has no instance '" + t.instance +
                  "' in the catalog");
        return false;
      }
    }
    bool any_level = false;
    for (int32_t i : chosen) {
      const AppInstance& inst = out_->instances_[i];
      BoundTarget bt;
      bt.instance = i;
      bt.scopes = CanonicalScopes(t.scopes);
      if (t.level.empty()) {
        bt.level = rule.effect == Effect::kGrant ? inst.default_level : -1;
      } else {
        bt.level = LevelIndex(inst, t.level);
        if (bt.level < 0) continue;  // Checked below across instances.
      }
      any_level = true;
      br->targets.push_back(std::move(bt));
    }
    if (!any_level) {
      std::string levels;
      for (const std::string& l : out_->instances_[chosen[0]].levels) {
        levels += (levels.empty() ? "" : ", ") + l;
      }
      Issue("unknown-level", Severity::kError, rule.id, t.location,
            "level '" + t.level + "' is not a level of " + where +
                "; expected one of: " + levels);
      return false;
    }
    return true;
  }

  void BindRule(size_t index) {
    const Rule& r = policy_.rules[index];
    BoundRule br;
    br.index = static_cast<int32_t>(index);
    br.id = r.id;
    br.effect = r.effect;
    br.priority = r.priority;
    br.effective_from = r.effective_from;
    br.effective_until = r.effective_until;
    br.location = r.location;
    bool ok = true;
    for (const Condition& c : r.conditions) {
      BoundPredicate p;
      ok = BindPredicate(c.attribute, c.predicate, r, c.location, &p) && ok;
      br.conditions.push_back(std::move(p));
    }
    if (r.unless) {
      BoundExpr e;
      size_t next_predicate = 0;
      ok = BindExpr(*r.unless, r, &next_predicate, &e) && ok;
      br.unless = std::move(e);
    }
    br.expiry_kind = r.expires.kind;
    br.expiry_date = r.expires.date;
    if (r.expires.kind == Expiry::Kind::kAttribute) {
      br.expiry_attr = out_->FindAttribute(FoldName(r.expires.attribute));
      if (out_->attributes_[br.expiry_attr].type != AttrType::kDate) {
        Issue("type-mismatch", Severity::kError, r.id,
              r.expires_location.line > 0 ? r.expires_location : r.location,
              "expires names '" + r.expires.attribute + "', a " +
                  std::string(
                      AttrTypeName(out_->attributes_[br.expiry_attr].type)) +
                  " attribute; expected a date attribute or an ISO date");
        ok = false;
      }
    }
    if (r.targets.empty()) {
      Issue("no-target", Severity::kError, r.id, r.location,
            "rule names no app");
      ok = false;
    }
    for (const Target& t : r.targets) ok = BindTarget(r, t, &br) && ok;
    br.valid = ok;
    out_->rules_.push_back(std::move(br));
  }

  // SPEC §7 separation of duties: each side names an app, optionally an
  // instance (else every instance) and a level (that level or higher, else
  // any level). Unknown names are issues with the same codes as rules use.
  bool BindSodSide(const SodConstraint& c, const SodEntitlement& e,
                   BoundSodSide* out) {
    const std::vector<int32_t> instances = InstancesOf(e.app);
    if (instances.empty()) {
      Issue("unknown-app", Severity::kError, c.id, c.location,
            "separation-of-duties rule " + c.id + " names app '" + e.app +
                "', which is not in the catalog");
      return false;
    }
    for (int32_t i : instances) {
      const AppInstance& inst = out_->instances_[i];
      if (!e.instance.empty() && !EqualsIgnoreCase(inst.instance, e.instance))
        continue;
      BoundSodSide::Part part;
      part.instance = i;
      if (!e.level.empty()) {
        part.min_level = LevelIndex(inst, e.level);
        if (part.min_level < 0) {
          std::string levels;
          for (const std::string& l : inst.levels)
            levels += (levels.empty() ? "" : ", ") + l;
          Issue("unknown-level", Severity::kError, c.id, c.location,
                "separation-of-duties rule " + c.id + ": level '" + e.level +
                    "' is not a level of " + inst.app +
                    (inst.instance.empty() ? "" : " [" + inst.instance + "]") +
                    "; expected one of: " + levels);
          return false;
        }
      }
      out->parts.push_back(part);
    }
    if (out->parts.empty()) {
      Issue("unknown-instance", Severity::kError, c.id, c.location,
            "separation-of-duties rule " + c.id + ": app '" + e.app +
                "' has no instance '" + e.instance + "' in the catalog");
      return false;
    }
    return true;
  }

  void BindSod(const SodConstraint& c) {
    BoundSod s;
    s.id = c.id;
    s.message = c.message;
    s.location = c.location;
    bool ok = BindSodSide(c, c.first, &s.first);
    ok = BindSodSide(c, c.second, &s.second) && ok;
    s.valid = ok;
    out_->sod_.push_back(std::move(s));
  }

  const Policy& policy_;
  const Population* hr_;
  const BindOptions& options_;
  std::unique_ptr<BoundPolicy> out_;
  std::set<AttrId> expiry_attrs_;
  std::set<std::string> warned_unknown_;
  std::map<std::string, int32_t> regex_ids_;
};

absl::StatusOr<std::unique_ptr<BoundPolicy>> BoundPolicy::Bind(
    const Policy& policy, const Population* hr, const BindOptions& options) {
  return Binder(policy, hr, options).Run();
}

BoundPerson BindPerson(const BoundPolicy& policy, const Person& person) {
  BoundPerson out;
  out.id = person.id;
  out.values.resize(policy.attributes().size());
  for (const auto& [name, raw] : person.attributes) {
    const std::string folded = FoldName(name);
    if (folded == "terminationdate" || folded == "leavedate") {
      if (!TrimWhitespace(raw).empty()) {
        std::optional<Date> d = ParseIsoDate(raw);
        if (d) {
          out.termination = d;
        } else {
          out.termination_malformed = true;
        }
      }
    }
    const AttrId id = policy.FindAttribute(folded);
    if (id < 0) continue;
    out.values[id] = policy.attributes()[id].ParseValue(raw);
  }
  return out;
}

}  // namespace birthright
