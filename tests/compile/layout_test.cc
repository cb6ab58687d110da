// The DAG code (src/compile/dag.h): NodeChild on dense and sparse nodes of
// every size (both the grouped select and the bisection), and LayOutCode on
// random bottom-up DAGs — the laid-out code must send every class vector to
// the same leaf as the nodes it was built from, with children before parents.
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "compile/dag.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

// Builds one node in code form from explicit (class -> child) edges,
// padded to a multiple of 4 as the layout writes it.
std::vector<uint32_t> SparseNode(int32_t var,
                                 const std::map<uint32_t, uint32_t>& edges,
                                 uint32_t dflt) {
  const uint32_t real = static_cast<uint32_t>(edges.size());
  const uint32_t padded = PaddedExceptions(real);
  std::vector<uint32_t> code = {static_cast<uint32_t>(var) << 1 | 1, padded,
                                dflt};
  for (const auto& [c, child] : edges) code.push_back(c);
  code.insert(code.end(), padded - real, kPadClass);
  for (const auto& [c, child] : edges) code.push_back(child);
  code.insert(code.end(), padded - real, dflt);
  return code;
}

TEST(DagCodeTest, SparseLookupFindsEveryExceptionAndDefaultsTheRest) {
  std::mt19937 rng(7);
  // Up to 40 exceptions: covers the scan (<= 16) and the bisection (> 16).
  for (uint32_t k = 0; k <= 40; ++k) {
    const uint32_t width = 3 * k + 5;
    std::map<uint32_t, uint32_t> edges;
    while (edges.size() < k) {
      edges.emplace(rng() % width, kLeafBit | (1 + rng() % 1000));
    }
    const uint32_t dflt = kLeafBit | 5000;
    const std::vector<uint32_t> code = SparseNode(3, edges, dflt);
    ASSERT_EQ(NodeWords(code.data()), code.size());
    ASSERT_EQ(NodeVar(code.data()), 3);
    ASSERT_EQ(code[1] % 4, 0u);
    for (uint32_t c = 0; c < width + 3; ++c) {
      auto it = edges.find(c);
      EXPECT_EQ(NodeChild(code.data(), c),
                it == edges.end() ? dflt : it->second)
          << "k=" << k << " class " << c;
    }
  }
}

TEST(DagCodeTest, DenseLookupIsOneLoadPerClass) {
  const std::vector<uint32_t> code = {
      2u << 1, 4, kLeafBit | 1, kLeafBit | 2, kLeafBit | 3, kLeafBit | 4};
  EXPECT_EQ(NodeWords(code.data()), 6u);
  for (uint32_t c = 0; c < 4; ++c)
    EXPECT_EQ(NodeChild(code.data(), c), kLeafBit | (c + 1));
}

// A random reduced-looking DAG over `vars`, built bottom-up like the
// compiler does (children are earlier nodes or leaves), mixing dense and
// sparse built forms.
struct Built {
  std::vector<Var> vars;
  std::vector<BuiltNode> nodes;
  std::vector<uint32_t> exc_class, exc_child;
  std::vector<uint32_t> roots;
};

Built RandomBuilt(uint32_t seed) {
  std::mt19937 rng(seed);
  Built b;
  for (int v = 0; v < 6; ++v) {
    Var var;
    var.num_classes = v == 5 ? 120 : 2 + static_cast<int32_t>(rng() % 30);
    b.vars.push_back(std::move(var));
  }
  auto random_child = [&](size_t below) -> uint32_t {
    if (below == 0 || rng() % 3 == 0) return kLeafBit | (rng() % 50);
    return static_cast<uint32_t>(rng() % below);
  };
  const size_t n = 30 + rng() % 200;
  for (size_t i = 0; i < n; ++i) {
    BuiltNode node;
    node.var = static_cast<int32_t>(rng() % b.vars.size());
    const uint32_t width = static_cast<uint32_t>(b.vars[node.var].num_classes);
    node.exc_begin = static_cast<uint32_t>(b.exc_child.size());
    if (rng() % 2 == 0) {
      node.dflt = kDenseNode;
      node.exc_count = width;
      // Few distinct children, so re-encoding as sparse is often chosen.
      const uint32_t common = random_child(i);
      for (uint32_t c = 0; c < width; ++c) {
        b.exc_class.push_back(c);
        b.exc_child.push_back(rng() % 4 == 0 ? random_child(i) : common);
      }
    } else {
      node.dflt = random_child(i);
      for (uint32_t c = 0; c < width; ++c) {
        if (rng() % 5 != 0) continue;
        b.exc_class.push_back(c);
        b.exc_child.push_back(random_child(i));
        ++node.exc_count;
      }
    }
    b.nodes.push_back(node);
  }
  for (int r = 0; r < 5; ++r) b.roots.push_back(random_child(n));
  return b;
}

uint32_t BuiltChild(const Built& b, uint32_t id, uint32_t c) {
  const BuiltNode& n = b.nodes[id];
  if (n.dflt == kDenseNode) return b.exc_child[n.exc_begin + c];
  for (uint32_t k = 0; k < n.exc_count; ++k) {
    if (b.exc_class[n.exc_begin + k] == c) return b.exc_child[n.exc_begin + k];
  }
  return n.dflt;
}

TEST(DagCodeTest, LayOutKeepsEveryPathAndPutsChildrenFirst) {
  int walks = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    const Built b = RandomBuilt(seed);
    std::vector<uint32_t> roots = b.roots;
    std::vector<uint32_t*> root_ptrs;
    for (uint32_t& r : roots) root_ptrs.push_back(&r);
    std::vector<uint32_t> code;
    ASSERT_TRUE(
        LayOutCode(b.vars, b.nodes, b.exc_class, b.exc_child, root_ptrs, &code)
            .ok());
    // Children strictly before parents, at node starts; sparse nodes
    // padded to groups of four with the default child, and only where
    // dense would take over twice the words.
    std::vector<uint8_t> start(code.size(), 0);
    for (size_t at = 0; at < code.size(); at += NodeWords(&code[at])) {
      const uint32_t* n = &code[at];
      const uint32_t width =
          static_cast<uint32_t>(b.vars[NodeVar(n)].num_classes);
      if (NodeSparse(n)) {
        const uint32_t count = n[1];
        ASSERT_EQ(count % 4, 0u) << "seed " << seed;
        uint32_t real = 0;
        while (real < count && n[3 + real] != kPadClass) ++real;
        ASSERT_GT(real + 4, count) << "seed " << seed;
        for (uint32_t k = real; k < count; ++k) {
          ASSERT_EQ(n[3 + k], kPadClass) << "seed " << seed;
          ASSERT_EQ(n[3 + count + k], n[2]) << "seed " << seed;
        }
        ASSERT_FALSE(DenseIsCompact(width, real)) << "seed " << seed;
      } else {
        ASSERT_EQ(n[1], width) << "seed " << seed;
      }
      for (uint32_t c = 0; c < width; ++c) {
        const uint32_t child = NodeChild(n, c);
        if (child & kLeafBit) continue;
        ASSERT_LT(child, at) << "seed " << seed;
        ASSERT_TRUE(start[child]) << "seed " << seed;
      }
      start[at] = 1;
    }
    // Every root reaches the same leaf for random class vectors.
    std::mt19937 rng(seed);
    for (int w = 0; w < 200; ++w) {
      std::vector<uint32_t> classes;
      for (const Var& v : b.vars)
        classes.push_back(rng() % static_cast<uint32_t>(v.num_classes));
      for (size_t r = 0; r < roots.size(); ++r) {
        uint32_t built = b.roots[r];
        while (!(built & kLeafBit))
          built = BuiltChild(b, built, classes[b.nodes[built].var]);
        uint32_t laid = roots[r];
        while (!(laid & kLeafBit)) {
          const uint32_t* n = &code[laid];
          laid = NodeChild(n, classes[NodeVar(n)]);
        }
        ASSERT_EQ(laid, built) << "seed " << seed << " root " << r;
        ++walks;
      }
    }
  }
  EXPECT_EQ(walks, 60 * 200 * 5);
}

}  // namespace
}  // namespace birthright
