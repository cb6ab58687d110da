// Graphviz export of the compiled DAGs (`birthright compile --dot`).
#include <string>
#include <string_view>

#include "birthright/compiled_policy.h"
#include "compile/dag.h"

namespace birthright {
namespace {

std::string VarLabel(const BoundPolicy& p, const Var& v) {
  const std::string attr = v.attr >= 0 ? p.attributes()[v.attr].name : "as_of";
  switch (v.kind) {
    case VarKind::kScalar:
      return attr;
    case VarKind::kPattern:
      return attr + " ~pattern#" + std::to_string(v.pattern_bit);
    case VarKind::kSetPred:
      return attr + " (set) " + std::string(PredicateOpName(v.predicate.op));
    case VarKind::kPresence:
      return attr + " present?";
    case VarKind::kExpiry:
      return attr + " >= as_of?";
    case VarKind::kAsOf:
      return "as_of";
  }
  return attr;
}

std::string ClassLabel(const BoundPolicy& p, const Var& v, int32_t c) {
  if (c == 0) return v.kind == VarKind::kAsOf ? "-" : "missing";
  switch (v.kind) {
    case VarKind::kScalar:
      if (!v.literals.empty() || v.points.empty()) {
        return c == 1 ? "other" : v.literals[c - 2];
      }
      [[fallthrough]];
    case VarKind::kAsOf: {
      const int32_t pos = c - 1;
      auto text = [&](int32_t i) {
        const Key& k = v.points[i];
        if (v.kind == VarKind::kAsOf)
          return FormatIsoDate(Date{static_cast<int32_t>(k.num)});
        const BoundAttribute& a = p.attributes()[v.attr];
        if (a.type == AttrType::kDate)
          return FormatIsoDate(Date{static_cast<int32_t>(k.num)});
        if (a.type == AttrType::kOrdinal && !a.order.empty())
          return a.order[k.num];
        return k.text.empty() ? std::to_string(k.num) : k.text;
      };
      if (pos % 2 == 1) return "= " + text(pos / 2);
      const int32_t i = pos / 2;
      if (v.points.empty()) return "any";
      if (i == 0) return "< " + text(0);
      if (i == static_cast<int32_t>(v.points.size())) return "> " + text(i - 1);
      return "(" + text(i - 1) + ", " + text(i) + ")";
    }
    case VarKind::kPresence:
      return "present";
    default:
      return c == 1 ? "false" : "true";
  }
}

// `text` as a DOT quoted string: quotes and backslashes escaped, line
// breaks as DOT's centered `\n`. Names and values come from the policy, so
// they may hold anything.
std::string DotString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string CompiledPolicy::ToDot() const {
  const Impl& im = *impl_;
  std::string out =
      "digraph birthright {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  // Nodes are named by code offset, leaves by id.
  auto ref_name = [](uint32_t r) {
    return (r & kLeafBit) ? "leaf" + std::to_string(r & ~kLeafBit)
                          : "n" + std::to_string(r);
  };
  for (size_t a = 0; a < im.apps.size(); ++a) {
    const AppDag& dag = im.apps[a];
    const std::string app = policy_->instances()[dag.first_instance].app;
    out += "  app" + std::to_string(a) +
           " [shape=box,style=bold,label=" + DotString(app) + "];\n";
    if (dag.layer_roots.empty()) {
      out += "  app" + std::to_string(a) + " -> " + ref_name(dag.root) + ";\n";
      continue;
    }
    // Layers (see AppDag), merged at evaluation.
    for (size_t k = 0; k <= dag.layer_roots.size(); ++k) {
      out += "  app" + std::to_string(a) + " -> " +
             ref_name(k == 0 ? dag.root : dag.layer_roots[k - 1]) +
             " [label=\"layer " + std::to_string(k + 1) + "\"];\n";
    }
  }
  for (uint32_t at = 0; at < im.code.size(); at += NodeWords(&im.code[at])) {
    const uint32_t* node = &im.code[at];
    const Var& v = im.vars[NodeVar(node)];
    out += "  " + ref_name(at) +
           " [shape=ellipse,label=" + DotString(VarLabel(*policy_, v)) + "];\n";
    // One edge per distinct child, labelled with the classes that lead there.
    std::vector<std::string> labels;
    std::vector<uint32_t> targets;
    for (int32_t c = 0; c < v.num_classes; ++c) {
      const uint32_t t = NodeChild(node, static_cast<uint32_t>(c));
      size_t k = 0;
      while (k < targets.size() && targets[k] != t) ++k;
      if (k == targets.size()) {
        targets.push_back(t);
        labels.emplace_back();
      }
      if (!labels[k].empty()) labels[k] += "\n";
      labels[k] += ClassLabel(*policy_, v, c);
    }
    for (size_t l = 0; l < labels.size(); ++l) {
      std::string label = labels[l];
      if (label.size() > 80) {
        // Cut at a character boundary, never inside a UTF-8 sequence.
        size_t cut = 77;
        while (cut > 0 &&
               (static_cast<unsigned char>(label[cut]) & 0xc0) == 0x80)
          --cut;
        label = label.substr(0, cut) + "...";
      }
      out += "  " + ref_name(at) + " -> " + ref_name(targets[l]) +
             " [label=" + DotString(label) + "];\n";
    }
  }
  for (size_t l = 0; l < im.leaves.size(); ++l) {
    const Leaf& leaf = im.leaves[l];
    std::string label;
    for (uint32_t i = 0; i < leaf.ents_count; ++i) {
      const LeafEntitlement& e = im.leaf_ents[leaf.ents_begin + i];
      const AppInstance& inst = policy_->instances()[e.instance];
      label += inst.app + (inst.instance.empty() ? "" : "/" + inst.instance) +
               ": " + inst.levels[e.level] + "\n";
    }
    // A layer leaf also lists its merge parts (merged with the other
    // layers'): per app instance, its deny cap and its grants by level.
    for (uint32_t i = im.part_begin[l]; i < im.part_begin[l + 1]; ++i) {
      const CompiledPolicy::Impl::MergePart& p = im.parts[i];
      const AppInstance& inst = policy_->instances()[p.instance];
      const std::string app =
          inst.app + (inst.instance.empty() ? "" : "/" + inst.instance);
      if (p.level < 0) {
        label += "deny " + app +
                 (p.priority > 0 ? " from " + inst.levels[p.priority] : "") +
                 "\n";
        continue;
      }
      label += "grant ";
      for (uint32_t k = 0; k < p.reasons_count; ++k) {
        label += (k > 0 ? ", " : "") +
                 policy_->rules()[im.part_pool[p.reasons_begin + k]].id;
      }
      label += " (" + app + ": " + inst.levels[p.level] + ")\n";
    }
    if (label.empty()) label = "nothing\n";
    out += "  leaf" + std::to_string(l) +
           " [shape=note,label=" + DotString(label) + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace birthright
