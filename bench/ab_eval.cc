// Times two builds of the evaluator against each other in one process, in
// alternation: the in-process A/B of docs/performance.md.
//
// On these shared 2-core machines the same benchmark binary reads 2.5x
// apart from one run to the next, so two binaries timed one after the
// other cannot resolve a change of a few percent. Here the two evaluators
// answer blocks of people in turn, in an order drawn at random for each
// pair of blocks, so whatever the machine does meanwhile lands on both.
//
// The two are br_ab_current_evaluate and br_ab_baseline_evaluate: each a
// CompiledPolicy::Evaluate(span, Date, DecisionBuffer*) compiled from one
// revision's sources and headers, every other symbol of it made local, and
// renamed (tools/ab_evaluate.sh builds them; a member function's `this` is
// passed as a first argument would be). Both read this build's
// CompiledPolicy::Impl, so they must lay it out as it does. Where one is
// not linked in, as CMake builds this driver, the library's own Evaluate
// stands in: linked without either, ab_eval is an A/A run.
//
// Before timing, both evaluators answer every person, and the answers must
// be equal (as Decisions); the library's were checked against the
// reference evaluator when the fixture was built.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval_fixture.h"

// Weak: null unless tools/ab_evaluate.sh links them in.
extern "C" {
void br_ab_current_evaluate(const birthright::CompiledPolicy* policy,
                            std::span<const std::string_view> slots,
                            birthright::Date as_of,
                            birthright::DecisionBuffer* out)
    __attribute__((weak));
void br_ab_baseline_evaluate(const birthright::CompiledPolicy* policy,
                             std::span<const std::string_view> slots,
                             birthright::Date as_of,
                             birthright::DecisionBuffer* out)
    __attribute__((weak));
}

namespace birthright::bench {
namespace {

constexpr char kUsage[] =
    "usage: ab_eval --rules N [--bounded] [--people P] [--pairs K]\n"
    "               [--block B] [--seed S]\n"
    "Times two evaluators against each other on N generated rules and P\n"
    "(2000) people: K (2000) pairs of blocks of B (100) people, each pair's\n"
    "order drawn at random (seed S, 1). They are the ones\n"
    "tools/ab_evaluate.sh links in as \"current\" and \"baseline\"; the\n"
    "library's evaluator stands in for a missing one (for both: an A/A\n"
    "run). Checks first that both give every person the same answer.\n"
    "Prints one JSON line; \"ratio\" is current time over baseline time,\n"
    "below 1 when the current evaluator is faster.\n";

int Fail(const char* what) {
  std::fprintf(stderr, "ab_eval: %s\n%s", what, kUsage);
  return 2;
}

using EvaluateFn = void (*)(const CompiledPolicy*,
                            std::span<const std::string_view>, Date,
                            DecisionBuffer*);

void Library(const CompiledPolicy* p, std::span<const std::string_view> s,
             Date as_of, DecisionBuffer* out) {
  p->Evaluate(s, as_of, out);
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

int Run(int argc, char** argv) {
  int rules = -1, people = 2000, pairs = 2000, block = 100;
  unsigned seed = 1;
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
    } else if (arg == "--people" && has_value) {
      people = std::atoi(argv[++i]);
    } else if (arg == "--pairs" && has_value) {
      pairs = std::atoi(argv[++i]);
    } else if (arg == "--block" && has_value) {
      block = std::atoi(argv[++i]);
    } else if (arg == "--seed" && has_value) {
      seed = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      return Fail(
          ("unknown or incomplete argument " + std::string(arg)).c_str());
    }
  }
  if (rules <= 0) return Fail("--rules must be a positive number");
  if (people <= 0 || pairs <= 0 || block <= 0)
    return Fail("--people, --pairs and --block must be positive");
#if !defined(__OPTIMIZE__)
  // tools/ab_evaluate.sh compiles both evaluators as the build does.
  std::fputs(
      "ab_eval: WARNING: unoptimized build; its ratios say little about an "
      "optimized one\n",
      stderr);
#endif

  // [0] current, [1] baseline.
  const EvaluateFn eval[2] = {
      br_ab_current_evaluate ? br_ab_current_evaluate : &Library,
      br_ab_baseline_evaluate ? br_ab_baseline_evaluate : &Library};
  auto origin = [](EvaluateFn f) {
    return f == &Library ? "library" : "linked";
  };

  EvalFixture f;
  BuildEvalFixture(rules, people,
                   bounded ? CompanyWide::kBounded : CompanyWide::kShare,
                   CompileOptions{}, &f);
  if (!f.error.empty()) {
    std::fprintf(stderr, "ab_eval: %s\n", f.error.c_str());
    return 1;
  }
  const CompiledPolicy& policy = *f.compiled;
  const Date as_of = BenchAsOf();

  DecisionBuffer a, b;
  for (size_t i = 0; i < f.slots.size(); ++i) {
    eval[0](&policy, f.slots[i], as_of, &a);
    eval[1](&policy, f.slots[i], as_of, &b);
    const std::string& id = f.sheet.people.people[i].id;
    if (!(policy.ToDecision(id, a) == policy.ToDecision(id, b))) {
      std::fprintf(stderr,
                   "ab_eval: the evaluators answer person %s differently\n",
                   id.c_str());
      return 1;
    }
  }

  // Pair p times a block of people under each, in a random order, the
  // blocks taken in turn from the people: each evaluator meets every
  // person about as often, and neither finds the other's nodes still in
  // the cache (which would hide a change to how the walk meets misses).
  std::mt19937 rng(seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<size_t>(pairs));
  double total[2] = {0, 0};
  uint64_t answers = 0;  // Summed, so that no evaluation is optimized out.
  size_t at = 0;
  for (int p = 0; p < pairs; ++p) {
    const int first = static_cast<int>(rng() & 1);
    double ns[2];
    for (int k = 0; k < 2; ++k) {
      const int v = k ^ first;
      const auto start = std::chrono::steady_clock::now();
      for (int n = 0; n < block; ++n) {
        eval[v](&policy, f.slots[at], as_of, &a);
        answers += a.entitlements.size();
        if (++at == f.slots.size()) at = 0;
      }
      ns[v] = std::chrono::duration<double, std::nano>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    }
    total[0] += ns[0];
    total[1] += ns[1];
    ratios.push_back(ns[0] / ns[1]);
  }
  const double evals = static_cast<double>(pairs) * block;
  std::printf(
      "{\"rules\":%d,\"bounded\":%s,\"people\":%d,\"current\":\"%s\","
      "\"baseline\":\"%s\","
      "\"pairs\":%d,\"block\":%d,\"seed\":%u,\"current_ns\":%.1f,"
      "\"baseline_ns\":%.1f,\"ratio\":%.4f,\"ratio_median\":%.4f,"
      "\"ratio_p10\":%.4f,\"ratio_p90\":%.4f,\"answers\":%llu}\n",
      rules, bounded ? "true" : "false", people, origin(eval[0]),
      origin(eval[1]), pairs, block, seed, total[0] / evals, total[1] / evals,
      total[0] / total[1], Quantile(ratios, 0.5), Quantile(ratios, 0.1),
      Quantile(ratios, 0.9), static_cast<unsigned long long>(answers));
  return 0;
}

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) { return birthright::bench::Run(argc, argv); }
