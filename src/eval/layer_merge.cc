// Merging the layers of a layered app (docs/dag.md, "Layers for big
// apps"): the rule tables and per-leaf parts a merge reads, built after a
// compile or a snapshot load, and the merge itself, on the evaluator's hot
// path. The merge is ResolveOutcome (src/eval/resolve.cc) over the union of
// the layers' applying rules, in integer form and without allocation;
// DagDifferentialTest.LayeredAppsMatchReference and
// DeeplyLayeredAppsMatchReference hold the two to the same answers.
#include "eval/layer_merge.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "util/text.h"

namespace birthright {

namespace {

// Rule targets in integer form, to build the parts: rule r targets
// targets[rules[r].targets_begin ..], whose scopes are scope ids in
// scopes. Rows are 16 and 20 bytes, so a 10,000-rule policy's stay in
// cache.
struct MergeTarget {
  int32_t instance = -1;
  int32_t level = -1;  // A deny's cap, -1 for every level.
  uint32_t scopes_begin = 0, scopes_count = 0;
};
struct MergeRule {
  int32_t priority = 0;
  int32_t expiry = 0;  // kDate: the day; kAttribute: the attribute.
  uint32_t targets_begin = 0, targets_count = 0;
  Expiry::Kind expiry_kind = Expiry::Kind::kNever;
};
struct MergeTables {
  std::vector<MergeRule> rules;
  std::vector<MergeTarget> targets;
  std::vector<uint32_t> scopes;
};

// `policy`'s rules as MergeTables; `id_of` maps a scope to its id. A scope
// missing from it (possible only in a snapshot without layers, which never
// merges) gets no entry.
MergeTables MakeMergeTables(
    const BoundPolicy& policy,
    const absl::flat_hash_map<std::string, uint32_t>& id_of) {
  MergeTables t;
  t.rules.assign(policy.rules().size(), {});
  size_t targets = 0;
  for (const BoundRule& rule : policy.rules()) targets += rule.targets.size();
  t.targets.reserve(targets);
  for (const BoundRule& rule : policy.rules()) {
    MergeRule& m = t.rules[rule.index];
    m.priority = rule.priority;
    m.expiry_kind = rule.expiry_kind;
    m.expiry = rule.expiry_kind == Expiry::Kind::kDate ? rule.expiry_date.days
                                                       : rule.expiry_attr;
    m.targets_begin = static_cast<uint32_t>(t.targets.size());
    for (const BoundTarget& target : rule.targets) {
      MergeTarget& mt = t.targets.emplace_back();
      mt.instance = target.instance;
      mt.level = target.level;
      mt.scopes_begin = static_cast<uint32_t>(t.scopes.size());
      for (const std::string& sc : target.scopes) {
        auto it = id_of.find(sc);
        if (it != id_of.end()) t.scopes.push_back(it->second);
      }
      mt.scopes_count =
          static_cast<uint32_t>(t.scopes.size()) - mt.scopes_begin;
    }
    m.targets_count = static_cast<uint32_t>(t.targets.size()) - m.targets_begin;
  }
  return t;
}

// The parts of every layer leaf (see Impl::MergePart), from its rules and
// the rule tables.
void PrepareMergeParts(const MergeTables& tables, CompiledPolicy::Impl* im) {
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
      const MergeRule& rule = tables.rules[entry >> 1];
      for (uint32_t t = rule.targets_begin;
           t < rule.targets_begin + rule.targets_count; ++t) {
        const MergeTarget& target = tables.targets[t];
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
          const MergeRule& rule = tables.rules[r];
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
          const MergeRule& rule = tables.rules[pool[i]];
          if (rule.expiry_kind == Expiry::Kind::kAttribute)
            pool.push_back(static_cast<uint32_t>(rule.expiry));
        }
        p.attrs_count = static_cast<uint32_t>(pool.size()) - p.attrs_begin;
        // Scopes in byte order, case-insensitively unique (the byte-smallest
        // spelling wins).
        p.scopes_begin = static_cast<uint32_t>(pool.size());
        for (size_t c = a; c < b; ++c) {
          const MergeTarget& t = tables.targets[cands[c].target];
          pool.insert(pool.end(), tables.scopes.begin() + t.scopes_begin,
                      tables.scopes.begin() + t.scopes_begin + t.scopes_count);
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

}  // namespace

// Scope ids ranked in byte order and folded case-insensitively, then the
// parts, unless a snapshot brought them.
void PrepareMerge(const BoundPolicy& policy, CompiledPolicy::Impl* im) {
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
  // A snapshot of format 4 on brings its parts (checked on load). The
  // leaves' rules serve only to build them.
  if (im->part_begin.size() != im->leaves.size() + 1)
    PrepareMergeParts(MakeMergeTables(policy, id_of), im);
  std::vector<uint32_t>().swap(im->leaf_rules_begin);
  std::vector<uint32_t>().swap(im->leaf_rules);
}

void MergeLayers(const CompiledPolicy::Impl& im, const AppDag& dag,
                 std::span<const uint32_t> leaves,
                 std::span<const int32_t> dates, MergeScratch* scratch,
                 DecisionBuffer* out) {
  MergeScratch& s = *scratch;
  using Part = CompiledPolicy::Impl::MergePart;
  // This app's parts of every leaf, by instance then level (stable:
  // insertion sort, a dozen records at most, no allocation).
  s.parts.clear();
  for (uint32_t leaf : leaves) {
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
        latest = std::max(latest, dates[im.part_pool[k]]);
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

}  // namespace birthright
