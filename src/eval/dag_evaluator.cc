// Evaluation on the compiled decision DAG: classify each input once, walk
// one DAG per app (per layer, for layered apps) with integer class ids,
// copy leaf outcomes; layers reaching several leaves are merged by
// src/eval/layer_merge.cc.
#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <utility>

#include "birthright/compiled_policy.h"
#include "compile/dag.h"
#include "eval/layer_merge.h"
#include "re2/re2.h"
#include "util/huge_pages.h"
#include "util/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace birthright {
namespace {

// Per-thread scratch so the hot path reuses its buffers (no locks).
struct Scratch {
  std::vector<uint32_t> classes;
  // Per walk, its current node or leaf: app a's walk of rank k (see
  // Impl::WalkRank) at k * apps + a.
  std::vector<uint32_t> refs;
  std::vector<uint32_t> active;  // Room for every walk; see Evaluate.
  std::vector<uint32_t> seen;    // Rule -> stamp of the last explanation.
  std::vector<uint32_t> named;   // Attribute -> stamp of the last naming.
  uint32_t stamp = 0;
  std::vector<uint8_t> present;
  std::vector<int32_t> dates;
  std::vector<int> matches;
  std::vector<AttrId> why;
  std::vector<uint32_t> leaves;  // The non-empty leaves of one app.
  MergeScratch merge;
  NormalizeBuffer normalized;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

Tri AtomValue(const CompiledPolicy::Impl& im, int32_t atom, const Scratch& s) {
  const Atom& a = im.atoms[atom];
  return AtomTruth(im, a, s.classes[a.var]);
}

// Kleene value of an `unless`; `why` receives the missing attributes inside
// UNKNOWN subformulas (as the reference evaluator's EvalExpr), and is left
// as it was when the value is not UNKNOWN.
Tri ExplainFormula(const CompiledPolicy::Impl& im, std::span<const FNode> f,
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
      return TriNot(ExplainFormula(im, f, im.children(n)[0], s, why));
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      // Only an UNKNOWN result leaves attributes in `why` (see above), so
      // what the children left is the UNKNOWN ones'; kept if the whole is
      // UNKNOWN too. In place: no allocation per node.
      const bool is_and = n.kind == Expr::Kind::kAnd;
      const Tri absorbing = is_and ? Tri::kFalse : Tri::kTrue;
      Tri acc = is_and ? Tri::kTrue : Tri::kFalse;
      const size_t mark = why->size();
      for (int32_t c : im.children(n)) {
        const Tri t = ExplainFormula(im, f, c, s, why);
        acc = is_and ? TriAnd(acc, t) : TriOr(acc, t);
        if (acc == absorbing) break;
      }
      if (acc != Tri::kUnknown) why->resize(mark);
      return acc;
    }
  }
  return Tri::kUnknown;
}

// SPEC §2: the missing attributes that changed the outcome. Only rules that
// read a missing attribute can be UNKNOWN, so only those are re-evaluated,
// in Kleene logic from the classes already computed. Each attribute is
// named once (out is a set).
//
// A missing attribute's rules are left once it is named: anything else one
// of them could name is another missing attribute it reads, whose own rules
// are gone through as well (or were, and explained it then). So most
// people need a rule or two explained, not every rule reading the
// attribute.
void ExplainMissing(const CompiledPolicy::Impl& im, const BoundPolicy& policy,
                    Scratch& s, std::vector<AttrId>* out) {
  if (s.seen.size() != im.rules.size()) s.seen.assign(im.rules.size(), 0);
  if (s.named.size() != im.explain.size()) s.named.assign(im.explain.size(), 0);
  if (++s.stamp == 0) {
    std::fill(s.seen.begin(), s.seen.end(), 0);
    std::fill(s.named.begin(), s.named.end(), 0);
    s.stamp = 1;
  }
  auto name = [&](AttrId m) {
    if (s.named[m] == s.stamp) return;
    s.named[m] = s.stamp;
    out->push_back(m);
  };
  std::vector<AttrId>& why = s.why;
  auto explain = [&](int32_t r) {
    if (s.seen[r] == s.stamp) return;
    s.seen[r] = s.stamp;
    Tri cond = Tri::kTrue;
    for (int32_t atom : im.cond_atoms(r)) {
      cond = TriAnd(cond, AtomValue(im, atom, s));
      if (cond == Tri::kFalse) return;
    }
    why.clear();
    const std::span<const FNode> formula = im.unless(r);
    const Tri unless =
        formula.empty() ? Tri::kFalse : ExplainFormula(im, formula, 0, s, &why);
    if (unless == Tri::kTrue) return;
    if (policy.rules()[r].effect == Effect::kGrant && cond == Tri::kTrue &&
        unless == Tri::kFalse) {
      return;  // Applies: nothing was withheld.
    }
    // A grant withheld, or a deny fired, because of UNKNOWN.
    if (cond == Tri::kUnknown) {
      for (AttrId m : im.cond_missing(r)) {
        if (!s.present[m]) name(m);
      }
    }
    if (unless == Tri::kUnknown) {
      for (AttrId m : why) name(m);
    }
  };
  const uint32_t* pool = im.explain_pool.data();
  for (size_t a = 0; a < im.explain.size(); ++a) {
    if (s.present[a]) continue;
    auto named = [&] { return s.named[a] == s.stamp; };
    const CompiledPolicy::Impl::ExplainAttr& x = im.explain[a];
    for (uint32_t g = x.guards_begin;
         g < x.guards_begin + x.guards_count && !named(); ++g) {
      const CompiledPolicy::Impl::ExplainGuard& guard = im.explain_guards[g];
      const uint32_t* begin = pool + guard.begin_at;
      const uint32_t c = s.classes[guard.var];
      for (uint32_t i = begin[c]; i < begin[c + 1] && !named(); ++i)
        explain(static_cast<int32_t>(pool[guard.rules_at + i]));
    }
    for (uint32_t k = 0; k < x.unguarded_count && !named(); ++k)
      explain(static_cast<int32_t>(pool[x.unguarded_at + k]));
  }
}

// Classifies the person's values once for every walk: s.classes by
// variable, s.present and s.dates by attribute. Returns whether any
// attribute is missing. Apart from Evaluate, whose later loops then keep
// their values in registers.
[[gnu::noinline]] bool Classify(const CompiledPolicy::Impl& im,
                                const BoundPolicy& policy,
                                std::span<const std::string_view> slots,
                                Date as_of, Scratch& s) {
  const auto& attrs = policy.attributes();
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
            policy.EvalPredicate(im.vars[sv].predicate, v));
        // Tri is 0 false, 1 unknown, 2 true; classes are 0 missing, 1 false, 2
        // true.
        const Tri t = static_cast<Tri>(s.classes[sv]);
        s.classes[sv] = t == Tri::kUnknown ? 0 : (t == Tri::kFalse ? 1 : 2);
      }
      continue;
    }
    std::string_view canon =
        NormalizeValueIn(raw, a.case_sensitive, &s.normalized);
    if (!a.aliases.empty()) {
      auto it = a.aliases.find(absl::string_view(canon.data(), canon.size()));
      if (it != a.aliases.end()) canon = it->second;
    }
    bool present = !canon.empty();
    bool have_key = false;
    int32_t known_class = -1;  // The scalar class, when known at once.
    if (present) {
      switch (a.type) {
        case AttrType::kInt: {
          std::optional<int64_t> n = ParseInt64(canon);
          present = n.has_value();
          if (present) key.num = *n;
          have_key = true;
          break;
        }
        case AttrType::kDate: {
          std::optional<Date> d = ParseIsoDate(canon);
          present = d.has_value();
          if (present) key.num = d->days;
          have_key = true;
          break;
        }
        case AttrType::kOrdinal:
          if (!in.ordinal_class.empty()) {
            known_class = in.ordinal_class.Find(canon);
            present = known_class >= 0;
          } else if (!a.order.empty()) {
            auto it =
                a.rank.find(absl::string_view(canon.data(), canon.size()));
            present = it != a.rank.end();
            if (present) key.num = it->second;
          } else {
            key.text = canon;
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
        if (known_class >= 0) {
          c = static_cast<uint32_t>(known_class);
        } else if (!have_key) {
          const int32_t found = v.literal_class.Find(canon);
          c = found < 0 ? 1 : static_cast<uint32_t>(found);
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
          in.patterns->Match(canon, &s.matches);
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
  return any_missing;
}

// Lists in `active` the walks in refs[0 .. n) not at a leaf already, in
// order, and returns how many. Without a branch per walk: which dispatched
// walks are done is data the predictor cannot learn (a branch here cost 4%
// of an evaluation at 2k rules).
size_t ListLiveWalks(const uint32_t* refs, size_t n, uint32_t* active) {
  static_assert(kLeafBit == 0x80000000u, "the leaf bit is the sign bit");
  size_t live = 0, w = 0;
#if defined(__SSE2__)
  // Four walks at a time: their leaf bits, the sign bits, pick the row of
  // kLive that lists the live ones among them (padded; the next store
  // overwrites the pads, and `active` has room for n).
  alignas(16) static constexpr uint32_t kLive[16][4] = {
      {0, 1, 2, 3}, {1, 2, 3, 0}, {0, 2, 3, 0}, {2, 3, 0, 0},
      {0, 1, 3, 0}, {1, 3, 0, 0}, {0, 3, 0, 0}, {3, 0, 0, 0},
      {0, 1, 2, 0}, {1, 2, 0, 0}, {0, 2, 0, 0}, {2, 0, 0, 0},
      {0, 1, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  // How many are live (without -mpopcnt, std::popcount is a call).
  static constexpr uint8_t kLiveCount[16] = {4, 3, 3, 2, 3, 2, 2, 1,
                                             3, 2, 2, 1, 2, 1, 1, 0};
  for (; w + 4 <= n; w += 4) {
    const __m128i r =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(refs + w));
    const int leaves = _mm_movemask_ps(_mm_castsi128_ps(r));
    const __m128i listed = _mm_add_epi32(
        _mm_load_si128(reinterpret_cast<const __m128i*>(kLive[leaves])),
        _mm_set1_epi32(static_cast<int>(w)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(active + live), listed);
    live += kLiveCount[leaves];
  }
#endif
  for (; w < n; ++w) {
    active[live] = static_cast<uint32_t>(w);
    live += (refs[w] & kLeafBit) == 0;
  }
  return live;
}

// Dispatch tables above this many entries are not built (a variable with
// a huge domain at the root of many apps); walks then start at the roots.
constexpr size_t kMaxDispatchEntries = size_t{1} << 22;

// Tables beyond this many bytes do not stay cached between evaluations
// (about a core's L2 here), so the evaluator prefetches from them
// (Impl::prefetch_nodes, Impl::prefetch_leaves). Smaller ones do, and the
// prefetch passes would only add work: at 2,000 rules (328 KB of code)
// the walk's added 1,400 instructions to its 1,600 and no time that the
// A/B could resolve.
constexpr size_t kUncachedBytes = size_t{512} << 10;

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
  im->leaf_output.assign(im->leaves.size(), {});
  for (size_t l = 0; l < im->leaves.size(); ++l) {
    const Leaf& leaf = im->leaves[l];
    CompiledPolicy::Impl::LeafOutput& o = im->leaf_output[l];
    o.begin = leaf.ents_begin;
    o.count = leaf.ents_count;
    for (uint32_t i = 0; i < leaf.ents_count; ++i) {
      const LeafEntitlement& le = im->leaf_ents[leaf.ents_begin + i];
      if (!le.never_expires && le.expiry_attrs_count > 0) o.attr_expiry = 1;
    }
  }
  im->prefetch_leaves =
      im->leaf_output.size() * sizeof(CompiledPolicy::Impl::LeafOutput) +
          im->leaf_compact.size() * sizeof(CompactEntitlement) >
      kUncachedBytes;
}

// Known literals skip RE2: their substring/regex matches are fixed.
void PreparePatternTables(CompiledPolicy::Impl* im) {
  for (AttrInput& in : im->inputs) {
    if (!in.patterns || in.scalar_var < 0) continue;
    const Var& v = im->vars[in.scalar_var];
    if (v.literals.empty()) continue;
    // A snapshot of format 5 on brings the table (checked on load).
    if (in.literal_match_begin.size() == static_cast<size_t>(v.num_classes) + 1)
      continue;
    in.literal_match.clear();
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

// Declared ordinals with a scalar variable: value -> class at once, instead
// of a rank lookup and then a bisection of the variable's points.
void PrepareOrdinalTables(const BoundPolicy& policy, CompiledPolicy::Impl* im) {
  for (AttrInput& in : im->inputs) {
    const BoundAttribute& a = policy.attributes()[in.attr];
    if (a.type != AttrType::kOrdinal || a.order.empty() || in.scalar_var < 0)
      continue;
    const Var& v = im->vars[in.scalar_var];
    // Every ranked value, as the rank lookup it replaces (the table's
    // layout may follow the map's order; its lookups do not).
    in.ordinal_class = StringIndex();
    for (const auto& [value, rank] : a.rank)
      in.ordinal_class.Insert(value, OrderedClass(&a, v.points, Key{rank, {}}));
  }
}

// The variable with the highest count in `testing` (by variable; ties:
// the smaller id), or -1 when every count is 0.
int32_t MostCounted(const std::vector<uint32_t>& testing) {
  const auto most = std::max_element(testing.begin(), testing.end());
  return most == testing.end() || *most == 0
             ? -1
             : static_cast<int32_t>(most - testing.begin());
}

// Dispatch on the variable the most of `roots` test (ties: the smaller id),
// when its table stays small: (*dispatch)[class * roots + i] is where walk i
// continues for that class.
void PrepareDispatch(const CompiledPolicy::Impl& im,
                     const std::vector<uint32_t>& roots, int32_t* dispatch_var,
                     std::vector<uint32_t>* dispatch) {
  *dispatch_var = -1;
  dispatch->clear();
  std::vector<uint32_t> testing(im.vars.size(), 0);
  for (uint32_t root : roots) {
    if (!(root & kLeafBit)) ++testing[NodeVar(&im.code[root])];
  }
  const int32_t var = MostCounted(testing);
  if (var < 0) return;
  const size_t n = roots.size();
  const size_t classes = static_cast<size_t>(im.vars[var].num_classes);
  if (classes * n > kMaxDispatchEntries) return;
  *dispatch_var = var;
  // Row by row (the table is class-major): every app's root, a sparse
  // root's default child, or a dense root's child for the class; then the
  // sparse roots' exception classes. No search per entry, and the writes
  // are sequential.
  std::vector<uint32_t> base(n);
  std::vector<const uint32_t*> dense(n, nullptr), sparse(n, nullptr);
  for (size_t a = 0; a < n; ++a) {
    const uint32_t root = roots[a];
    base[a] = root;
    if ((root & kLeafBit) || NodeVar(&im.code[root]) != var) continue;
    const uint32_t* node = &im.code[root];
    if (NodeSparse(node)) {
      base[a] = node[2];
      sparse[a] = node;
    } else {
      dense[a] = node + 2;
    }
  }
  dispatch->resize(classes * n);
  uint32_t* row = dispatch->data();
  for (size_t c = 0; c < classes; ++c, row += n) {
    for (size_t a = 0; a < n; ++a)
      row[a] = dense[a] != nullptr ? dense[a][c] : base[a];
  }
  for (size_t a = 0; a < n; ++a) {
    const uint32_t* node = sparse[a];
    if (node == nullptr) continue;
    const uint32_t count = node[1];
    for (uint32_t k = 0, m = NodeExceptions(node); k < m; ++k)
      (*dispatch)[node[3 + k] * n + a] = node[3 + count + k];
  }
}

// Refines `rank`'s dispatch by a second variable (see WalkRank) when its
// keys and patches surely take at most the words of the DAG code, which
// is known before anything is built.
void PrepareRefinement(const CompiledPolicy::Impl& im,
                       CompiledPolicy::Impl::WalkRank* rank) {
  if (rank->dispatch_var < 0) return;
  const size_t n = rank->roots.size();
  const size_t classes1 = rank->dispatch.size() / n;
  // Each entry's node header once (a big policy's nodes are cache
  // misses; an app's entry is often the same from one class to the
  // next): its variable when it is sparse, else -1.
  const std::vector<uint32_t>& dispatch = rank->dispatch;
  std::vector<int32_t> sparse_var(dispatch.size(), -1);
  std::vector<uint32_t> testing(im.vars.size(), 0);
  for (size_t i = 0; i < dispatch.size(); ++i) {
    const uint32_t e = dispatch[i];
    if (i >= n && e == dispatch[i - n]) {
      sparse_var[i] = sparse_var[i - n];
    } else if (!(e & kLeafBit) && NodeSparse(&im.code[e])) {
      sparse_var[i] = NodeVar(&im.code[e]);
    }
    if (sparse_var[i] >= 0) ++testing[sparse_var[i]];
  }
  // The variable the most dispatched sparse nodes test.
  const int32_t var = MostCounted(testing);
  if (var < 0) return;
  // At most a key and a two-word patch per exception, padded counts (in
  // the header) bounding the real ones.
  size_t bound = 0;
  for (size_t i = 0; i < dispatch.size(); ++i)
    bound += sparse_var[i] == var ? im.code[dispatch[i] + 1] : 0;
  if (3 * bound > im.code.size()) return;  // Too big.
  // Per class c1: count each listed class's apps (marking the class in a
  // bitmap, whose touched words, sorted, yield the classes in order), then
  // place each app's (app, child) pair at its class's cursor. The apps go
  // in order, so a patch lists them ascending.
  std::vector<uint32_t> rows = dispatch;
  std::vector<uint32_t> begin = {0}, keys, patch_begin = {0};
  std::vector<uint32_t> patch(2 * bound);
  const size_t width = static_cast<size_t>(im.vars[var].num_classes);
  std::vector<uint32_t> cursor(width, 0);
  std::vector<uint64_t> listed(width / 64 + 1, 0);
  std::vector<uint32_t> words;  // The nonzero words of `listed`.
  std::vector<std::pair<uint32_t, const uint32_t*>> nodes;  // (app, node)
  uint32_t placed = 0;
  for (size_t c1 = 0; c1 < classes1; ++c1) {
    uint32_t* row = rows.data() + c1 * n;
    nodes.clear();
    for (size_t a = 0; a < n; ++a) {
      if (sparse_var[c1 * n + a] != var) continue;
      const uint32_t* node = &im.code[row[a]];
      nodes.emplace_back(static_cast<uint32_t>(a), node);
      for (uint32_t k = 0, m = NodeExceptions(node); k < m; ++k) {
        const uint32_t c = node[3 + k];
        ++cursor[c];
        if (listed[c / 64] == 0) words.push_back(c / 64);
        listed[c / 64] |= uint64_t{1} << (c % 64);
      }
      row[a] = node[2];
    }
    std::sort(words.begin(), words.end());
    for (uint32_t w : words) {
      for (uint64_t bits = listed[w]; bits != 0; bits &= bits - 1) {
        const uint32_t c =
            static_cast<uint32_t>(64 * w + std::countr_zero(bits));
        keys.push_back(c);
        const uint32_t apps = cursor[c];
        cursor[c] = placed;
        placed += apps;
        patch_begin.push_back(placed);
      }
      listed[w] = 0;
    }
    words.clear();
    for (const auto& [a, node] : nodes) {
      const uint32_t count = node[1];
      for (uint32_t k = 0, m = NodeExceptions(node); k < m; ++k) {
        const uint32_t at = cursor[node[3 + k]]++;
        patch[2 * at] = a;
        patch[2 * at + 1] = node[3 + count + k];
      }
    }
    for (size_t i = begin.back(); i < keys.size(); ++i) cursor[keys[i]] = 0;
    begin.push_back(static_cast<uint32_t>(keys.size()));
  }
  // One block per class c1 (see WalkRank): its keys, their patch ends, its
  // patches.
  rank->dispatch = std::move(rows);
  rank->refine_var = var;
  rank->refine_at.assign(classes1, 0);
  rank->refine.assign(1, 0);
  for (size_t c1 = 0; c1 < classes1; ++c1) {
    const uint32_t from = begin[c1], to = begin[c1 + 1];
    if (from == to) continue;
    rank->refine_at[c1] = static_cast<uint32_t>(rank->refine.size());
    rank->refine.push_back(to - from);
    rank->refine.insert(rank->refine.end(), keys.begin() + from,
                        keys.begin() + to);
    for (uint32_t i = from; i < to; ++i)
      rank->refine.push_back(patch_begin[i + 1] - patch_begin[from]);
    rank->refine.insert(rank->refine.end(),
                        patch.begin() + 2 * size_t{patch_begin[from]},
                        patch.begin() + 2 * size_t{patch_begin[to]});
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
    PrepareRefinement(*im, &rank);
  }
}

// The explanation index (see ExplainIndex in dag.h): per attribute, each
// rule under its guard, the atom FALSE on the most classes among those not
// reading the attribute; rules without a guard that rules out at least half
// the classes are always examined.
void PrepareExplainIndex(CompiledPolicy::Impl* im) {
  // Per atom, once: the classes where it is not FALSE, when they are at
  // most half (the atom can serve as a guard): open(i), a range of
  // open_classes.
  std::vector<uint32_t> open_begin(im->atoms.size() + 1, 0);
  std::vector<uint32_t> open_classes;
  auto open = [&](int32_t atom) {
    return std::span<const uint32_t>(open_classes)
        .subspan(open_begin[atom], open_begin[atom + 1] - open_begin[atom]);
  };
  // Per atom, the attribute its variable reads, or kNoGuard when it cannot
  // guard (one small array, not the atoms and variables, in the rule loop).
  constexpr int32_t kNoGuard = -2;
  std::vector<int32_t> guard_attr(im->atoms.size(), kNoGuard);
  for (size_t i = 0; i < im->atoms.size(); ++i) {
    // From the sparse form: most atoms on big variables are FALSE but on
    // a class or two, their exceptions.
    const Atom& atom = im->atoms[i];
    const size_t n = static_cast<size_t>(im->vars[atom.var].num_classes);
    open_begin[i] = static_cast<uint32_t>(open_classes.size());
    open_begin[i + 1] = open_begin[i];
    if (static_cast<size_t>(NotFalseClasses(*im, atom)) * 2 > n) continue;
    if (atom.common == Tri::kFalse) {
      const std::span<const int32_t> exc = im->exceptions(atom);
      open_classes.insert(open_classes.end(), exc.begin(), exc.end());
    } else {
      for (uint32_t c = 0; c < n; ++c) {
        if (AtomTruth(*im, atom, c) != Tri::kFalse) open_classes.push_back(c);
      }
    }
    open_begin[i + 1] = static_cast<uint32_t>(open_classes.size());
    guard_attr[i] = im->vars[atom.var].attr;
  }
  im->explain.assign(im->attr_rules.size(), {});
  im->explain_guards.clear();
  im->explain_pool.clear();
  std::vector<uint32_t>& pool = im->explain_pool;
  std::vector<int32_t> unguarded;
  for (size_t a = 0; a < im->attr_rules.size(); ++a) {
    CompiledPolicy::Impl::ExplainAttr& x = im->explain[a];
    std::map<int32_t, std::vector<std::pair<int32_t, int32_t>>> by_var;
    unguarded.clear();
    for (int32_t r : im->attr_rules[a]) {
      int32_t guard = -1;
      for (int32_t atom : im->cond_atoms(r)) {
        if (guard_attr[atom] == kNoGuard ||
            guard_attr[atom] == static_cast<AttrId>(a)) {
          continue;
        }
        if (guard < 0 || open(atom).size() < open(guard).size()) guard = atom;
      }
      if (guard < 0) {
        unguarded.push_back(r);
      } else {
        by_var[im->atoms[guard].var].emplace_back(guard, r);
      }
    }
    x.unguarded_at = static_cast<uint32_t>(pool.size());
    x.unguarded_count = static_cast<uint32_t>(unguarded.size());
    pool.insert(pool.end(), unguarded.begin(), unguarded.end());
    x.guards_begin = static_cast<uint32_t>(im->explain_guards.size());
    x.guards_count = static_cast<uint32_t>(by_var.size());
    for (const auto& [var, entries] : by_var) {
      // Counting sort of (class, rule) pairs into per-class runs.
      CompiledPolicy::Impl::ExplainGuard& g = im->explain_guards.emplace_back();
      g.var = var;
      const size_t classes = static_cast<size_t>(im->vars[var].num_classes);
      g.begin_at = static_cast<uint32_t>(pool.size());
      pool.resize(pool.size() + classes + 1, 0);
      uint32_t* begin = pool.data() + g.begin_at;
      for (const auto& [atom, r] : entries) {
        for (uint32_t c : open(atom)) ++begin[c + 1];
      }
      for (size_t c = 0; c < classes; ++c) begin[c + 1] += begin[c];
      g.rules_at = static_cast<uint32_t>(pool.size());
      const uint32_t total = begin[classes];
      std::vector<uint32_t> next(begin, begin + classes);
      pool.resize(pool.size() + total);
      uint32_t* rules = pool.data() + g.rules_at;
      for (const auto& [atom, r] : entries) {
        for (uint32_t c : open(atom))
          rules[next[c]++] = static_cast<uint32_t>(r);
      }
    }
  }
  std::vector<std::vector<int32_t>>().swap(im->attr_rules);
}

}  // namespace

void PrepareEvaluation(const BoundPolicy& policy, CompiledPolicy::Impl* im) {
  // The tables every evaluation reads at random, on huge pages when big.
  MoveToHugePages(&im->code);
  im->prefetch_nodes = im->code.size() * sizeof(uint32_t) > kUncachedBytes;
  PrepareLeafRecords(im);
  MoveToHugePages(&im->leaf_output);
  MoveToHugePages(&im->leaf_compact);
  PreparePatternTables(im);
  PrepareOrdinalTables(policy, im);
  PrepareDispatch(im);
  for (CompiledPolicy::Impl::WalkRank& rank : im->ranks)
    MoveToHugePages(&rank.dispatch);
  // A snapshot of format 5 on brings the index (checked on load).
  if (im->explain.empty()) PrepareExplainIndex(im);
  PrepareMerge(policy, im);
}

int32_t CompiledPolicy::slot_count() const { return impl_->slot_count; }

SlotTarget CompiledPolicy::SlotOf(std::string_view name) const {
  const std::string folded = FoldName(name);
  // A termination date feeds the leaver check and, when rules read it too,
  // its attribute slot (regression: it used to feed only one).
  SlotTarget t;
  t.termination = folded == "terminationdate" || folded == "leavedate";
  t.attribute = policy_->FindAttribute(folded);
  return t;
}

std::vector<std::string_view> CompiledPolicy::SlotsOf(
    const Person& person) const {
  std::vector<std::string_view> slots(impl_->slot_count);
  for (const auto& [name, value] : person.attributes)
    SlotOf(name).Place(value, slots);
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
  const bool any_missing = Classify(im, *policy_, slots, as_of, s);
  const auto& attrs = policy_->attributes();
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
  s.active.resize(nranks * napps);
  for (size_t k = 0; k < nranks; ++k)
    im.ranks[k].Start(s.classes.data(), napps, s.refs.data() + k * napps);
  const uint32_t* classes = s.classes.data();
  uint32_t* refs = s.refs.data();
  uint32_t* active = s.active.data();
  size_t live = ListLiveWalks(refs, nranks * napps, active);
  // On a big policy most of a round's node loads miss, and at ~20
  // instructions a step the core's window holds a dozen steps: the round
  // would wait on its misses a dozen at a time. A prefetch is a few
  // instructions, so the round first asks for every live walk's node, then
  // (as those arrive) for the word its class selects: a dense node's child
  // can lie lines away from its header. (Here, not in a function: GCC
  // sees no effect in one that only prefetches, and drops the call.)
  while (live > 0) {
    if (im.prefetch_nodes) {
      for (size_t k = 0; k < live; ++k)
        __builtin_prefetch(code + refs[active[k]]);
      for (size_t k = 0; k < live; ++k) {
        const uint32_t* n = code + refs[active[k]];
        __builtin_prefetch(NodeSparse(n) ? n + 3 : n + 2 + classes[NodeVar(n)]);
      }
    }
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
  // On a big policy each app's copy waits on two cache misses in a row,
  // its LeafOutput and then its records. Asking for every app's first, then
  // every app's second, before copying overlaps them all (bounded 100k
  // sheet: the copy took half the time). A layered policy's merges wait
  // the same way on each layer leaf's part range and then its parts, so
  // those are asked for too (share 100k sheet: 0.92x the time).
  const CompiledPolicy::Impl::LeafOutput* outputs = im.leaf_output.data();
  if (im.prefetch_leaves) {
    for (size_t a = 0; a < napps; ++a)
      __builtin_prefetch(outputs + (refs[a] & ~kLeafBit));
    for (size_t a = 0; a < napps; ++a) {
      __builtin_prefetch(im.leaf_compact.data() +
                         outputs[refs[a] & ~kLeafBit].begin);
    }
    if (nranks > 1) {
      const uint32_t* part_begin = im.part_begin.data();
      for (size_t w = 0; w < nranks * napps; ++w) {
        __builtin_prefetch(part_begin + (refs[w] & ~kLeafBit));
        if (w >= napps) __builtin_prefetch(outputs + (refs[w] & ~kLeafBit));
      }
      for (size_t w = 0; w < nranks * napps; ++w) {
        const uint32_t leaf = refs[w] & ~kLeafBit;
        if (leaf != 0) __builtin_prefetch(im.parts.data() + part_begin[leaf]);
      }
    }
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
        MergeLayers(im, im.apps[a], s.leaves, s.dates, &s.merge, out);
        continue;
      }
      id = s.leaves.empty() ? 0 : s.leaves[0];  // One layer has rules.
    }
    // Leaf 0, the empty outcome, has no records.
    const CompiledPolicy::Impl::LeafOutput& leaf = outputs[id];
    const CompactEntitlement* first = im.leaf_compact.data() + leaf.begin;
    if (leaf.count == 1) {
      ents.push_back(*first);  // Most apps have one instance.
    } else if (leaf.count > 1) {
      ents.insert(ents.end(), first, first + leaf.count);
    }
    if (!leaf.attr_expiry) continue;
    // The latest of the fixed and the person's attribute expiries.
    CompactEntitlement* written = ents.data() + (ents.size() - leaf.count);
    for (uint32_t i = 0; i < leaf.count; ++i) {
      const LeafEntitlement& le = im.leaf_ents[leaf.begin + i];
      if (le.never_expires || le.expiry_attrs_count == 0) continue;
      int32_t latest = le.expiry_literal;
      for (uint32_t k = 0; k < le.expiry_attrs_count; ++k) {
        latest =
            std::max(latest, s.dates[im.attr_pool[le.expiry_attrs_begin + k]]);
      }
      written[i].expires = Date{latest};
    }
  }
  if (any_missing) {
    ExplainMissing(im, *policy_, s, &out->missing);
    std::sort(
        out->missing.begin(), out->missing.end(), [&](AttrId x, AttrId y) {
          return attrs[x].name != attrs[y].name ? attrs[x].name < attrs[y].name
                                                : x < y;
        });
  }
}

Decision CompiledPolicy::ToDecision(std::string person_id,
                                    const DecisionBuffer& buf) const {
  Decision d;
  d.person_id = std::move(person_id);
  d.leaver = buf.leaver;
  // Built in place, in room made once: a batch of people spends most of
  // its time here, allocating (docs/performance.md, fifteenth session).
  d.entitlements.reserve(buf.entitlements.size());
  for (const CompactEntitlement& c : buf.entitlements) {
    const AppInstance& inst = policy_->instances()[c.instance];
    Entitlement& e = d.entitlements.emplace_back();
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
  }
  d.missing.reserve(buf.missing.size());
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
