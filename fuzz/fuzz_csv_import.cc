// Fuzz target: every CSV importer on the same bytes. Nothing may crash,
// hang or leak; when a rules list imports and binds, evaluating it must not
// crash either.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "birthright/bound_policy.h"
#include "birthright/import.h"
#include "birthright/reference_evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace birthright;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Policy policy;
  ImportReport report;
  (void)ImportCatalog(text, "f.csv", &policy);
  (void)ImportAliases(text, "f.csv", &policy);
  (void)ImportSchema(text, "f.csv", &policy);
  (void)ImportAccessExport(text, "f.csv");
  (void)ImportMatrix(text, "f.csv", {"Okta", "Slack [corp]"}, &policy, &report);
  auto people = ImportPopulation(text, "f.csv");
  Policy rules;
  if (ImportRulesList(text, "f.csv", &rules, &report).ok()) {
    BindOptions options;
    options.strict = false;
    auto bound =
        BoundPolicy::Bind(rules, people.ok() ? &*people : nullptr, options);
    if (bound.ok() && people.ok()) {
      for (const Person& p : people->people) {
        (void)EvaluateReference(**bound, p, Date{20000});
      }
    }
  }
  return 0;
}
