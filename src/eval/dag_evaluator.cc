// Evaluation on the compiled decision DAG: classify each input once, walk
// one DAG per app with integer class ids, copy leaf outcomes.
#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "birthright/compiled_policy.h"
#include "compile/dag.h"
#include "re2/re2.h"
#include "util/text.h"

namespace birthright {
namespace {

// Per-thread scratch so the hot path reuses its buffers (no locks).
struct Scratch {
  std::vector<uint32_t> classes;
  // Per walk, its current node or leaf: app a's walk of rank k (see
  // Impl::WalkRank) at k * apps + a.
  std::vector<uint32_t> refs;
  std::vector<uint32_t> active;  // Walks that have not reached a leaf.
  std::vector<uint32_t> seen;    // Rule -> stamp of the last explanation.
  uint32_t stamp = 0;
  std::vector<uint8_t> present;
  std::vector<int32_t> dates;
  std::vector<int> matches;
  std::vector<AttrId> why;
  // MergeLayers scratch.
  std::vector<uint32_t> leaves;  // The non-empty leaves of one app.
  std::vector<const CompiledPolicy::Impl::MergePart*> parts;  // Theirs.
  std::vector<uint32_t> scopes;
  std::string buf;
  std::string lower;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

Tri AtomValue(const CompiledPolicy::Impl& im, int32_t atom, const Scratch& s) {
  const Atom& a = im.atoms[atom];
  return AtomTruth(a, s.classes[a.var]);
}

// Kleene value of an `unless`; `why` receives the missing attributes inside
// UNKNOWN subformulas (as the reference evaluator's EvalExpr).
Tri ExplainFormula(const CompiledPolicy::Impl& im, const std::vector<FNode>& f,
                   int32_t index, const Scratch& s, std::vector<AttrId>* why) {
  const FNode& n = f[index];
  switch (n.kind) {
    case Expr::Kind::kPredicate: {
      const Tri t = AtomValue(im, n.atom, s);
      if (t == Tri::kUnknown && im.atoms[n.atom].missing_attr >= 0) {
        why->push_back(im.atoms[n.atom].missing_attr);
      }
      return t;
    }
    case Expr::Kind::kNot:
      return TriNot(ExplainFormula(im, f, n.children[0], s, why));
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      const bool is_and = n.kind == Expr::Kind::kAnd;
      Tri acc = is_and ? Tri::kTrue : Tri::kFalse;
      const size_t mark = why->size();
      std::vector<AttrId> unknown;
      for (int32_t c : n.children) {
        const size_t before = why->size();
        const Tri t = ExplainFormula(im, f, c, s, why);
        if (t == Tri::kUnknown)
          unknown.insert(unknown.end(), why->begin() + before, why->end());
        why->resize(before);
        acc = is_and ? TriAnd(acc, t) : TriOr(acc, t);
      }
      why->resize(mark);
      if (acc == Tri::kUnknown)
        why->insert(why->end(), unknown.begin(), unknown.end());
      return acc;
    }
  }
  return Tri::kUnknown;
}

// SPEC §2: the missing attributes that changed the outcome. Only rules that
// read a missing attribute can be UNKNOWN, so only those are re-evaluated,
// in Kleene logic from the classes already computed.
void ExplainMissing(const CompiledPolicy::Impl& im, const BoundPolicy& policy,
                    Scratch& s, std::vector<AttrId>* out) {
  if (s.seen.size() != im.rules.size()) s.seen.assign(im.rules.size(), 0);
  if (++s.stamp == 0) {
    std::fill(s.seen.begin(), s.seen.end(), 0);
    s.stamp = 1;
  }
  std::vector<AttrId>& why = s.why;
  auto explain = [&](int32_t r) {
    if (s.seen[r] == s.stamp) return;
    s.seen[r] = s.stamp;
    const RuleInfo& info = im.rules[r];
    Tri cond = Tri::kTrue;
    for (int32_t atom : info.cond_atoms) {
      cond = TriAnd(cond, AtomValue(im, atom, s));
      if (cond == Tri::kFalse) return;
    }
    why.clear();
    const Tri unless = info.unless.empty()
                           ? Tri::kFalse
                           : ExplainFormula(im, info.unless, 0, s, &why);
    if (unless == Tri::kTrue) return;
    if (policy.rules()[r].effect == Effect::kGrant && cond == Tri::kTrue &&
        unless == Tri::kFalse) {
      return;  // Applies: nothing was withheld.
    }
    // A grant withheld, or a deny fired, because of UNKNOWN.
    if (cond == Tri::kUnknown) {
      for (AttrId m : info.cond_missing) {
        if (!s.present[m]) out->push_back(m);
      }
    }
    if (unless == Tri::kUnknown)
      out->insert(out->end(), why.begin(), why.end());
  };
  for (size_t a = 0; a < im.explain.size(); ++a) {
    if (s.present[a]) continue;
    const CompiledPolicy::Impl::ExplainIndex& index = im.explain[a];
    for (const auto& g : index.guards) {
      const uint32_t c = s.classes[g.var];
      for (uint32_t i = g.begin[c]; i < g.begin[c + 1]; ++i)
        explain(g.rules[i]);
    }
    for (int32_t r : index.unguarded) explain(r);
  }
}

// Dispatch tables above this many entries are not built (a variable with
// a huge domain at the root of many apps); walks then start at the roots.
constexpr size_t kMaxDispatchEntries = size_t{1} << 22;

// Output records for leaf entitlements, and which leaves need a per-person
// expiry.
void PrepareLeafRecords(CompiledPolicy::Impl* im) {
  im->leaf_compact.clear();
  for (const LeafEntitlement& le : im->leaf_ents) {
    CompactEntitlement& e = im->leaf_compact.emplace_back();
    e.instance = le.instance;
    e.level = le.level;
    e.scopes_begin = le.scopes_begin;
    e.scopes_count = le.scopes_count;
    e.reasons_begin = le.reasons_begin;
    e.reasons_count = le.reasons_count;
    if (!le.never_expires && le.expiry_attrs_count == 0)
      e.expires = Date{le.expiry_literal};
  }
  im->leaf_attr_expiry.assign(im->leaves.size(), 0);
  for (size_t l = 0; l < im->leaves.size(); ++l) {
    const Leaf& leaf = im->leaves[l];
    for (uint32_t i = 0; i < leaf.ents_count; ++i) {
      const LeafEntitlement& le = im->leaf_ents[leaf.ents_begin + i];
      if (!le.never_expires && le.expiry_attrs_count > 0)
        im->leaf_attr_expiry[l] = 1;
    }
  }
}

// Known literals skip RE2: their substring/regex matches are fixed.
void PreparePatternTables(CompiledPolicy::Impl* im) {
  for (AttrInput& in : im->inputs) {
    in.literal_match_begin.clear();
    in.literal_match.clear();
    if (!in.patterns || in.scalar_var < 0) continue;
    const Var& v = im->vars[in.scalar_var];
    if (v.literals.empty()) continue;
    std::vector<int> matches;
    in.literal_match_begin.assign(static_cast<size_t>(v.num_classes) + 1, 0);
    for (int32_t c = 0; c < v.num_classes; ++c) {
      in.literal_match_begin[c] =
          static_cast<uint32_t>(in.literal_match.size());
      if (c < 2) continue;  // Missing and "other" are matched at run time.
      matches.clear();
      in.patterns->Match(v.literals[c - 2], &matches);
      std::sort(matches.begin(), matches.end());
      in.literal_match.insert(in.literal_match.end(), matches.begin(),
                              matches.end());
    }
    in.literal_match_begin[v.num_classes] =
        static_cast<uint32_t>(in.literal_match.size());
  }
}

// Dispatch on the variable the most of `roots` test (ties: the smaller id),
// when its table stays small: (*dispatch)[class * roots + i] is where walk i
// continues for that class.
void PrepareDispatch(const CompiledPolicy::Impl& im,
                     const std::vector<uint32_t>& roots, int32_t* dispatch_var,
                     std::vector<uint32_t>* dispatch) {
  *dispatch_var = -1;
  dispatch->clear();
  std::map<int32_t, int32_t> roots_testing;
  for (uint32_t root : roots) {
    if (!(root & kLeafBit)) ++roots_testing[NodeVar(&im.code[root])];
  }
  int32_t var = -1, best = 0;
  for (const auto& [v, n] : roots_testing) {
    if (n > best) {
      best = n;
      var = v;
    }
  }
  if (var < 0) return;
  const size_t n = roots.size();
  const size_t classes = static_cast<size_t>(im.vars[var].num_classes);
  if (classes * n > kMaxDispatchEntries) return;
  *dispatch_var = var;
  dispatch->resize(classes * n);
  for (size_t a = 0; a < n; ++a) {
    const uint32_t root = roots[a];
    const bool tests = !(root & kLeafBit) && NodeVar(&im.code[root]) == var;
    for (size_t c = 0; c < classes; ++c) {
      (*dispatch)[c * n + a] =
          tests ? NodeChild(&im.code[root], static_cast<uint32_t>(c)) : root;
    }
  }
}

void PrepareDispatch(CompiledPolicy::Impl* im) {
  size_t ranks = 1;
  for (const AppDag& dag : im->apps)
    ranks = std::max(ranks, 1 + dag.layer_roots.size());
  im->ranks.assign(ranks, {});
  for (size_t k = 0; k < ranks; ++k) {
    CompiledPolicy::Impl::WalkRank& rank = im->ranks[k];
    for (const AppDag& dag : im->apps) {
      rank.roots.push_back(k == 0 ? dag.root
                           : k <= dag.layer_roots.size()
                               ? dag.layer_roots[k - 1]
                               : kLeafBit);
    }
    PrepareDispatch(*im, rank.roots, &rank.dispatch_var, &rank.dispatch);
  }
}

// The explanation index (see ExplainIndex in dag.h): per attribute, each
// rule under its guard, the atom FALSE on the most classes among those not
// reading the attribute; rules without a guard that rules out at least half
// the classes are always examined.
void PrepareExplainIndex(CompiledPolicy::Impl* im) {
  // Per atom, once: the classes where it is not FALSE, when they are at
  // most half (the atom can serve as a guard).
  std::vector<std::vector<uint32_t>> open(im->atoms.size());
  std::vector<uint8_t> guardable(im->atoms.size(), 0);
  for (size_t i = 0; i < im->atoms.size(); ++i) {
    // From the sparse form: most atoms on big variables are FALSE but on
    // a class or two, their exceptions.
    const Atom& atom = im->atoms[i];
    const size_t n = static_cast<size_t>(im->vars[atom.var].num_classes);
    std::vector<uint32_t>& classes = open[i];
    if (atom.common == Tri::kFalse) {
      if (atom.exceptions.size() * 2 > n) continue;
      classes.assign(atom.exceptions.begin(), atom.exceptions.end());
    } else {
      size_t false_classes = 0;
      for (Tri t : atom.exception_truth) false_classes += t == Tri::kFalse;
      if ((n - false_classes) * 2 > n) continue;
      for (uint32_t c = 0; c < n; ++c) {
        if (AtomTruth(atom, c) != Tri::kFalse) classes.push_back(c);
      }
    }
    guardable[i] = 1;
  }
  im->explain.assign(im->attr_rules.size(), {});
  for (size_t a = 0; a < im->attr_rules.size(); ++a) {
    CompiledPolicy::Impl::ExplainIndex& index = im->explain[a];
    std::map<int32_t, std::vector<std::pair<int32_t, int32_t>>> by_var;
    for (int32_t r : im->attr_rules[a]) {
      int32_t guard = -1;
      for (int32_t atom : im->rules[r].cond_atoms) {
        if (!guardable[atom] ||
            im->vars[im->atoms[atom].var].attr == static_cast<AttrId>(a)) {
          continue;
        }
        if (guard < 0 || open[atom].size() < open[guard].size()) guard = atom;
      }
      if (guard < 0) {
        index.unguarded.push_back(r);
      } else {
        by_var[im->atoms[guard].var].emplace_back(guard, r);
      }
    }
    for (const auto& [var, entries] : by_var) {
      // Counting sort of (class, rule) pairs into per-class runs.
      CompiledPolicy::Impl::ExplainGuard& g = index.guards.emplace_back();
      g.var = var;
      const size_t classes = static_cast<size_t>(im->vars[var].num_classes);
      g.begin.assign(classes + 1, 0);
      for (const auto& [atom, r] : entries) {
        for (uint32_t c : open[atom]) ++g.begin[c + 1];
      }
      for (size_t c = 0; c < classes; ++c) g.begin[c + 1] += g.begin[c];
      g.rules.resize(g.begin[classes]);
      std::vector<uint32_t> next(g.begin.begin(), g.begin.end() - 1);
      for (const auto& [atom, r] : entries) {
        for (uint32_t c : open[atom]) g.rules[next[c]++] = r;
      }
    }
  }
}

// The parts of every layer leaf (see Impl::MergePart), from its rules and
// the rule tables.
void PrepareMergeParts(CompiledPolicy::Impl* im) {
  using Impl = CompiledPolicy::Impl;
  struct Candidate {
    int32_t instance, level;  // level -1: a deny (its cap in `cap`).
    int32_t cap;
    uint32_t rule, target;
  };
  std::vector<Candidate> cands, sorted;
  std::vector<uint32_t>& pool = im->part_pool;
  im->parts.clear();
  pool.clear();
  // About one part per three rule entries and two pool words per entry.
  im->parts.reserve(im->leaf_rules.size() / 3);
  pool.reserve(im->leaf_rules.size() * 2);
  im->part_begin.assign(im->leaves.size() + 1, 0);
  for (size_t l = 0; l < im->leaves.size(); ++l) {
    im->part_begin[l] = static_cast<uint32_t>(im->parts.size());
    if (l + 1 >= im->leaf_rules_begin.size()) continue;
    cands.clear();
    for (uint32_t k = im->leaf_rules_begin[l]; k < im->leaf_rules_begin[l + 1];
         ++k) {
      const uint32_t entry = im->leaf_rules[k];
      const bool deny = entry & 1;
      const Impl::MergeRule& rule = im->merge_rules[entry >> 1];
      for (uint32_t t = rule.targets_begin;
           t < rule.targets_begin + rule.targets_count; ++t) {
        const Impl::MergeTarget& target = im->merge_targets[t];
        cands.push_back(Candidate{target.instance, deny ? -1 : target.level,
                                  std::max(target.level, 0), entry >> 1, t});
      }
    }
    // By instance, level, then policy order. The candidates are in policy
    // order and mostly of one instance and a few levels: then a stable
    // counting sort by level does it.
    bool one_instance = true;
    int32_t top = -1;
    for (const Candidate& c : cands) {
      one_instance = one_instance && c.instance == cands[0].instance;
      top = std::max(top, c.level);
    }
    if (one_instance && top < 15) {
      uint32_t at[17] = {};  // By level + 1, then running starts.
      for (const Candidate& c : cands) ++at[c.level + 2];
      for (int k = 1; k < 17; ++k) at[k] += at[k - 1];
      sorted.resize(cands.size());
      for (const Candidate& c : cands) sorted[at[c.level + 1]++] = c;
      cands.swap(sorted);
    } else {
      std::sort(cands.begin(), cands.end(),
                [](const Candidate& a, const Candidate& b) {
                  return std::tie(a.instance, a.level, a.rule) <
                         std::tie(b.instance, b.level, b.rule);
                });
    }
    for (size_t begin = 0, end = 0; begin < cands.size(); begin = end) {
      const int32_t instance = cands[begin].instance;
      end = begin;
      int32_t cap = INT32_MAX;
      for (; end < cands.size() && cands[end].instance == instance; ++end) {
        if (cands[end].level < 0) cap = std::min(cap, cands[end].cap);
      }
      if (cap != INT32_MAX) {
        Impl::MergePart& p = im->parts.emplace_back();
        p.instance = instance;
        p.priority = cap;
      }
      for (size_t a = begin, b = begin; a < end; a = b) {
        const int32_t level = cands[a].level;
        for (b = a; b < end && cands[b].level == level; ++b) {
        }
        if (level < 0 || level >= cap) continue;  // Denies; denied here.
        Impl::MergePart& p = im->parts.emplace_back();
        p.instance = instance;
        p.level = level;
        p.priority = INT32_MIN;
        p.reasons_begin = static_cast<uint32_t>(pool.size());
        for (size_t c = a; c < b; ++c) {
          const uint32_t r = cands[c].rule;
          if (c > a && cands[c - 1].rule == r) continue;  // Two targets.
          pool.push_back(r);
          const Impl::MergeRule& rule = im->merge_rules[r];
          p.priority = std::max(p.priority, rule.priority);
          switch (rule.expiry_kind) {
            case Expiry::Kind::kNever:
              p.never_expires = true;
              break;
            case Expiry::Kind::kDate:
              p.expiry_literal = std::max(p.expiry_literal, rule.expiry);
              break;
            case Expiry::Kind::kAttribute:
              break;
          }
        }
        p.reasons_count = static_cast<uint32_t>(pool.size()) - p.reasons_begin;
        p.attrs_begin = static_cast<uint32_t>(pool.size());
        for (uint32_t i = p.reasons_begin; i < p.attrs_begin; ++i) {
          const Impl::MergeRule& rule = im->merge_rules[pool[i]];
          if (rule.expiry_kind == Expiry::Kind::kAttribute)
            pool.push_back(static_cast<uint32_t>(rule.expiry));
        }
        p.attrs_count = static_cast<uint32_t>(pool.size()) - p.attrs_begin;
        // Scopes in byte order, case-insensitively unique (the byte-smallest
        // spelling wins).
        p.scopes_begin = static_cast<uint32_t>(pool.size());
        for (size_t c = a; c < b; ++c) {
          const Impl::MergeTarget& t = im->merge_targets[cands[c].target];
          pool.insert(
              pool.end(), im->merge_scopes.begin() + t.scopes_begin,
              im->merge_scopes.begin() + t.scopes_begin + t.scopes_count);
        }
        auto first = pool.begin() + p.scopes_begin;
        std::sort(first, pool.end(), [&](uint32_t x, uint32_t y) {
          return im->scope_rank[x] < im->scope_rank[y];
        });
        size_t kept = p.scopes_begin;
        for (size_t i = p.scopes_begin; i < pool.size(); ++i) {
          bool dup = false;
          for (size_t k = p.scopes_begin; k < kept; ++k)
            dup = dup || im->scope_fold[pool[k]] == im->scope_fold[pool[i]];
          if (!dup) pool[kept++] = pool[i];
        }
        pool.resize(kept);
        p.scopes_count = static_cast<uint32_t>(kept) - p.scopes_begin;
      }
    }
  }
  im->part_begin[im->leaves.size()] = static_cast<uint32_t>(im->parts.size());
}

// Rule targets as integers for MergeLayers, scope ids ranked in byte order
// and folded case-insensitively. A scope missing from `scopes` (possible
// only in a snapshot without layers, which never merges) gets no entry.
void PrepareMerge(const BoundPolicy& policy, CompiledPolicy::Impl* im) {
  using Impl = CompiledPolicy::Impl;
  const size_t n = im->scopes.size();
  std::vector<uint32_t> by_text(n);
  for (size_t i = 0; i < n; ++i) by_text[i] = static_cast<uint32_t>(i);
  std::sort(by_text.begin(), by_text.end(), [&](uint32_t a, uint32_t b) {
    return im->scopes[a] < im->scopes[b];
  });
  im->scope_rank.assign(n, 0);
  im->scope_fold.assign(n, 0);
  absl::flat_hash_map<std::string, uint32_t> id_of, fold_of;
  for (size_t r = 0; r < n; ++r) {
    const uint32_t id = by_text[r];
    im->scope_rank[id] = static_cast<uint32_t>(r);
    im->scope_fold[id] =
        fold_of.try_emplace(AsciiLowercase(im->scopes[id]), id).first->second;
    id_of.try_emplace(im->scopes[id], id);
  }
  im->merge_rules.assign(policy.rules().size(), {});
  im->merge_targets.clear();
  im->merge_scopes.clear();
  size_t targets = 0;
  for (const BoundRule& rule : policy.rules()) targets += rule.targets.size();
  im->merge_targets.reserve(targets);
  for (const BoundRule& rule : policy.rules()) {
    Impl::MergeRule& m = im->merge_rules[rule.index];
    m.priority = rule.priority;
    m.expiry_kind = rule.expiry_kind;
    m.expiry = rule.expiry_kind == Expiry::Kind::kDate ? rule.expiry_date.days
                                                       : rule.expiry_attr;
    m.targets_begin = static_cast<uint32_t>(im->merge_targets.size());
    for (const BoundTarget& t : rule.targets) {
      Impl::MergeTarget& mt = im->merge_targets.emplace_back();
      mt.instance = t.instance;
      mt.level = t.level;
      mt.scopes_begin = static_cast<uint32_t>(im->merge_scopes.size());
      for (const std::string& sc : t.scopes) {
        auto it = id_of.find(sc);
        if (it != id_of.end()) im->merge_scopes.push_back(it->second);
      }
      mt.scopes_count =
          static_cast<uint32_t>(im->merge_scopes.size()) - mt.scopes_begin;
    }
    m.targets_count =
        static_cast<uint32_t>(im->merge_targets.size()) - m.targets_begin;
  }
  // A format-4 snapshot brings its parts (checked on load).
  if (im->part_begin.size() != im->leaves.size() + 1) PrepareMergeParts(im);
}

// The outcome of a layered app more than one of whose layers reached a
// non-empty leaf (s.leaves): the union of their applying rules resolved as
// ResolveOutcome does (deny beats grant, then priority, then level;
// reasons and scopes of the winning level), from the leaves' parts (see
// Impl::MergePart), appended to `out` with its ranges in out->pool.
void MergeLayers(const CompiledPolicy::Impl& im, const AppDag& dag, Scratch& s,
                 DecisionBuffer* out) {
  using Part = CompiledPolicy::Impl::MergePart;
  // This app's parts of every leaf, by instance then level (stable:
  // insertion sort, a dozen records at most, no allocation).
  s.parts.clear();
  for (uint32_t leaf : s.leaves) {
    for (uint32_t i = im.part_begin[leaf]; i < im.part_begin[leaf + 1]; ++i) {
      const Part* p = &im.parts[i];
      if (p->instance < dag.first_instance || p->instance > dag.last_instance)
        continue;
      size_t j = s.parts.size();
      s.parts.push_back(p);
      for (;
           j > 0 && std::tie(s.parts[j - 1]->instance, s.parts[j - 1]->level) >
                        std::tie(p->instance, p->level);
           --j) {
        s.parts[j] = s.parts[j - 1];
      }
      s.parts[j] = p;
    }
  }
  std::vector<uint32_t>& pool = out->pool;
  for (size_t begin = 0, end = 0; begin < s.parts.size(); begin = end) {
    const int32_t instance = s.parts[begin]->instance;
    int32_t cap = INT32_MAX;
    for (end = begin;
         end < s.parts.size() && s.parts[end]->instance == instance; ++end) {
      if (s.parts[end]->level < 0) cap = std::min(cap, s.parts[end]->priority);
    }
    // Winner: highest priority, then highest level, among the levels no
    // layer denies.
    int32_t best_priority = 0, best_level = -1;
    for (size_t i = begin; i < end; ++i) {
      const Part& p = *s.parts[i];
      if (p.level < 0 || p.level >= cap) continue;
      if (best_level < 0 || p.priority > best_priority ||
          (p.priority == best_priority && p.level > best_level)) {
        best_priority = p.priority;
        best_level = p.level;
      }
    }
    if (best_level < 0) continue;  // Every grant denied.
    size_t first = begin;
    while (s.parts[first]->level != best_level) ++first;
    size_t last = first;
    while (last < end && s.parts[last]->level == best_level) ++last;
    CompactEntitlement& e = out->entitlements.emplace_back();
    e.instance = instance;
    e.level = best_level;
    // Reasons: the parts' rules, in policy order (layers share no rule).
    const uint32_t reasons = static_cast<uint32_t>(pool.size());
    bool never = false;
    int32_t latest = INT32_MIN;
    for (size_t i = first; i < last; ++i) {
      const Part& p = *s.parts[i];
      pool.insert(pool.end(), im.part_pool.begin() + p.reasons_begin,
                  im.part_pool.begin() + p.reasons_begin + p.reasons_count);
      never = never || p.never_expires;
      latest = std::max(latest, p.expiry_literal);
      for (uint32_t k = p.attrs_begin; k < p.attrs_begin + p.attrs_count; ++k)
        latest = std::max(latest, s.dates[im.part_pool[k]]);
    }
    if (last - first > 1) std::sort(pool.begin() + reasons, pool.end());
    e.reasons_begin = kBufferRange | reasons;
    e.reasons_count = static_cast<uint32_t>(pool.size()) - reasons;
    if (!never) e.expires = Date{latest};
    // Scopes: the parts' lists merged in byte order, case-insensitively
    // unique (the byte-smallest spelling wins).
    const uint32_t scopes = static_cast<uint32_t>(pool.size());
    if (last - first == 1) {
      const Part& p = *s.parts[first];
      pool.insert(pool.end(), im.part_pool.begin() + p.scopes_begin,
                  im.part_pool.begin() + p.scopes_begin + p.scopes_count);
    } else {
      s.scopes.clear();
      for (size_t i = first; i < last; ++i) {
        const Part& p = *s.parts[i];
        s.scopes.insert(s.scopes.end(), im.part_pool.begin() + p.scopes_begin,
                        im.part_pool.begin() + p.scopes_begin + p.scopes_count);
      }
      std::sort(s.scopes.begin(), s.scopes.end(), [&](uint32_t a, uint32_t b) {
        return im.scope_rank[a] < im.scope_rank[b];
      });
      for (uint32_t sc : s.scopes) {
        bool dup = false;
        for (size_t k = scopes; k < pool.size(); ++k)
          dup = dup || im.scope_fold[pool[k]] == im.scope_fold[sc];
        if (!dup) pool.push_back(sc);
      }
    }
    e.scopes_begin = kBufferRange | scopes;
    e.scopes_count = static_cast<uint32_t>(pool.size()) - scopes;
  }
}

}  // namespace

void PrepareEvaluation(const BoundPolicy& policy, CompiledPolicy::Impl* im) {
  PrepareLeafRecords(im);
  PreparePatternTables(im);
  PrepareDispatch(im);
  PrepareExplainIndex(im);
  PrepareMerge(policy, im);
}

int32_t CompiledPolicy::slot_count() const { return impl_->slot_count; }

int32_t CompiledPolicy::FindSlot(std::string_view folded) const {
  if (folded == "terminationdate" || folded == "leavedate")
    return impl_->slot_count - 1;
  return policy_->FindAttribute(folded);
}

std::vector<std::string_view> CompiledPolicy::SlotsOf(
    const Person& person) const {
  std::vector<std::string_view> slots(impl_->slot_count);
  for (const auto& [name, value] : person.attributes) {
    const std::string folded = FoldName(name);
    // A termination date feeds the leaver check and, when rules read it
    // too, its attribute slot (regression: it used to feed only one).
    if (folded == "terminationdate" || folded == "leavedate") {
      slots[impl_->slot_count - 1] = value;
    }
    const AttrId a = policy_->FindAttribute(folded);
    if (a >= 0) slots[a] = value;
  }
  return slots;
}

const std::string& CompiledPolicy::scope(const DecisionBuffer& buf,
                                         uint32_t i) const {
  return impl_->scopes[(i & kBufferRange) ? buf.pool[i & ~kBufferRange]
                                          : impl_->scope_pool[i]];
}
const BoundRule& CompiledPolicy::reason(const DecisionBuffer& buf,
                                        uint32_t i) const {
  return policy_->rules()[(i & kBufferRange) ? buf.pool[i & ~kBufferRange]
                                             : impl_->reason_pool[i]];
}
const CompileStats& CompiledPolicy::stats() const { return impl_->stats; }

void CompiledPolicy::Evaluate(std::span<const std::string_view> slots,
                              Date as_of, DecisionBuffer* out) const {
  const Impl& im = *impl_;
  out->leaver = false;
  out->entitlements.clear();
  out->missing.clear();
  out->pool.clear();
  // SPEC §4.0: a leaver gets nothing. An unparseable date is not a leaver.
  if (std::optional<Date> t = ParseIsoDate(slots[im.slot_count - 1]);
      t && *t < as_of) {
    out->leaver = true;
    return;
  }
  Scratch& s = ThreadScratch();
  const auto& attrs = policy_->attributes();
  s.classes.assign(im.vars.size(), 0);
  s.present.assign(attrs.size(), 0);
  s.dates.resize(attrs.size());
  {
    const Var& v = im.vars[im.as_of_var];
    s.classes[im.as_of_var] = static_cast<uint32_t>(
        OrderedClass(nullptr, v.points, Key{as_of.days, {}}));
  }
  Key key;
  bool any_missing = false;
  for (const AttrInput& in : im.inputs) {
    const BoundAttribute& a = attrs[in.attr];
    const std::string_view raw = slots[in.attr];
    if (a.type == AttrType::kSet) {
      const Value v = a.ParseValue(raw);
      s.present[in.attr] = v.present;
      any_missing = any_missing || !v.present;
      s.classes[in.presence_var] = v.present ? 1 : 0;
      for (int32_t sv : in.set_vars) {
        s.classes[sv] = static_cast<uint32_t>(
            policy_->EvalPredicate(im.vars[sv].predicate, v));
        // Tri is 0 false, 1 unknown, 2 true; classes are 0 missing, 1 false, 2
        // true.
        const Tri t = static_cast<Tri>(s.classes[sv]);
        s.classes[sv] = t == Tri::kUnknown ? 0 : (t == Tri::kFalse ? 1 : 2);
      }
      continue;
    }
    NormalizeValueInto(raw, a.case_sensitive, &s.buf);
    const std::string* canon = &s.buf;
    if (!a.aliases.empty()) {
      auto it = a.aliases.find(s.buf);
      if (it != a.aliases.end()) canon = &it->second;
    }
    bool present = !canon->empty();
    bool have_key = false;
    if (present) {
      switch (a.type) {
        case AttrType::kInt: {
          std::optional<int64_t> n = ParseInt64(*canon);
          present = n.has_value();
          if (present) key.num = *n;
          have_key = true;
          break;
        }
        case AttrType::kDate: {
          std::optional<Date> d = ParseIsoDate(*canon);
          present = d.has_value();
          if (present) key.num = d->days;
          have_key = true;
          break;
        }
        case AttrType::kOrdinal:
          if (!a.order.empty()) {
            auto it = a.rank.find(*canon);
            present = it != a.rank.end();
            if (present) key.num = it->second;
          } else {
            key.text = *canon;
          }
          have_key = true;
          break;
        default:
          break;
      }
    }
    s.present[in.attr] = present;
    any_missing = any_missing || !present;
    if (in.scalar_var >= 0) {
      const Var& v = im.vars[in.scalar_var];
      uint32_t c = 0;
      if (present) {
        if (!have_key) {
          auto it = v.literal_class.find(*canon);
          c = it == v.literal_class.end() ? 1
                                          : static_cast<uint32_t>(it->second);
        } else {
          c = static_cast<uint32_t>(OrderedClass(&a, v.points, key));
        }
      }
      s.classes[in.scalar_var] = c;
    }
    if (!in.pattern_vars.empty()) {
      if (!present) {
        for (int32_t pv : in.pattern_vars) s.classes[pv] = 0;
      } else {
        for (int32_t pv : in.pattern_vars) s.classes[pv] = 1;
        const uint32_t c =
            in.scalar_var >= 0 ? s.classes[in.scalar_var] : uint32_t{1};
        if (c >= 2 && !in.literal_match_begin.empty()) {
          for (uint32_t i = in.literal_match_begin[c];
               i < in.literal_match_begin[c + 1]; ++i) {
            s.classes[in.pattern_vars[in.literal_match[i]]] = 2;
          }
        } else {
          s.matches.clear();
          in.patterns->Match(*canon, &s.matches);
          for (int bit : s.matches) s.classes[in.pattern_vars[bit]] = 2;
        }
      }
    }
    if (in.expiry_var >= 0) {
      // The binder guarantees expiry attributes are dates.
      s.classes[in.expiry_var] = !present ? 0 : (key.num >= as_of.days ? 2 : 1);
      if (present) s.dates[in.attr] = static_cast<int32_t>(key.num);
    }
  }
  // Walk one DAG per app; apps are in instance order, so the concatenation
  // is sorted by (app, instance) as SPEC §5 requires.
  //
  // The walks are independent, so they advance in lockstep, one step of
  // every unfinished walk per round: their node loads (mostly cache misses
  // on big policies) overlap instead of queueing one behind the other.
  //
  // refs[k * napps + a] is app a's walk of rank k (see Impl::WalkRank):
  // from its root, then from each further layer's, at the empty leaf for
  // apps with fewer layers.
  const uint32_t* code = im.code.data();
  const size_t napps = im.apps.size();
  const size_t nranks = im.ranks.size();
  s.refs.resize(nranks * napps);
  s.active.clear();
  for (size_t k = 0; k < nranks; ++k) {
    const Impl::WalkRank& rank = im.ranks[k];
    const uint32_t* row =
        rank.dispatch_var >= 0
            ? rank.dispatch.data() + s.classes[rank.dispatch_var] * napps
            : rank.roots.data();
    std::copy(row, row + napps, s.refs.begin() + k * napps);
  }
  for (size_t w = 0; w < nranks * napps; ++w) {
    if (!(s.refs[w] & kLeafBit)) s.active.push_back(static_cast<uint32_t>(w));
  }
  const uint32_t* classes = s.classes.data();
  uint32_t* refs = s.refs.data();
  uint32_t* active = s.active.data();
  for (size_t live = s.active.size(); live > 0;) {
    size_t still = 0;
    for (size_t k = 0; k < live; ++k) {
      const uint32_t a = active[k];
      const uint32_t* n = code + refs[a];
      const uint32_t next = NodeChild(n, classes[NodeVar(n)]);
      refs[a] = next;
      active[still] = a;
      still += (next & kLeafBit) == 0;
    }
    live = still;
  }
  std::vector<CompactEntitlement>& ents = out->entitlements;
  for (size_t a = 0; a < napps; ++a) {
    uint32_t id = refs[a] & ~kLeafBit;
    if (nranks > 1 && !im.apps[a].layer_roots.empty()) {
      s.leaves.clear();
      for (size_t k = 0; k < nranks; ++k) {
        const uint32_t leaf = refs[k * napps + a] & ~kLeafBit;
        if (leaf != 0) s.leaves.push_back(leaf);
      }
      if (s.leaves.size() > 1) {
        MergeLayers(im, im.apps[a], s, out);
        continue;
      }
      id = s.leaves.empty() ? 0 : s.leaves[0];  // One layer has rules.
    }
    if (id == 0) continue;  // Leaf 0 is the empty outcome.
    const Leaf& leaf = im.leaves[id];
    const size_t at = ents.size();
    const CompactEntitlement* first = im.leaf_compact.data() + leaf.ents_begin;
    ents.insert(ents.end(), first, first + leaf.ents_count);
    if (!im.leaf_attr_expiry[id]) continue;
    // The latest of the fixed and the person's attribute expiries.
    for (uint32_t i = 0; i < leaf.ents_count; ++i) {
      const LeafEntitlement& le = im.leaf_ents[leaf.ents_begin + i];
      if (le.never_expires || le.expiry_attrs_count == 0) continue;
      int32_t latest = le.expiry_literal;
      for (uint32_t k = 0; k < le.expiry_attrs_count; ++k) {
        latest =
            std::max(latest, s.dates[im.attr_pool[le.expiry_attrs_begin + k]]);
      }
      ents[at + i].expires = Date{latest};
    }
  }
  if (any_missing) {
    ExplainMissing(im, *policy_, s, &out->missing);
    std::sort(
        out->missing.begin(), out->missing.end(), [&](AttrId x, AttrId y) {
          return attrs[x].name != attrs[y].name ? attrs[x].name < attrs[y].name
                                                : x < y;
        });
    out->missing.erase(std::unique(out->missing.begin(), out->missing.end()),
                       out->missing.end());
  }
}

Decision CompiledPolicy::ToDecision(std::string person_id,
                                    const DecisionBuffer& buf) const {
  Decision d;
  d.person_id = std::move(person_id);
  d.leaver = buf.leaver;
  for (const CompactEntitlement& c : buf.entitlements) {
    const AppInstance& inst = policy_->instances()[c.instance];
    Entitlement e;
    e.app = inst.app;
    e.instance = inst.instance;
    e.level = inst.levels[c.level];
    e.scopes.reserve(c.scopes_count);
    for (uint32_t i = 0; i < c.scopes_count; ++i)
      e.scopes.push_back(scope(buf, c.scopes_begin + i));
    e.expires = c.expires;
    e.reasons.reserve(c.reasons_count);
    for (uint32_t i = 0; i < c.reasons_count; ++i)
      e.reasons.push_back(reason(buf, c.reasons_begin + i).id);
    d.entitlements.push_back(std::move(e));
  }
  for (AttrId a : buf.missing)
    d.missing.push_back(policy_->attributes()[a].name);
  return d;
}

Decision CompiledPolicy::Evaluate(const Person& person, Date as_of) const {
  const std::vector<std::string_view> slots = SlotsOf(person);
  DecisionBuffer buf;
  Evaluate(slots, as_of, &buf);
  return ToDecision(person.id, buf);
}

}  // namespace birthright
