// Lays the compiler's bottom-up nodes out as DAG code (see dag.h).
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "compile/dag.h"

namespace birthright {

absl::Status LayOutCode(const std::vector<Var>& vars,
                        const std::vector<BuiltNode>& nodes,
                        const std::vector<uint32_t>& exc_class,
                        const std::vector<uint32_t>& exc_child,
                        std::vector<uint32_t*> roots,
                        std::vector<uint32_t>* code) {
  code->clear();
  constexpr uint32_t kUnplaced = 0xffffffffu;
  std::vector<uint32_t> offset(nodes.size(), kUnplaced);
  // The children of built node `id` in visiting order: the default (the
  // most common way down) last, so its subtree ends right before the node.
  auto children = [&](uint32_t id, std::vector<uint32_t>* out) {
    out->clear();
    const BuiltNode& n = nodes[id];
    for (uint32_t k = 0; k < n.exc_count; ++k)
      out->push_back(exc_child[n.exc_begin + k]);
    if (n.dflt != kDenseNode) out->push_back(n.dflt);
  };
  auto ref = [&](uint32_t child) {
    return (child & kLeafBit) ? child : offset[child];
  };
  struct Frame {
    uint32_t id;
    size_t next;  // Index of the next child to visit.
    std::vector<uint32_t> kids;
  };
  std::vector<Frame> stack;
  std::vector<std::pair<uint32_t, uint32_t>> exc;  // (class, child).
  for (uint32_t* root : roots) {
    if (*root & kLeafBit) continue;
    if (offset[*root] == kUnplaced) {
      stack.push_back(Frame{*root, 0, {}});
      children(*root, &stack.back().kids);
      while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.next < f.kids.size()) {
          const uint32_t c = f.kids[f.next++];
          if (!(c & kLeafBit) && offset[c] == kUnplaced) {
            Frame child{c, 0, {}};
            children(c, &child.kids);
            stack.push_back(std::move(child));
          }
          continue;
        }
        // Every child is placed: emit the node as its default child and
        // exceptions, padded (see dag.h), or dense when that is at most
        // twice the sparse size (one load per step instead of a scan).
        const BuiltNode& n = nodes[f.id];
        const uint32_t width = static_cast<uint32_t>(vars[n.var].num_classes);
        uint32_t dflt = n.dflt;
        exc.clear();
        if (n.dflt == kDenseNode) {
          // The most frequent child is the default (ties: the first).
          absl::flat_hash_map<uint32_t, uint32_t> freq;
          uint32_t best = 0;
          for (uint32_t c = 0; c < width; ++c) {
            const uint32_t child = exc_child[n.exc_begin + c];
            const uint32_t k = ++freq[child];
            if (k > best) {
              best = k;
              dflt = child;
            }
          }
          for (uint32_t c = 0; c < width; ++c) {
            const uint32_t child = exc_child[n.exc_begin + c];
            if (child != dflt) exc.emplace_back(c, child);
          }
        } else {
          for (uint32_t k = 0; k < n.exc_count; ++k)
            exc.emplace_back(exc_class[n.exc_begin + k],
                             exc_child[n.exc_begin + k]);
        }
        const uint32_t real = static_cast<uint32_t>(exc.size());
        const bool dense = DenseIsCompact(width, real);
        if (code->size() + 3 + 2 * (size_t{width} + 3) >= kLeafBit) {
          return absl::ResourceExhaustedError(
              "decision DAG code exceeds 2^31 words");
        }
        offset[f.id] = static_cast<uint32_t>(code->size());
        code->push_back(static_cast<uint32_t>(n.var) << 1 | (dense ? 0 : 1));
        if (dense) {
          code->push_back(width);
          const size_t at = code->size();
          code->resize(at + width, ref(dflt));
          for (const auto& [c, child] : exc) (*code)[at + c] = ref(child);
        } else {
          const uint32_t padded = PaddedExceptions(real);
          code->push_back(padded);
          code->push_back(ref(dflt));
          for (const auto& [c, child] : exc) code->push_back(c);
          code->insert(code->end(), padded - real, kPadClass);
          for (const auto& [c, child] : exc) code->push_back(ref(child));
          code->insert(code->end(), padded - real, ref(dflt));
        }
        stack.pop_back();
      }
    }
    *root = offset[*root];
  }
  return absl::OkStatus();
}

}  // namespace birthright
