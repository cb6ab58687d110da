// Lays the compiler's bottom-up nodes out as DAG code (see dag.h).
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "compile/dag.h"

namespace birthright {

absl::Status LayOutCode(const std::vector<BuiltNode>& nodes,
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
        // Every child is placed: emit the node.
        const BuiltNode& n = nodes[f.id];
        if (code->size() + 3 + 2 * static_cast<size_t>(n.exc_count) >=
            kLeafBit) {
          return absl::ResourceExhaustedError(
              "decision DAG code exceeds 2^31 words");
        }
        offset[f.id] = static_cast<uint32_t>(code->size());
        const bool sparse = n.dflt != kDenseNode;
        code->push_back(static_cast<uint32_t>(n.var) << 1 | (sparse ? 1 : 0));
        code->push_back(n.exc_count);
        if (sparse) {
          code->push_back(ref(n.dflt));
          for (uint32_t k = 0; k < n.exc_count; ++k)
            code->push_back(exc_class[n.exc_begin + k]);
        }
        for (uint32_t k = 0; k < n.exc_count; ++k)
          code->push_back(ref(exc_child[n.exc_begin + k]));
        stack.pop_back();
      }
    }
    *root = offset[*root];
  }
  return absl::OkStatus();
}

}  // namespace birthright
