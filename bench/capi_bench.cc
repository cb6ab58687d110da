// Per-call overhead of the C ABI (include/birthright/birthright.h) against the
// C++ API it wraps, on generated spreadsheets (spreadsheet_generator.h):
//   CxxEvaluate      CompiledPolicy::Evaluate(Person) → Decision
//   CxxEvaluateJson  the same plus DecisionToJson (what br_decision_json adds)
//   CEvaluate        br_evaluate + br_decision_destroy (JSON is made lazily)
//   CxxEvaluateMany  EvaluateMany on one thread, per person
//   CxxEvaluateManyJson  the same plus the jsonl text (what br_evaluate_many
//   returns) CEvaluateMany    br_evaluate_many (jsonl) on one thread, per
//   person
// The C side loads the policy from CSV text, as a C caller would: the
// generated policy is written out as rules, catalog and schema sheets. Before
// timing, every person's C answer must equal the C++ answer byte for byte.
//
// `capi_bench --export_dir=DIR [--export_rules=N] [--export_people=N]` writes
// those sheets plus people.csv instead of benchmarking; bench/python_bench.py
// uses it to time the Python package on the same data.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "birthright/batch.h"
#include "birthright/birthright.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/decision.h"
#include "birthright/predicate.h"
#include "spreadsheet_generator.h"

namespace birthright::bench {
namespace {

constexpr char kAsOf[] = "2026-11-26";
constexpr int kPeople = 2000;

std::string Quote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// The generated policy as the sheets an IT team would keep (SPEC §8).
struct Sheets {
  std::string rules, catalog, schema, people;
};

Sheets ToCsv(const Spreadsheet& s) {
  Sheets out;
  const Policy& p = s.policy;
  out.schema = "attribute,type,order,case sensitive\n";
  for (const AttributeSpec& a : p.schema) {
    out.schema += Quote(a.name) + "," + std::string(AttrTypeName(a.type)) +
                  "," + Quote(Join(a.order, ";")) + "," +
                  (a.case_sensitive ? "yes" : "no") + "\n";
  }
  out.catalog =
      "app,instance,levels,default level,owner,provisioning,monthly cost\n";
  for (const CatalogEntry& e : p.catalog) {
    std::string cost;
    if (e.monthly_cost_cents) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%lld.%02lld",
                    static_cast<long long>(*e.monthly_cost_cents / 100),
                    static_cast<long long>(*e.monthly_cost_cents % 100));
      cost = buf;
    }
    out.catalog += Quote(e.app) + "," + Quote(e.instance) + "," +
                   Quote(Join(e.levels, ";")) + "," + Quote(e.default_level) +
                   "," + Quote(e.owner) + "," +
                   (e.provisioning == Provisioning::kUnspecified
                        ? std::string()
                        : std::string(ProvisioningName(e.provisioning))) +
                   "," + cost + "\n";
  }
  std::vector<std::string> attrs;
  for (const Rule& r : p.rules) {
    for (const Condition& c : r.conditions) {
      bool seen = false;
      for (const std::string& a : attrs) seen = seen || a == c.attribute;
      if (!seen) attrs.push_back(c.attribute);
    }
  }
  out.rules = "id";
  for (const std::string& a : attrs) out.rules += "," + Quote(a);
  out.rules += ",app,instance,level,scopes,effect,priority,expires\n";
  for (const Rule& r : p.rules) {
    const Target& t = r.targets.at(0);
    out.rules += Quote(r.id);
    for (const std::string& a : attrs) {
      std::string cell;
      for (const Condition& c : r.conditions) {
        if (c.attribute == a) cell = FormatPredicate(c.predicate);
      }
      out.rules += "," + Quote(cell);
    }
    out.rules +=
        "," + Quote(t.app) + "," + Quote(t.instance) + "," + Quote(t.level) +
        "," + Quote(Join(t.scopes, ";")) + "," +
        (r.effect == Effect::kDeny ? "deny" : "grant") + "," +
        std::to_string(r.priority) + "," +
        (r.expires.kind == Expiry::Kind::kAttribute ? Quote(r.expires.attribute)
         : r.expires.kind == Expiry::Kind::kDate ? FormatIsoDate(r.expires.date)
                                                 : std::string()) +
        "\n";
  }
  out.people = "id";
  for (const std::string& c : s.people.columns) out.people += "," + Quote(c);
  out.people += "\n";
  for (const Person& person : s.people.people) {
    out.people += Quote(person.id);
    for (const std::string& c : s.people.columns) {
      std::string v;
      for (const auto& [k, value] : person.attributes) {
        if (k == c) v = value;
      }
      out.people += "," + Quote(v);
    }
    out.people += "\n";
  }
  return out;
}

#define S(s) (s).data(), (s).size()

struct Fixture {
  Spreadsheet sheet;
  std::unique_ptr<CompiledPolicy> cxx;
  br_compiled_t* c = nullptr;
  std::vector<br_person_t*> c_people;
  br_population_t* c_population = nullptr;
  std::string error;

  ~Fixture() {
    for (br_person_t* p : c_people) br_person_destroy(p);
    br_population_destroy(c_population);
    br_compiled_destroy(c);
  }
};

bool Fail(Fixture& f, const char* what, br_status_t st, char* err) {
  f.error =
      std::string(what) + ": " + br_status_name(st) + ": " + (err ? err : "");
  br_free(err);
  return false;
}

bool BuildC(Fixture& f, const Sheets& csv) {
  char* err = nullptr;
  br_status_t st;
  br_policy_t* policy = nullptr;
  std::unique_ptr<br_policy_t, void (*)(br_policy_t*)> owner(nullptr,
                                                             br_policy_destroy);
  if ((st = br_policy_create(S(f.sheet.policy.name), S(f.sheet.policy.version),
                             &policy, &err)) != BR_OK) {
    return Fail(f, "br_policy_create", st, err);
  }
  owner.reset(policy);
  if ((st = br_policy_add_schema(policy, S(csv.schema), "schema.csv", 10,
                                 &err)) != BR_OK ||
      (st = br_policy_add_catalog(policy, S(csv.catalog), "catalog.csv", 11,
                                  &err)) != BR_OK ||
      (st = br_policy_add_rules(policy, S(csv.rules), "generated.csv", 13,
                                BR_RULES_LIST, &err)) != BR_OK) {
    return Fail(f, "loading the sheets", st, err);
  }
  if ((st = br_population_create(&f.c_population, &err)) != BR_OK) {
    return Fail(f, "br_population_create", st, err);
  }
  for (const Person& p : f.sheet.people.people) {
    br_person_t* person = nullptr;
    if ((st = br_person_create(S(p.id), &person, &err)) != BR_OK) {
      return Fail(f, "br_person_create", st, err);
    }
    f.c_people.push_back(person);
    for (const auto& [k, v] : p.attributes) {
      if ((st = br_person_set(person, S(k), S(v), &err)) != BR_OK) {
        return Fail(f, "br_person_set", st, err);
      }
    }
    if ((st = br_population_add(f.c_population, person, &err)) != BR_OK) {
      return Fail(f, "br_population_add", st, err);
    }
  }
  if ((st = br_compile(policy, f.c_population, &f.c, &err)) != BR_OK) {
    return Fail(f, "br_compile", st, err);
  }
  return true;
}

Fixture& Get(int rules) {
  static std::map<int, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[rules];
  if (slot) return *slot;
  slot = std::make_unique<Fixture>();
  Fixture& f = *slot;
  f.sheet = GenerateSpreadsheet(rules, kPeople);
  auto bound =
      BoundPolicy::Bind(f.sheet.policy, &f.sheet.people, BindOptions{});
  if (!bound.ok()) {
    f.error = std::string(bound.status().message());
    return f;
  }
  auto compiled = CompiledPolicy::Compile(std::move(*bound));
  if (!compiled.ok()) {
    f.error = std::string(compiled.status().message());
    return f;
  }
  f.cxx = std::move(*compiled);
  if (!BuildC(f, ToCsv(f.sheet))) return f;

  // Check before timing: the C answer is the C++ answer, person by person
  // and as a batch.
  const Date as_of = *ParseIsoDate(kAsOf);
  std::string want_jsonl;
  for (size_t i = 0; i < f.c_people.size(); ++i) {
    const std::string want =
        DecisionToJson(f.cxx->Evaluate(f.sheet.people.people[i], as_of));
    want_jsonl += want + "\n";
    br_decision_t* d = nullptr;
    char* err = nullptr;
    br_status_t st = br_evaluate(f.c, f.c_people[i], kAsOf, 10, 0, &d, &err);
    if (st != BR_OK) {
      Fail(f, "br_evaluate", st, err);
      return f;
    }
    size_t len = 0;
    const char* got = br_decision_json(d, &len);
    const bool same = std::string(got, len) == want;
    br_decision_destroy(d);
    if (!same) {
      f.error = "C and C++ answers differ for " + f.sheet.people.people[i].id;
      return f;
    }
  }
  char* jsonl = nullptr;
  size_t jsonl_len = 0;
  char* err = nullptr;
  br_status_t st = br_evaluate_many(f.c, f.c_population, kAsOf, 10, 1, 0,
                                    &jsonl, &jsonl_len, &err);
  if (st != BR_OK) {
    Fail(f, "br_evaluate_many", st, err);
    return f;
  }
  if (std::string(jsonl, jsonl_len) != want_jsonl)
    f.error = "br_evaluate_many differs";
  br_free(jsonl);
  return f;
}

#define FIXTURE_OR_SKIP(state)                        \
  Fixture& f = Get(static_cast<int>(state.range(0))); \
  if (!f.error.empty()) {                             \
    state.SkipWithError(f.error.c_str());             \
    return;                                           \
  }

void BM_CxxEvaluate(benchmark::State& state) {
  FIXTURE_OR_SKIP(state);
  const Date as_of = *ParseIsoDate(kAsOf);
  const auto& people = f.sheet.people.people;
  size_t i = 0;
  for (auto _ : state) {
    Decision d = f.cxx->Evaluate(people[i], as_of);
    benchmark::DoNotOptimize(d);
    if (++i == people.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CxxEvaluateJson(benchmark::State& state) {
  FIXTURE_OR_SKIP(state);
  const Date as_of = *ParseIsoDate(kAsOf);
  const auto& people = f.sheet.people.people;
  size_t i = 0;
  for (auto _ : state) {
    std::string json = DecisionToJson(f.cxx->Evaluate(people[i], as_of));
    benchmark::DoNotOptimize(json);
    if (++i == people.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CEvaluate(benchmark::State& state) {
  FIXTURE_OR_SKIP(state);
  size_t i = 0;
  for (auto _ : state) {
    br_decision_t* d = nullptr;
    if (br_evaluate(f.c, f.c_people[i], kAsOf, 10, 0, &d, nullptr) != BR_OK) {
      state.SkipWithError("br_evaluate failed");
      return;
    }
    benchmark::DoNotOptimize(br_decision_entitlement_count(d));
    br_decision_destroy(d);
    if (++i == f.c_people.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CxxEvaluateMany(benchmark::State& state) {
  FIXTURE_OR_SKIP(state);
  const Date as_of = *ParseIsoDate(kAsOf);
  for (auto _ : state) {
    std::vector<Decision> d =
        EvaluateMany(*f.cxx, f.sheet.people.people, as_of);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(f.c_people.size()));
}

void BM_CxxEvaluateManyJson(benchmark::State& state) {
  FIXTURE_OR_SKIP(state);
  const Date as_of = *ParseIsoDate(kAsOf);
  for (auto _ : state) {
    std::string jsonl;
    for (const Decision& d :
         EvaluateMany(*f.cxx, f.sheet.people.people, as_of)) {
      jsonl += DecisionToJson(d);
      jsonl += '\n';
    }
    benchmark::DoNotOptimize(jsonl);
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(f.c_people.size()));
}

void BM_CEvaluateMany(benchmark::State& state) {
  FIXTURE_OR_SKIP(state);
  for (auto _ : state) {
    char* jsonl = nullptr;
    if (br_evaluate_many(f.c, f.c_population, kAsOf, 10, 1, 0, &jsonl, nullptr,
                         nullptr) != BR_OK) {
      state.SkipWithError("br_evaluate_many failed");
      return;
    }
    br_free(jsonl);
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(f.c_people.size()));
}

// 100 and 1,000 rules by default; 2,000 takes seconds to compile (twice).
BENCHMARK(BM_CxxEvaluate)->RangeMultiplier(10)->Range(100, 1000);
BENCHMARK(BM_CxxEvaluateJson)->RangeMultiplier(10)->Range(100, 1000);
BENCHMARK(BM_CEvaluate)->RangeMultiplier(10)->Range(100, 1000);
BENCHMARK(BM_CxxEvaluateMany)
    ->RangeMultiplier(10)
    ->Range(100, 1000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CxxEvaluateManyJson)
    ->RangeMultiplier(10)
    ->Range(100, 1000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CEvaluateMany)
    ->RangeMultiplier(10)
    ->Range(100, 1000)
    ->Unit(benchmark::kMillisecond);

// --export_dir=DIR: writes the generated sheets for bench/python_bench.py.
int Export(const std::string& dir, int rules, int people) {
  const Sheets csv = ToCsv(GenerateSpreadsheet(rules, people));
  for (const auto& [name, text] :
       std::map<std::string, const std::string*>{{"rules.csv", &csv.rules},
                                                 {"catalog.csv", &csv.catalog},
                                                 {"schema.csv", &csv.schema},
                                                 {"people.csv", &csv.people}}) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out << *text;
    if (!out) {
      std::fprintf(stderr, "capi_bench: cannot write %s/%s\n", dir.c_str(),
                   name.c_str());
      return 1;
    }
  }
  std::printf("capi_bench: wrote %d rules and %d people to %s\n", rules, people,
              dir.c_str());
  return 0;
}

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) {
  std::string export_dir;
  int rules = 1000, people = 20000;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--export_dir=", 13) == 0)
      export_dir = argv[i] + 13;
    if (std::strncmp(argv[i], "--export_rules=", 15) == 0)
      rules = std::atoi(argv[i] + 15);
    if (std::strncmp(argv[i], "--export_people=", 16) == 0)
      people = std::atoi(argv[i] + 16);
  }
  if (!export_dir.empty())
    return birthright::bench::Export(export_dir, rules, people);
#ifdef __OPTIMIZE__
  std::fprintf(
      stderr,
      "birthright capi_bench: optimized build (%s), C API %s (ABI %d)\n",
      __VERSION__, br_version(), static_cast<int>(br_abi_version()));
#else
  std::fprintf(
      stderr,
      "WARNING: capi_bench built without optimization; timings are not "
      "meaningful\n");
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
