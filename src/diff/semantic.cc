// The exact semantic diff (SPEC §9): Gouda & Liu's change-impact analysis
// on decision diagrams, done on the birthright DAG compiler.
//
// Two versions compiled separately have different variable universes (the
// literals, intervals and patterns each version mentions) and different
// variable orders, so their DAGs cannot be walked in lockstep. Instead both
// versions' rules of every changed app go into ONE merged Policy, each
// version's app renamed apart ("~000003a" = app 3 before, "~000003b" =
// after, catalog rows duplicated), with the attribute bindings pinned to
// what each version bound on its own. The compiler builds one DAG per
// (before, after) app pair (CompileOptions::max_apps_per_dag = 2): every
// leaf then holds the before AND the after outcome of the same class
// assignment, i.e. the DAG is the product diagram. A DAG path is a product
// of per-variable class sets; the paths whose two outcomes differ on an
// instance are exactly the regions where that instance's entitlement
// changes. Sub-DAGs without a difference are skipped (memoized per node),
// so listing costs the DAG size plus the regions listed.
#include <algorithm>
#include <climits>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "birthright/diff.h"
#include "compile/dag.h"
#include "diff/diff_internal.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "util/text.h"

namespace birthright {
namespace {

constexpr char kTagPrefix = '~';

std::string PairTag(size_t pair, bool after) {
  std::string n = std::to_string(pair);
  return std::string(1, kTagPrefix) +
         std::string(6 - std::min<size_t>(6, n.size()), '0') + n +
         (after ? "b" : "a");
}

// Why two bindings of one attribute differ, or "" when they agree.
std::string BindingDifference(const BoundAttribute& a,
                              const BoundAttribute& b) {
  if (a.type != b.type) {
    return "attribute '" + b.name + "' is typed " +
           std::string(AttrTypeName(a.type)) + " before and " +
           std::string(AttrTypeName(b.type)) + " after";
  }
  if (a.case_sensitive != b.case_sensitive)
    return "attribute '" + b.name + "' changed case sensitivity";
  if (a.order != b.order)
    return "the declared order of '" + b.name + "' changed";
  if (a.aliases != b.aliases) return "the aliases of '" + b.name + "' changed";
  return "";
}

// Per app (folded name): the semantic content of one version — its catalog
// rows as bound (levels in order, default) and its rules' canonical forms.
struct AppContent {
  std::string display;
  std::vector<std::string> canon;
  std::vector<int32_t> instances;  // BoundPolicy::instances() indices.
  std::vector<const Rule*> rules;
};

std::map<std::string, AppContent> ContentByApp(const Policy& p,
                                               const BoundPolicy& b) {
  std::map<std::string, AppContent> m;
  for (size_t i = 0; i < b.instances().size(); ++i) {
    const AppInstance& inst = b.instances()[i];
    AppContent& c = m[AsciiLowercase(inst.app)];
    if (c.display.empty()) c.display = inst.app;
    c.instances.push_back(static_cast<int32_t>(i));
    std::string s = "instance|" + AsciiLowercase(inst.instance) + "|";
    for (const std::string& l : inst.levels) s += AsciiLowercase(l) + ";";
    s += "|" + std::to_string(inst.default_level);
    c.canon.push_back(std::move(s));
  }
  for (const Rule& r : p.rules) {
    std::set<std::string> apps;
    for (const Target& t : r.targets) apps.insert(AsciiLowercase(t.app));
    const std::string canon = "rule|" + RuleSemanticCanon(p, r);
    for (const std::string& a : apps) {
      AppContent& c = m[a];
      c.canon.push_back(canon);
      c.rules.push_back(&r);
    }
  }
  for (auto& [app, c] : m) std::sort(c.canon.begin(), c.canon.end());
  return m;
}

// Human text of one predicate-bearing variable (patterns, set predicates).
std::string PredicateText(const BoundPolicy& bp, const std::string& attr,
                          const BoundPredicate& p) {
  auto keys = [&]() {
    std::string s;
    for (size_t i = 0; i < p.keys.size(); ++i) {
      s += (i ? ", " : "") + p.keys[i].text;
    }
    return s;
  };
  switch (p.op) {
    case PredicateOp::kAnyOf:
      return p.keys.size() == 1 ? attr + " = " + keys()
                                : attr + " in (" + keys() + ")";
    case PredicateOp::kNoneOf:
      return attr + " not in (" + keys() + ")";
    case PredicateOp::kContains:
      return attr + " contains " + p.needle;
    case PredicateOp::kStartsWith:
      return attr + " starts with " + p.needle;
    case PredicateOp::kEndsWith:
      return attr + " ends with " + p.needle;
    case PredicateOp::kRegex:
      return attr + " matches /" + bp.regex_pattern(p.regex) + "/";
    case PredicateOp::kExists:
      return attr + " exists";
    case PredicateOp::kMissing:
      return attr + " missing";
    default:
      return attr + " " + std::string(PredicateOpName(p.op)) + " " + keys();
  }
}

// The RE2::Set pattern the compiler builds for a substring/regex predicate
// (src/compile/compiler.cc AtomFor); must stay in step with it.
std::string CompiledPattern(const BoundPolicy& bp, const BoundPredicate& p) {
  switch (p.op) {
    case PredicateOp::kContains:
      return RE2::QuoteMeta(p.needle);
    case PredicateOp::kStartsWith:
      return "^" + RE2::QuoteMeta(p.needle);
    case PredicateOp::kEndsWith:
      return RE2::QuoteMeta(p.needle) + "$";
    default:
      return bp.regex_pattern(p.regex);
  }
}

bool Has(const std::vector<int32_t>& v, int32_t c) {
  return std::binary_search(v.begin(), v.end(), c);
}

// One instance's change inside one leaf.
struct LeafChange {
  std::string key;  // Folded instance name within the pair.
  DiffOutcome before, after;
  bool expiry_dependent = false;
};

using RawClasses = std::vector<std::pair<int32_t, std::vector<int32_t>>>;

// How values are shown in regions: as the policy spells them (SPEC §11),
// not in their normalized, alias-resolved form. Per attribute, canonical
// literal -> the first spelling found in the schema order, the alias
// table's canonical column, or a rule literal that is not itself an alias.
class Spelling {
 public:
  // `policies` are the two versions as written (the merged policy holds
  // normalized copies of their schema and aliases).
  Spelling(std::initializer_list<const Policy*> policies, const BoundPolicy& bp)
      : table_(bp.attributes().size()) {
    auto add = [&](std::string_view attr, std::string_view raw) {
      const AttrId id = bp.FindAttribute(FoldName(attr));
      if (id < 0 || raw.empty()) return;
      const BoundAttribute& a = bp.attributes()[id];
      const std::string n = NormalizeValue(raw, a.case_sensitive);
      if (a.aliases.count(n)) return;  // An alias: shown as its canonical.
      table_[id].try_emplace(n, std::string(raw));
    };
    // The after version's spelling wins, as for app names.
    std::vector<const Policy*> order(policies);
    std::reverse(order.begin(), order.end());
    for (const Policy* p : order) {
      for (const Rule& r : p->rules) {
        for (const Condition& c : r.conditions) {
          if (c.predicate.op == PredicateOp::kRegex) continue;
          for (const std::string& v : c.predicate.values) add(c.attribute, v);
        }
        if (!r.unless) continue;
        ForEachPredicate(*r.unless, [&](const Expr& e) {
          if (e.predicate.op == PredicateOp::kRegex) return;
          for (const std::string& v : e.predicate.values) add(e.attribute, v);
        });
      }
      for (const AttributeSpec& spec : p->schema) {
        for (const std::string& v : spec.order) add(spec.name, v);
      }
      for (const Alias& al : p->aliases) add(al.attribute, al.canonical);
    }
  }

  // `canonical` of attribute `attr` as the policy spells it.
  const std::string& Show(AttrId attr, const std::string& canonical) const {
    if (attr < 0 || attr >= static_cast<AttrId>(table_.size()))
      return canonical;
    auto it = table_[attr].find(canonical);
    return it == table_[attr].end() ? canonical : it->second;
  }

 private:
  std::vector<absl::flat_hash_map<std::string, std::string>> table_;
};

class Walker {
 public:
  Walker(const CompiledPolicy& merged, const Spelling& spelling,
         const std::vector<int32_t>& inst_side, std::optional<Date> as_of,
         int64_t max_regions)
      : im_(merged.impl()),
        bp_(merged.policy()),
        spelling_(spelling),
        inst_side_(inst_side),
        max_regions_(max_regions) {
    node_diff_.assign(im_.code.size(), -1);  // By code offset.
    node_paths_.assign(im_.code.size(), -1);
    path_.resize(im_.vars.size());
    constrained_.assign(im_.vars.size(), 0);
    if (as_of) {
      pinned_as_of_ = true;
      const Var& v = im_.vars[im_.as_of_var];
      path_[im_.as_of_var] = {
          OrderedClass(nullptr, v.points, Key{as_of->days, {}})};
      constrained_[im_.as_of_var] = 1;
    }
    attr_vars_.resize(bp_.attributes().size());
    for (size_t v = 0; v < im_.vars.size(); ++v) {
      if (im_.vars[v].attr >= 0)
        attr_vars_[im_.vars[v].attr].push_back(static_cast<int32_t>(v));
    }
    input_of_.assign(bp_.attributes().size(), -1);
    for (size_t i = 0; i < im_.inputs.size(); ++i)
      input_of_[im_.inputs[i].attr] = static_cast<int32_t>(i);
    // Human text of every pattern variable, from the rules that made it.
    for (const BoundRule& r : bp_.rules()) {
      std::vector<const BoundPredicate*> preds;
      for (const BoundPredicate& p : r.conditions) preds.push_back(&p);
      if (r.unless) CollectPredicates(*r.unless, &preds);
      for (const BoundPredicate* p : preds) {
        if (!IsPatternOp(p->op)) continue;
        const BoundAttribute& a = bp_.attributes()[p->attr];
        if (a.type == AttrType::kSet) continue;
        pattern_text_.emplace(std::make_pair(p->attr, CompiledPattern(bp_, *p)),
                              PredicateText(bp_, a.name, *p));
      }
    }
  }

  // Walks one app-pair DAG, calling emit(change, classes) per region path:
  // the path's (var, allowed classes) pairs, tightened.
  void Walk(uint32_t root,
            std::function<void(const LeafChange&, RawClasses)> emit) {
    emit_ = std::move(emit);
    Enumerate(root);
  }

  // Merges regions of one instance with the same outcomes whose class sets
  // differ in one variable only: their union is again a product, and the
  // regions are disjoint, so the union is exact. Per variable, regions are
  // bucketed by (outcome, every other variable's classes) and each bucket
  // becomes one region; passes repeat until nothing merges.
  static void Merge(std::vector<std::pair<const LeafChange*, RawClasses>>* list,
                    const std::vector<Var>& vars) {
    for (int pass = 0; pass < 16; ++pass) {
      std::set<int32_t> all_vars;
      for (const auto& [c, raw] : *list) {
        for (const auto& [v, cl] : raw) all_vars.insert(v);
      }
      bool merged_any = false;
      for (int32_t v : all_vars) {
        std::map<std::string, size_t> bucket;  // key -> index in `out`
        std::vector<std::pair<const LeafChange*, RawClasses>> out;
        for (auto& item : *list) {
          const LeafChange& c = *item.first;
          std::string key = FormatDiffOutcome(c.before) + "\x1e" +
                            FormatDiffOutcome(c.after) + "\x1e" +
                            (c.expiry_dependent ? "d" : "") + "\x1e";
          const std::vector<int32_t>* mine = nullptr;
          for (const auto& [w, cl] : item.second) {
            if (w == v) {
              mine = &cl;
              continue;
            }
            key += std::to_string(w) + ":";
            for (int32_t k : cl) key += std::to_string(k) + ",";
            key += ";";
          }
          if (mine == nullptr) {  // Unconstrained on v: nothing to join.
            out.push_back(std::move(item));
            continue;
          }
          auto [it, inserted] = bucket.emplace(key, out.size());
          if (inserted) {
            out.push_back(std::move(item));
            continue;
          }
          merged_any = true;
          RawClasses& target = out[it->second].second;
          for (auto& [w, cl] : target) {
            if (w != v) continue;
            cl.insert(cl.end(), mine->begin(), mine->end());
            std::sort(cl.begin(), cl.end());
            cl.erase(std::unique(cl.begin(), cl.end()), cl.end());
          }
        }
        // A variable whose classes now cover its domain is no constraint.
        for (auto& [c, raw] : out) {
          raw.erase(
              std::remove_if(raw.begin(), raw.end(),
                             [&](const auto& e) {
                               return static_cast<int32_t>(e.second.size()) ==
                                      vars[e.first].num_classes;
                             }),
              raw.end());
        }
        *list = std::move(out);
      }
      if (!merged_any) break;
    }
  }

  // The region of a (merged) raw class list, rendered.
  std::optional<Region> Render(const LeafChange& c,
                               const RawClasses& raw) const {
    std::vector<std::vector<int32_t>> sets(im_.vars.size());
    std::vector<char> on(im_.vars.size(), 0);
    for (const auto& [v, cl] : raw) {
      sets[v] = cl;
      on[v] = 1;
    }
    if (!Tighten(&sets, &on)) return std::nullopt;
    return MakeRegion(c, sets, on);
  }

  bool truncated() const { return truncated_; }
  int64_t emitted() const { return emitted_; }
  int64_t Paths(uint32_t ref) { return CountPaths(ref); }
  bool HasDiff(uint32_t ref) {
    if (ref & kLeafBit) return !Changes(ref & ~kLeafBit).empty();
    int8_t& m = node_diff_[ref];
    if (m >= 0) return m != 0;
    bool any = false;
    for (const auto& [child, classes] : Groups(ref)) {
      if (HasDiff(child)) {
        any = true;
        break;
      }
    }
    node_diff_[ref] = any ? 1 : 0;
    return any;
  }

 private:
  // The distinct children of node `ref` with the classes leading there
  // (restricted by a fixed as_of), ordered by their smallest class.
  std::vector<std::pair<uint32_t, std::vector<int32_t>>> Groups(uint32_t ref) {
    const uint32_t* n = &im_.code[ref];
    const int32_t v = NodeVar(n);
    const Var& var = im_.vars[v];
    std::vector<std::pair<uint32_t, std::vector<int32_t>>> out;
    absl::flat_hash_map<uint32_t, size_t> index;
    for (int32_t c = 0; c < var.num_classes; ++c) {
      if (constrained_[v] && !Has(path_[v], c)) continue;
      const uint32_t child = NodeChild(n, static_cast<uint32_t>(c));
      auto [it, inserted] = index.emplace(child, out.size());
      if (inserted) out.emplace_back(child, std::vector<int32_t>{});
      out[it->second].second.push_back(c);
    }
    return out;
  }

  int64_t CountPaths(uint32_t ref) {
    if (ref & kLeafBit)
      return static_cast<int64_t>(Changes(ref & ~kLeafBit).size());
    int64_t& m = node_paths_[ref];
    if (m >= 0) return m;
    int64_t total = 0;
    for (const auto& [child, classes] : Groups(ref)) {
      const int64_t c = CountPaths(child);
      total = c > INT64_MAX - total ? INT64_MAX : total + c;
    }
    m = total;
    return total;
  }

  DiffOutcome OutcomeOf(const LeafEntitlement& le) const {
    DiffOutcome o;
    const AppInstance& inst = bp_.instances()[le.instance];
    o.granted = true;
    o.level = inst.levels[le.level];
    for (uint32_t k = 0; k < le.scopes_count; ++k)
      o.scopes.push_back(im_.scopes[im_.scope_pool[le.scopes_begin + k]]);
    std::sort(o.scopes.begin(), o.scopes.end());
    o.never_expires = le.never_expires;
    if (!le.never_expires) {
      if (le.expiry_literal != INT32_MIN)
        o.expires_on = Date{le.expiry_literal};
      for (uint32_t k = 0; k < le.expiry_attrs_count; ++k) {
        o.expiry_attributes.push_back(
            bp_.attributes()[im_.attr_pool[le.expiry_attrs_begin + k]].name);
      }
      std::sort(o.expiry_attributes.begin(), o.expiry_attributes.end());
      o.expiry_attributes.erase(
          std::unique(o.expiry_attributes.begin(), o.expiry_attributes.end()),
          o.expiry_attributes.end());
    }
    return o;
  }

  const std::vector<LeafChange>& Changes(uint32_t leaf_id) {
    auto it = leaf_changes_.find(leaf_id);
    if (it != leaf_changes_.end()) return it->second;
    std::map<std::string, std::pair<DiffOutcome, DiffOutcome>> by_instance;
    const Leaf& leaf = im_.leaves[leaf_id];
    for (uint32_t i = 0; i < leaf.ents_count; ++i) {
      const LeafEntitlement& le = im_.leaf_ents[leaf.ents_begin + i];
      auto& slot =
          by_instance[AsciiLowercase(bp_.instances()[le.instance].instance)];
      (inst_side_[le.instance] ? slot.second : slot.first) = OutcomeOf(le);
    }
    std::vector<LeafChange> out;
    for (auto& [key, pair] : by_instance) {
      const DiffOutcome& a = pair.first;
      const DiffOutcome& b = pair.second;
      if (a.granted != b.granted || !EqualsIgnoreCase(a.level, b.level) ||
          a.scopes != b.scopes) {
        out.push_back({key, a, b, false});
        continue;
      }
      if (!a.granted) continue;
      if (a.never_expires != b.never_expires) {
        out.push_back({key, a, b, false});
        continue;
      }
      if (a.never_expires) continue;
      if (a.expires_on == b.expires_on &&
          a.expiry_attributes == b.expiry_attributes) {
        continue;
      }
      // Two different "latest of" formulas: they can agree for some people
      // unless neither reads an attribute (then both are fixed dates).
      const bool dependent =
          !a.expiry_attributes.empty() || !b.expiry_attributes.empty();
      out.push_back({key, a, b, dependent});
    }
    return leaf_changes_.emplace(leaf_id, std::move(out)).first->second;
  }

  void Enumerate(uint32_t ref) {
    if (truncated_) return;
    if (ref & kLeafBit) {
      for (const LeafChange& c : Changes(ref & ~kLeafBit)) {
        std::vector<std::vector<int32_t>> sets = path_;
        std::vector<char> on = constrained_;
        if (!Tighten(&sets, &on)) continue;
        if (emitted_ >= max_regions_) {
          truncated_ = true;
          return;
        }
        ++emitted_;
        RawClasses raw;
        for (size_t v = 0; v < sets.size(); ++v) {
          // A date fixed by the caller is not part of the region's text.
          if (on[v] &&
              !(pinned_as_of_ && static_cast<int32_t>(v) == im_.as_of_var))
            raw.emplace_back(static_cast<int32_t>(v), sets[v]);
        }
        emit_(c, std::move(raw));
      }
      return;
    }
    const int32_t var = NodeVar(&im_.code[ref]);
    for (auto& [child, classes] : Groups(ref)) {
      if (!HasDiff(child)) continue;
      const bool was = constrained_[var];
      std::vector<int32_t> saved = std::move(path_[var]);
      path_[var] = std::move(classes);
      constrained_[var] = 1;
      Enumerate(child);
      path_[var] = std::move(saved);
      constrained_[var] = was;
      if (truncated_) return;
    }
  }

  // Tightens the path's class sets where variables of one attribute
  // constrain each other (all are missing together; a literal class fixes
  // every pattern's result), dropping paths no person can take. Returns
  // false for an empty region.
  bool Tighten(std::vector<std::vector<int32_t>>* sets,
               std::vector<char>* on) const {
    // The evaluation date is never missing.
    if (im_.as_of_var >= 0 && (*on)[im_.as_of_var]) {
      std::vector<int32_t>& cl = (*sets)[im_.as_of_var];
      cl.erase(std::remove(cl.begin(), cl.end(), 0), cl.end());
      if (cl.empty()) return false;
    }
    // Open intervals between adjacent integers (ints, dates, declared
    // ordinal ranks, as_of days) hold no value: drop those classes.
    for (size_t v = 0; v < sets->size(); ++v) {
      if (!(*on)[v] || !IsDiscrete(static_cast<int32_t>(v))) continue;
      std::vector<int32_t>& cl = (*sets)[v];
      cl.erase(std::remove_if(cl.begin(), cl.end(),
                              [&](int32_t c) {
                                return EmptyInterval(static_cast<int32_t>(v),
                                                     c);
                              }),
               cl.end());
      if (cl.empty()) return false;
    }
    for (size_t a = 0; a < attr_vars_.size(); ++a) {
      const std::vector<int32_t>& vars = attr_vars_[a];
      bool any = false;
      for (int32_t v : vars) any = any || (*on)[v];
      if (!any) continue;
      bool missing_ok = true;
      for (int32_t v : vars) {
        if ((*on)[v] && !Has((*sets)[v], 0)) missing_ok = false;
      }
      // Present values: every constrained variable needs a non-missing
      // class, and a string attribute's literal classes must agree with
      // its pattern variables.
      bool present_ok = true;
      for (int32_t v : vars) {
        if ((*on)[v] && ((*sets)[v].empty() ||
                         ((*sets)[v].size() == 1 && (*sets)[v][0] == 0))) {
          present_ok = false;
        }
      }
      const int32_t in_index = input_of_[a];
      const AttrInput* in = in_index >= 0 ? &im_.inputs[in_index] : nullptr;
      if (present_ok && in != nullptr && in->scalar_var >= 0 &&
          bp_.attributes()[a].type == AttrType::kString &&
          !in->pattern_vars.empty()) {
        bool patterns_on = false;
        for (int32_t pv : in->pattern_vars) patterns_on |= (*on)[pv] != 0;
        if (patterns_on) {
          const int32_t sv = in->scalar_var;
          const Var& var = im_.vars[sv];
          auto literal_ok = [&](int32_t c) {
            std::vector<int> m;
            in->patterns->Match(var.literals[c - 2], &m);
            for (size_t bit = 0; bit < in->pattern_vars.size(); ++bit) {
              const int32_t pv = in->pattern_vars[bit];
              if (!(*on)[pv]) continue;
              const bool hit = std::find(m.begin(), m.end(),
                                         static_cast<int>(bit)) != m.end();
              if (!Has((*sets)[pv], hit ? 2 : 1)) return false;
            }
            return true;
          };
          if ((*on)[sv]) {
            std::vector<int32_t> kept;
            for (int32_t c : (*sets)[sv]) {
              if (c < 2 || literal_ok(c)) kept.push_back(c);
            }
            (*sets)[sv] = std::move(kept);
            bool nonmissing = false;
            for (int32_t c : (*sets)[sv]) nonmissing |= c != 0;
            present_ok = nonmissing;
            // Without the "other" class, the literals decide every pattern:
            // a pattern constraint they all satisfy says nothing more.
            if (!Has((*sets)[sv], 1)) {
              for (size_t bit = 0; bit < in->pattern_vars.size(); ++bit) {
                const int32_t pv = in->pattern_vars[bit];
                if (!(*on)[pv]) continue;
                bool implied = true;
                for (int32_t c : (*sets)[sv]) {
                  int32_t want = 0;
                  if (c >= 2) {
                    std::vector<int> m;
                    in->patterns->Match(var.literals[c - 2], &m);
                    want = std::find(m.begin(), m.end(),
                                     static_cast<int>(bit)) != m.end()
                               ? 2
                               : 1;
                  }
                  implied = implied && Has((*sets)[pv], want);
                }
                if (implied) (*on)[pv] = 0;
              }
            }
          }
        }
      }
      if (!missing_ok && !present_ok) return false;
      for (int32_t v : vars) {
        if (!(*on)[v]) continue;
        std::vector<int32_t>& s = (*sets)[v];
        if (!missing_ok) {
          s.erase(std::remove(s.begin(), s.end(), 0), s.end());
        } else if (!present_ok) {
          s = {0};
        }
      }
    }
    // A constraint allowing every class is no constraint.
    for (size_t v = 0; v < sets->size(); ++v) {
      if ((*on)[v] &&
          static_cast<int32_t>((*sets)[v].size()) == im_.vars[v].num_classes) {
        (*on)[v] = 0;
      }
    }
    return true;
  }

  Region MakeRegion(const LeafChange& c,
                    const std::vector<std::vector<int32_t>>& sets,
                    const std::vector<char>& on) const {
    Region r;
    r.before = c.before;
    r.after = c.after;
    r.expiry_dependent = c.expiry_dependent;
    std::map<std::string, std::vector<std::string>> texts;  // attr -> parts
    std::map<std::string, std::string> names;
    for (size_t v = 0; v < sets.size(); ++v) {
      if (!on[v]) continue;
      r.classes.emplace_back(static_cast<int32_t>(v), sets[v]);
      const Var& var = im_.vars[v];
      const std::string name =
          var.attr >= 0 ? bp_.attributes()[var.attr].name : "as_of";
      const std::string key =
          var.attr >= 0 ? bp_.attributes()[var.attr].folded : "~as_of";
      names[key] = name;
      const std::string t = VarText(static_cast<int32_t>(v), name, sets[v]);
      auto& parts = texts[key];
      if (std::find(parts.begin(), parts.end(), t) == parts.end())
        parts.push_back(t);
    }
    for (auto& [key, parts] : texts) {
      std::string t;
      for (const std::string& p : parts) t += (t.empty() ? "" : " and ") + p;
      r.conditions.push_back({names[key], t});
    }
    return r;
  }

  // Variables over integers (ints, dates, declared ordinal ranks, as_of).
  bool IsDiscrete(int32_t v) const {
    const Var& var = im_.vars[v];
    if (var.kind == VarKind::kAsOf) return true;
    if (var.kind != VarKind::kScalar || var.attr < 0) return false;
    return bp_.attributes()[var.attr].numeric();
  }

  // True when class `c` of discrete variable `v` is an open interval with
  // no integer inside (between adjacent points, or beyond a declared
  // ordinal's ends).
  bool EmptyInterval(int32_t v, int32_t c) const {
    const Var& var = im_.vars[v];
    const int32_t m = static_cast<int32_t>(var.points.size());
    const int32_t pos = c - 1;
    if (c == 0 || pos % 2 == 1) return false;
    const int32_t i = pos / 2;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (i > 0) lo = var.points[i - 1].num;
    if (i < m) hi = var.points[i].num;
    if (var.attr >= 0) {
      const BoundAttribute& a = bp_.attributes()[var.attr];
      if (a.type == AttrType::kOrdinal) {
        if (i == 0) lo = -1;
        if (i == m) hi = static_cast<int64_t>(a.order.size());
      }
    }
    return lo != INT64_MIN && hi != INT64_MAX && hi - lo <= 1;
  }

  std::string NumText(const BoundAttribute* a, int64_t n) const {
    Key k;
    k.num = n;
    return KeyText(a, k);
  }

  std::string KeyText(const BoundAttribute* a, const Key& k) const {
    if (a == nullptr || a->type == AttrType::kDate)
      return FormatIsoDate(Date{static_cast<int32_t>(k.num)});
    if (a->type == AttrType::kInt) return std::to_string(k.num);
    const AttrId id = static_cast<AttrId>(a - bp_.attributes().data());
    if (a->type == AttrType::kOrdinal && !a->order.empty()) {
      return k.num >= 0 && k.num < static_cast<int64_t>(a->order.size())
                 ? spelling_.Show(id, a->order[k.num])
                 : std::to_string(k.num);
    }
    return spelling_.Show(id, k.text);
  }

  static std::string WithMissing(const std::string& name, bool missing,
                                 const std::string& core) {
    if (!missing) return core;
    if (core.empty()) return name + " missing";
    return "(" + name + " missing or " + core + ")";
  }

  std::string VarText(int32_t v, const std::string& name,
                      const std::vector<int32_t>& s) const {
    const Var& var = im_.vars[v];
    const bool missing = Has(s, 0);
    std::vector<int32_t> rest;
    for (int32_t c : s) {
      if (c != 0) rest.push_back(c);
    }
    if (rest.empty()) return name + " missing";
    const BoundAttribute* attr =
        var.attr >= 0 ? &bp_.attributes()[var.attr] : nullptr;
    switch (var.kind) {
      case VarKind::kScalar:
        if (attr->type == AttrType::kString) {
          std::string core;
          if (!Has(rest, 1)) {
            std::string lits;
            for (int32_t c : rest)
              lits += (lits.empty() ? "" : ", ") +
                      spelling_.Show(var.attr, var.literals[c - 2]);
            core = rest.size() == 1 ? name + " = " + lits
                                    : name + " in (" + lits + ")";
          } else {
            std::vector<std::string> out;
            for (int32_t c = 2; c < var.num_classes; ++c) {
              if (!Has(rest, c))
                out.push_back(spelling_.Show(var.attr, var.literals[c - 2]));
            }
            std::string lits;
            for (const std::string& l : out)
              lits += (lits.empty() ? "" : ", ") + l;
            core = out.empty()       ? name + " exists"
                   : out.size() == 1 ? name + " != " + lits
                                     : name + " not in (" + lits + ")";
          }
          return WithMissing(name, missing, core);
        }
        [[fallthrough]];
      case VarKind::kAsOf: {
        const int32_t top = 2 * static_cast<int32_t>(var.points.size());
        std::vector<std::string> runs;
        for (size_t i = 0; i < rest.size();) {
          size_t j = i;
          while (j + 1 < rest.size() &&
                 (rest[j + 1] == rest[j] + 1 ||
                  (rest[j + 1] == rest[j] + 2 && IsDiscrete(v) &&
                   EmptyInterval(v, rest[j] + 1)))) {
            ++j;
          }
          const int32_t p = rest[i] - 1, q = rest[j] - 1;
          i = j + 1;
          if (p == q && (p % 2) == 1) {
            runs.push_back(name + " = " + KeyText(attr, var.points[p / 2]));
            continue;
          }
          if (IsDiscrete(v)) {
            // Inclusive integer bounds: `grade > l6 and grade <= l7` is
            // `grade = l7`.
            std::optional<int64_t> lo, hi;
            if (p > 0) {
              lo = p % 2 == 1 ? var.points[(p - 1) / 2].num
                              : var.points[p / 2 - 1].num + 1;
            }
            if (q < top) {
              hi = q % 2 == 1 ? var.points[(q - 1) / 2].num
                              : var.points[q / 2].num - 1;
            }
            if (attr != nullptr && attr->type == AttrType::kOrdinal) {
              if (lo && *lo <= 0) lo.reset();
              if (hi && *hi >= static_cast<int64_t>(attr->order.size()) - 1)
                hi.reset();
            }
            if (!lo && !hi) {
              runs.push_back(name + " exists");
            } else if (lo && hi && *lo == *hi) {
              runs.push_back(name + " = " + NumText(attr, *lo));
            } else if (lo && hi) {
              runs.push_back(name + " in " + NumText(attr, *lo) + ".." +
                             NumText(attr, *hi));
            } else if (lo) {
              runs.push_back(name + " >= " + NumText(attr, *lo));
            } else {
              runs.push_back(name + " <= " + NumText(attr, *hi));
            }
            continue;
          }
          std::string lo, hi;
          bool lo_incl = false, hi_incl = false;
          if (p > 0) {
            lo_incl = p % 2 == 1;
            lo = KeyText(attr, var.points[lo_incl ? (p - 1) / 2 : p / 2 - 1]);
          }
          if (q < top) {
            hi_incl = q % 2 == 1;
            hi = KeyText(attr, var.points[hi_incl ? (q - 1) / 2 : q / 2]);
          }
          if (lo.empty() && hi.empty()) {
            runs.push_back(name + " exists");
          } else if (!lo.empty() && !hi.empty() && lo_incl && hi_incl) {
            runs.push_back(name + " in " + lo + ".." + hi);
          } else {
            std::string t;
            if (!lo.empty()) t = name + (lo_incl ? " >= " : " > ") + lo;
            if (!hi.empty()) {
              t += (t.empty() ? "" : " and ") + name +
                   (hi_incl ? " <= " : " < ") + hi;
            }
            runs.push_back(t);
          }
        }
        std::string core;
        for (const std::string& r : runs) {
          core += (core.empty() ? "" : " or ") +
                  (runs.size() > 1 && r.find(" and ") != std::string::npos
                       ? "(" + r + ")"
                       : r);
        }
        if (runs.size() > 1 && !missing) core = "(" + core + ")";
        return WithMissing(name, missing, core);
      }
      case VarKind::kPattern:
      case VarKind::kSetPred: {
        std::string pred;
        if (var.kind == VarKind::kSetPred) {
          pred = PredicateText(bp_, name, var.predicate);
        } else {
          const AttrInput& in = im_.inputs[input_of_[var.attr]];
          const std::string& pattern = in.pattern_text[var.pattern_bit];
          auto it = pattern_text_.find(std::make_pair(var.attr, pattern));
          pred = it != pattern_text_.end()
                     ? it->second
                     : name + " matches /" + pattern + "/";
        }
        std::string core = rest.size() == 2 ? name + " exists"
                           : rest[0] == 2   ? pred
                                            : "not (" + pred + ")";
        return WithMissing(name, missing, core);
      }
      case VarKind::kPresence:
        return WithMissing(name, missing, name + " exists");
      case VarKind::kExpiry: {
        std::string core = rest.size() == 2 ? name + " exists"
                           : rest[0] == 2   ? name + " >= as_of"
                                            : name + " < as_of";
        return WithMissing(name, missing, core);
      }
    }
    return "";
  }

  const CompiledPolicy::Impl& im_;
  const BoundPolicy& bp_;
  const Spelling& spelling_;
  const std::vector<int32_t>& inst_side_;
  int64_t max_regions_;
  std::vector<int8_t> node_diff_;
  std::vector<int64_t> node_paths_;
  std::vector<std::vector<int32_t>> path_;
  std::vector<char> constrained_;
  std::vector<std::vector<int32_t>> attr_vars_;
  std::vector<int32_t> input_of_;
  std::map<std::pair<AttrId, std::string>, std::string> pattern_text_;
  // Node-based: raw regions keep pointers to these changes.
  std::map<uint32_t, std::vector<LeafChange>> leaf_changes_;
  std::function<void(const LeafChange&, RawClasses)> emit_;
  bool pinned_as_of_ = false;
  bool truncated_ = false;
  int64_t emitted_ = 0;
};

SemanticDiff Unavailable(std::string reason) {
  SemanticDiff d;
  d.available = false;
  d.unavailable_reason = std::move(reason);
  return d;
}

}  // namespace

SemanticDiff ComputeSemanticDiff(const Policy& before, const Policy& after,
                                 const BoundPolicy& bb, const BoundPolicy& ba,
                                 const Population* people,
                                 const DiffOptions& options) {
  // 1. One binding per attribute: the versions must agree wherever both
  //    read an attribute, or no single universe is exact.
  std::map<std::string, const BoundAttribute*> attrs;
  for (const BoundAttribute& a : bb.attributes()) attrs[a.folded] = &a;
  for (const BoundAttribute& a : ba.attributes()) {
    auto it = attrs.find(a.folded);
    if (it == attrs.end()) {
      attrs[a.folded] = &a;
      continue;
    }
    const std::string why = BindingDifference(*it->second, a);
    if (!why.empty()) {
      return Unavailable(
          why +
          ", so the two versions classify people differently and no "
          "common DAG is exact; the rule-level diff and the population "
          "impact (--people) still apply");
    }
  }
  // 2. Apps whose content changed; only those can change anyone's access.
  const auto content_b = ContentByApp(before, bb);
  const auto content_a = ContentByApp(after, ba);
  std::vector<std::string> changed;
  {
    std::set<std::string> keys;
    for (const auto& [k, c] : content_b) keys.insert(k);
    for (const auto& [k, c] : content_a) keys.insert(k);
    for (const std::string& k : keys) {
      auto ib = content_b.find(k);
      auto ia = content_a.find(k);
      if (ib == content_b.end() || ia == content_a.end() ||
          ib->second.canon != ia->second.canon) {
        changed.push_back(k);
      }
    }
  }
  SemanticDiff out;
  out.available = true;
  out.as_of = options.semantic_as_of;
  out.apps_compared = static_cast<int64_t>(changed.size());
  if (changed.empty()) return out;

  // 3. The merged policy: attribute bindings pinned, both versions' apps
  //    renamed apart.
  Policy merged;
  merged.name = "diff";
  merged.version = "merged";
  for (const auto& [folded, a] : attrs) {
    AttributeSpec s;
    s.name = a->name;
    s.type = a->type;
    s.order = a->order;
    s.case_sensitive = a->case_sensitive;
    merged.schema.push_back(std::move(s));
    std::vector<std::pair<std::string, std::string>> al(a->aliases.begin(),
                                                        a->aliases.end());
    std::sort(al.begin(), al.end());
    for (const auto& [from, to] : al) {
      merged.aliases.push_back(Alias{a->name, from, to, {}});
    }
  }
  struct PairNames {
    std::string app_before, app_after;
  };
  std::vector<PairNames> pairs;
  std::map<std::string, std::pair<std::string, std::string>> display;
  for (size_t i = 0; i < changed.size(); ++i) {
    PairNames names;
    for (int side = 0; side < 2; ++side) {
      const auto& content = side ? content_a : content_b;
      const BoundPolicy& b = side ? ba : bb;
      const std::string tag = PairTag(i, side == 1);
      auto it = content.find(changed[i]);
      if (it == content.end() || it->second.instances.empty()) {
        // The app is absent from this version: an empty stand-in keeps the
        // DAG pairs aligned.
        CatalogEntry e;
        e.app = tag;
        e.levels = {"-"};
        merged.catalog.push_back(std::move(e));
        if (it == content.end()) continue;
      }
      (side ? names.app_after : names.app_before) = it->second.display;
      for (int32_t ii : it->second.instances) {
        const AppInstance& inst = b.instances()[ii];
        CatalogEntry e;
        e.app = tag;
        e.instance = inst.instance;
        e.levels = inst.levels;
        e.default_level =
            inst.levels.empty() ? "" : inst.levels[inst.default_level];
        merged.catalog.push_back(std::move(e));
      }
      for (const Rule* r : it->second.rules) {
        Rule copy = *r;
        copy.id = std::string(side ? "after:" : "before:") + r->id;
        copy.targets.clear();
        for (const Target& t : r->targets) {
          if (AsciiLowercase(t.app) != changed[i]) continue;
          Target c = t;
          c.app = tag;
          copy.targets.push_back(std::move(c));
        }
        merged.rules.push_back(std::move(copy));
      }
    }
    pairs.push_back(names);
  }
  // A rule touching several changed apps appears once per app (each copy
  // keeps only that app's targets): apps never interact, so this is exact.
  BindOptions bo;
  bo.strict = true;
  auto bound = BoundPolicy::Bind(merged, people, bo);
  if (!bound.ok()) {
    return Unavailable("the merged policy does not bind (" +
                       std::string(bound.status().message()) + ")");
  }
  for (const BoundAttribute& m : (*bound)->attributes()) {
    auto it = attrs.find(m.folded);
    if (it == attrs.end()) continue;
    const std::string why = BindingDifference(*it->second, m);
    if (!why.empty())
      return Unavailable("internal: merged binding differs: " + why);
  }
  CompileOptions co = options.compile;
  co.max_apps_per_dag = 2;
  // The walk reads whole outcomes off single leaves: no layers.
  co.layer_min_rules = INT32_MAX;
  std::shared_ptr<const BoundPolicy> shared(std::move(*bound));
  auto compiled = CompiledPolicy::Compile(shared, co);
  if (!compiled.ok()) {
    return Unavailable("the merged decision DAG hit a limit: " +
                       std::string(compiled.status().message()));
  }
  out.merged = std::shared_ptr<const CompiledPolicy>(std::move(*compiled));
  const CompiledPolicy& cp = *out.merged;
  const CompiledPolicy::Impl& im = cp.impl();
  out.dag_nodes = im.stats.nodes;

  // Instance side (0 before, 1 after) and pair, from the tags.
  const auto& insts = cp.policy().instances();
  std::vector<int32_t> side(insts.size()), pair_of(insts.size());
  for (size_t i = 0; i < insts.size(); ++i) {
    const std::string& app = insts[i].app;
    side[i] = app.back() == 'b' ? 1 : 0;
    pair_of[i] = std::stoi(app.substr(1, app.size() - 2));
  }
  // Display names per (pair, folded instance): the after spelling wins.
  std::map<std::pair<int32_t, std::string>, std::pair<std::string, std::string>>
      names;
  for (size_t i = 0; i < insts.size(); ++i) {
    const PairNames& pn = pairs[pair_of[i]];
    const std::string& app = side[i] ? pn.app_after : pn.app_before;
    if (app.empty()) continue;  // Stand-in.
    auto key = std::make_pair(pair_of[i], AsciiLowercase(insts[i].instance));
    if (side[i] || !names.count(key)) names[key] = {app, insts[i].instance};
  }

  const Spelling spelling({&before, &after}, cp.policy());
  Walker walker(cp, spelling, side, options.semantic_as_of,
                options.max_regions);
  std::map<std::pair<std::string, std::string>, InstanceDiff> by_instance;
  for (const AppDag& dag : im.apps) {
    const int32_t pair = pair_of[dag.first_instance];
    const int64_t paths = walker.Paths(dag.root);
    out.region_paths = paths > INT64_MAX - out.region_paths
                           ? INT64_MAX
                           : out.region_paths + paths;
    if (walker.truncated()) continue;
    // Raw regions per folded instance name, merged, then rendered.
    std::map<std::string, std::vector<std::pair<const LeafChange*, RawClasses>>>
        raw;
    walker.Walk(dag.root, [&](const LeafChange& c, RawClasses classes) {
      raw[c.key].emplace_back(&c, std::move(classes));
    });
    for (auto& [key, list] : raw) {
      Walker::Merge(&list, im.vars);
      auto nm = names.find(std::make_pair(pair, key));
      const std::pair<std::string, std::string> n =
          nm != names.end() ? nm->second
                            : std::make_pair(std::string("?"), key);
      InstanceDiff& d = by_instance[n];
      d.app = n.first;
      d.instance = n.second;
      for (const auto& [change, classes] : list) {
        std::optional<Region> r = walker.Render(*change, classes);
        if (r) {
          d.regions.push_back(std::move(*r));
          ++out.regions;
        }
      }
    }
  }
  out.truncated = walker.truncated();
  for (auto& [key, d] : by_instance) out.instances.push_back(std::move(d));
  return out;
}

// ---------------------------------------------------------------------------
// Membership (for tests and tools that place one person).

namespace {

int32_t ClassOf(const CompiledPolicy& cp, int32_t var, const BoundPerson& p,
                Date as_of) {
  const CompiledPolicy::Impl& im = cp.impl();
  const BoundPolicy& bp = cp.policy();
  const Var& v = im.vars[var];
  if (v.kind == VarKind::kAsOf)
    return OrderedClass(nullptr, v.points, Key{as_of.days, {}});
  const BoundAttribute& a = bp.attributes()[v.attr];
  const Value& val = p.values[v.attr];
  switch (v.kind) {
    case VarKind::kScalar: {
      if (!val.present) return 0;
      if (a.type == AttrType::kString) {
        const int32_t c = v.literal_class.Find(val.scalar.text);
        return c < 0 ? 1 : c;
      }
      return OrderedClass(&a, v.points, val.scalar);
    }
    case VarKind::kPattern: {
      if (!val.present) return 0;
      for (const AttrInput& in : im.inputs) {
        if (in.attr != v.attr) continue;
        std::vector<int> m;
        in.patterns->Match(val.scalar.text, &m);
        return std::find(m.begin(), m.end(), v.pattern_bit) != m.end() ? 2 : 1;
      }
      return 1;
    }
    case VarKind::kSetPred: {
      const Tri t = bp.EvalPredicate(v.predicate, val);
      return t == Tri::kUnknown ? 0 : (t == Tri::kFalse ? 1 : 2);
    }
    case VarKind::kPresence:
      return val.present ? 1 : 0;
    case VarKind::kExpiry:
      return !val.present ? 0 : (val.scalar.num >= as_of.days ? 2 : 1);
    default:
      return 0;
  }
}

}  // namespace

bool SemanticDiff::Contains(const Region& region, const Person& person,
                            Date as_of) const {
  if (!merged) return false;
  return Contains(region, BindPerson(merged->policy(), person), as_of);
}

bool SemanticDiff::Contains(const Region& region, const BoundPerson& bp,
                            Date as_of) const {
  if (!merged) return false;
  // SPEC §4.0: leavers get nothing under either version.
  if (bp.termination && *bp.termination < as_of) return false;
  for (const auto& [var, classes] : region.classes) {
    if (!Has(classes, ClassOf(*merged, var, bp, as_of))) return false;
  }
  if (region.expiry_dependent) {
    return ExpiryFor(region.before, bp) != ExpiryFor(region.after, bp);
  }
  return true;
}

std::optional<Date> SemanticDiff::ExpiryFor(const DiffOutcome& o,
                                            const Person& person) const {
  if (!merged) return std::nullopt;
  return ExpiryFor(o, BindPerson(merged->policy(), person));
}

std::optional<Date> SemanticDiff::ExpiryFor(const DiffOutcome& o,
                                            const BoundPerson& p) const {
  if (!o.granted || o.never_expires || !merged) return std::nullopt;
  const BoundPolicy& bp = merged->policy();
  int64_t latest = o.expires_on ? o.expires_on->days : INT64_MIN;
  for (const std::string& name : o.expiry_attributes) {
    const AttrId a = bp.FindAttribute(FoldName(name));
    if (a >= 0 && p.values[a].present)
      latest = std::max(latest, p.values[a].scalar.num);
  }
  if (latest == INT64_MIN) return std::nullopt;
  return Date{static_cast<int32_t>(latest)};
}

std::string Region::When() const {
  if (conditions.empty()) return "everyone";
  std::string s;
  for (const RegionCondition& c : conditions)
    s += (s.empty() ? "" : " and ") + c.text;
  return s;
}

std::string FormatDiffOutcome(const DiffOutcome& o) {
  if (!o.granted) return "nothing";
  std::string s = o.level.empty() ? "(default)" : o.level;
  if (!o.scopes.empty()) {
    s += " [";
    for (size_t i = 0; i < o.scopes.size(); ++i)
      s += (i ? ";" : "") + o.scopes[i];
    s += "]";
  }
  if (!o.never_expires) {
    std::vector<std::string> parts = o.expiry_attributes;
    if (o.expires_on) parts.push_back(FormatIsoDate(*o.expires_on));
    if (parts.size() == 1) {
      s += " until " + parts[0];
    } else {
      s += " until latest of ";
      for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
    }
  }
  return s;
}

}  // namespace birthright
