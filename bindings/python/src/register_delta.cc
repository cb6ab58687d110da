// The delta of one person (SPEC §6): what to add, remove and change when
// their HR record goes from `before` to `after`.
#include <pybind11/stl.h>

#include <string>

#include "birthright/delta.h"
#include "core.h"

namespace birthright::python {

void RegisterDelta(py::module_& m) {
  py::class_<PersonDelta>(m, "Delta", "A provisioning delta for one person.")
      .def_readonly("person", &PersonDelta::person_id)
      .def_property_readonly("kind",
                             [](const PersonDelta& d) {
                               return std::string(DeltaKindName(d.kind));
                             })
      .def_readonly("add", &PersonDelta::add)
      .def_readonly("remove", &PersonDelta::remove)
      .def_property_readonly("change",
                             [](const PersonDelta& d) {
                               py::list out;
                               for (const EntitlementChange& c : d.change) {
                                 out.append(py::make_tuple(c.from, c.to));
                               }
                               return out;
                             })
      .def_readonly("keep", &PersonDelta::keep)
      .def_property_readonly("has_actions", &PersonDelta::has_actions)
      .def("to_json", &PersonDeltaToJson,
           "The SPEC §11 delta jsonl line (no newline).")
      .def("__repr__", [](const PersonDelta& d) {
        return "Delta(person=" + std::string(py::repr(py::str(d.person_id))) +
               ", kind=" + std::string(DeltaKindName(d.kind)) +
               ", add=" + std::to_string(d.add.size()) +
               ", remove=" + std::to_string(d.remove.size()) +
               ", change=" + std::to_string(d.change.size()) +
               ", keep=" + std::to_string(d.keep.size()) + ")";
      });

  m.def(
      "delta",
      [](const Compiled& c, py::object before, py::object after,
         const std::string& as_of, std::optional<std::string> id) {
        const Date date = ParseAsOf(as_of);
        if (before.is_none() && after.is_none()) {
          ThrowStatus(
              absl::InvalidArgumentError("before and after are both None"));
        }
        const std::string* given = id ? &*id : nullptr;
        std::optional<Person> b, a;
        if (!before.is_none()) b = PersonFromMapping(before, given);
        if (!after.is_none()) a = PersonFromMapping(after, given);
        if (b && a && b->id != a->id) {
          ThrowStatus(absl::InvalidArgumentError(
              "before and after are different people ('" + b->id + "' and '" +
              a->id + "')"));
        }
        return Delta(*c.compiled, b ? &*b : nullptr, a ? &*a : nullptr, date);
      },
      py::arg("compiled"), py::arg("before"), py::arg("after"),
      py::arg("as_of"), py::arg("id") = py::none());
}

}  // namespace birthright::python
