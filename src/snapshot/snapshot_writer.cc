// Snapshot writing (see snapshot.h and docs/snapshot-format.md).
#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>

#include "birthright/snapshot.h"
#include "birthright/version.h"
#include "compile/dag.h"
#include "re2/re2.h"
#include "snapshot/snapshot_internal.h"
#include "snapshot_generated.h"
#include "util/hash.h"

namespace birthright {

using snapshot_internal::kTrailerMagic;

namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

Offset<fb::Key> WriteKey(FlatBufferBuilder& b, const Key& k) {
  return fb::CreateKeyDirect(b, k.num, k.text.c_str());
}

Offset<fb::Predicate> WritePredicate(FlatBufferBuilder& b,
                                     const BoundPredicate& p) {
  std::vector<Offset<fb::Key>> keys;
  for (const Key& k : p.keys) keys.push_back(WriteKey(b, k));
  return fb::CreatePredicateDirect(b, p.attr, static_cast<uint8_t>(p.op), &keys,
                                   p.needle.c_str(), p.regex);
}

std::vector<Offset<flatbuffers::String>> Strings(
    FlatBufferBuilder& b, const std::vector<std::string>& v) {
  std::vector<Offset<flatbuffers::String>> out;
  for (const std::string& s : v) out.push_back(b.CreateString(s));
  return out;
}

}  // namespace

std::string WriteSnapshot(const CompiledPolicy& compiled) {
  const BoundPolicy& p = compiled.policy();
  const CompiledPolicy::Impl& im = compiled.impl();
  FlatBufferBuilder b(1 << 16);
  std::vector<Offset<fb::Attribute>> attrs;
  for (const BoundAttribute& a : p.attributes()) {
    // Hash maps are written sorted so the bytes never depend on their
    // iteration order.
    std::vector<std::pair<std::string, std::string>> aliases(a.aliases.begin(),
                                                             a.aliases.end());
    std::sort(aliases.begin(), aliases.end());
    std::vector<std::string> from, to;
    for (auto& [f, t] : aliases) {
      from.push_back(f);
      to.push_back(t);
    }
    auto order = Strings(b, a.order);
    auto f = Strings(b, from);
    auto t = Strings(b, to);
    attrs.push_back(fb::CreateAttributeDirect(
        b, a.name.c_str(), a.folded.c_str(), static_cast<uint8_t>(a.type),
        a.case_sensitive, &order, &f, &t));
  }
  std::vector<Offset<fb::Instance>> instances;
  for (const AppInstance& i : p.instances()) {
    auto levels = Strings(b, i.levels);
    instances.push_back(fb::CreateInstanceDirect(
        b, i.app.c_str(), i.instance.c_str(), &levels, i.default_level,
        i.owner.c_str(), static_cast<uint8_t>(i.provisioning),
        i.monthly_cost_cents.has_value(), i.monthly_cost_cents.value_or(0)));
  }
  std::vector<Offset<fb::Rule>> rules;
  std::vector<fb::RuleTarget> targets;
  std::vector<Offset<flatbuffers::String>> target_scopes;
  for (const BoundRule& r : p.rules()) {
    // Targets (format 3): the evaluator resolves the rules of layer
    // leaves (AppDag), from the rules' targets.
    targets.clear();
    target_scopes.clear();
    for (const BoundTarget& t : r.targets) {
      targets.emplace_back(t.instance, t.level,
                           static_cast<uint32_t>(t.scopes.size()));
      for (const std::string& sc : t.scopes)
        target_scopes.push_back(b.CreateString(sc));
    }
    rules.push_back(fb::CreateRuleDirect(
        b, r.id.c_str(), static_cast<uint8_t>(r.effect), r.priority,
        static_cast<uint8_t>(r.expiry_kind), r.expiry_date.days, r.expiry_attr,
        r.valid, r.location.file.c_str(), r.location.line, r.location.column,
        &targets, &target_scopes));
  }
  std::vector<std::string> regex_text;
  std::vector<uint8_t> regex_cs;
  for (int32_t i = 0; i < p.regex_count(); ++i) {
    regex_text.push_back(p.regex_pattern(i));
    regex_cs.push_back(p.regex(i).options().case_sensitive());
  }
  auto regexes = Strings(b, regex_text);
  std::vector<Offset<fb::Var>> vars;
  for (const Var& v : im.vars) {
    auto literals = Strings(b, v.literals);
    std::vector<Offset<fb::Key>> points;
    for (const Key& k : v.points) points.push_back(WriteKey(b, k));
    auto pred =
        v.kind == VarKind::kSetPred ? WritePredicate(b, v.predicate) : 0;
    vars.push_back(fb::CreateVarDirect(b, static_cast<uint8_t>(v.kind), v.attr,
                                       v.num_classes, &literals, &points,
                                       v.pattern_bit, pred));
  }
  std::vector<Offset<fb::AttrInput>> inputs;
  for (const AttrInput& in : im.inputs) {
    auto patterns = Strings(b, in.pattern_text);
    inputs.push_back(fb::CreateAttrInputDirect(
        b, in.attr, in.scalar_var, in.presence_var, in.expiry_var,
        &in.pattern_vars, &in.set_vars, &patterns, &in.literal_match_begin,
        &in.literal_match));
  }
  std::vector<fb::Leaf> leaves;
  for (const Leaf& l : im.leaves)
    leaves.emplace_back(l.ents_begin, l.ents_count);
  std::vector<fb::LeafEntitlement> ents;
  for (const LeafEntitlement& e : im.leaf_ents) {
    ents.emplace_back(e.instance, e.level, e.scopes_begin, e.scopes_count,
                      e.reasons_begin, e.reasons_count, e.never_expires,
                      e.expiry_literal, e.expiry_attrs_begin,
                      e.expiry_attrs_count);
  }
  std::vector<fb::AppDag> apps;
  size_t ranks = 0;  // Layers beyond the first, at most.
  for (const AppDag& a : im.apps) {
    apps.emplace_back(a.first_instance, a.last_instance, a.root);
    ranks = std::max(ranks, a.layer_roots.size());
  }
  // Rank-major, padded with the empty leaf: layer_roots[k * apps + a].
  std::vector<uint32_t> layer_roots(ranks * im.apps.size(), kLeafBit);
  for (size_t a = 0; a < im.apps.size(); ++a) {
    for (size_t k = 0; k < im.apps[a].layer_roots.size(); ++k)
      layer_roots[k * im.apps.size() + a] = im.apps[a].layer_roots[k];
  }
  std::vector<fb::MergePart> parts;
  parts.reserve(im.parts.size());
  for (const CompiledPolicy::Impl::MergePart& p : im.parts) {
    parts.emplace_back(p.instance, p.level, p.priority, p.expiry_literal,
                       p.reasons_begin, p.reasons_count, p.scopes_begin,
                       p.scopes_count, p.attrs_begin, p.attrs_count,
                       p.never_expires);
  }
  auto scopes = Strings(b, im.scopes);
  std::vector<Offset<fb::Atom>> atoms;
  std::vector<Tri> table;
  for (const Atom& a : im.atoms) {
    // The table, from the sparse form; stored sparse when that is smaller
    // (most atoms are FALSE, or TRUE, on all but a few classes).
    table.assign(static_cast<size_t>(im.vars[a.var].num_classes), a.common);
    const std::span<const int32_t> exc = im.exceptions(a);
    for (size_t k = 0; k < exc.size(); ++k)
      table[exc[k]] = im.exc_truth[a.exc_begin + k];
    int counts[3] = {0, 0, 0};
    for (Tri t : table) ++counts[static_cast<int>(t)];
    uint8_t common = 0;
    for (uint8_t t = 1; t < 3; ++t) {
      if (counts[t] > counts[common]) common = t;
    }
    std::vector<uint32_t> exc_class;
    std::vector<uint8_t> exc_truth;
    for (size_t c = 0; c < table.size(); ++c) {
      if (static_cast<uint8_t>(table[c]) == common) continue;
      exc_class.push_back(static_cast<uint32_t>(c));
      exc_truth.push_back(static_cast<uint8_t>(table[c]));
    }
    // Small tables stay dense: two vectors cost more than a few bytes.
    if (table.size() <= 8 + 5 * exc_class.size()) {
      std::vector<uint8_t> truth;
      for (Tri t : table) truth.push_back(static_cast<uint8_t>(t));
      atoms.push_back(fb::CreateAtomDirect(b, a.var, &truth, a.missing_attr));
    } else {
      atoms.push_back(fb::CreateAtomDirect(b, a.var, nullptr, a.missing_attr,
                                           common, &exc_class, &exc_truth));
    }
  }
  std::vector<fb::RuleRanges> rule_ranges;
  rule_ranges.reserve(im.rules.size());
  for (const RuleInfo& r : im.rules) {
    rule_ranges.emplace_back(r.cond_begin, r.cond_count, r.unless_atoms_begin,
                             r.unless_atoms_count, r.missing_begin,
                             r.missing_count, r.unless_begin, r.unless_count);
  }
  std::vector<fb::FormulaNode> formula;
  for (const FNode& n : im.formula) {
    formula.emplace_back(static_cast<uint32_t>(n.kind), n.atom,
                         n.children_begin, n.children_count);
  }
  std::vector<fb::ExplainAttr> explain;
  for (const auto& x : im.explain) {
    explain.emplace_back(x.guards_begin, x.guards_count, x.unguarded_at,
                         x.unguarded_count);
  }
  std::vector<fb::ExplainGuard> explain_guards;
  for (const auto& g : im.explain_guards)
    explain_guards.emplace_back(g.var, g.begin_at, g.rules_at);
  std::vector<uint8_t> cs_bools(regex_cs.begin(), regex_cs.end());
  auto root = fb::CreateSnapshot(
      b, kSnapshotFormatVersion, b.CreateString(kBirthrightVersion),
      b.CreateString(p.name()), b.CreateString(p.version()),
      b.CreateString(p.hash()), b.CreateVector(attrs),
      b.CreateVector(instances), b.CreateVector(rules), b.CreateVector(regexes),
      b.CreateVector(cs_bools), b.CreateVector(vars), b.CreateVector(inputs),
      im.as_of_var, im.slot_count, 0, 0, 0, b.CreateVectorOfStructs(leaves),
      b.CreateVectorOfStructs(ents), b.CreateVector(im.scope_pool),
      b.CreateVector(im.reason_pool), b.CreateVector(im.attr_pool),
      b.CreateVector(scopes), b.CreateVectorOfStructs(apps),
      b.CreateVector(atoms), /*rule_infos=*/0, /*attr_rules=*/0,
      b.CreateVector(im.code), b.CreateVector(layer_roots),
      /*leaf_rules_begin=*/0, /*leaf_rules=*/0,  // Formats 3 and 4 only.
      b.CreateVector(im.part_begin), b.CreateVectorOfStructs(parts),
      b.CreateVector(im.part_pool), b.CreateVectorOfStructs(rule_ranges),
      b.CreateVector(im.rule_pool), b.CreateVectorOfStructs(formula),
      b.CreateVectorOfStructs(explain), b.CreateVectorOfStructs(explain_guards),
      b.CreateVector(im.explain_pool));
  fb::FinishSnapshotBuffer(b, root);
  std::string out(reinterpret_cast<const char*>(b.GetBufferPointer()),
                  b.GetSize());
  const uint32_t crc = Crc32c(out);
  const uint32_t length = static_cast<uint32_t>(out.size());
  PutU32(&out, length);
  PutU32(&out, crc);
  PutU32(&out, kTrailerMagic);
  return out;
}

}  // namespace birthright
