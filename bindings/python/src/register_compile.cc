// Compile (bind strictly, then build the decision DAG) and check (bind
// leniently, report every issue). Both release the GIL while they work.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "core.h"

namespace birthright::python {

void RegisterCompile(py::module_& m) {
  py::class_<BindIssue>(m, "Issue", "A finding of check (SPEC §7 codes).")
      .def_readonly("code", &BindIssue::code)
      .def_property_readonly("severity",
                             [](const BindIssue& i) {
                               return std::string(SeverityName(i.severity));
                             })
      .def_readonly("rule", &BindIssue::rule_id)
      .def_property_readonly("location",
                             [](const BindIssue& i) {
                               return i.location.line > 0
                                          ? FormatSourceLocation(i.location)
                                          : std::string();
                             })
      .def_readonly("message", &BindIssue::message)
      .def("__repr__", [](const BindIssue& i) {
        return "Issue(" + std::string(SeverityName(i.severity)) + " " + i.code +
               " at " + FormatSourceLocation(i.location) + ": " + i.message +
               ")";
      });

  py::class_<Compiled>(
      m, "Compiled",
      "An immutable compiled policy; safe to share across threads.")
      .def_property_readonly("name",
                             [](const Compiled& c) { return c.bound->name(); })
      .def_property_readonly(
          "version", [](const Compiled& c) { return c.bound->version(); })
      .def_property_readonly(
          "rule_count",
          [](const Compiled& c) { return c.bound->rules().size(); })
      .def_property_readonly(
          "attributes",
          [](const Compiled& c) {
            std::vector<std::string> out;
            for (const BoundAttribute& a : c.bound->attributes()) {
              out.push_back(a.name);
            }
            return out;
          })
      .def_property_readonly(
          "attribute_types",
          [](const Compiled& c) {
            py::dict out;
            for (const BoundAttribute& a : c.bound->attributes()) {
              out[py::str(a.name)] = std::string(AttrTypeName(a.type));
            }
            return out;
          })
      .def_property_readonly(
          "issues", [](const Compiled& c) { return c.bound->issues(); })
      .def_property_readonly("stats", [](const Compiled& c) {
        const CompileStats& s = c.compiled->stats();
        py::dict d;
        d["rules"] = s.rules;
        d["apps"] = s.apps;
        d["layered_apps"] = s.layered_apps;
        d["layers"] = s.layers;
        d["variables"] = s.variables;
        d["nodes"] = s.nodes;
        d["edges"] = s.edges;
        d["leaves"] = s.leaves;
        d["memory_bytes"] = s.memory_bytes;
        return d;
      });

  m.def(
      "compile",
      [](const Policy& policy, const Population* hr) {
        absl::StatusOr<std::unique_ptr<BoundPolicy>> bound;
        absl::StatusOr<std::unique_ptr<CompiledPolicy>> compiled;
        Compiled out;
        {
          py::gil_scoped_release release;
          BindOptions options;
          options.strict = true;  // As `eval`: refuse a policy with errors.
          bound = BoundPolicy::Bind(policy, hr, options);
          if (bound.ok()) {
            out.bound = std::move(*bound);
            compiled = CompiledPolicy::Compile(out.bound);
          }
        }
        ThrowIfError(bound.status());
        out.compiled = ValueOrThrow(std::move(compiled));
        return out;
      },
      py::arg("policy"), py::arg("hr") = nullptr,
      "Binds and compiles; `hr` is used for type inference only.");

  m.def(
      "check",
      [](const Policy& policy, const Population* hr) {
        absl::StatusOr<std::unique_ptr<BoundPolicy>> bound;
        {
          py::gil_scoped_release release;
          BindOptions options;
          options.strict = false;  // Keep every issue, as `check` does.
          bound = BoundPolicy::Bind(policy, hr, options);
        }
        return ValueOrThrow(std::move(bound))->issues();
      },
      py::arg("policy"), py::arg("hr") = nullptr);
}

}  // namespace birthright::python
