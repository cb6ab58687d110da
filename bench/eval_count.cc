// Evaluates a generated sheet's people a given number of rounds, for
// counting the work of one evaluation in instructions, a figure the
// machine's load does not move the way it moves time. Run it under
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null
// once with --rounds 0 and once with --rounds R: everything but the rounds
// is the same work in both, so the difference over R x people is the
// instructions per evaluation. tools/count_instructions.sh does that.
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
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/reference_evaluator.h"
#include "spreadsheet_generator.h"

namespace birthright::bench {
namespace {

constexpr char kUsage[] =
    "usage: eval_count --rules N [--mode dag|limit|scan] [--rounds R]\n"
    "                  [--people P] [--bounded]\n"
    "Evaluates P (2000) generated people R (1) times after a check against\n"
    "the reference; prints one JSON line. Meant for valgrind --tool=callgrind\n"
    "(see tools/count_instructions.sh).\n";

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

  const Date as_of = *ParseIsoDate("2026-11-26");
  Spreadsheet sheet = GenerateSpreadsheet(
      rules, people, 42, bounded ? CompanyWide::kBounded : CompanyWide::kShare);
  auto bound = BoundPolicy::Bind(sheet.policy, &sheet.people, BindOptions{});
  if (!bound.ok()) return Fail(std::string(bound.status().message()).c_str());
  const std::shared_ptr<const BoundPolicy> policy = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(policy);
  if (!compiled.ok())
    return Fail(std::string(compiled.status().message()).c_str());
  const CompiledPolicy& dag = **compiled;

  std::vector<BoundPerson> bound_people;
  std::vector<std::vector<std::string_view>> slots;
  absl::flat_hash_map<std::string, DecisionBuffer> table;
  auto key_of = [](const std::vector<std::string_view>& s, std::string* key) {
    key->clear();
    for (std::string_view v : s) {
      key->append(v);
      key->push_back('\x1f');
    }
  };
  std::string key;
  for (const Person& p : sheet.people.people) {
    bound_people.push_back(BindPerson(*policy, p));
    slots.push_back(dag.SlotsOf(p));
    const std::string want =
        DecisionToJson(EvaluateReference(*policy, bound_people.back(), as_of));
    DecisionBuffer buf;
    dag.Evaluate(slots.back(), as_of, &buf);
    if (DecisionToJson(dag.ToDecision(p.id, buf)) != want) {
      std::fprintf(stderr,
                   "eval_count: DAG disagrees with the reference for %s\n",
                   p.id.c_str());
      return 1;
    }
    key_of(slots.back(), &key);
    table[key] = std::move(buf);
  }

  // The rounds. `total` depends on every answer, so none is optimized out.
  uint64_t total = 0;
  DecisionBuffer buf;
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (mode == "dag") {
        dag.Evaluate(slots[i], as_of, &buf);
        total += buf.entitlements.size() + buf.missing.size();
      } else if (mode == "limit") {
        key_of(slots[i], &key);
        const DecisionBuffer& hit = table.find(key)->second;
        buf.entitlements.assign(hit.entitlements.begin(),
                                hit.entitlements.end());
        buf.missing.assign(hit.missing.begin(), hit.missing.end());
        buf.pool.assign(hit.pool.begin(), hit.pool.end());
        total += buf.entitlements.size() + buf.missing.size();
      } else {
        const Decision d = EvaluateReference(*policy, bound_people[i], as_of);
        total += d.entitlements.size() + d.missing.size();
      }
    }
  }
  std::printf(
      "{\"mode\":\"%s\",\"rules\":%d,\"sheet\":\"%s\",\"people\":%d,"
      "\"rounds\":%d,\"answers\":%llu}\n",
      mode.c_str(), rules, bounded ? "bounded" : "share", people, rounds,
      static_cast<unsigned long long>(total));
  return 0;
}

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) { return birthright::bench::Run(argc, argv); }
