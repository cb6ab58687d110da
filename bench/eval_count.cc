// Evaluates a generated sheet's people a given number of rounds, for
// counting the work of one evaluation in instructions (and, with callgrind's
// cache simulation, in cache misses): figures the machine's load does not
// move the way it moves time. Run it under
//   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null
// Counting starts after the setup (generate, bind, compile, check against
// the reference) and one uncounted warm-up round, and stops after the R
// rounds, so callgrind's total over R x people is the count per evaluation.
// tools/count_instructions.sh does that. Built without valgrind's headers,
// the driver cannot start counting, and says so in its JSON line
// ("counted":false).
//
// Instructions are not time: a walk that waits on a load costs cycles, not
// instructions. A change that saves instructions still has to be confirmed
// in eval_bench (docs/performance.md).
//
// Modes, as in eval_bench: dag (the decision DAG), limit (a hash table from
// a person's whole attribute tuple to the answer) and scan (the reference
// evaluator). Before the rounds, the DAG's answer is checked against the
// reference for every person; the limit's table holds those answers.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "birthright/reference_evaluator.h"
#include "eval_fixture.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BIRTHRIGHT_HAVE_CALLGRIND 1
#else
#define BIRTHRIGHT_HAVE_CALLGRIND 0
#endif

namespace birthright::bench {
namespace {

constexpr char kUsage[] =
    "usage: eval_count --rules N [--mode dag|limit|scan] [--rounds R]\n"
    "                  [--people P] [--bounded]\n"
    "Evaluates P (2000) generated people R (1) times after a check against\n"
    "the reference; prints one JSON line. Meant for valgrind --tool=callgrind\n"
    "--instr-atstart=no, which then counts only the R rounds (see\n"
    "tools/count_instructions.sh).\n";

// Under callgrind with --instr-atstart=no, counting runs between these
// two; elsewhere they do nothing. Zeroing after the warm-up round keeps the
// simulated caches warm but drops the round's counts.
void StartCounting() {
#if BIRTHRIGHT_HAVE_CALLGRIND
  CALLGRIND_START_INSTRUMENTATION;
#endif
}
void ZeroCounts() {
#if BIRTHRIGHT_HAVE_CALLGRIND
  CALLGRIND_ZERO_STATS;
#endif
}
void StopCounting() {
#if BIRTHRIGHT_HAVE_CALLGRIND
  CALLGRIND_STOP_INSTRUMENTATION;
#endif
}

int Fail(const char* what) {
  std::fprintf(stderr, "eval_count: %s\n%s", what, kUsage);
  return 2;
}

int Run(int argc, char** argv) {
  int rules = -1, rounds = 1, people = 2000;
  std::string mode = "dag";
  bool bounded = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--bounded") {
      bounded = true;
    } else if (arg == "--rules" && has_value) {
      rules = std::atoi(argv[++i]);
    } else if (arg == "--rounds" && has_value) {
      rounds = std::atoi(argv[++i]);
    } else if (arg == "--people" && has_value) {
      people = std::atoi(argv[++i]);
    } else if (arg == "--mode" && has_value) {
      mode = argv[++i];
    } else {
      return Fail(
          ("unknown or incomplete argument " + std::string(arg)).c_str());
    }
  }
  if (rules <= 0) return Fail("--rules must be a positive number");
  if (rounds < 0 || people <= 0) return Fail("bad --rounds or --people");
  if (mode != "dag" && mode != "limit" && mode != "scan")
    return Fail("--mode is dag, limit or scan");

  EvalFixture f;
  BuildEvalFixture(rules, people,
                   bounded ? CompanyWide::kBounded : CompanyWide::kShare,
                   CompileOptions{}, &f);
  if (!f.error.empty()) {
    std::fprintf(stderr, "eval_count: %s\n", f.error.c_str());
    return 1;
  }
  const Date as_of = BenchAsOf();
  std::string key;

  // One round; the answers' sizes summed, so that none is optimized out.
  DecisionBuffer buf;
  auto round = [&]() -> uint64_t {
    uint64_t total = 0;
    for (size_t i = 0; i < f.slots.size(); ++i) {
      if (mode == "dag") {
        f.compiled->Evaluate(f.slots[i], as_of, &buf);
        total += buf.entitlements.size() + buf.missing.size();
      } else if (mode == "limit") {
        TupleKey(f.slots[i], &key);
        const DecisionBuffer& hit = f.tuple_table.find(key)->second;
        buf.entitlements.assign(hit.entitlements.begin(),
                                hit.entitlements.end());
        buf.missing.assign(hit.missing.begin(), hit.missing.end());
        buf.pool.assign(hit.pool.begin(), hit.pool.end());
        total += buf.entitlements.size() + buf.missing.size();
      } else {
        const Decision d =
            EvaluateReference(*f.bound, f.bound_people[i], as_of);
        total += d.entitlements.size() + d.missing.size();
      }
    }
    return total;
  };
  StartCounting();
  uint64_t total = round();  // Warm-up: caches, and the buffers' capacity.
  ZeroCounts();
  total = 0;
  for (int r = 0; r < rounds; ++r) total += round();
  StopCounting();
  std::printf(
      "{\"mode\":\"%s\",\"rules\":%d,\"sheet\":\"%s\",\"people\":%d,"
      "\"rounds\":%d,\"answers\":%llu,\"counted\":%s}\n",
      mode.c_str(), rules, bounded ? "bounded" : "share", people, rounds,
      static_cast<unsigned long long>(total),
      BIRTHRIGHT_HAVE_CALLGRIND ? "true" : "false");
  return 0;
}

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) { return birthright::bench::Run(argc, argv); }
