// Check (SPEC §7): the analysis findings of `birthright check`, as plain
// tuples the pure-Python layer turns into Finding dataclasses. Releases the
// GIL while it analyses.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "birthright/check.h"
#include "core.h"

namespace birthright::python {

void RegisterCheck(py::module_& m) {
  m.def(
      "check_findings",
      [](const Policy& policy, const Population* hr, const std::string& as_of) {
        CheckOptions options;
        options.as_of = ParseAsOf(as_of);
        absl::StatusOr<std::vector<Finding>> findings;
        std::string jsonl, sarif;
        {
          py::gil_scoped_release release;
          findings = Check(policy, hr, options);
          if (findings.ok()) {
            for (const Finding& f : *findings) {
              jsonl += FindingToJson(f);
              jsonl += '\n';
            }
            sarif = FindingsToSarif(*findings);
          }
        }
        std::vector<Finding> list = ValueOrThrow(std::move(findings));
        py::list rows;
        for (const Finding& f : list) {
          rows.append(
              py::make_tuple(f.code, std::string(SeverityName(f.severity)),
                             f.rules, f.locations, f.message, f.witness));
        }
        return py::make_tuple(rows, jsonl, sarif);
      },
      py::arg("policy"), py::arg("hr").none(true), py::arg("as_of"),
      "(rows, jsonl, sarif): rows are (code, severity, rules, locations, "
      "message, witness) in check's order.");
}

}  // namespace birthright::python
