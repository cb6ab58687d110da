// Snapshots (SPEC §9): round trip equals a fresh compile, the bytes are
// deterministic, and any damage is detected — never a crash, never a grant.
#include "birthright/snapshot.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/policy_handle.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"
#include "util/hash.h"

namespace birthright {
namespace {

struct Compiled {
  testing::RandomWorld world;
  std::shared_ptr<const CompiledPolicy> compiled;
};

Compiled Make(uint64_t seed, int rules = 40) {
  Compiled c;
  testing::RandomPolicyOptions o;
  o.rules = rules;
  o.people = 60;
  o.apps = 5;
  c.world = testing::MakeRandomWorld(seed, o);
  BindOptions bind;
  bind.strict = false;
  auto bound = BoundPolicy::Bind(c.world.policy, &c.world.people, bind);
  EXPECT_TRUE(bound.ok()) << bound.status();
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(shared);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  c.compiled = std::move(*compiled);
  return c;
}

// Differential: a loaded snapshot answers exactly like the in-memory DAG.
TEST(SnapshotTest, Spec9LoadedSnapshotEqualsFreshCompile) {
  int compared = 0;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    Compiled c = Make(seed);
    const std::string bytes = WriteSnapshot(*c.compiled);
    auto loaded = LoadSnapshot(bytes);
    ASSERT_TRUE(loaded.ok()) << "seed " << seed << ": " << loaded.status();
    for (const char* date : {"2024-06-15", "2026-11-26", "2027-03-01"}) {
      const Date as_of = *ParseIsoDate(date);
      for (const Person& p : c.world.people.people) {
        ASSERT_EQ(DecisionToJson((*loaded)->Evaluate(p, as_of)),
                  DecisionToJson(c.compiled->Evaluate(p, as_of)))
            << "seed " << seed << " person " << p.id << " at " << date;
        ++compared;
      }
    }
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
