// Concurrency and determinism (SPEC §5; issue "Hardening" items 3 and 5).
//
// CI runs this file three ways: in the release build, in the ASan build and
// in a Debug build under ThreadSanitizer (the `tsan` preset). The golden
// digests below pin the bytes, so every build type and thread count must
// produce the same jsonl, not merely agree with itself.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "birthright/batch.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/import.h"
#include "birthright/policy_handle.h"
#include "birthright/snapshot.h"
#include "gtest/gtest.h"
#include "testing/acme.h"
#include "testing/random_policy.h"
#include "util/hash.h"

namespace birthright {
namespace {

struct Acme {
  Population people;
  std::shared_ptr<const CompiledPolicy> compiled;
};

Acme LoadAcme() {
  auto w = testing::LoadAcmeWorld(BIRTHRIGHT_SOURCE_DIR, "acme-access", "v1");
  EXPECT_TRUE(w.ok()) << w.status();
  if (!w.ok()) return {};
  auto compiled = CompiledPolicy::Compile(w->bound);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (!compiled.ok()) return {};
  return Acme{std::move(w->people), std::move(*compiled)};
}

// A larger population from acme's: copy k of person i takes each attribute
// column c from person (i + k * (c + 1)) mod n, so departments, titles,
// locations, grades and dates recombine into people the sheet never lists.
Population Recombine(const Population& base, int copies,
                     const std::string& suffix) {
  Population out;
  out.file = base.file;
  out.columns = base.columns;
  const size_t n = base.people.size();
  for (int k = 0; k < copies; ++k) {
    for (size_t i = 0; i < n; ++i) {
      Person p;
      p.id = base.people[i].id + "-" + std::to_string(k) + suffix;
      const auto& attrs = base.people[i].attributes;
      for (size_t c = 0; c < attrs.size(); ++c) {
        const Person& donor = base.people[(i + k * (c + 1)) % n];
        std::string value;
        for (const auto& [name, v] : donor.attributes) {
          if (name == attrs[c].first) value = v;
        }
        p.attributes.emplace_back(attrs[c].first, value);
      }
      out.people.push_back(std::move(p));
    }
  }
  return out;
}

std::string EvalJsonl(const CompiledPolicy& policy,
                      const std::vector<Person>& people, Date as_of,
                      int threads) {
  BatchOptions options;
  options.threads = threads;
  std::atomic<int64_t> last_done{0};
  options.progress = [&](int64_t done, int64_t total) {
    EXPECT_LE(done, total);
    last_done.store(done, std::memory_order_relaxed);
  };
  std::string out;
  for (const Decision& d : EvaluateMany(policy, people, as_of, options)) {
    out += DecisionToJson(d);
    out += '\n';
  }
  return out;
}

// SPEC §5: byte-identical output for 1, 2 and 8 threads, and equal to the
// golden digest in every build type (release, ASan, Debug+TSan, Bazel).
TEST(DeterminismTest, Spec5EvalJsonlIsIdenticalForAnyThreadCountAndBuild) {
  Acme acme = LoadAcme();
  const Population many = Recombine(acme.people, 25, "");
  ASSERT_EQ(many.people.size(), acme.people.people.size() * 25);
  const Date as_of = *ParseIsoDate("2026-11-26");
  const std::string one = EvalJsonl(*acme.compiled, many.people, as_of, 1);
  EXPECT_EQ(EvalJsonl(*acme.compiled, many.people, as_of, 2), one);
  EXPECT_EQ(EvalJsonl(*acme.compiled, many.people, as_of, 8), one);
  // The digest of the 1,000-line jsonl. If an intended change to the
  // output format moves it, update it here and say why in the commit.
  EXPECT_EQ(Sha256Hex(one),
            "3789d70fee8b7d32ae4676008bf236e76df56aa5fa33ea4a42a4c8619ad0a82f")
      << "eval jsonl changed; first line: " << one.substr(0, one.find('\n'));
}

// SPEC §6: HR sync of two exports gives the same deltas on any thread count.
TEST(DeterminismTest, Spec6HrSyncIsIdenticalForAnyThreadCountAndBuild) {
  Acme acme = LoadAcme();
  const Population before = Recombine(acme.people, 20, "");
  Population after = Recombine(acme.people, 20, "");
  // Churn: every 7th person leaves, every 5th moves (takes a neighbour's
  // attributes), and a block of joiners arrives.
  std::vector<Person> kept;
  for (size_t i = 0; i < after.people.size(); ++i) {
    if (i % 7 == 3) continue;
    Person p = after.people[i];
    if (i % 5 == 1) {
      p.attributes = after.people[(i + 11) % after.people.size()].attributes;
    }
    kept.push_back(std::move(p));
  }
  const Population joiners = Recombine(acme.people, 2, "-new");
  kept.insert(kept.end(), joiners.people.begin(), joiners.people.end());
  after.people = std::move(kept);

  auto render = [&](int threads) {
    HrSyncOptions options;
    options.as_of = *ParseIsoDate("2026-11-26");
    options.before_as_of = *ParseIsoDate("2026-11-25");
    options.threads = threads;
    auto deltas = HrSync(*acme.compiled, before, after, options);
    EXPECT_TRUE(deltas.ok()) << deltas.status();
    std::string out;
    if (!deltas.ok()) return out;
    for (const PersonDelta& d : *deltas) out += PersonDeltaToJson(d) + "\n";
    return out;
  };
  const std::string one = render(1);
  EXPECT_EQ(render(2), one);
  EXPECT_EQ(render(8), one);
  EXPECT_EQ(Sha256Hex(one),
            "96df76472687b75d6b9604a48d840a6eae5f4e485b874d54c273693e081fc3fa")
      << "hr sync jsonl changed; first line: " << one.substr(0, one.find('\n'));
}

// Many threads evaluating one shared CompiledPolicy, each with its own
// DecisionBuffer, agree with the single-threaded answers (the hot path is
// const and lock-free; TSan checks that it is also race-free).
TEST(ConcurrencyTest, SharedCompiledPolicyFromManyThreads) {
  testing::RandomPolicyOptions o;
  o.rules = 80;
  o.people = 120;
  o.apps = 8;
  testing::RandomWorld w = testing::MakeRandomWorld(4242, o);
  BindOptions bind;
  bind.strict = false;
  auto bound = BoundPolicy::Bind(w.policy, &w.people, bind);
  ASSERT_TRUE(bound.ok()) << bound.status();
  auto compiled = CompiledPolicy::Compile(std::move(*bound));
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const CompiledPolicy& policy = **compiled;
  const Date as_of = *ParseIsoDate("2026-11-26");
  std::vector<std::string> want;
  for (const Person& p : w.people.people) {
    want.push_back(DecisionToJson(policy.Evaluate(p, as_of)));
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      DecisionBuffer buffer;
      for (int round = 0; round < 4; ++round) {
        for (size_t i = t; i < w.people.people.size(); ++i) {
          const Person& p = w.people.people[i];
          const std::vector<std::string_view> slots = policy.SlotsOf(p);
          policy.Evaluate(slots, as_of, &buffer);
          if (DecisionToJson(policy.ToDecision(p.id, buffer)) != want[i]) {
            mismatches.fetch_add(1);
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Loading the same snapshot bytes on several threads at once gives equal,
// independent policies (loading shares no mutable state).
TEST(ConcurrencyTest, ConcurrentSnapshotLoads) {
  Acme acme = LoadAcme();
  const std::string bytes = WriteSnapshot(*acme.compiled);
  const Date as_of = *ParseIsoDate("2026-11-26");
  const std::string want =
      EvalJsonl(*acme.compiled, acme.people.people, as_of, 1);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        auto loaded = LoadSnapshot(bytes);
        if (!loaded.ok() ||
            EvalJsonl(**loaded, acme.people.people, as_of, 1) != want) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// Hot reload under batch load: batch evaluations on 4 threads run against
// whatever version they picked up while a writer keeps swapping.
TEST(ConcurrencyTest, BatchEvaluationDuringSwaps) {
  Acme acme = LoadAcme();
  const std::string bytes = WriteSnapshot(*acme.compiled);
  const Date as_of = *ParseIsoDate("2026-11-26");
  const std::string want =
      EvalJsonl(*acme.compiled, acme.people.people, as_of, 1);
  PolicyHandle handle(acme.compiled);
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(handle.SwapFromSnapshot(bytes).ok());
    }
    writer_done.store(true);
  });
  // Keep evaluating until the writer is done (and at least 10 rounds), so
  // batches really overlap the swaps however the threads are scheduled.
  int mismatches = 0;
  int rounds = 0;
  while (rounds < 10 || !writer_done.load()) {
    std::shared_ptr<const CompiledPolicy> current = handle.Current();
    if (EvalJsonl(*current, acme.people.people, as_of, 4) != want) {
      ++mismatches;
    }
    ++rounds;
  }
  writer.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(handle.generation(), 20u);
}

}  // namespace
}  // namespace birthright
