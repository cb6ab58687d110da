// Snapshots (SPEC §9): round trip equals a fresh compile, the bytes are
// deterministic, and any damage is detected — never a crash, never a grant.
#include "birthright/snapshot.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/policy_handle.h"
#include "compile/dag.h"
#include "flatbuffers/flatbuffers.h"
#include "gtest/gtest.h"
#include "testing/acme.h"
#include "testing/random_policy.h"
#include "util/hash.h"

namespace birthright {
namespace {

struct Compiled {
  testing::RandomWorld world;
  std::shared_ptr<const CompiledPolicy> compiled;
};

// `layered`: every app split into layers where it can (layer_min_rules 1),
// what is left split again while it has `split_min_rules` rules.
Compiled Make(
    uint64_t seed, int rules = 40, bool layered = false,
    int32_t split_min_rules = CompileOptions{}.layer_split_min_rules) {
  Compiled c;
  testing::RandomPolicyOptions o;
  o.rules = rules;
  o.people = 60;
  o.apps = 5;
  // Spreadsheet-shaped rules: per department and company-wide ones, which
  // the compiler splits into two layers when asked to.
  o.realistic = layered;
  c.world = testing::MakeRandomWorld(seed, o);
  BindOptions bind;
  bind.strict = false;
  auto bound = BoundPolicy::Bind(c.world.policy, &c.world.people, bind);
  EXPECT_TRUE(bound.ok()) << bound.status();
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  CompileOptions options;
  if (layered) {
    options.layer_min_rules = 1;
    options.one_dag_nodes_per_rule = 0;
  }
  options.layer_split_min_rules = split_min_rules;
  auto compiled = CompiledPolicy::Compile(shared, options);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  c.compiled = std::move(*compiled);
  return c;
}

// Differential: a loaded snapshot answers exactly like the in-memory DAG.
// The loaded policy answers every person of `c` as the fresh compile does,
// on three dates around the policies' windows.
void ExpectSameAnswers(const CompiledPolicy& loaded, const Compiled& c,
                       uint64_t seed, int* compared) {
  for (const char* date : {"2024-06-15", "2026-11-26", "2027-03-01"}) {
    const Date as_of = *ParseIsoDate(date);
    for (const Person& p : c.world.people.people) {
      ASSERT_EQ(DecisionToJson(loaded.Evaluate(p, as_of)),
                DecisionToJson(c.compiled->Evaluate(p, as_of)))
          << "seed " << seed << " person " << p.id << " at " << date;
      ++*compared;
    }
  }
}

TEST(SnapshotTest, Spec9LoadedSnapshotEqualsFreshCompile) {
  int compared = 0;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    Compiled c = Make(seed);
    const std::string bytes = WriteSnapshot(*c.compiled);
    auto loaded = LoadSnapshot(bytes);
    ASSERT_TRUE(loaded.ok()) << "seed " << seed << ": " << loaded.status();
    ExpectSameAnswers(**loaded, c, seed, &compared);
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(compared, 4000);
}

// The loader reads aligned buffers in place and copies unaligned ones; both
// must give the same policy.
TEST(SnapshotTest, Spec9UnalignedBytesLoadTheSame) {
  Compiled c = Make(7);
  const std::string bytes = WriteSnapshot(*c.compiled);
  for (size_t shift = 1; shift < 8; ++shift) {
    const std::string padded = std::string(shift, '\0') + bytes;
    const std::string_view view = std::string_view(padded).substr(shift);
    auto loaded = LoadSnapshot(view);
    ASSERT_TRUE(loaded.ok()) << "shift " << shift << ": " << loaded.status();
    EXPECT_EQ(WriteSnapshot(**loaded), bytes) << "shift " << shift;
    const Date as_of = *ParseIsoDate("2026-11-26");
    for (const Person& p : c.world.people.people) {
      ASSERT_EQ(DecisionToJson((*loaded)->Evaluate(p, as_of)),
                DecisionToJson(c.compiled->Evaluate(p, as_of)))
          << "shift " << shift << " person " << p.id;
    }
  }
}

TEST(SnapshotTest, Spec9SamePolicySameBytesAndHeaderRecordsThePolicy) {
  Compiled a = Make(7);
  Compiled b = Make(7);
  const std::string bytes = WriteSnapshot(*a.compiled);
  EXPECT_EQ(bytes, WriteSnapshot(*b.compiled));
  auto info = InspectSnapshot(bytes);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->format_version, kSnapshotFormatVersion);
  EXPECT_EQ(info->library_version, "0.1.0");
  EXPECT_EQ(info->policy_name, "random-7");
  EXPECT_EQ(info->policy_version, "v1");
  EXPECT_EQ(info->policy_hash, a.compiled->policy().hash());
  EXPECT_EQ(info->policy_hash.size(), 64u);
  // Writing the loaded snapshot again gives the same bytes.
  auto loaded = LoadSnapshot(bytes);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(WriteSnapshot(**loaded), bytes);
}

TEST(SnapshotTest, Spec9EveryFlippedByteIsDetected) {
  Compiled c = Make(3, 15);
  const std::string bytes = WriteSnapshot(*c.compiled);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x41);
    auto loaded = LoadSnapshot(bad);
    ASSERT_FALSE(loaded.ok()) << "flipping byte " << i << " went unnoticed";
    const absl::StatusCode code = loaded.status().code();
    EXPECT_TRUE(code == absl::StatusCode::kDataLoss ||
                code == absl::StatusCode::kInvalidArgument)
        << i << ": " << loaded.status();
  }
}

TEST(SnapshotTest, Spec9TruncatedForeignAndEmptyBytesAreRejected) {
  Compiled c = Make(4, 10);
  const std::string bytes = WriteSnapshot(*c.compiled);
  for (size_t n : {size_t{0}, size_t{1}, size_t{8}, size_t{20},
                   bytes.size() / 2, bytes.size() - 1}) {
    auto loaded = LoadSnapshot(bytes.substr(0, n));
    ASSERT_FALSE(loaded.ok()) << n;
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss)
        << n << ": " << loaded.status();
  }
  auto foreign = LoadSnapshot("id,department,app\nR1,Sales,Okta\n");
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(
      std::string(foreign.status().message()).find("not a birthright snapshot"),
      std::string::npos);
  auto extended = LoadSnapshot(bytes + "x");
  EXPECT_FALSE(extended.ok());
}

// A structurally valid buffer (checksum recomputed) whose DAG points
// forward must still be refused by the semantic check.
TEST(SnapshotTest, Spec9SemanticCheckRejectsValidlyChecksummedGarbage) {
  Compiled c = Make(5, 20);
  std::string bytes = WriteSnapshot(*c.compiled);
  const size_t body = bytes.size() - 12;
  int rejected = 0, accepted = 0;
  for (size_t i = 8; i < body; i += 7) {
    std::string bad = bytes.substr(0, body);
    bad[i] = static_cast<char>(bad[i] + 1);
    const uint32_t crc = Crc32c(bad);
    std::string framed = bad;
    for (uint32_t v : {static_cast<uint32_t>(bad.size()), crc, 0x4B435242u}) {
      for (int k = 0; k < 4; ++k)
        framed.push_back(static_cast<char>(v >> (8 * k)));
    }
    auto loaded = LoadSnapshot(framed);
    if (!loaded.ok()) {
      ++rejected;
      continue;
    }
    ++accepted;
    // Whatever was accepted must evaluate without crashing.
    for (const Person& p : c.world.people.people) {
      (void)(*loaded)->Evaluate(p, *ParseIsoDate("2026-11-26"));
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(SnapshotTest, NewerFormatIsFailedPrecondition) {
  Compiled c = Make(6, 10);
  std::string bytes = WriteSnapshot(*c.compiled);
  auto info = InspectSnapshot(bytes);
  ASSERT_TRUE(info.ok());
  // Find the format_version field by rewriting the stored value -> 99 at
  // every position holding it as a little-endian uint32 until one verifies
  // as a newer format (the field is the root table's first scalar).
  const size_t body = bytes.size() - 12;
  bool found = false;
  for (size_t i = 8; i + 4 <= body && !found; ++i) {
    if (bytes[i] != static_cast<char>(kSnapshotFormatVersion) ||
        bytes[i + 1] != 0 || bytes[i + 2] != 0 || bytes[i + 3] != 0)
      continue;
    std::string bad = bytes.substr(0, body);
    bad[i] = 99;
    const uint32_t crc = Crc32c(bad);
    for (uint32_t v : {static_cast<uint32_t>(bad.size()), crc, 0x4B435242u}) {
      for (int k = 0; k < 4; ++k)
        bad.push_back(static_cast<char>(v >> (8 * k)));
    }
    auto loaded = LoadSnapshot(bad);
    if (!loaded.ok() &&
        loaded.status().code() == absl::StatusCode::kFailedPrecondition) {
      EXPECT_NE(std::string(loaded.status().message()).find("newer"),
                std::string::npos);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(SnapshotTest, LimitsAreEnforced) {
  Compiled c = Make(8, 10);
  const std::string bytes = WriteSnapshot(*c.compiled);
  SnapshotLimits limits;
  limits.max_bytes = 64;
  EXPECT_EQ(LoadSnapshot(bytes, limits).status().code(),
            absl::StatusCode::kResourceExhausted);
  limits = SnapshotLimits{};
  limits.max_tables = 3;
  EXPECT_EQ(LoadSnapshot(bytes, limits).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(SnapshotTest, FileLoadingUsesTheSameChecks) {
  Compiled c = Make(9, 10);
  const std::string bytes = WriteSnapshot(*c.compiled);
  const std::string path = ::testing::TempDir() + "/policy.brs";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto loaded = LoadSnapshotFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(LoadSnapshotFile(path + ".missing").status().code(),
            absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------
// Formats 3 on: layered apps (AppDag::layer_roots; leaf rules in formats 3
// and 4, merge parts from format 4 on) and rule
// targets.

constexpr size_t kTrailerBytes = 12;

// The FlatBuffer of a snapshot, and a FlatBuffer framed with a fresh
// trailer (length, CRC-32C, magic), so only the semantic check can object.
std::string Body(const std::string& bytes) {
  return bytes.substr(0, bytes.size() - kTrailerBytes);
}
std::string Frame(std::string body) {
  const uint32_t crc = Crc32c(body);
  for (uint32_t v : {static_cast<uint32_t>(body.size()), crc, 0x4B435242u}) {
    for (int k = 0; k < 4; ++k) body.push_back(static_cast<char>(v >> (8 * k)));
  }
  return body;
}

// Field ids of snapshot.fbs (appended, never renumbered).
constexpr flatbuffers::voffset_t kRulesField = 7;
constexpr flatbuffers::voffset_t kLeafEntsField = 18;
constexpr flatbuffers::voffset_t kScopesField = 22;
constexpr flatbuffers::voffset_t kCodeField = 27;
constexpr flatbuffers::voffset_t kLayerRootsField = 28;
constexpr flatbuffers::voffset_t kLeafRulesBeginField = 29;
constexpr flatbuffers::voffset_t kLeafRulesField = 30;
constexpr flatbuffers::voffset_t kPartBeginField = 31;
constexpr flatbuffers::voffset_t kPartsField = 32;
constexpr flatbuffers::voffset_t kPartPoolField = 33;
constexpr flatbuffers::voffset_t kRuleTargetsField = 10;
constexpr flatbuffers::voffset_t kRuleRangesField = 34;
constexpr flatbuffers::voffset_t kRulePoolField = 35;
constexpr flatbuffers::voffset_t kFormulaField = 36;
constexpr flatbuffers::voffset_t kInputsField = 11;
constexpr flatbuffers::voffset_t kInputLiteralMatchBeginField = 7;
constexpr flatbuffers::voffset_t kInputLiteralMatchField = 8;
constexpr flatbuffers::voffset_t kExplainAttrsField = 37;
constexpr flatbuffers::voffset_t kExplainGuardsField = 38;
constexpr flatbuffers::voffset_t kExplainPoolField = 39;

const uint8_t* Base(const std::string& body) {
  return reinterpret_cast<const uint8_t*>(body.data());
}
const flatbuffers::Table* Root(const std::string& body) {
  return flatbuffers::GetRoot<flatbuffers::Table>(Base(body));
}
// The vector of tables or strings (T) in field `id` of the root table.
template <typename T>
const flatbuffers::Vector<flatbuffers::Offset<T>>* RootVector(
    const std::string& body, flatbuffers::voffset_t id) {
  return Root(body)
      ->GetPointer<const flatbuffers::Vector<flatbuffers::Offset<T>>*>(
          flatbuffers::FieldIndexToOffset(id));
}
// Byte position of element 0 of the uint vector in field `id` of `table`.
size_t VectorAt(const std::string& body, const flatbuffers::Table* table,
                flatbuffers::voffset_t id) {
  const auto* v = table->GetPointer<const flatbuffers::Vector<uint32_t>*>(
      flatbuffers::FieldIndexToOffset(id));
  EXPECT_NE(v, nullptr) << "field " << id;
  return v == nullptr ? 0 : static_cast<size_t>(v->Data() - Base(body));
}
uint32_t U32At(const std::string& body, size_t at) {
  uint32_t v = 0;
  for (int k = 3; k >= 0; --k)
    v = v << 8 | static_cast<unsigned char>(body[at + k]);
  return v;
}
void PutU32At(std::string* body, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) (*body)[at + k] = static_cast<char>(v >> (8 * k));
}
// Marks field `id` of `table` (a table inside `body`) absent: zeroes its
// vtable entry.
void DropField(std::string* body, const flatbuffers::Table* table,
               flatbuffers::voffset_t id) {
  const size_t vt = static_cast<size_t>(table->GetVTable() - Base(*body));
  const size_t entry = vt + flatbuffers::FieldIndexToOffset(id);
  const size_t vtable_bytes = U32At(*body, vt) & 0xffff;
  ASSERT_LE(entry + 2, vt + vtable_bytes) << "field " << id;
  (*body)[entry] = 0;
  (*body)[entry + 1] = 0;
}

// A layered random policy: at least one app split in two layers.
struct Layered {
  Compiled c;
  std::string bytes;
  int32_t layered_app = -1;
  int32_t layer_leaf = -1;  // A leaf with two merge parts or more.
};
Layered MakeLayered() {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Layered l;
    l.c = Make(seed, 60, /*layered=*/true);
    const CompiledPolicy::Impl& im = l.c.compiled->impl();
    for (size_t a = 0; a < im.apps.size() && l.layered_app < 0; ++a) {
      if (!im.apps[a].layer_roots.empty())
        l.layered_app = static_cast<int32_t>(a);
    }
    for (size_t f = 1; f + 1 < im.part_begin.size(); ++f) {
      if (im.part_begin[f + 1] - im.part_begin[f] >= 2) {
        l.layer_leaf = static_cast<int32_t>(f);
        break;
      }
    }
    if (l.layered_app >= 0 && l.layer_leaf >= 0) {
      l.bytes = WriteSnapshot(*l.c.compiled);
      return l;
    }
  }
  ADD_FAILURE() << "no random policy compiled into layers with "
                   "layer_min_rules = 1";
  return Layered{};
}

// The mutated FlatBuffer fails the semantic check, for the reason `want`.
void ExpectDataLoss(const std::string& body, const std::string& what,
                    const std::string& want) {
  auto loaded = LoadSnapshot(Frame(body));
  ASSERT_FALSE(loaded.ok()) << what << " was accepted";
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss)
      << what << ": " << loaded.status();
  const std::string message(loaded.status().message());
  EXPECT_NE(message.find("snapshot is inconsistent"), std::string::npos)
      << what << ": " << message;
  EXPECT_NE(message.find(want), std::string::npos) << what << ": " << message;
}

// `body` with the 32-bit word at byte `at` set to `v` fails the semantic
// check for the reason `want`.
void ExpectWordDataLoss(const std::string& body, size_t at, uint32_t v,
                        const std::string& what, const std::string& want) {
  std::string mutated = body;
  PutU32At(&mutated, at, v);
  ExpectDataLoss(mutated, what, want);
}
// `body` without field `id` of its root table fails the semantic check for
// the reason `want`.
void ExpectDroppedFieldDataLoss(const std::string& body,
                                flatbuffers::voffset_t id,
                                const std::string& want) {
  std::string mutated = body;
  DropField(&mutated, Root(mutated), id);
  ExpectDataLoss(mutated, "snapshot without field " + std::to_string(id), want);
}

// A layered policy survives the round trip: same layers, same leaf rules,
// same rule targets, the same bytes when written again, and the same
// answers for every person (differential against the fresh compile).
TEST(SnapshotFormat3Test, Spec9LayeredPolicyRoundTrips) {
  int layered_policies = 0, compared = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Compiled c = Make(seed, 60, /*layered=*/true);
    const CompiledPolicy::Impl& fresh = c.compiled->impl();
    bool layered = false;
    for (const AppDag& a : fresh.apps) layered |= !a.layer_roots.empty();
    layered_policies += layered;
    const std::string bytes = WriteSnapshot(*c.compiled);
    auto loaded = LoadSnapshot(bytes);
    ASSERT_TRUE(loaded.ok()) << "seed " << seed << ": " << loaded.status();
    EXPECT_EQ(WriteSnapshot(**loaded), bytes) << "seed " << seed;
    const CompiledPolicy::Impl& back = (*loaded)->impl();
    ASSERT_EQ(back.apps.size(), fresh.apps.size());
    for (size_t a = 0; a < fresh.apps.size(); ++a) {
      EXPECT_EQ(back.apps[a].root, fresh.apps[a].root);
      EXPECT_EQ(back.apps[a].layer_roots, fresh.apps[a].layer_roots);
    }
    // The leaves' rules served to build the parts and are gone.
    EXPECT_TRUE(fresh.leaf_rules.empty() && back.leaf_rules.empty());
    // Format 4 on stores the merge parts derived at compile time.
    EXPECT_EQ(back.part_begin, fresh.part_begin);
    EXPECT_EQ(back.part_pool, fresh.part_pool);
    ASSERT_EQ(back.parts.size(), fresh.parts.size());
    for (size_t i = 0; i < fresh.parts.size(); ++i) {
      const auto& x = back.parts[i];
      const auto& y = fresh.parts[i];
      EXPECT_TRUE(std::tie(x.instance, x.level, x.priority, x.expiry_literal,
                           x.reasons_begin, x.reasons_count, x.scopes_begin,
                           x.scopes_count, x.attrs_begin, x.attrs_count,
                           x.never_expires) ==
                  std::tie(y.instance, y.level, y.priority, y.expiry_literal,
                           y.reasons_begin, y.reasons_count, y.scopes_begin,
                           y.scopes_count, y.attrs_begin, y.attrs_count,
                           y.never_expires))
          << "seed " << seed << ", part " << i;
    }
    const auto& want_rules = c.compiled->policy().rules();
    const auto& got_rules = (*loaded)->policy().rules();
    ASSERT_EQ(got_rules.size(), want_rules.size());
    for (size_t r = 0; r < want_rules.size(); ++r) {
      ASSERT_EQ(got_rules[r].targets.size(), want_rules[r].targets.size());
      for (size_t t = 0; t < want_rules[r].targets.size(); ++t) {
        EXPECT_EQ(got_rules[r].targets[t].instance,
                  want_rules[r].targets[t].instance);
        EXPECT_EQ(got_rules[r].targets[t].level,
                  want_rules[r].targets[t].level);
        EXPECT_EQ(got_rules[r].targets[t].scopes,
                  want_rules[r].targets[t].scopes);
      }
    }
    ExpectSameAnswers(**loaded, c, seed, &compared);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(layered_policies, 0)
      << "layer_min_rules = 1 produced no layered app";
  EXPECT_GE(compared, 2000);
}

// The bundled company, compiled in layers, loads back with the same
// answers.
TEST(SnapshotFormat3Test, Spec9LayeredAcmeRoundTrips) {
  auto world = testing::LoadAcmeWorld(BIRTHRIGHT_SOURCE_DIR, "acme", "v1");
  ASSERT_TRUE(world.ok()) << world.status();
  CompileOptions options;
  options.layer_min_rules = 1;
  options.one_dag_nodes_per_rule = 0;
  auto compiled = CompiledPolicy::Compile(world->bound, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  int layered = 0;
  for (const AppDag& a : (*compiled)->impl().apps)
    layered += !a.layer_roots.empty();
  EXPECT_GT(layered, 0);
  const std::string bytes = WriteSnapshot(**compiled);
  auto loaded = LoadSnapshot(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(WriteSnapshot(**loaded), bytes);
  const Date as_of = *ParseIsoDate("2026-11-26");
  for (const Person& p : world->people.people) {
    ASSERT_EQ(DecisionToJson((*loaded)->Evaluate(p, as_of)),
              DecisionToJson((*compiled)->Evaluate(p, as_of)))
        << p.id;
  }
}

// Formats 1 and 2 have no layers: every layer root is the empty leaf and
// no leaf has merge parts.
TEST(SnapshotFormat3Test, Spec9OlderFormatsLoadWithoutLayers) {
  for (const char* file : {"/tests/testdata/acme-format1.brs",
                           "/fuzz/corpus/snapshot/acme-format2.brs"}) {
    const std::string path = std::string(BIRTHRIGHT_SOURCE_DIR) + file;
    auto info = LoadSnapshotFile(path);
    ASSERT_TRUE(info.ok()) << path << ": " << info.status();
    const CompiledPolicy::Impl& im = (*info)->impl();
    ASSERT_FALSE(im.apps.empty());
    for (const AppDag& a : im.apps) EXPECT_TRUE(a.layer_roots.empty()) << file;
    EXPECT_EQ(im.part_begin, std::vector<uint32_t>(im.leaves.size() + 1, 0))
        << file;
    EXPECT_TRUE(im.parts.empty()) << file;
    // Written again, it is the current format and loads.
    const std::string bytes = WriteSnapshot(**info);
    auto again = InspectSnapshot(bytes);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->format_version, kSnapshotFormatVersion);
    EXPECT_TRUE(LoadSnapshot(bytes).ok()) << file;
  }
}

TEST(SnapshotFormat3Test, Spec9LayerRootOutOfRangeIsDataLoss) {
  Layered l = MakeLayered();
  ASSERT_GE(l.layered_app, 0);
  const CompiledPolicy::Impl& im = l.c.compiled->impl();
  const std::string body = Body(l.bytes);
  const size_t at = VectorAt(body, Root(body), kLayerRootsField) +
                    4 * static_cast<size_t>(l.layered_app);
  const uint32_t root = im.apps[l.layered_app].layer_roots[0];
  ASSERT_EQ(U32At(body, at), root);
  const uint32_t code_size = static_cast<uint32_t>(im.code.size());
  for (uint32_t bad :
       {kLeafBit | static_cast<uint32_t>(im.leaves.size()), code_size,
        root & kLeafBit ? code_size - 1  // Not the start of a node.
                        : root + 1}) {
    std::string mutated = body;
    PutU32At(&mutated, at, bad);
    ExpectDataLoss(mutated, "layer root " + std::to_string(bad),
                   "app layer root");
  }
  // In range, it loads (the mutation above is what was rejected).
  EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
}

// Format 4: apps split into more than two layers store their further
// roots rank-major; they round-trip, answer alike, and a layer-root vector
// whose length is not a multiple of the apps' is rejected.
TEST(SnapshotFormat4Test, Spec9DeepLayersRoundTrip) {
  int deep_apps = 0, compared = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    Compiled c = Make(seed, 80, /*layered=*/true, /*split_min_rules=*/2);
    ASSERT_NE(c.compiled, nullptr);
    const CompiledPolicy::Impl& fresh = c.compiled->impl();
    size_t ranks = 0;
    for (const AppDag& a : fresh.apps) {
      deep_apps += a.layer_roots.size() >= 2;
      ranks = std::max(ranks, a.layer_roots.size());
    }
    const std::string bytes = WriteSnapshot(*c.compiled);
    auto loaded = LoadSnapshot(bytes);
    ASSERT_TRUE(loaded.ok()) << "seed " << seed << ": " << loaded.status();
    EXPECT_EQ(WriteSnapshot(**loaded), bytes) << "seed " << seed;
    const CompiledPolicy::Impl& back = (*loaded)->impl();
    for (size_t a = 0; a < fresh.apps.size(); ++a)
      EXPECT_EQ(back.apps[a].layer_roots, fresh.apps[a].layer_roots);
    EXPECT_EQ((*loaded)->stats().layers, c.compiled->stats().layers);
    ExpectSameAnswers(**loaded, c, seed, &compared);
    if (HasFatalFailure()) return;
    if (ranks < 2) continue;
    // One entry fewer: the vector no longer divides into ranks.
    std::string body = Body(bytes);
    const size_t data = VectorAt(body, Root(body), kLayerRootsField);
    const uint32_t n = U32At(body, data - 4);
    ASSERT_EQ(n, ranks * fresh.apps.size());
    PutU32At(&body, data - 4, n - 1);
    ExpectDataLoss(body, "layer roots of a partial rank",
                   "layer roots do not match the apps");
  }
  EXPECT_GT(deep_apps, 5) << "no app compiled into three or more layers";
  EXPECT_GE(compared, 1000);
}

// Formats 3 and 4 store the applying rules of layer leaves (format 5
// keeps only their merge parts); the bundled layered seeds of both formats
// are mutated here.
struct LeafRuleSeed {
  std::string file;
  std::string body;
  size_t begin = 0, entries = 0;  // Byte positions of the two vectors.
  std::vector<uint32_t> rule_begin, rules;
  int32_t layer_leaf = -1;  // A leaf with two rules or more.
  int32_t policy_rules = 0;
};
std::vector<LeafRuleSeed> LeafRuleSeeds() {
  std::vector<LeafRuleSeed> seeds;
  for (const char* name :
       {"acme-format3-layered.brs", "acme-format4-layered.brs"}) {
    LeafRuleSeed seed;
    seed.file =
        std::string(BIRTHRIGHT_SOURCE_DIR) + "/fuzz/corpus/snapshot/" + name;
    auto loaded = LoadSnapshotFile(seed.file);
    EXPECT_TRUE(loaded.ok()) << seed.file << ": " << loaded.status();
    if (!loaded.ok()) continue;
    seed.policy_rules =
        static_cast<int32_t>((*loaded)->policy().rules().size());
    std::ifstream in(seed.file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    seed.body = Body(bytes.str());
    seed.begin = VectorAt(seed.body, Root(seed.body), kLeafRulesBeginField);
    seed.entries = VectorAt(seed.body, Root(seed.body), kLeafRulesField);
    const uint32_t n_begin = U32At(seed.body, seed.begin - 4);
    const uint32_t n_rules = U32At(seed.body, seed.entries - 4);
    for (uint32_t i = 0; i < n_begin; ++i)
      seed.rule_begin.push_back(U32At(seed.body, seed.begin + 4 * i));
    for (uint32_t i = 0; i < n_rules; ++i)
      seed.rules.push_back(U32At(seed.body, seed.entries + 4 * i));
    for (size_t f = 1; f + 1 < seed.rule_begin.size(); ++f) {
      if (seed.rule_begin[f + 1] - seed.rule_begin[f] >= 2) {
        seed.layer_leaf = static_cast<int32_t>(f);
        break;
      }
    }
    EXPECT_GE(seed.layer_leaf, 0) << seed.file << ": no leaf with two rules";
    EXPECT_GE(seed.rule_begin.size(), 4u) << seed.file;
    if (seed.layer_leaf >= 0 && seed.rule_begin.size() >= 4)
      seeds.push_back(std::move(seed));
  }
  EXPECT_EQ(seeds.size(), 2u);
  return seeds;
}

TEST(SnapshotFormat3Test, Spec9LeafRuleIndexMustBeMonotone) {
  for (const LeafRuleSeed& seed : LeafRuleSeeds()) {
    SCOPED_TRACE(seed.file);
    const std::string& body = seed.body;
    const size_t n = seed.rule_begin.size() - 1;  // Leaves.
    {
      // The range of leaf 2 ends before it starts.
      std::string mutated = body;
      PutU32At(&mutated, seed.begin + 4 * 2, seed.rule_begin[3] + 1);
      ExpectDataLoss(mutated, "decreasing leaf rule index", "decreases");
    }
    {
      std::string mutated = body;
      PutU32At(&mutated, seed.begin + 4 * n,
               static_cast<uint32_t>(seed.rules.size()) - 1);
      ExpectDataLoss(mutated, "leaf rule index ending early",
                     "leaf rule index end");
    }
    {
      std::string mutated = body;
      PutU32At(&mutated, seed.begin, 1);
      ExpectDataLoss(mutated, "leaf rule index not starting at 0",
                     "leaf 0 has rules");
    }
    // Unmutated, it loads (the mutations above are what was rejected).
    EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
  }
}

TEST(SnapshotFormat3Test, Spec9LeafRuleEntriesAreChecked) {
  for (const LeafRuleSeed& seed : LeafRuleSeeds()) {
    SCOPED_TRACE(seed.file);
    const std::string& body = seed.body;
    const uint32_t first = seed.rule_begin[seed.layer_leaf];
    const size_t at = seed.entries + 4 * static_cast<size_t>(first);
    const uint32_t e0 = seed.rules[first];
    const uint32_t e1 = seed.rules[first + 1];
    ASSERT_LT(e0, e1);
    {
      std::string mutated = body;
      PutU32At(&mutated, at, LayerRule(seed.policy_rules, (e0 & 1) != 0));
      ExpectDataLoss(mutated, "rule index out of range", "rule index");
    }
    {
      std::string mutated = body;
      PutU32At(&mutated, at, e0 ^ 1);
      ExpectDataLoss(mutated, "deny bit contradicting the rule's effect",
                     "rule effect");
    }
    {
      // Swapped: the leaf's rules no longer ascend.
      std::string mutated = body;
      PutU32At(&mutated, at, e1);
      PutU32At(&mutated, at + 4, e0);
      ExpectDataLoss(mutated, "unsorted leaf rules", "rules unsorted");
    }
    {
      // Leaf 0 (the empty outcome) takes the first range: rules on leaf 0.
      std::string mutated = body;
      PutU32At(&mutated, seed.begin + 4, 1);
      ExpectDataLoss(mutated, "rules on leaf 0", "leaf 0 has rules");
    }
  }
}

// Format 5 writes no leaf rules: a layer leaf's merge parts say all a
// merge reads.
TEST(SnapshotFormat5Test, Spec9LeafRulesAreNotStored) {
  Layered l = MakeLayered();
  ASSERT_GE(l.layer_leaf, 0);
  const std::string body = Body(l.bytes);
  for (flatbuffers::voffset_t id : {kLeafRulesBeginField, kLeafRulesField}) {
    EXPECT_EQ(
        Root(body)->GetOptionalFieldOffset(flatbuffers::FieldIndexToOffset(id)),
        0)
        << "field " << id;
  }
  EXPECT_GT(l.c.compiled->impl().parts.size(), 0u);
}

// A grant in a leaf's rules must be valid: an invalid grant never applies.
// Format 4's merge parts are checked before a merge may read them: the
// index, each record's instance, level and ranges, its reasons (valid
// grants, ascending) and its scopes.
TEST(SnapshotFormat4Test, Spec9MergePartsAreChecked) {
  Layered l = MakeLayered();
  ASSERT_GE(l.layer_leaf, 0);
  const CompiledPolicy::Impl& im = l.c.compiled->impl();
  const std::string body = Body(l.bytes);
  const size_t begin = VectorAt(body, Root(body), kPartBeginField);
  const size_t parts = VectorAt(body, Root(body), kPartsField);
  const size_t pool = VectorAt(body, Root(body), kPartPoolField);
  // A grant part (level >= 0) with a reason and a scope, and its leaf.
  size_t grant = im.parts.size(), leaf = 0;
  for (size_t i = 0; i < im.parts.size() && grant == im.parts.size(); ++i) {
    if (im.parts[i].level >= 0 && im.parts[i].reasons_count > 0) grant = i;
  }
  ASSERT_LT(grant, im.parts.size()) << "no grant part";
  while (im.part_begin[leaf + 1] <= grant) ++leaf;
  constexpr size_t kPartBytes = 44;  // Eleven 4-byte fields (bool padded).
  const size_t at = parts + kPartBytes * grant;
  const auto& part = im.parts[grant];
  ASSERT_EQ(U32At(body, at), static_cast<uint32_t>(part.instance));
  const size_t n = im.leaves.size();
  ExpectWordDataLoss(body, begin + 4 * n,
                     static_cast<uint32_t>(im.parts.size()) + 1,
                     "part index past the end", "part index end");
  ASSERT_GE(n, 3u);
  ExpectWordDataLoss(body, begin + 4 * (n - 1),
                     static_cast<uint32_t>(im.parts.size()) + 1,
                     "decreasing part index", "decreases");
  ExpectWordDataLoss(body, begin + 4, 1, "parts on leaf 0", "leaf 0 has parts");
  ExpectWordDataLoss(
      body, at,
      static_cast<uint32_t>(l.c.compiled->policy().instances().size()),
      "part instance out of range", ": instance");
  ExpectWordDataLoss(body, at + 4, 99, "part level out of range", ": level");
  {
    // The never_expires byte becomes a bool: only 0 and 1 are values.
    std::string mutated = body;
    mutated[at + 40] = 2;
    ExpectDataLoss(mutated, "part expiry flag 2", ": expiry flag");
  }
  {
    // Likewise a leaf entitlement's (field 18, 40-byte structs, flag at 24).
    ASSERT_FALSE(im.leaf_ents.empty());
    std::string mutated = body;
    mutated[VectorAt(body, Root(body), kLeafEntsField) + 24] = 2;
    ExpectDataLoss(mutated, "leaf entitlement expiry flag 2",
                   "leaf expiry flag");
  }
  ExpectWordDataLoss(body, at + 20,
                     static_cast<uint32_t>(im.part_pool.size()) + 1,
                     "reasons past the pool", ": range");
  ExpectWordDataLoss(
      body, pool + 4 * part.reasons_begin,
      static_cast<uint32_t>(l.c.compiled->policy().rules().size()),
      "reason out of range", ": reasons");
  if (grant + 1 < im.part_begin[leaf + 1] && part.instance > 0) {
    // The next part of the leaf, moved before this one.
    ExpectWordDataLoss(body, at + kPartBytes,
                       static_cast<uint32_t>(part.instance - 1),
                       "unsorted parts", ": unsorted");
  }
  for (size_t i = 0; i < im.parts.size(); ++i) {
    if (im.parts[i].scopes_count == 0) continue;
    ExpectWordDataLoss(body, pool + 4 * im.parts[i].scopes_begin,
                       static_cast<uint32_t>(im.scopes.size()),
                       "scope id out of range", ": scope");
    break;
  }
  ExpectDroppedFieldDataLoss(body, kPartsField, "without merge parts");
  // Unmutated, it loads (the mutations above are what was rejected).
  EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
}

// Clears the stored `valid` of rule `r` in `body` (field 6 of Rule, stored
// since true).
void ClearRuleValid(std::string* body, int32_t r) {
  const auto* rules = RootVector<flatbuffers::Table>(*body, kRulesField);
  ASSERT_NE(rules, nullptr);
  const flatbuffers::Table* rule =
      rules->Get(static_cast<flatbuffers::uoffset_t>(r));
  const flatbuffers::voffset_t field =
      rule->GetOptionalFieldOffset(flatbuffers::FieldIndexToOffset(6));
  ASSERT_NE(field, 0);
  const size_t at = static_cast<size_t>(reinterpret_cast<const uint8_t*>(rule) -
                                        Base(*body)) +
                    field;
  ASSERT_EQ((*body)[at], 1);
  (*body)[at] = 0;
}

TEST(SnapshotFormat3Test, Spec9LeafGrantByInvalidRuleIsDataLoss) {
  for (const LeafRuleSeed& seed : LeafRuleSeeds()) {
    SCOPED_TRACE(seed.file);
    int32_t grant = -1;
    for (uint32_t e : seed.rules) {
      if ((e & 1) == 0) grant = static_cast<int32_t>(e >> 1);
    }
    ASSERT_GE(grant, 0) << "no grant in any leaf's rules";
    std::string mutated = seed.body;
    ClearRuleValid(&mutated, grant);
    if (HasFatalFailure()) return;
    ExpectDataLoss(mutated, "grant by an invalid rule", "invalid rule");
  }
}

// From format 4 on, a merge part's reasons must be valid grants too.
TEST(SnapshotFormat4Test, Spec9PartGrantByInvalidRuleIsDataLoss) {
  Layered l = MakeLayered();
  ASSERT_GE(l.layer_leaf, 0);
  const CompiledPolicy::Impl& im = l.c.compiled->impl();
  int32_t grant = -1;
  for (const auto& p : im.parts) {
    if (p.level >= 0 && p.reasons_count > 0)
      grant = static_cast<int32_t>(im.part_pool[p.reasons_begin]);
  }
  ASSERT_GE(grant, 0) << "no grant in any leaf's parts";
  std::string mutated = Body(l.bytes);
  ClearRuleValid(&mutated, grant);
  if (HasFatalFailure()) return;
  ExpectDataLoss(mutated, "part reason by an invalid rule", ": reasons");
}

// Format 5 stores the rules as atoms flat (RuleRanges, rule_pool,
// FormulaNode): every range, atom, attribute and formula node is checked
// before the missing-attribute explanation may read it.
TEST(SnapshotFormat5Test, Spec9RuleFormulasAreChecked) {
  // A rule whose `unless` has children (not a bare predicate).
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Compiled c = Make(seed, 40);
    const CompiledPolicy::Impl& im = c.compiled->impl();
    int32_t rule = -1;
    for (size_t r = 0; r < im.rules.size() && rule < 0; ++r) {
      if (im.rules[r].unless_count >= 2 && im.rules[r].cond_count >= 1 &&
          im.rules[r].missing_count >= 1)
        rule = static_cast<int32_t>(r);
    }
    if (rule < 0) continue;
    const RuleInfo& info = im.rules[rule];
    const std::string body = Body(WriteSnapshot(*c.compiled));
    const size_t ranges = VectorAt(body, Root(body), kRuleRangesField) +
                          32 * static_cast<size_t>(rule);
    const size_t pool = VectorAt(body, Root(body), kRulePoolField);
    const size_t root = VectorAt(body, Root(body), kFormulaField) +
                        16 * static_cast<size_t>(info.unless_begin);
    ASSERT_EQ(U32At(body, ranges), info.cond_begin);
    ASSERT_EQ(U32At(body, root + 12),
              im.formula[info.unless_begin].children_count);
    const uint32_t pool_size = static_cast<uint32_t>(im.rule_pool.size());
    ExpectWordDataLoss(body, ranges, pool_size, "condition atoms past the pool",
                       "rule formula range");
    ExpectWordDataLoss(body, ranges + 28,
                       static_cast<uint32_t>(im.formula.size()) + 1,
                       "unless past the formula table", "rule formula range");
    ExpectWordDataLoss(body, pool + 4 * info.cond_begin,
                       static_cast<uint32_t>(im.atoms.size()),
                       "condition atom out of range", "condition atom");
    ExpectWordDataLoss(
        body, pool + 4 * info.missing_begin,
        static_cast<uint32_t>(c.compiled->policy().attributes().size()),
        "missing attribute out of range", "condition attribute");
    ExpectWordDataLoss(body, root, 7, "formula kind out of range",
                       "formula kind");
    // The root's first child points back at the root: a cycle.
    ExpectWordDataLoss(body,
                       pool + 4 * im.formula[info.unless_begin].children_begin,
                       0, "formula child before its parent", "formula child");
    ExpectWordDataLoss(body, root + 8, pool_size,
                       "formula children past the pool",
                       "formula children range");
    ExpectDroppedFieldDataLoss(body, kRulePoolField,
                               "format " +
                                   std::to_string(kSnapshotFormatVersion) +
                                   " without rule formulas");
    // Unmutated, it loads (the mutations above are what was rejected).
    EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
    return;
  }
  FAIL() << "no random policy has a rule with a compound `unless`";
}

// Format 5 stores the missing-attribute explanation index instead of
// rebuilding it on load: it round-trips, and its ranges, offsets, guard
// variables and rule indices are checked.
TEST(SnapshotFormat5Test, Spec9ExplainIndexRoundTripsAndIsChecked) {
  Compiled c = Make(3, 60);
  const CompiledPolicy::Impl& im = c.compiled->impl();
  const std::string bytes = WriteSnapshot(*c.compiled);
  auto loaded = LoadSnapshot(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const CompiledPolicy::Impl& back = (*loaded)->impl();
  ASSERT_EQ(back.explain.size(), im.explain.size());
  for (size_t a = 0; a < im.explain.size(); ++a) {
    const auto& x = back.explain[a];
    const auto& y = im.explain[a];
    EXPECT_TRUE(std::tie(x.guards_begin, x.guards_count, x.unguarded_at,
                         x.unguarded_count) ==
                std::tie(y.guards_begin, y.guards_count, y.unguarded_at,
                         y.unguarded_count))
        << "attribute " << a;
  }
  ASSERT_EQ(back.explain_guards.size(), im.explain_guards.size());
  for (size_t g = 0; g < im.explain_guards.size(); ++g) {
    const auto& x = back.explain_guards[g];
    const auto& y = im.explain_guards[g];
    EXPECT_TRUE(std::tie(x.var, x.begin_at, x.rules_at) ==
                std::tie(y.var, y.begin_at, y.rules_at))
        << "guard " << g;
  }
  EXPECT_EQ(back.explain_pool, im.explain_pool);
  ASSERT_FALSE(im.explain_guards.empty()) << "no guarded rule";
  // The first attribute with unguarded rules, and the first guard.
  size_t attr = 0;
  while (attr < im.explain.size() && im.explain[attr].unguarded_count == 0)
    ++attr;
  ASSERT_LT(attr, im.explain.size()) << "no unguarded rule";
  const std::string body = Body(bytes);
  const size_t attrs = VectorAt(body, Root(body), kExplainAttrsField);
  const size_t guards = VectorAt(body, Root(body), kExplainGuardsField);
  const size_t pool = VectorAt(body, Root(body), kExplainPoolField);
  const auto& guard = im.explain_guards[0];
  ASSERT_EQ(U32At(body, guards + 4), guard.begin_at);
  const uint32_t pool_size = static_cast<uint32_t>(im.explain_pool.size());
  const uint32_t nrules = static_cast<uint32_t>(im.rules.size());
  ExpectWordDataLoss(body, attrs + 16 * attr + 4,
                     static_cast<uint32_t>(im.explain_guards.size()) + 1,
                     "guards past the table", "explanation guards range");
  ExpectWordDataLoss(body, pool + 4 * im.explain[attr].unguarded_at, nrules,
                     "unguarded rule out of range", "explanation rules");
  ExpectWordDataLoss(body, guards, static_cast<uint32_t>(im.vars.size()),
                     "guard variable out of range",
                     "explanation guard variable");
  ExpectWordDataLoss(body, guards + 4, pool_size, "guard offsets past the pool",
                     "explanation guard range");
  ExpectWordDataLoss(body, pool + 4 * guard.begin_at, 1,
                     "guard offsets not from 0", "explanation guard offsets");
  ExpectWordDataLoss(body, guards + 8, pool_size, "guard rules past the pool",
                     "explanation rules");
  ExpectDroppedFieldDataLoss(body, kExplainPoolField,
                             "without the explanation index");
  // Unmutated, it loads (the mutations above are what was rejected).
  EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
}

// Format 5 stores each input's pattern bits per literal class, so a load
// need not run RE2 over every literal; they round-trip and are checked.
TEST(SnapshotFormat5Test, Spec9LiteralMatchesRoundTripAndAreChecked) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Compiled c = Make(seed, 60);
    const CompiledPolicy::Impl& im = c.compiled->impl();
    size_t input = 0;
    while (input < im.inputs.size() && im.inputs[input].literal_match.empty())
      ++input;
    if (input == im.inputs.size()) continue;
    const AttrInput& in = im.inputs[input];
    const std::string bytes = WriteSnapshot(*c.compiled);
    auto loaded = LoadSnapshot(bytes);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    for (size_t i = 0; i < im.inputs.size(); ++i) {
      EXPECT_EQ((*loaded)->impl().inputs[i].literal_match_begin,
                im.inputs[i].literal_match_begin);
      EXPECT_EQ((*loaded)->impl().inputs[i].literal_match,
                im.inputs[i].literal_match);
    }
    const std::string body = Body(bytes);
    const auto* inputs = RootVector<flatbuffers::Table>(body, kInputsField);
    ASSERT_NE(inputs, nullptr);
    const flatbuffers::Table* table =
        inputs->Get(static_cast<flatbuffers::uoffset_t>(input));
    const size_t begin = VectorAt(body, table, kInputLiteralMatchBeginField);
    const size_t bits = VectorAt(body, table, kInputLiteralMatchField);
    ExpectWordDataLoss(body, bits,
                       static_cast<uint32_t>(in.pattern_vars.size()),
                       "pattern bit out of range", "literal match");
    ExpectWordDataLoss(body, begin + 4 * 2, 1, "a match on the \"other\" class",
                       "literal match index");
    // A middle offset past the end (the last one still right): found by
    // fuzz_snapshot reading past the matches before the fix.
    ExpectWordDataLoss(body, begin + 4 * 3, 0x10000,
                       "a middle offset overshoots", "literal match index");
    ExpectWordDataLoss(body, begin + 4 * (in.literal_match_begin.size() - 1),
                       static_cast<uint32_t>(in.literal_match.size()) + 1,
                       "index past the matches", "literal match index");
    // Unmutated, it loads (the mutations above are what was rejected).
    EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
    return;
  }
  FAIL() << "no random policy has a pattern matching a literal";
}

// Regression (fuzz_snapshot): a literal-match index whose middle offset
// overshot, the last still equal to the size, let a class's range run past
// the matches; the check read it before checking the whole index. The
// input is fuzz/corpus/snapshot/regression-literal-match-index-overshoot,
// whose trailer the fuzzer recomputes, as here.
TEST(SnapshotFormat5Test, RegressionLiteralMatchIndexOvershoot) {
  const std::string path =
      std::string(BIRTHRIGHT_SOURCE_DIR) +
      "/fuzz/corpus/snapshot/regression-literal-match-index-overshoot";
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  ASSERT_GT(bytes.str().size(), kTrailerBytes) << path;
  ExpectDataLoss(Body(bytes.str()), "the fuzzer's input",
                 "literal match index");
}

// Every sparse node of `code` has its exceptions padded to groups of four
// (src/compile/dag.h); returns how many sparse nodes there are.
int CheckPadded(const std::vector<uint32_t>& code, const std::string& what) {
  int sparse = 0;
  for (size_t at = 0; at < code.size(); at += NodeWords(&code[at])) {
    const uint32_t* n = &code[at];
    if (!NodeSparse(n)) continue;
    ++sparse;
    EXPECT_EQ(n[1] % 4, 0u) << what << ": node at " << at;
  }
  return sparse;
}

// Format 6 pads sparse nodes; the load checks the padding, since the
// grouped select (NodeChild) reads whole groups of four.
TEST(SnapshotFormat6Test, Spec9SparseNodePaddingIsChecked) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Compiled c = Make(seed, 60);
    const std::vector<uint32_t>& code = c.compiled->impl().code;
    // A sparse node with one real exception and three pads.
    size_t node = code.size();
    for (size_t at = 0; at < code.size(); at += NodeWords(&code[at])) {
      const uint32_t* n = &code[at];
      if (NodeSparse(n) && n[1] == 4 && n[4] == kPadClass) {
        node = at;
        break;
      }
    }
    if (node == code.size()) continue;
    EXPECT_GT(CheckPadded(code, "compiled"), 0);
    const std::string body = Body(WriteSnapshot(*c.compiled));
    const size_t at = VectorAt(body, Root(body), kCodeField) + 4 * node;
    const uint32_t dflt = code[node + 2];
    ExpectWordDataLoss(body, at + 4 * 1, 3, "three exceptions",
                       "node exceptions not padded");
    ExpectWordDataLoss(body, at + 4 * 3, kPadClass, "four pads",
                       "node padding");
    ExpectWordDataLoss(body, at + 4 * 9, dflt ^ 1,
                       "a pad leading elsewhere than the default",
                       "node padding");
    ExpectWordDataLoss(body, at + 4 * 5, code[node + 3],
                       "a pad class repeating the real one", "node classes");
    // Unmutated, it loads (the mutations above are what was rejected).
    EXPECT_TRUE(LoadSnapshot(Frame(body)).ok());
    return;
  }
  FAIL() << "no random policy has a sparse node with one exception";
}

// Formats 2 to 5 stored sparse nodes unpadded: their code is laid out
// again on load, and answers as before (the golden tests compare the
// decisions; here the code itself).
TEST(SnapshotFormat6Test, Spec9UnpaddedCodeIsLaidOutAgain) {
  for (const char* name :
       {"acme-format2.brs", "acme-format3-layered.brs",
        "acme-format4-layered.brs", "acme-format5-layered.brs"}) {
    const std::string path =
        std::string(BIRTHRIGHT_SOURCE_DIR) + "/fuzz/corpus/snapshot/" + name;
    auto loaded = LoadSnapshotFile(path);
    ASSERT_TRUE(loaded.ok()) << path << ": " << loaded.status();
    const CompiledPolicy::Impl& im = (*loaded)->impl();
    // The stored code has unpadded sparse nodes; the loaded code none.
    std::ifstream in(path, std::ios::binary);
    std::stringstream file;
    file << in.rdbuf();
    const std::string body = Body(file.str());
    const size_t stored_at = VectorAt(body, Root(body), kCodeField);
    std::vector<uint32_t> stored(U32At(body, stored_at - 4));
    for (size_t i = 0; i < stored.size(); ++i)
      stored[i] = U32At(body, stored_at + 4 * i);
    int unpadded = 0;
    for (size_t at = 0; at < stored.size(); at += NodeWords(&stored[at]))
      unpadded += NodeSparse(&stored[at]) && stored[at + 1] % 4 != 0;
    EXPECT_GT(unpadded, 0) << name;
    CheckPadded(im.code, name);
    int64_t nodes = 0, edges = 0;
    CountCode(im.code, &nodes, &edges);
    EXPECT_EQ(im.stats.nodes, nodes) << name;
    EXPECT_EQ(im.stats.edges, edges) << name;
    // Written again it is format 6, and the same code comes back.
    const std::string bytes = WriteSnapshot(**loaded);
    auto again = LoadSnapshot(bytes);
    ASSERT_TRUE(again.ok()) << name << ": " << again.status();
    EXPECT_EQ((*again)->impl().code, im.code) << name;
  }
}

// Every scope a valid rule grants is interned (the evaluator's merge looks
// scopes up by string).
TEST(SnapshotFormat3Test, Spec9UninternedTargetScopeIsDataLoss) {
  Layered l = MakeLayered();
  ASSERT_GE(l.layered_app, 0);
  const CompiledPolicy::Impl& im = l.c.compiled->impl();
  const auto& rules = l.c.compiled->policy().rules();
  std::string scope;
  for (const BoundRule& r : rules) {
    for (const BoundTarget& t : r.targets) {
      if (r.valid && !t.scopes.empty() && scope.empty()) scope = t.scopes[0];
    }
  }
  ASSERT_FALSE(scope.empty()) << "no rule with a scope";
  const auto it = std::find(im.scopes.begin(), im.scopes.end(), scope);
  ASSERT_NE(it, im.scopes.end());
  const std::string body = Body(l.bytes);
  const auto* scopes = RootVector<flatbuffers::String>(body, kScopesField);
  ASSERT_NE(scopes, nullptr);
  const flatbuffers::String* stored =
      scopes->Get(static_cast<flatbuffers::uoffset_t>(it - im.scopes.begin()));
  ASSERT_EQ(stored->str(), scope);
  // Same length, valid UTF-8, no longer the rule's spelling.
  std::string mutated = body;
  mutated[static_cast<size_t>(stored->Data() - Base(body))] = '\x01';
  ExpectDataLoss(mutated, "scope '" + scope + "' renamed", "not interned");
}

// Formats 3 on require their vectors; without them a snapshot is corrupt,
// not an unlayered policy (a dropped deny could grant).
TEST(SnapshotFormat3Test, Spec9MissingFormat3VectorIsDataLoss) {
  for (const LeafRuleSeed& seed : LeafRuleSeeds()) {
    for (flatbuffers::voffset_t id : {kLeafRulesBeginField, kLeafRulesField}) {
      SCOPED_TRACE(seed.file);
      ExpectDroppedFieldDataLoss(seed.body, id, "without leaf rules");
    }
  }
  Layered l = MakeLayered();
  ASSERT_GE(l.layered_app, 0);
  const std::string body = Body(l.bytes);
  for (flatbuffers::voffset_t id :
       {kLayerRootsField, kPartBeginField, kPartsField, kPartPoolField}) {
    ExpectDroppedFieldDataLoss(body, id, "without");
  }
  // Rule tables share vtables: dropping one drops the targets of every
  // rule written with it.
  std::string mutated = body;
  const auto* rules = RootVector<flatbuffers::Table>(mutated, kRulesField);
  ASSERT_NE(rules, nullptr);
  ASSERT_GT(rules->size(), 0u);
  DropField(&mutated, rules->Get(0), kRuleTargetsField);
  ExpectDataLoss(mutated, "rule without targets", "without targets");
}

}  // namespace
}  // namespace birthright

namespace birthright {
namespace {

// Hot reload: readers keep evaluating while a writer swaps versions; every
// answer comes from one consistent version (run under TSan in CI).
TEST(PolicyHandleTest, ConcurrentReadersAndSwaps) {
  Compiled a = Make(11, 30);
  Compiled b = Make(12, 30);
  const std::string bytes_b = WriteSnapshot(*b.compiled);
  PolicyHandle handle(a.compiled);
  const Date as_of = *ParseIsoDate("2026-11-26");
  // Expected answers per version, per person of world a.
  std::vector<std::string> want_a, want_b;
  for (const Person& p : a.world.people.people) {
    want_a.push_back(DecisionToJson(a.compiled->Evaluate(p, as_of)));
    want_b.push_back(DecisionToJson(b.compiled->Evaluate(p, as_of)));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::atomic<int64_t> evaluations{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      size_t i = static_cast<size_t>(t);
      while (!stop.load()) {
        std::shared_ptr<const CompiledPolicy> current = handle.Current();
        const Person& p = a.world.people.people[i % want_a.size()];
        const std::string got = DecisionToJson(current->Evaluate(p, as_of));
        const std::string& want = current.get() == a.compiled.get()
                                      ? want_a[i % want_a.size()]
                                      : want_b[i % want_b.size()];
        if (current.get() == a.compiled.get() ||
            current->policy().name() == "random-12") {
          if (got != want) mismatches.fetch_add(1);
        }
        evaluations.fetch_add(1);
        ++i;
      }
    });
  }
  for (int k = 0; k < 40; ++k) {
    if (k % 2 == 0) {
      ASSERT_TRUE(handle.SwapFromSnapshot(bytes_b).ok());
    } else {
      handle.Swap(a.compiled);
    }
    EXPECT_FALSE(
        handle.SwapFromSnapshot("garbage").ok());  // Old version stays.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(evaluations.load(), 40);
  EXPECT_EQ(handle.generation(), 40u);
}

}  // namespace
}  // namespace birthright
