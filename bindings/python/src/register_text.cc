// The text policy language (policy_text.h) and diffs of two policy versions
// (diff.h). Parsing and diffing release the GIL.
#include <pybind11/stl.h>

#include <string>

#include "birthright/diff.h"
#include "birthright/policy_text.h"
#include "core.h"

namespace birthright::python {

void RegisterText(py::module_& m) {
  m.def(
      "parse_policy_text",
      [](const std::string& text, const std::string& file) {
        absl::StatusOr<Policy> parsed;
        {
          py::gil_scoped_release release;
          parsed = ParsePolicyText(
              text, file.empty() ? std::string("<policy>") : file);
        }
        Policy p = ValueOrThrow(std::move(parsed));
        if (p.version.empty()) p.version = "unversioned";
        return p;
      },
      py::arg("text"), py::arg("file") = "",
      "A Policy from policy text; InvalidArgumentError names file:line:col.");

  m.def(
      "format_policy_text",
      [](const Policy& policy) { return FormatPolicyText(policy); },
      py::arg("policy"), "The canonical policy text (`birthright fmt`).");

  m.def(
      "diff",
      [](const Policy& before, const Policy& after, const Population* people,
         const std::string& as_of) {
        DiffOptions options;
        options.population_as_of = ParseAsOf(as_of);
        absl::StatusOr<PolicyDiff> diff;
        std::string summary, json, jsonl;
        {
          py::gil_scoped_release release;
          diff = DiffPolicies(before, after, people, options);
          if (diff.ok()) {
            summary = DiffSummaryLine(*diff);
            json = PolicyDiffToJson(*diff);
            jsonl = PolicyDiffToJsonl(*diff);
          }
        }
        ThrowIfError(diff.status());
        return py::make_tuple(summary, json, jsonl);
      },
      py::arg("before"), py::arg("after"), py::arg("people").none(true),
      py::arg("as_of"), "(summary line, JSON document, jsonl).");
}

}  // namespace birthright::python
