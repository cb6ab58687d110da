// Builds the per-app decision DAGs (see compiled_policy.h, docs/dag.md).
//
// Construction is Shannon expansion over a fixed variable order with
// memoization on the residual state: for every rule still alive, its
// accumulated condition value (Kleene) and the values of its `unless`
// predicates decided so far. Equal states give equal sub-DAGs, so they are
// built once; nodes whose edges all agree are skipped (reduction), and
// identical nodes and leaves are shared (hash-consing).
#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "compile/dag.h"
#include "eval/resolve.h"
#include "re2/re2.h"
#include "util/text.h"

namespace birthright {
namespace {

// Maps runs of 32-bit words (memo keys, leaf contents) to 32-bit values.
// Runs live in one arena as [length, value, words...]; the index is an
// open-addressing table of slots `check << 40 | offset + 1`, where the
// check is the top of the hash. A lookup that misses reads one slot and a
// hit one slot and one arena line, and no key owns an allocation: with a
// std::vector<uint32_t> per key in a hash map, the 10,000-rule compile
// spent most of its time in malloc, free and hashing.
class WordMap {
 public:
  // Empties the map. The index keeps a size fit for as many runs as were
  // just dropped: apps of one policy tend to be alike, so the next one grows
  // less, and clearing costs no more than the runs being dropped.
  void Clear() {
    size_t keep = 64;
    while (keep < 2 * count_) keep *= 2;
    if (keep < slots_.size()) std::vector<uint64_t>().swap(slots_);
    slots_.assign(std::max(keep, slots_.size()), 0);
    arena_.clear();
    count_ = 0;
  }

  static uint64_t Hash(const uint32_t* w, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
      h = Round(h, w[i] | static_cast<uint64_t>(w[i + 1]) << 32);
    }
    if (i < n) h = Round(h, w[i]);
    // MurmurHash3's fmix64: the slot comes from the low bits and the check
    // from the high ones, so both must depend on every word.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
  }

  // The value stored for w[0..n), or null. `hash` is Hash(w, n).
  const uint32_t* Find(uint64_t hash, const uint32_t* w, size_t n) const {
    if (slots_.empty()) return nullptr;
    const size_t mask = slots_.size() - 1;
    for (size_t s = hash & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return nullptr;
      if ((slot ^ hash) >> kOffsetBits != 0) continue;
      const uint32_t* run = arena_.data() + (slot & kOffsetMask) - 1;
      if (run[0] == n && std::equal(w, w + n, run + 2)) return run + 1;
    }
  }

  // The map's size, to go back to with Truncate.
  size_t arena_size() const { return arena_.size(); }
  size_t count() const { return count_; }

  // Forgets every run stored after the map had `arena_size` words in its
  // arena and `count` runs: the index is rebuilt from the runs kept.
  void Truncate(size_t arena_size, size_t count) {
    arena_.resize(arena_size);
    count_ = count;
    Reindex(slots_.size());
  }

  // Stores `value` for w[0..n). REQUIRES: Find(hash, w, n) is null.
  void Add(uint64_t hash, const uint32_t* w, size_t n, uint32_t value) {
    if (2 * (count_ + 1) > slots_.size()) Grow();
    ++count_;
    const uint64_t offset = arena_.size();
    arena_.push_back(static_cast<uint32_t>(n));
    arena_.push_back(value);
    arena_.insert(arena_.end(), w, w + n);
    Place(hash, offset);
  }

 private:
  static constexpr int kOffsetBits = 40;
  static constexpr uint64_t kOffsetMask = (uint64_t{1} << kOffsetBits) - 1;

  static uint64_t Round(uint64_t h, uint64_t w) {
    h = (h ^ w) * 0x9e3779b97f4a7c15u;
    return h ^ (h >> 29);
  }

  void Place(uint64_t hash, uint64_t offset) {
    const size_t mask = slots_.size() - 1;
    size_t s = hash & mask;
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = (hash >> kOffsetBits) << kOffsetBits | (offset + 1);
  }

  // Doubles the index, so the load stays at most 1/2 and probes stay short.
  void Grow() { Reindex(std::max<size_t>(64, 2 * slots_.size())); }

  // An index of `slots` slots over the arena, walked in order, rehashing
  // each run.
  void Reindex(size_t slots) {
    slots_.assign(slots, 0);
    for (size_t offset = 0; offset < arena_.size();
         offset += 2 + arena_[offset]) {
      Place(Hash(arena_.data() + offset + 2, arena_[offset]), offset);
    }
  }

  std::vector<uint32_t> arena_;
  std::vector<uint64_t> slots_;
  size_t count_ = 0;
};

class Compiler {
 public:
  Compiler(const BoundPolicy& policy, const CompileOptions& options,
           CompiledPolicy::Impl* impl)
      : policy_(policy), options_(options), impl_(*impl) {}

  absl::Status Run() {
    impl_.slot_count = static_cast<int32_t>(policy_.attributes().size()) + 1;
    CreateVariables();
    if (!status_.ok()) return status_;
    impl_.rules.resize(policy_.rules().size());
    for (const BoundRule& r : policy_.rules()) {
      if (!r.valid) continue;
      BuildRuleInfo(r);
      if (!status_.ok()) return status_;
    }
    // Rules reading each attribute, for the missing-attribute explanation.
    impl_.attr_rules.resize(policy_.attributes().size());
    for (const BoundRule& r : policy_.rules()) {
      if (!r.valid) continue;
      const std::span<const AttrId> missing = impl_.cond_missing(r.index);
      std::vector<AttrId> attrs(missing.begin(), missing.end());
      for (int32_t a : impl_.unless_atoms(r.index)) {
        if (impl_.atoms[a].missing_attr >= 0)
          attrs.push_back(impl_.atoms[a].missing_attr);
      }
      SortUnique(&attrs);
      for (AttrId a : attrs) impl_.attr_rules[a].push_back(r.index);
    }
    // Every scope a rule can grant has an id, so the evaluator can merge
    // the outcomes of layers (see AppDag) without strings.
    for (const BoundRule& r : policy_.rules()) {
      if (!r.valid) continue;
      for (const BoundTarget& t : r.targets) {
        for (const std::string& sc : t.scopes) InternScope(sc);
      }
    }
    // Leaf 0 is the empty outcome.
    impl_.leaves.push_back(Leaf{});
    impl_.leaf_rules_begin = {0, 0};
    leaf_memo_.Add(WordMap::Hash(nullptr, 0), nullptr, 0, 0);
    // One DAG per group of up to max_apps_per_dag consecutive apps (an app
    // is a maximal run of instances with the same app name).
    const auto& inst = policy_.instances();
    for (size_t i = 0; i < inst.size();) {
      size_t j = i;
      for (int apps = 0; apps < std::max(1, options_.max_apps_per_dag);
           ++apps) {
        while (j + 1 < inst.size() && inst[j + 1].app == inst[j].app) ++j;
        if (apps + 1 < options_.max_apps_per_dag && j + 1 < inst.size())
          ++j;
        else
          break;
      }
      AppDag dag;
      dag.first_instance = static_cast<int32_t>(i);
      dag.last_instance = static_cast<int32_t>(j);
      BuildApp(&dag);
      if (!status_.ok()) return status_;
      impl_.apps.push_back(dag);
      i = j + 1;
    }
    std::vector<uint32_t*> roots;
    for (AppDag& dag : impl_.apps) roots.push_back(&dag.root);
    for (AppDag& dag : impl_.apps) {
      for (uint32_t& root : dag.layer_roots) roots.push_back(&root);
    }
    status_ = LayOutCode(impl_.vars, built_.nodes, built_.exc_class,
                         built_.exc_child, std::move(roots), &impl_.code);
    if (!status_.ok()) return status_;
    CompileStats& s = impl_.stats;
    s.rules = static_cast<int64_t>(policy_.rules().size());
    s.apps = static_cast<int64_t>(impl_.apps.size());
    for (const AppDag& dag : impl_.apps) {
      s.layered_apps += !dag.layer_roots.empty();
      if (!dag.layer_roots.empty())
        s.layers += 1 + static_cast<int64_t>(dag.layer_roots.size());
    }
    s.variables = static_cast<int64_t>(impl_.vars.size());
    CountCode(impl_.code, &s.nodes, &s.edges);
    s.leaves = static_cast<int64_t>(impl_.leaves.size());
    int64_t bytes = 4 * (impl_.code.size() + impl_.scope_pool.size() +
                         impl_.reason_pool.size() + impl_.attr_pool.size()) +
                    sizeof(Leaf) * impl_.leaves.size() +
                    sizeof(LeafEntitlement) * impl_.leaf_ents.size();
    for (const Var& v : impl_.vars) {
      bytes +=
          sizeof(Var) + v.literal_class.MemoryBytes() + 40 * v.points.size();
    }
    for (const std::string& sc : impl_.scopes) bytes += 32 + sc.size();
    // The atoms and the rules as atoms stay, sparse and flat, to explain
    // missing attributes.
    bytes += static_cast<int64_t>(sizeof(RuleInfo) * impl_.rules.size() +
                                  4 * impl_.rule_pool.size() +
                                  sizeof(FNode) * impl_.formula.size());
    for (Atom& atom : impl_.atoms) {
      std::vector<Tri>().swap(atom.truth);
      bytes += static_cast<int64_t>(sizeof(Atom) + 5 * atom.exc_count);
    }
    s.memory_bytes = bytes;
    return absl::OkStatus();
  }

 private:
  // ---- Variables and atoms ------------------------------------------------

  void CreateVariables() {
    const auto& attrs = policy_.attributes();
    std::vector<std::vector<const BoundPredicate*>> preds(attrs.size());
    std::set<AttrId> expiry_attrs;
    std::vector<int64_t> as_of_points;
    for (const BoundRule& r : policy_.rules()) {
      if (!r.valid) continue;
      for (const BoundPredicate& p : r.conditions) preds[p.attr].push_back(&p);
      if (r.unless) {
        std::vector<const BoundPredicate*> ps;
        CollectPredicates(*r.unless, &ps);
        for (const BoundPredicate* p : ps) preds[p->attr].push_back(p);
      }
      if (r.expiry_kind == Expiry::Kind::kAttribute)
        expiry_attrs.insert(r.expiry_attr);
      if (r.expiry_kind == Expiry::Kind::kDate)
        as_of_points.push_back(r.expiry_date.days);
      if (r.effective_from) as_of_points.push_back(r.effective_from->days);
      if (r.effective_until) as_of_points.push_back(r.effective_until->days);
    }
    // as_of: always variable 0 so every evaluation classifies it first.
    {
      Var v;
      v.kind = VarKind::kAsOf;
      std::sort(as_of_points.begin(), as_of_points.end());
      as_of_points.erase(std::unique(as_of_points.begin(), as_of_points.end()),
                         as_of_points.end());
      for (int64_t p : as_of_points) v.points.push_back(Key{p, ""});
      v.num_classes = 1 + 2 * static_cast<int32_t>(v.points.size()) + 1;
      impl_.as_of_var = AddVar(std::move(v));
    }
    attr_input_.assign(attrs.size(), -1);
    for (AttrId a = 0; a < static_cast<AttrId>(attrs.size()); ++a) {
      const BoundAttribute& attr = attrs[a];
      if (preds[a].empty() && !expiry_attrs.count(a)) continue;
      AttrInput in;
      in.attr = a;
      if (attr.type == AttrType::kSet) {
        Var pv;
        pv.kind = VarKind::kPresence;
        pv.attr = a;
        pv.num_classes = 2;
        in.presence_var = AddVar(std::move(pv));
      } else {
        Var sv;
        sv.kind = VarKind::kScalar;
        sv.attr = a;
        if (!attr.numeric() && attr.type != AttrType::kOrdinal) {
          std::set<std::string> lits;
          for (const BoundPredicate* p : preds[a]) {
            if (p->op == PredicateOp::kAnyOf || p->op == PredicateOp::kNoneOf) {
              for (const Key& k : p->keys) lits.insert(k.text);
            }
          }
          for (const std::string& l : lits) {
            if (!sv.literal_class.Insert(
                    l, 2 + static_cast<int32_t>(sv.literals.size()))) {
              status_ = absl::ResourceExhaustedError(
                  "the literals of attribute '" + attr.name + "' pass 4 GiB");
              return;
            }
            sv.literals.push_back(l);
          }
          sv.num_classes = 2 + static_cast<int32_t>(sv.literals.size());
        } else {
          for (const BoundPredicate* p : preds[a]) {
            if (IsPatternOp(p->op)) continue;
            for (const Key& k : p->keys) sv.points.push_back(k);
          }
          std::sort(sv.points.begin(), sv.points.end(),
                    [&](const Key& x, const Key& y) {
                      return attr.Compare(x, y) < 0;
                    });
          sv.points.erase(std::unique(sv.points.begin(), sv.points.end(),
                                      [&](const Key& x, const Key& y) {
                                        return attr.Compare(x, y) == 0;
                                      }),
                          sv.points.end());
          sv.num_classes = 1 + 2 * static_cast<int32_t>(sv.points.size()) + 1;
        }
        in.scalar_var = AddVar(std::move(sv));
      }
      if (expiry_attrs.count(a)) {
        Var ev;
        ev.kind = VarKind::kExpiry;
        ev.attr = a;
        ev.num_classes = 3;
        in.expiry_var = AddVar(std::move(ev));
      }
      attr_input_[a] = static_cast<int32_t>(impl_.inputs.size());
      impl_.inputs.push_back(std::move(in));
    }
  }

  int32_t AddVar(Var v) {
    impl_.vars.push_back(std::move(v));
    return static_cast<int32_t>(impl_.vars.size()) - 1;
  }

  int32_t InternAtom(Atom atom) {
    int counts[3] = {0, 0, 0};
    for (Tri t : atom.truth) ++counts[static_cast<int>(t)];
    int best = 0;
    for (int t = 1; t < 3; ++t) {
      if (counts[t] > counts[best]) best = t;
    }
    atom.common = static_cast<Tri>(best);
    // Keyed by the sparse form (canonical: `common` is a function of the
    // table), not the table: at 100k rules the tables are 290 MB.
    std::vector<int32_t> key = {atom.var, static_cast<int32_t>(atom.common)};
    for (size_t c = 0; c < atom.truth.size(); ++c) {
      if (atom.truth[c] != atom.common)
        key.push_back(static_cast<int32_t>(c) << 2 |
                      static_cast<int32_t>(atom.truth[c]));
    }
    auto it = atom_memo_.find(key);
    if (it != atom_memo_.end()) return it->second;
    atom.exc_begin = static_cast<uint32_t>(impl_.exc_class.size());
    atom.exc_count = static_cast<uint32_t>(key.size() - 2);
    for (size_t k = 2; k < key.size(); ++k) {
      impl_.exc_class.push_back(key[k] >> 2);
      impl_.exc_truth.push_back(static_cast<Tri>(key[k] & 3));
    }
    const int32_t id = static_cast<int32_t>(impl_.atoms.size());
    impl_.atoms.push_back(std::move(atom));
    atom_memo_.emplace(std::move(key), id);
    return id;
  }

  static Tri FromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

  // Position of point `k` (2*index+1) in an ordered variable.
  static int32_t PointPos(const BoundAttribute* attr, const Var& v,
                          const Key& k) {
    auto less = [&](const Key& x, const Key& y) {
      return attr ? attr->Compare(x, y) < 0 : x.num < y.num;
    };
    auto it = std::lower_bound(v.points.begin(), v.points.end(), k, less);
    return 2 * static_cast<int32_t>(it - v.points.begin()) + 1;
  }

  static Tri OrderedTruth(PredicateOp op, int32_t pos,
                          const std::vector<int32_t>& kp) {
    switch (op) {
      case PredicateOp::kAnyOf:
      case PredicateOp::kNoneOf: {
        bool in = std::find(kp.begin(), kp.end(), pos) != kp.end();
        return FromBool(op == PredicateOp::kAnyOf ? in : !in);
      }
      case PredicateOp::kLess:
        return FromBool(pos < kp[0]);
      case PredicateOp::kLessEq:
        return FromBool(pos <= kp[0]);
      case PredicateOp::kGreater:
        return FromBool(pos > kp[0]);
      case PredicateOp::kGreaterEq:
        return FromBool(pos >= kp[0]);
      case PredicateOp::kRange:
        return FromBool(kp[0] <= pos && pos <= kp[1]);
      default:
        return Tri::kFalse;
    }
  }

  int32_t AtomFor(const BoundPredicate& p) {
    const BoundAttribute& attr = policy_.attributes()[p.attr];
    AttrInput& in = impl_.inputs[attr_input_[p.attr]];
    const bool presence =
        p.op == PredicateOp::kExists || p.op == PredicateOp::kMissing;
    Atom atom;
    atom.missing_attr = presence ? -1 : p.attr;
    auto presence_truth = [&](int32_t num_classes) {
      atom.truth.assign(num_classes, FromBool(p.op == PredicateOp::kExists));
      atom.truth[0] = FromBool(p.op == PredicateOp::kMissing);
    };
    if (attr.type == AttrType::kSet) {
      if (presence) {
        atom.var = in.presence_var;
        presence_truth(2);
        return InternAtom(std::move(atom));
      }
      // One boolean variable per distinct set predicate.
      int32_t var = -1;
      for (int32_t sv : in.set_vars) {
        const BoundPredicate& q = impl_.vars[sv].predicate;
        if (q.op == p.op && q.keys == p.keys && q.needle == p.needle &&
            (q.regex < 0
                 ? p.regex < 0
                 : p.regex >= 0 && policy_.regex_pattern(q.regex) ==
                                       policy_.regex_pattern(p.regex))) {
          var = sv;
        }
      }
      if (var < 0) {
        Var v;
        v.kind = VarKind::kSetPred;
        v.attr = p.attr;
        v.num_classes = 3;
        v.predicate = p;
        var = AddVar(std::move(v));
        in.set_vars.push_back(var);
      }
      atom.var = var;
      atom.truth = {Tri::kUnknown, Tri::kFalse, Tri::kTrue};
      return InternAtom(std::move(atom));
    }
    if (IsPatternOp(p.op)) {
      std::string pattern;
      switch (p.op) {
        case PredicateOp::kContains:
          pattern = RE2::QuoteMeta(p.needle);
          break;
        case PredicateOp::kStartsWith:
          pattern = "^" + RE2::QuoteMeta(p.needle);
          break;
        case PredicateOp::kEndsWith:
          pattern = RE2::QuoteMeta(p.needle) + "$";
          break;
        default:
          pattern = policy_.regex_pattern(p.regex);
          break;
      }
      auto [it, inserted] =
          pattern_var_.emplace(std::make_pair(p.attr, pattern), -1);
      if (inserted) {
        if (!in.patterns) {
          RE2::Options o;
          o.set_log_errors(false);
          o.set_case_sensitive(attr.case_sensitive);
          in.patterns = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
        }
        std::string error;
        const int bit = in.patterns->Add(pattern, &error);
        if (bit >= 0) in.pattern_text.push_back(pattern);
        if (bit < 0) {
          status_ = absl::InvalidArgumentError("pattern /" + pattern +
                                               "/ rejected: " + error);
          return -1;
        }
        Var v;
        v.kind = VarKind::kPattern;
        v.attr = p.attr;
        v.num_classes = 3;
        v.pattern_bit = bit;
        it->second = AddVar(std::move(v));
        in.pattern_vars.push_back(it->second);
      }
      atom.var = it->second;
      atom.truth = {Tri::kUnknown, Tri::kFalse, Tri::kTrue};
      return InternAtom(std::move(atom));
    }
    const Var& v = impl_.vars[in.scalar_var];
    atom.var = in.scalar_var;
    if (presence) {
      presence_truth(v.num_classes);
      return InternAtom(std::move(atom));
    }
    atom.truth.assign(v.num_classes, Tri::kUnknown);
    if (!v.literals.empty() ||
        (!attr.numeric() && attr.type != AttrType::kOrdinal)) {
      for (int32_t c = 1; c < v.num_classes; ++c) {
        bool in_keys = false;
        if (c >= 2) {
          const std::string& lit = v.literals[c - 2];
          for (const Key& k : p.keys) in_keys = in_keys || k.text == lit;
        }
        atom.truth[c] =
            FromBool(p.op == PredicateOp::kAnyOf ? in_keys : !in_keys);
      }
    } else {
      std::vector<int32_t> kp;
      for (const Key& k : p.keys) kp.push_back(PointPos(&attr, v, k));
      for (int32_t c = 1; c < v.num_classes; ++c) {
        atom.truth[c] = OrderedTruth(p.op, c - 1, kp);
      }
    }
    return InternAtom(std::move(atom));
  }

  int32_t AsOfAtom(PredicateOp op, Date d) {
    const Var& v = impl_.vars[impl_.as_of_var];
    Atom atom;
    atom.var = impl_.as_of_var;
    atom.truth.assign(v.num_classes, Tri::kFalse);
    const std::vector<int32_t> kp = {PointPos(nullptr, v, Key{d.days, ""})};
    for (int32_t c = 1; c < v.num_classes; ++c)
      atom.truth[c] = OrderedTruth(op, c - 1, kp);
    return InternAtom(std::move(atom));
  }

  // A rule's formula while it is built: children follow their parent.
  struct FormulaBuild {
    Expr::Kind kind = Expr::Kind::kPredicate;
    int32_t atom = -1;
    std::vector<int32_t> children;
  };

  // Appends `e` and its subformulas to formula_; returns its index.
  int32_t BuildFormula(const BoundExpr& e) {
    const int32_t index = static_cast<int32_t>(formula_.size());
    formula_.emplace_back();
    formula_[index].kind = e.kind;
    if (e.kind == Expr::Kind::kPredicate) {
      const int32_t atom = AtomFor(e.predicate);
      formula_[index].atom = atom;
      if (std::find(unless_atoms_.begin(), unless_atoms_.end(), atom) ==
          unless_atoms_.end()) {
        unless_atoms_.push_back(atom);
      }
      return index;
    }
    for (const BoundExpr& c : e.children) {
      const int32_t child = BuildFormula(c);
      formula_[index].children.push_back(child);
    }
    return index;
  }

  static void SortUnique(std::vector<AttrId>* v) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }

  void BuildRuleInfo(const BoundRule& r) {
    std::vector<int32_t>& cond = cond_atoms_;
    std::vector<AttrId>& missing = cond_missing_;
    cond.clear();
    missing.clear();
    unless_atoms_.clear();
    formula_.clear();
    for (const BoundPredicate& p : r.conditions) {
      const int32_t atom = AtomFor(p);
      if (atom < 0) return;
      cond.push_back(atom);
      if (impl_.atoms[atom].missing_attr >= 0)
        missing.push_back(impl_.atoms[atom].missing_attr);
    }
    if (r.effective_from)
      cond.push_back(AsOfAtom(PredicateOp::kGreaterEq, *r.effective_from));
    if (r.effective_until)
      cond.push_back(AsOfAtom(PredicateOp::kLessEq, *r.effective_until));
    if (r.expiry_kind == Expiry::Kind::kDate) {
      cond.push_back(AsOfAtom(PredicateOp::kLessEq, r.expiry_date));
    }
    if (r.expiry_kind == Expiry::Kind::kAttribute) {
      Atom atom;
      atom.var = impl_.inputs[attr_input_[r.expiry_attr]].expiry_var;
      atom.truth = {Tri::kUnknown, Tri::kFalse, Tri::kTrue};
      atom.missing_attr = r.expiry_attr;
      cond.push_back(InternAtom(std::move(atom)));
      missing.push_back(r.expiry_attr);
    }
    if (r.unless) {
      BuildFormula(*r.unless);
      if (static_cast<int32_t>(unless_atoms_.size()) >
          options_.max_unless_atoms) {
        status_ = absl::ResourceExhaustedError(
            FormatSourceLocation(r.location) + ": rule " + r.id + " has " +
            std::to_string(unless_atoms_.size()) +
            " distinct predicates in `unless`; the limit is " +
            std::to_string(options_.max_unless_atoms) +
            " (CompileOptions::max_unless_atoms)");
      }
    }
    SortUnique(&missing);
    // Into the flat tables (see RuleInfo).
    std::vector<int32_t>& pool = impl_.rule_pool;
    auto append = [&](const std::vector<int32_t>& v, uint32_t* begin,
                      uint32_t* count) {
      *begin = static_cast<uint32_t>(pool.size());
      *count = static_cast<uint32_t>(v.size());
      pool.insert(pool.end(), v.begin(), v.end());
    };
    RuleInfo& info = impl_.rules[r.index];
    append(cond, &info.cond_begin, &info.cond_count);
    append(unless_atoms_, &info.unless_atoms_begin, &info.unless_atoms_count);
    append(missing, &info.missing_begin, &info.missing_count);
    info.unless_begin = static_cast<uint32_t>(impl_.formula.size());
    info.unless_count = static_cast<uint32_t>(formula_.size());
    for (const FormulaBuild& b : formula_) {
      FNode& n = impl_.formula.emplace_back();
      n.kind = b.kind;
      n.atom = b.atom;
      append(b.children, &n.children_begin, &n.children_count);
    }
  }

  // ---- Per-app DAG --------------------------------------------------------

  struct Level {
    int32_t var;
  };
  struct GroupRule {
    int32_t rule;                                 // Global index.
    std::vector<std::vector<int32_t>> cond_at;    // Per level.
    std::vector<std::vector<int32_t>> unless_at;  // Per level.
    std::vector<int32_t> unless_seq;              // Decided order.
    std::vector<int32_t> used_levels;  // Levels with atoms, ascending.
    int32_t last_level = -1;           // After this level the rule is finished.
    bool deny = false;
  };
  // Working vectors of one Build call, kept per level so that the recursion
  // (whose levels strictly increase) reuses them instead of allocating.
  struct Scratch {
    std::vector<uint32_t> key;
    std::vector<int32_t> candidates;
    std::vector<int32_t> live_atoms;
    std::vector<uint32_t> children;
    std::vector<uint64_t> signatures;  // Distinct ones, packed, in order.
    std::vector<uint32_t> signature_child;
    std::vector<uint32_t> signature_slots;
    std::vector<uint32_t> next;
    std::vector<uint32_t> added;
    std::vector<uint32_t> node_key;
  };

  void BuildApp(AppDag* dag) {
    const auto& rules = policy_.rules();
    std::vector<int32_t> members;
    for (const BoundRule& r : rules) {
      // Invalid rules fail closed: grants drop out, denies apply (their
      // RuleInfo is empty, so they finish before the first level).
      if (!r.valid && r.effect == Effect::kGrant) continue;
      bool touches = false;
      for (const BoundTarget& t : r.targets) {
        touches = touches || (t.instance >= dag->first_instance &&
                              t.instance <= dag->last_instance);
      }
      if (touches) members.push_back(r.index);
    }
    if (members.empty()) return;  // Root stays the empty leaf.
    dag->nodes = 0;
    if (static_cast<int64_t>(members.size()) >= options_.layer_min_rules) {
      // One DAG answers with fewer walks and no merges, so try it first,
      // within a budget; the app is layered only when that overflows.
      if (options_.one_dag_nodes_per_rule > 0 &&
          Spread(members) <= options_.one_dag_max_spread) {
        const Mark mark = MarkBuilt();
        trial_nodes_ = static_cast<int64_t>(members.size()) *
                       options_.one_dag_nodes_per_rule;
        dag->root = BuildLayer(*dag, members);
        trial_nodes_ = -1;
        if (!absl::IsResourceExhausted(status_)) return;  // Fits, or failed.
        // The budget or another limit: layers may fit.
        status_ = absl::OkStatus();
        RollBack(mark);
        dag->root = kLeafBit | 0;
        dag->nodes = 0;
      }
      const std::vector<std::vector<int32_t>> layers = SplitLayers(members);
      if (layers.size() > 1) {
        layered_ = true;
        dag->root = BuildLayer(*dag, layers[0]);
        for (size_t k = 1; k < layers.size() && status_.ok(); ++k) {
          // A layer none of whose rules can apply adds nothing.
          const uint32_t root = BuildLayer(*dag, layers[k]);
          if (root != (kLeafBit | 0)) dag->layer_roots.push_back(root);
        }
        layered_ = false;
        return;
      }
    }
    dag->root = BuildLayer(*dag, members);
  }

  // Whether a trial DAG (BuildApp) would outgrow its budget with
  // `new_nodes` more nodes, or has done more work than it allows; then it
  // is stopped with ResourceExhausted, unwinds and is undone. States that
  // merge into few nodes still cost compile time, and so do leaves with
  // many rules.
  bool OverTrialBudget(int64_t new_nodes) {
    if (trial_nodes_ < 0 || (app_nodes_ + new_nodes <= trial_nodes_ &&
                             build_work_ <= kTrialWorkPerNode * trial_nodes_)) {
      return false;
    }
    status_ = absl::ResourceExhaustedError("over the one-DAG budget");
    return true;
  }

  // How much had been built, to undo an app's trial DAG (BuildApp).
  struct Mark {
    size_t nodes, exc, leaves, leaf_ents, scope_pool, reason_pool, attr_pool,
        leaf_rules, leaf_rules_begin, leaf_memo_arena, leaf_memo_count;
    int64_t leaf_words;
  };

  Mark MarkBuilt() const {
    return Mark{built_.nodes.size(),
                built_.exc_class.size(),
                impl_.leaves.size(),
                impl_.leaf_ents.size(),
                impl_.scope_pool.size(),
                impl_.reason_pool.size(),
                impl_.attr_pool.size(),
                impl_.leaf_rules.size(),
                impl_.leaf_rules_begin.size(),
                leaf_memo_.arena_size(),
                leaf_memo_.count(),
                leaf_words_};
  }

  void RollBack(const Mark& m) {
    built_.nodes.resize(m.nodes);
    built_.exc_class.resize(m.exc);
    built_.exc_child.resize(m.exc);
    impl_.leaves.resize(m.leaves);
    impl_.leaf_ents.resize(m.leaf_ents);
    impl_.scope_pool.resize(m.scope_pool);
    impl_.reason_pool.resize(m.reason_pool);
    impl_.attr_pool.resize(m.attr_pool);
    impl_.leaf_rules.resize(m.leaf_rules);
    impl_.leaf_rules_begin.resize(m.leaf_rules_begin);
    leaf_memo_.Truncate(m.leaf_memo_arena, m.leaf_memo_count);
    leaf_words_ = m.leaf_words;
  }

  // The layers of a big app (see AppDag), each in policy order: the rules
  // pinned by the variable that pins the most of them, then the same for
  // the rest while it has layer_split_min_rules rules and max_layers
  // allows, then the rest.
  std::vector<std::vector<int32_t>> SplitLayers(
      const std::vector<int32_t>& members) {
    std::vector<std::vector<int32_t>> layers;
    std::vector<int32_t> rest = members, keyed, others;
    while (static_cast<int32_t>(layers.size()) + 1 <
               std::max(1, options_.max_layers) &&
           (layers.empty() || static_cast<int64_t>(rest.size()) >=
                                  options_.layer_split_min_rules)) {
      keyed.clear();
      others.clear();
      SplitOnce(rest, &keyed, &others);
      if (keyed.empty() || others.empty()) break;
      layers.push_back(keyed);
      rest.swap(others);
    }
    layers.push_back(std::move(rest));
    return layers;
  }

  // One split: the rules whose condition pins one variable to a few
  // classes (an atom FALSE on most classes), on the variable that pins the
  // most rules, and all the others. Both keep policy order.
  void SplitOnce(const std::vector<int32_t>& members,
                 std::vector<int32_t>* keyed, std::vector<int32_t>* others) {
    std::map<int32_t, int32_t> pins;  // Var -> rules pinned by it.
    auto pins_on = [&](int32_t rule, int32_t var) {
      for (int32_t a : impl_.cond_atoms(rule)) {
        const Atom& atom = impl_.atoms[a];
        if (atom.var == var && atom.common == Tri::kFalse) return true;
      }
      return false;
    };
    for (int32_t r : members) {
      std::vector<int32_t> vars;
      for (int32_t a : impl_.cond_atoms(r)) {
        if (impl_.atoms[a].common == Tri::kFalse)
          vars.push_back(impl_.atoms[a].var);
      }
      std::sort(vars.begin(), vars.end());
      vars.erase(std::unique(vars.begin(), vars.end()), vars.end());
      for (int32_t v : vars) ++pins[v];
    }
    int32_t var = -1, best = 0;
    for (const auto& [v, n] : pins) {
      if (n > best) {
        var = v;
        best = n;
      }
    }
    for (int32_t r : members) {
      (var >= 0 && pins_on(r, var) ? keyed : others)->push_back(r);
    }
  }

  // The variables the rules `members` read, in the order a DAG of them
  // tests them: most referenced first (a cheap, stable heuristic that keeps
  // the state space small for spreadsheet-shaped rules); ties, smaller id.
  std::vector<int32_t> VariableOrder(
      const std::vector<int32_t>& members) const {
    std::map<int32_t, int32_t> var_refs;
    for (int32_t r : members) {
      for (int32_t a : impl_.cond_atoms(r)) ++var_refs[impl_.atoms[a].var];
      for (int32_t a : impl_.unless_atoms(r)) ++var_refs[impl_.atoms[a].var];
    }
    std::vector<std::pair<int32_t, int32_t>> order;
    for (const auto& [var, refs] : var_refs) order.emplace_back(-refs, var);
    std::sort(order.begin(), order.end());
    std::vector<int32_t> vars;
    for (const auto& [neg, var] : order) vars.push_back(var);
    return vars;
  }

  // The spread of `members` (CompileOptions::one_dag_max_spread): on how
  // many classes of the variable their DAG tests first a rule can apply,
  // on average over the rules, rounded up; 0 without rules or variables.
  // A rule counts the classes its condition on that variable is not FALSE
  // on (all of them without one; with several, the fewest any one leaves,
  // an upper bound). One DAG repeats a rule's tests under each such class.
  int64_t Spread(const std::vector<int32_t>& members) const {
    const std::vector<int32_t> order = VariableOrder(members);
    if (order.empty() || members.empty()) return 0;
    const int32_t var = order[0];
    const int64_t classes = impl_.vars[var].num_classes;
    int64_t open = 0;
    for (int32_t r : members) {
      int64_t rule_open = classes;
      for (int32_t a : impl_.cond_atoms(r)) {
        const Atom& atom = impl_.atoms[a];
        if (atom.var == var)
          rule_open = std::min(rule_open, NotFalseClasses(impl_, atom));
      }
      open += rule_open;
    }
    const int64_t n = static_cast<int64_t>(members.size());
    return (open + n - 1) / n;
  }

  // Builds the DAG deciding `members` (rule indices in policy order) for
  // the app group of `dag` and returns its root.
  uint32_t BuildLayer(AppDag& dag, const std::vector<int32_t>& members) {
    group_.clear();
    group_rule_.clear();
    levels_.clear();
    state_memo_.Clear();
    node_memo_.Clear();
    finished_ids_.Clear();
    finished_.clear();
    memo_words_ = 0;
    build_work_ = 0;
    past_root_ = false;
    app_nodes_ = 0;
    const auto& rules = policy_.rules();
    std::map<int32_t, int32_t> level_of;
    for (int32_t var : VariableOrder(members)) {
      level_of[var] = static_cast<int32_t>(levels_.size());
      levels_.push_back(Level{var});
    }
    if (scratch_.size() < levels_.size()) scratch_.resize(levels_.size());
    for (int32_t g : members) {
      GroupRule gr;
      gr.rule = g;
      gr.deny = rules[g].effect == Effect::kDeny;
      gr.cond_at.resize(levels_.size());
      gr.unless_at.resize(levels_.size());
      for (int32_t a : impl_.cond_atoms(g))
        gr.cond_at[level_of[impl_.atoms[a].var]].push_back(a);
      for (int32_t a : impl_.unless_atoms(g))
        gr.unless_at[level_of[impl_.atoms[a].var]].push_back(a);
      for (size_t l = 0; l < levels_.size(); ++l) {
        for (int32_t a : gr.unless_at[l]) gr.unless_seq.push_back(a);
        if (!gr.cond_at[l].empty() || !gr.unless_at[l].empty()) {
          gr.used_levels.push_back(static_cast<int32_t>(l));
          gr.last_level = static_cast<int32_t>(l);
        }
      }
      group_.push_back(std::move(gr));
      group_rule_.push_back(g);
    }
    // state[0] is the interned set of finished rules; unfinished rules follow.
    std::vector<uint32_t> finished;
    std::vector<uint32_t> state = {0};
    for (size_t i = 0; i < group_.size(); ++i) {
      if (group_[i].last_level < 0) {
        // No atoms at all: finished before the first level.
        const uint32_t entry =
            FinalStatus(group_[i], static_cast<uint32_t>(i), nullptr);
        if (entry != kDead) finished.push_back(entry);
        continue;
      }
      state.push_back(static_cast<uint32_t>(i) << 2 |
                      static_cast<uint32_t>(Tri::kTrue));
      state.push_back(0);  // Number of decided unless values.
    }
    state[0] = InternFinished(0, &finished);
    const uint32_t root = Build(0, state, dag);
    dag.nodes += app_nodes_;
    return root;
  }

  // State: word 0 is the interned set of finished rules (local << 3 |
  // status); then, per rule with atoms still ahead, [local << 2 | cond, k,
  // v1..vk] with the k `unless` values decided so far. Once a rule's last
  // level is decided it moves into the finished set, so states that differ
  // only in how a status was reached merge, and memo keys stay short.
  static constexpr uint32_t kDead = 0xffffffffu;
  // Status: 0 grant applies; 1..3 grant withheld by UNKNOWN (bit 0: cond
  // UNKNOWN, bit 1: unless UNKNOWN); 4..7 deny applies (same bits).
  // Finished entry: local << 3 | status, status 0 = grant applies, 4 = deny
  // applies; kDead when the rule cannot apply.
  uint32_t FinalStatus(const GroupRule& gr, uint32_t local,
                       const uint32_t* values) const {
    const std::span<const FNode> formula = impl_.unless(gr.rule);
    const Tri unless =
        formula.empty() ? Tri::kFalse : EvalFormula(formula, 0, gr, values);
    if (gr.deny) return unless != Tri::kTrue ? (local << 3 | 4) : kDead;
    return unless == Tri::kFalse ? (local << 3) : kDead;
  }

  static size_t Words(const std::vector<uint32_t>& state, size_t i) {
    return 2 + state[i + 1];
  }

  // Interns finished set `base` plus `added` (entries local << 3 | status).
  // Sets are hash-consed as chains: a set lists its entries by (level the
  // rule finished at, local), and each non-empty set is a shorter set plus
  // its last entry. Rules finish level by level along a path, so `added`
  // (this level's) always goes after all of `base` (earlier levels'), and
  // interning costs one [set, entry] lookup per added entry instead of a
  // merge, hash and compare of the whole set.
  uint32_t InternFinished(uint32_t base, std::vector<uint32_t>* added) {
    if (finished_.empty()) {  // Set 0: the empty set.
      finished_.push_back(FinishedSet{0, 0, 0, kDead, true});
    }
    if (added->empty()) return base;
    std::sort(added->begin(), added->end());  // Local order (one level).
    uint32_t set = base;
    for (uint32_t entry : *added) {
      const uint32_t key[2] = {set, entry};
      const uint64_t hash = WordMap::Hash(key, 2);
      if (const uint32_t* known = finished_ids_.Find(hash, key, 2)) {
        set = *known;
        continue;
      }
      const uint32_t id = static_cast<uint32_t>(finished_.size());
      finished_.push_back(
          FinishedSet{set, entry, finished_[set].size + 1, kDead, false});
      finished_ids_.Add(hash, key, 2, id);
      set = id;
    }
    // Working memory counts each distinct finished set once, at its size
    // (what storing it whole would take), whichever chain steps it shares.
    if (!finished_[set].seen) {
      finished_[set].seen = true;
      memo_words_ += finished_[set].size;
    }
    return set;
  }

  uint32_t Build(size_t level, const std::vector<uint32_t>& state,
                 const AppDag& dag) {
    if (!status_.ok()) return kLeafBit;
    // Skip levels no live rule reads: go to the first level some live rule
    // reads. Every live rule has one at or after `level` (it would have
    // finished otherwise).
    size_t first_used = levels_.size();
    for (size_t i = 1; i < state.size(); i += Words(state, i)) {
      const std::vector<int32_t>& used = group_[state[i] >> 2].used_levels;
      const auto it = std::lower_bound(used.begin(), used.end(),
                                       static_cast<int32_t>(level));
      if (it != used.end())
        first_used = std::min(first_used, static_cast<size_t>(*it));
    }
    level = std::max(level, first_used);
    if (level == levels_.size() || state.size() == 1)
      return MakeLeaf(state[0], dag);
    Scratch& sc = scratch_[level];
    std::vector<uint32_t>& key = sc.key;
    key.assign(1, static_cast<uint32_t>(level));
    key.insert(key.end(), state.begin(), state.end());
    const uint64_t key_hash = WordMap::Hash(key.data(), key.size());
    if (const uint32_t* memo =
            state_memo_.Find(key_hash, key.data(), key.size())) {
      return *memo;
    }

    const Level& lv = levels_[level];
    const Var& var = impl_.vars[lv.var];
    // Classes some live atom treats specially; every other class behaves
    // like `rep` (all live atoms at their common value).
    std::vector<int32_t>& candidates = sc.candidates;
    std::vector<int32_t>& live_atoms = sc.live_atoms;
    candidates.assign(1, 0);
    live_atoms.clear();
    for (size_t i = 1; i < state.size(); i += Words(state, i)) {
      const GroupRule& gr = group_[state[i] >> 2];
      for (const auto* lists : {&gr.cond_at, &gr.unless_at}) {
        for (int32_t a : (*lists)[level]) {
          live_atoms.push_back(a);
          const std::span<const int32_t> exc = impl_.exceptions(impl_.atoms[a]);
          candidates.insert(candidates.end(), exc.begin(), exc.end());
        }
      }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()),
                     candidates.end());
    std::sort(live_atoms.begin(), live_atoms.end());
    live_atoms.erase(std::unique(live_atoms.begin(), live_atoms.end()),
                     live_atoms.end());
    int32_t rep = -1;
    for (int32_t c = 0, k = 0; c < var.num_classes; ++c) {
      while (k < static_cast<int32_t>(candidates.size()) && candidates[k] < c)
        ++k;
      if (k == static_cast<int32_t>(candidates.size()) || candidates[k] != c) {
        rep = c;
        break;
      }
    }
    // Classes every live atom treats alike lead to the same child: expand
    // one representative per distinct signature (the live atoms' values,
    // two bits each, packed into `sig_words` words), the first met in class
    // order, so children are built in the same order as ever.
    const size_t sig_words = (live_atoms.size() + 31) / 32;
    const size_t expansions = candidates.size() + (rep >= 0 ? 1 : 0);
    // The root's expansion, every rule against every class of the first
    // variable, costs layers as much; the budget is for the rest.
    if (past_root_) {
      build_work_ += static_cast<int64_t>(expansions * state.size());
      if (OverTrialBudget(0)) return kLeafBit;
    }
    past_root_ = true;
    sc.signatures.clear();
    sc.signature_child.clear();
    size_t slot_count = 8;
    while (slot_count < 2 * expansions) slot_count *= 2;
    sc.signature_slots.assign(slot_count, 0);
    std::vector<uint32_t>& children = sc.children;
    children.resize(candidates.size());
    std::vector<uint32_t>& next = sc.next;
    std::vector<uint32_t>& added = sc.added;
    auto expand = [&](int32_t gc) -> uint32_t {
      next.assign(1, 0);
      added.clear();
      for (size_t i = 1; i < state.size(); i += Words(state, i)) {
        const uint32_t local = state[i] >> 2;
        Tri cond = static_cast<Tri>(state[i] & 3);
        const uint32_t k = state[i + 1];
        const GroupRule& gr = group_[local];
        for (int32_t a : gr.cond_at[level])
          cond = TriAnd(cond, impl_.atoms[a].truth[gc]);
        // Fail closed (SPEC §2): a grant needs TRUE, a deny fires on TRUE or
        // UNKNOWN. Which attributes were missing is explained at evaluation
        // time, so the DAG only needs to know whether the rule can apply.
        if (cond == Tri::kFalse || (!gr.deny && cond == Tri::kUnknown))
          continue;
        cond = Tri::kTrue;
        const size_t at = next.size();
        next.push_back(local << 2 | static_cast<uint32_t>(cond));
        next.push_back(k + static_cast<uint32_t>(gr.unless_at[level].size()));
        next.insert(next.end(), state.begin() + static_cast<long>(i) + 2,
                    state.begin() + static_cast<long>(i) + 2 + k);
        for (int32_t a : gr.unless_at[level]) {
          next.push_back(static_cast<uint32_t>(impl_.atoms[a].truth[gc]));
        }
        if (gr.last_level == static_cast<int32_t>(level)) {
          const uint32_t entry = FinalStatus(gr, local, next.data() + at + 2);
          next.resize(at);
          if (entry != kDead) added.push_back(entry);
        }
      }
      next[0] = InternFinished(state[0], &added);
      return Build(level + 1, next, dag);
    };
    auto child_for = [&](int32_t c) -> uint32_t {
      const size_t at = sc.signatures.size();
      sc.signatures.resize(at + sig_words, 0);
      uint64_t* sig = sc.signatures.data() + at;
      for (size_t k = 0; k < live_atoms.size(); ++k) {
        sig[k / 32] |=
            static_cast<uint64_t>(impl_.atoms[live_atoms[k]].truth[c])
            << (2 * (k % 32));
      }
      uint64_t h = 0x9e3779b97f4a7c15u;
      for (size_t w = 0; w < sig_words; ++w) {
        h = (h ^ sig[w]) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
      }
      const size_t mask = sc.signature_slots.size() - 1;
      size_t s = h & mask;
      for (; sc.signature_slots[s] != 0; s = (s + 1) & mask) {
        const uint32_t seen = sc.signature_slots[s] - 1;
        const uint64_t* other = sc.signatures.data() + seen * sig_words;
        if (std::equal(sig, sig + sig_words, other)) {
          sc.signatures.resize(at);
          return sc.signature_child[seen];
        }
      }
      const uint32_t seen = static_cast<uint32_t>(sc.signature_child.size());
      sc.signature_slots[s] = seen + 1;
      sc.signature_child.push_back(kLeafBit);
      const uint32_t child = expand(c);
      sc.signature_child[seen] = child;
      return child;
    };
    for (size_t i = 0; i < candidates.size(); ++i) {
      children[i] = child_for(candidates[i]);
      if (!status_.ok()) return kLeafBit;
    }
    uint32_t dflt;
    if (rep >= 0) {
      dflt = child_for(rep);
      if (!status_.ok()) return kLeafBit;
    } else {
      // Every class is special: the most common child is the default. On a
      // tie that is the first class's child if it is among the most common,
      // else the smallest child id among them (as counting in a std::map
      // used to decide).
      std::vector<uint32_t>& sorted = sc.node_key;
      sorted.assign(children.begin(), children.end());
      std::sort(sorted.begin(), sorted.end());
      dflt = children[0];
      const auto first = std::equal_range(sorted.begin(), sorted.end(), dflt);
      std::ptrdiff_t best = first.second - first.first;
      for (auto run = sorted.begin(); run != sorted.end();) {
        const auto end = std::upper_bound(run, sorted.end(), *run);
        if (end - run > best) {
          dflt = *run;
          best = end - run;
        }
        run = end;
      }
    }
    std::vector<uint32_t>& nkey = sc.node_key;
    nkey.assign({static_cast<uint32_t>(lv.var), dflt});
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (children[i] == dflt) continue;
      nkey.push_back(static_cast<uint32_t>(candidates[i]));
      nkey.push_back(children[i]);
    }
    uint32_t result = dflt;
    if (nkey.size() > 2) {
      const uint64_t node_hash = WordMap::Hash(nkey.data(), nkey.size());
      if (const uint32_t* known =
              node_memo_.Find(node_hash, nkey.data(), nkey.size())) {
        result = *known;
      } else {
        const int64_t exc = static_cast<int64_t>(nkey.size() - 2) / 2;
        if (OverTrialBudget(1)) return kLeafBit;
        if (++app_nodes_ > options_.max_nodes_per_app ||
            static_cast<int64_t>(built_.nodes.size()) >= options_.max_nodes ||
            static_cast<int64_t>(built_.exc_class.size()) + exc >
                options_.max_edges) {
          status_ = absl::ResourceExhaustedError(
              "decision DAG for app '" +
              policy_.instances()[dag.first_instance].app +
              "' exceeds the node limit (CompileOptions::max_nodes_per_app = " +
              std::to_string(options_.max_nodes_per_app) +
              ", max_nodes = " + std::to_string(options_.max_nodes) +
              ", max_edges = " + std::to_string(options_.max_edges) + ")");
          return kLeafBit;
        }
        BuiltNode n;
        n.var = lv.var;
        n.exc_begin = static_cast<uint32_t>(built_.exc_child.size());
        if (var.num_classes <= kDenseMaxClasses || exc * 4 >= var.num_classes) {
          n.dflt = kDenseNode;
          n.exc_count = static_cast<uint32_t>(var.num_classes);
          size_t k = 2;
          for (int32_t c = 0; c < var.num_classes; ++c) {
            uint32_t child = dflt;
            if (k < nkey.size() && nkey[k] == static_cast<uint32_t>(c)) {
              child = nkey[k + 1];
              k += 2;
            }
            built_.exc_class.push_back(static_cast<uint32_t>(c));
            built_.exc_child.push_back(child);
          }
        } else {
          n.dflt = dflt;
          n.exc_count = static_cast<uint32_t>(exc);
          for (size_t i = 2; i < nkey.size(); i += 2) {
            built_.exc_class.push_back(nkey[i]);
            built_.exc_child.push_back(nkey[i + 1]);
          }
        }
        result = static_cast<uint32_t>(built_.nodes.size());
        built_.nodes.push_back(n);
        node_memo_.Add(node_hash, nkey.data(), nkey.size(), result);
      }
    }
    memo_words_ += static_cast<int64_t>(key.size());
    if (memo_words_ > options_.max_state_words) {
      status_ = absl::ResourceExhaustedError(
          "compiling the decision DAG for app '" +
          policy_.instances()[dag.first_instance].app +
          "' needs more working memory than CompileOptions::max_state_words (" +
          std::to_string(options_.max_state_words) + " words)");
      return kLeafBit;
    }
    state_memo_.Add(key_hash, key.data(), key.size(), result);
    return result;
  }

  // Kleene value of the `unless` formula from the values decided so far.
  Tri EvalFormula(std::span<const FNode> f, int32_t index, const GroupRule& gr,
                  const uint32_t* values) const {
    const FNode& n = f[index];
    switch (n.kind) {
      case Expr::Kind::kPredicate:
        for (size_t i = 0; i < gr.unless_seq.size(); ++i) {
          if (gr.unless_seq[i] == n.atom) return static_cast<Tri>(values[i]);
        }
        return Tri::kUnknown;  // Unreachable: every atom has a level.
      case Expr::Kind::kNot:
        return TriNot(EvalFormula(f, impl_.children(n)[0], gr, values));
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        const bool is_and = n.kind == Expr::Kind::kAnd;
        Tri acc = is_and ? Tri::kTrue : Tri::kFalse;
        for (int32_t c : impl_.children(n)) {
          const Tri t = EvalFormula(f, c, gr, values);
          acc = is_and ? TriAnd(acc, t) : TriOr(acc, t);
        }
        return acc;
      }
    }
    return Tri::kUnknown;
  }

  uint32_t MakeLeaf(uint32_t finished_id, const AppDag& dag) {
    if (finished_[finished_id].leaf == kDead) {
      const uint32_t leaf = MakeLeafUncached(finished_id, dag);
      finished_[finished_id].leaf = leaf;
    }
    return finished_[finished_id].leaf;
  }

  uint32_t MakeLeafUncached(uint32_t finished_id, const AppDag& dag) {
    std::vector<uint32_t>& entries = leaf_entries_;
    std::vector<int32_t>& grants = leaf_grants_;
    std::vector<int32_t>& denies = leaf_denies_;
    entries.clear();
    grants.clear();
    denies.clear();
    // Every rule is finished by the last level it reads.
    for (uint32_t set = finished_id; set != 0; set = finished_[set].parent)
      entries.push_back(finished_[set].entry);
    // Locals follow policy order, so sorting the entries (local << 3 |
    // status) sorts both lists.
    std::sort(entries.begin(), entries.end());
    build_work_ += kLeafWorkPerRule * static_cast<int64_t>(entries.size());
    if (OverTrialBudget(0)) return kLeafBit;
    for (uint32_t entry : entries) {
      ((entry & 4) ? denies : grants).push_back(group_rule_[entry >> 3]);
    }
    std::vector<ResolvedEntitlement>& resolved = leaf_resolved_;
    ResolveOutcome(policy_, grants, denies, &resolved, nullptr);
    // Content key for hash-consing leaves: the outcome, or for a layer leaf
    // what its merge parts are made of (LayerLeafKey), marked apart.
    std::vector<uint32_t>& key = leaf_key_;
    std::vector<const ResolvedEntitlement*>& mine = leaf_mine_;
    key.clear();
    mine.clear();
    if (layered_) {
      if (entries.empty()) return kLeafBit | 0;
      LayerLeafKey(entries, dag, &key);
    }
    for (const ResolvedEntitlement& e : resolved) {
      if (e.instance < dag.first_instance || e.instance > dag.last_instance)
        continue;
      mine.push_back(&e);
      if (layered_) continue;
      key.push_back(static_cast<uint32_t>(e.instance));
      key.push_back(static_cast<uint32_t>(e.level));
      key.push_back(static_cast<uint32_t>(e.reasons.size()));
      for (int32_t r : e.reasons) key.push_back(static_cast<uint32_t>(r));
      key.push_back(static_cast<uint32_t>(e.scopes.size()));
      for (const std::string& s : e.scopes) key.push_back(InternScope(s));
    }
    if (key.empty()) return kLeafBit | 0;
    const uint64_t hash = WordMap::Hash(key.data(), key.size());
    if (const uint32_t* known = leaf_memo_.Find(hash, key.data(), key.size()))
      return kLeafBit | *known;
    if (static_cast<int64_t>(impl_.leaves.size()) >= options_.max_leaves) {
      status_ = absl::ResourceExhaustedError(
          "decision DAG has more than " + std::to_string(options_.max_leaves) +
          " distinct outcomes (CompileOptions::max_leaves)");
      return kLeafBit;
    }
    // What the leaf stores, in words: its key (kept by the memo), its
    // records, reasons, scopes and expiry attributes, and its layer rules.
    int64_t words = static_cast<int64_t>(key.size()) + 2;
    for (const ResolvedEntitlement* e : mine) {
      words += static_cast<int64_t>(sizeof(LeafEntitlement) / 4 +
                                    e->reasons.size() * 2 + e->scopes.size());
    }
    if (layered_) words += static_cast<int64_t>(key.size());
    leaf_words_ += words;
    if (leaf_words_ > options_.max_leaf_words) {
      status_ = absl::ResourceExhaustedError(
          "the outcomes of the decision DAG need more than " +
          std::to_string(options_.max_leaf_words) +
          " words (CompileOptions::max_leaf_words)");
      return kLeafBit;
    }
    Leaf leaf;
    leaf.ents_begin = static_cast<uint32_t>(impl_.leaf_ents.size());
    for (const ResolvedEntitlement* e : mine) {
      LeafEntitlement le;
      le.instance = e->instance;
      le.level = e->level;
      le.scopes_begin = static_cast<uint32_t>(impl_.scope_pool.size());
      for (const std::string& s : e->scopes)
        impl_.scope_pool.push_back(InternScope(s));
      le.scopes_count = static_cast<uint32_t>(e->scopes.size());
      le.reasons_begin = static_cast<uint32_t>(impl_.reason_pool.size());
      for (int32_t r : e->reasons)
        impl_.reason_pool.push_back(static_cast<uint32_t>(r));
      le.reasons_count = static_cast<uint32_t>(e->reasons.size());
      le.never_expires = false;
      le.expiry_attrs_begin = static_cast<uint32_t>(impl_.attr_pool.size());
      for (int32_t r : e->reasons) {
        const BoundRule& rule = policy_.rules()[r];
        if (rule.expiry_kind == Expiry::Kind::kNever) le.never_expires = true;
        if (rule.expiry_kind == Expiry::Kind::kDate) {
          le.expiry_literal =
              std::max(le.expiry_literal, rule.expiry_date.days);
        }
        if (rule.expiry_kind == Expiry::Kind::kAttribute) {
          impl_.attr_pool.push_back(rule.expiry_attr);
          ++le.expiry_attrs_count;
        }
      }
      impl_.leaf_ents.push_back(le);
    }
    leaf.ents_count = static_cast<uint32_t>(mine.size());
    const uint32_t id = static_cast<uint32_t>(impl_.leaves.size());
    impl_.leaves.push_back(leaf);
    if (layered_) {
      for (uint32_t entry : entries)
        impl_.leaf_rules.push_back(
            LayerRule(group_rule_[entry >> 3], (entry & 4) != 0));
    }
    impl_.leaf_rules_begin.push_back(
        static_cast<uint32_t>(impl_.leaf_rules.size()));
    leaf_memo_.Add(hash, key.data(), key.size(), id);
    return kLeafBit | id;
  }

  // The content key of a layer leaf: what its merge parts
  // (Impl::MergePart) are made of, within the DAG's instances. Per
  // instance, the leaf's deny cap (the lowest level its denies remove, 0
  // for all), then per level below the cap the grants reaching it. A merge
  // reads nothing else, and the leaf's own outcome follows from these too,
  // so leaves whose rules differ only in what a cap hides share one leaf:
  // a quarter fewer leaves at 10,000 rules (docs/performance.md).
  void LayerLeafKey(const std::vector<uint32_t>& entries, const AppDag& dag,
                    std::vector<uint32_t>* key) {
    std::vector<int32_t>& cap = layer_cap_;
    std::vector<std::tuple<int32_t, int32_t, int32_t>>& grants = layer_grants_;
    cap.assign(static_cast<size_t>(dag.last_instance - dag.first_instance + 1),
               INT32_MAX);
    grants.clear();
    for (uint32_t entry : entries) {
      if (!(entry & 4)) continue;
      for (const BoundTarget& t :
           policy_.rules()[group_rule_[entry >> 3]].targets) {
        if (t.instance < dag.first_instance || t.instance > dag.last_instance)
          continue;
        int32_t& c = cap[static_cast<size_t>(t.instance - dag.first_instance)];
        c = std::min(c, std::max(t.level, 0));
      }
    }
    for (uint32_t entry : entries) {
      if (entry & 4) continue;
      const int32_t rule = group_rule_[entry >> 3];
      for (const BoundTarget& t : policy_.rules()[rule].targets) {
        if (t.instance < dag.first_instance || t.instance > dag.last_instance ||
            t.level >=
                cap[static_cast<size_t>(t.instance - dag.first_instance)])
          continue;
        grants.push_back({t.instance, t.level, rule});
      }
    }
    std::sort(grants.begin(), grants.end());
    grants.erase(std::unique(grants.begin(), grants.end()), grants.end());
    key->push_back(kLayerLeafMark);
    key->push_back(static_cast<uint32_t>(dag.first_instance));
    for (size_t i = 0; i < cap.size(); ++i) {
      if (cap[i] == INT32_MAX) continue;
      key->push_back(kLayerCapMark);  // No instance is this large.
      key->push_back(static_cast<uint32_t>(i));
      key->push_back(static_cast<uint32_t>(cap[i]));
    }
    for (const auto& [instance, level, rule] : grants) {
      key->push_back(static_cast<uint32_t>(instance));
      key->push_back(static_cast<uint32_t>(level));
      key->push_back(static_cast<uint32_t>(rule));
    }
  }

  uint32_t InternScope(const std::string& s) {
    auto [it, inserted] =
        scope_ids_.emplace(s, static_cast<uint32_t>(impl_.scopes.size()));
    if (inserted) impl_.scopes.push_back(s);
    return it->second;
  }

  const BoundPolicy& policy_;
  const CompileOptions& options_;
  CompiledPolicy::Impl& impl_;
  absl::Status status_;
  std::vector<int32_t> attr_input_;
  absl::flat_hash_map<std::vector<int32_t>, int32_t> atom_memo_;
  std::map<std::pair<AttrId, std::string>, int32_t> pattern_var_;
  std::vector<GroupRule> group_;
  std::vector<int32_t> group_rule_;  // group_[i].rule, compactly.
  std::vector<Level> levels_;
  std::vector<Scratch> scratch_;  // By level.
  WordMap state_memo_;            // [level, state...] -> child reference.
  WordMap node_memo_;             // [var, dflt, class, child...] -> node.
  WordMap leaf_memo_;             // Leaf content key -> leaf (all apps).
  absl::flat_hash_map<std::string, uint32_t> scope_ids_;
  // Finished sets (see InternFinished): [set, entry] -> set, and the sets
  // by id.
  struct FinishedSet {
    uint32_t parent;  // This set without its last entry.
    uint32_t entry;   // The last entry.
    uint32_t size;
    uint32_t leaf;  // Its leaf, kDead until built.
    bool seen;      // Interned whole, so counted in memo_words_.
  };
  WordMap finished_ids_;
  std::vector<FinishedSet> finished_;
  // MakeLeafUncached scratch.
  std::vector<uint32_t> leaf_entries_;
  std::vector<int32_t> leaf_grants_, leaf_denies_;
  std::vector<ResolvedEntitlement> leaf_resolved_;
  std::vector<uint32_t> leaf_key_;
  std::vector<const ResolvedEntitlement*> leaf_mine_;
  int64_t app_nodes_ = 0;
  // BuildApp's budget for one DAG of a big app, or -1: its nodes, and
  // kTrialWorkPerNode times as much work (build_work_).
  int64_t trial_nodes_ = -1;
  static constexpr int64_t kTrialWorkPerNode = 64;
  static constexpr int64_t kLeafWorkPerRule = 8;  // Resolving it, in work.
  // A measure of the layer's compile time: the words of state read to
  // expand the classes of its new states below the root (Build), and
  // kLeafWorkPerRule per rule of each new leaf.
  int64_t build_work_ = 0;
  bool past_root_ = false;
  int64_t memo_words_ = 0;
  int64_t leaf_words_ = 0;  // All apps; see max_leaf_words.
  // Building a layer (see AppDag): leaves are keyed by LayerLeafKey and
  // keep the applying rules of the first leaf with their key, from which
  // PrepareEvaluation builds their parts.
  bool layered_ = false;
  static constexpr uint32_t kLayerLeafMark = 0xfffffffeu;
  static constexpr uint32_t kLayerCapMark = 0xfffffffdu;
  std::vector<int32_t> layer_cap_;  // LayerLeafKey's, by instance.
  // BuildRuleInfo's, per rule.
  std::vector<int32_t> cond_atoms_, unless_atoms_;
  std::vector<AttrId> cond_missing_;
  std::vector<FormulaBuild> formula_;
  std::vector<std::tuple<int32_t, int32_t, int32_t>> layer_grants_;
  // Nodes as built (children first), laid out as code at the end.
  struct {
    std::vector<BuiltNode> nodes;
    std::vector<uint32_t> exc_class, exc_child;
  } built_;
};

}  // namespace

CompiledPolicy::CompiledPolicy() : impl_(new Impl) {}

std::unique_ptr<CompiledPolicy> CompiledPolicy::FromParts(
    std::shared_ptr<const BoundPolicy> policy, std::unique_ptr<Impl> impl) {
  std::unique_ptr<CompiledPolicy> out(new CompiledPolicy());
  out->policy_ = std::move(policy);
  out->impl_ = std::move(impl);
  PrepareEvaluation(*out->policy_, out->impl_.get());
  return out;
}
CompiledPolicy::~CompiledPolicy() = default;

absl::StatusOr<std::unique_ptr<CompiledPolicy>> CompiledPolicy::Compile(
    std::shared_ptr<const BoundPolicy> policy, const CompileOptions& options) {
  std::unique_ptr<CompiledPolicy> out(new CompiledPolicy());
  out->policy_ = std::move(policy);
  Compiler compiler(*out->policy_, options, out->impl_.get());
  absl::Status s = compiler.Run();
  if (!s.ok()) return s;
  for (AttrInput& in : out->impl_->inputs) {
    if (in.patterns && !in.patterns->Compile()) {
      return absl::ResourceExhaustedError(
          "the substring/regex set of attribute '" +
          out->policy_->attributes()[in.attr].name + "' is too large for RE2");
    }
  }
  PrepareEvaluation(*out->policy_, out->impl_.get());
  // The layer leaves' outcomes and the explanation index, built from the
  // leaves' rules and the attributes' rules (now freed).
  Impl& im = *out->impl_;
  im.stats.memory_bytes += static_cast<int64_t>(
      sizeof(Impl::MergePart) * im.parts.size() +
      4 * (im.part_begin.size() + im.part_pool.size()) +
      sizeof(Impl::ExplainAttr) * im.explain.size() +
      sizeof(Impl::ExplainGuard) * im.explain_guards.size() +
      4 * im.explain_pool.size());
  return out;
}

}  // namespace birthright
