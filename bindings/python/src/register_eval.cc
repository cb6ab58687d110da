// Evaluation (SPEC §4, §5): one person, or many on several threads with the
// GIL released. Decisions and entitlements are C++ values behind
// read-only, dataclass-like Python objects.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "birthright/batch.h"
#include "birthright/decision.h"
#include "core.h"

namespace birthright::python {
namespace {

py::object DateOrNone(const std::optional<Date>& d) {
  if (!d) return py::none();
  static PyObject* fromisoformat = [] {
    py::object f =
        py::module_::import("datetime").attr("date").attr("fromisoformat");
    return f.release().ptr();
  }();
  return py::reinterpret_borrow<py::object>(fromisoformat)(FormatIsoDate(*d));
}

py::list Wrap(std::vector<Decision> decisions) {
  py::list out(decisions.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    out[i] = py::cast(std::move(decisions[i]), py::return_value_policy::move);
  }
  return out;
}

py::list EvaluatePeople(const Compiled& c, const std::vector<Person>& people,
                        const std::string& as_of, int threads) {
  const Date date = ParseAsOf(as_of);
  std::vector<Decision> decisions;
  {
    py::gil_scoped_release release;
    BatchOptions options;
    options.threads = threads;
    decisions = EvaluateMany(*c.compiled, people, date, options);
  }
  return Wrap(std::move(decisions));
}

// `v` joined with ';' into *buf (reused across rows).
const std::string& Join(const std::vector<std::string>& v, std::string* buf) {
  buf->clear();
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) buf->push_back(';');
    buf->append(v[i]);
  }
  return *buf;
}

std::string Repr(const Entitlement& e) {
  std::string s = "Entitlement(app=" + std::string(py::repr(py::str(e.app))) +
                  ", instance=" + std::string(py::repr(py::str(e.instance))) +
                  ", level=" + std::string(py::repr(py::str(e.level)));
  if (!e.scopes.empty())
    s += ", scopes=" + std::string(py::repr(py::cast(e.scopes)));
  if (e.expires) s += ", expires=" + FormatIsoDate(*e.expires);
  return s + ")";
}

// Long format: one row per (person, entitlement); ';'-joined scopes and
// reasons, as the sheets write them. App, level and scope strings repeat on
// most rows: they are interned, one Python str each.
py::dict Table(const std::vector<const Decision*>& decisions) {
  absl::flat_hash_map<std::string, py::object> interned;
  auto str = [&interned](const std::string& s) -> py::object {
    auto [it, inserted] = interned.try_emplace(s);
    if (inserted) it->second = py::str(s);
    return it->second;
  };
  py::list person, app, instance, level, scopes, expires, reasons;
  std::string joined;
  for (const Decision* d : decisions) {
    if (d->entitlements.empty()) continue;
    const py::object id = py::str(d->person_id);
    for (const Entitlement& e : d->entitlements) {
      person.append(id);
      app.append(str(e.app));
      instance.append(str(e.instance));
      level.append(str(e.level));
      scopes.append(str(Join(e.scopes, &joined)));
      expires.append(DateOrNone(e.expires));
      reasons.append(str(Join(e.reasons, &joined)));
    }
  }
  py::dict out;
  out["person"] = person;
  out["app"] = app;
  out["instance"] = instance;
  out["level"] = level;
  out["scopes"] = scopes;
  out["expires"] = expires;
  out["reasons"] = reasons;
  return out;
}

}  // namespace

void RegisterEval(py::module_& m) {
  py::class_<Entitlement>(
      m, "Entitlement",
      "(app, instance, level, scopes) with expiry and reasons.")
      .def_readonly("app", &Entitlement::app)
      .def_readonly("instance", &Entitlement::instance)
      .def_readonly("level", &Entitlement::level)
      .def_readonly("scopes", &Entitlement::scopes)
      .def_property_readonly(
          "expires", [](const Entitlement& e) { return DateOrNone(e.expires); })
      .def_readonly("reasons", &Entitlement::reasons)
      .def("to_json", &EntitlementToJson)
      .def(
          "__eq__",
          [](const Entitlement& a, const Entitlement& b) { return a == b; },
          py::is_operator())
      .def("__repr__", &Repr);

  py::class_<Decision>(m, "Decision", "What one person should have, and why.")
      .def_readonly("person", &Decision::person_id)
      .def_readonly("leaver", &Decision::leaver)
      .def_readonly("entitlements", &Decision::entitlements)
      .def_readonly("missing", &Decision::missing)
      .def("to_json", &DecisionToJson, "The SPEC §11 jsonl line (no newline).")
      .def(
          "__eq__", [](const Decision& a, const Decision& b) { return a == b; },
          py::is_operator())
      .def("__len__", [](const Decision& d) { return d.entitlements.size(); })
      .def("__repr__", [](const Decision& d) {
        std::string s =
            "Decision(person=" + std::string(py::repr(py::str(d.person_id)));
        if (d.leaver) s += ", leaver=True";
        s += ", entitlements=[";
        for (size_t i = 0; i < d.entitlements.size(); ++i) {
          s += (i ? ", " : "") + Repr(d.entitlements[i]);
        }
        s += "]";
        if (!d.missing.empty())
          s += ", missing=" + std::string(py::repr(py::cast(d.missing)));
        return s + ")";
      });

  m.def(
      "evaluate",
      [](const Compiled& c, py::handle person, const std::string& as_of,
         std::optional<std::string> id) {
        const Date date = ParseAsOf(as_of);
        const Person p = PersonFromMapping(person, id ? &*id : nullptr);
        return c.compiled->Evaluate(p, date);
      },
      py::arg("compiled"), py::arg("person"), py::arg("as_of"),
      py::arg("id") = py::none());

  m.def(
      "evaluate_records",
      [](const Compiled& c, py::iterable records, const std::string& as_of,
         int threads) {
        return EvaluatePeople(c, PeopleFromRecords(records), as_of, threads);
      },
      py::arg("compiled"), py::arg("records"), py::arg("as_of"),
      py::arg("threads") = 0);

  m.def(
      "evaluate_columns",
      [](const Compiled& c, const std::vector<std::string>& ids,
         const std::vector<std::string>& names, py::sequence columns,
         const std::string& as_of, int threads) {
        return EvaluatePeople(c, PeopleFromColumns(ids, names, columns), as_of,
                              threads);
      },
      py::arg("compiled"), py::arg("ids"), py::arg("names"), py::arg("columns"),
      py::arg("as_of"), py::arg("threads") = 0);

  m.def(
      "evaluate_population",
      [](const Compiled& c, const Population& people, const std::string& as_of,
         int threads) {
        return EvaluatePeople(c, people.people, as_of, threads);
      },
      py::arg("compiled"), py::arg("population"), py::arg("as_of"),
      py::arg("threads") = 0);

  m.def(
      "decisions_table",
      [](const std::vector<const Decision*>& decisions) {
        return Table(decisions);
      },
      py::arg("decisions"));

  m.def(
      "evaluate_columns_table",
      [](const Compiled& c, const std::vector<std::string>& ids,
         const std::vector<std::string>& names, py::sequence columns,
         const std::string& as_of, int threads) {
        // For DataFrames: straight from the C++ decisions to columns, without
        // a Python object per decision.
        const Date date = ParseAsOf(as_of);
        const std::vector<Person> people =
            PeopleFromColumns(ids, names, columns);
        std::vector<Decision> decisions;
        {
          py::gil_scoped_release release;
          BatchOptions options;
          options.threads = threads;
          decisions = EvaluateMany(*c.compiled, people, date, options);
        }
        std::vector<const Decision*> ptrs;
        ptrs.reserve(decisions.size());
        for (const Decision& d : decisions) ptrs.push_back(&d);
        return Table(ptrs);
      },
      py::arg("compiled"), py::arg("ids"), py::arg("names"), py::arg("columns"),
      py::arg("as_of"), py::arg("threads") = 0);

  m.def(
      "decisions_jsonl",
      [](const std::vector<const Decision*>& decisions) {
        std::string out;
        for (const Decision* d : decisions) {
          out += DecisionToJson(*d);
          out += '\n';
        }
        return out;
      },
      py::arg("decisions"), "SPEC §11 jsonl, one line per decision.");
}

}  // namespace birthright::python
