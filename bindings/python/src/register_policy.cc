// Policies and populations: the spreadsheet importers (SPEC §8) over text
// the pure-Python layer has already read (CSV files, or XLSX tabs turned
// into CSV).
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "birthright/import.h"
#include "core.h"

namespace birthright::python {
namespace {

py::dict ReportToDict(const ImportReport& r) {
  py::list columns;
  for (const ColumnReading& c : r.columns)
    columns.append(py::make_tuple(c.header, c.role));
  py::dict d;
  d["file"] = r.file;
  d["format"] = r.format;
  d["columns"] = columns;
  d["notes"] = r.notes;
  return d;
}

std::string Named(const std::string& file, const char* fallback) {
  return file.empty() ? std::string(fallback) : file;
}

}  // namespace

void RegisterPolicy(py::module_& m) {
  py::class_<Policy>(
      m, "Policy",
      "Rules, catalog, aliases and schema as imported (mutable until "
      "compiled; do not change it while another thread compiles it).")
      .def(py::init([](const std::string& name, const std::string& version) {
             Policy p;
             p.name = name;
             p.version = version.empty() ? "unversioned" : version;
             return p;
           }),
           py::arg("name") = "", py::arg("version") = "")
      .def_readwrite("name", &Policy::name)
      .def_readwrite("version", &Policy::version)
      .def_property_readonly("rule_count",
                             [](const Policy& p) { return p.rules.size(); })
      .def_property_readonly("rule_ids",
                             [](const Policy& p) {
                               std::vector<std::string> ids;
                               for (const Rule& r : p.rules)
                                 ids.push_back(r.id);
                               return ids;
                             })
      .def_property_readonly(
          "apps",
          [](const Policy& p) {
            std::vector<std::pair<std::string, std::string>> out;
            for (const CatalogEntry& e : p.catalog) {
              out.emplace_back(e.app, e.instance);
            }
            return out;
          })
      .def(
          "add_rules",
          [](Policy& p, const std::string& data, const std::string& file,
             const std::string& format,
             const std::vector<std::string>& app_columns) {
            const std::string name = Named(file, "<rules>");
            RulesFormat f;
            if (format == "auto") {
              f = app_columns.empty() ? DetectRulesFormat(data)
                                      : RulesFormat::kMatrix;
            } else if (format == "list") {
              f = RulesFormat::kRulesList;
            } else if (format == "matrix") {
              f = RulesFormat::kMatrix;
            } else {
              ThrowStatus(absl::InvalidArgumentError(
                  "format: expected 'auto', 'list' or 'matrix', got '" +
                  format + "'"));
            }
            ImportReport report;
            if (f == RulesFormat::kRulesList) {
              ThrowIfError(ImportRulesList(data, name, &p, &report));
            } else if (f == RulesFormat::kMatrix) {
              ThrowIfError(ImportMatrix(data, name, app_columns, &p, &report));
            } else {
              ThrowStatus(absl::UnimplementedError(name +
                                                   ": this input format is not "
                                                   "supported yet"));
            }
            return ReportToDict(report);
          },
          py::arg("data"), py::arg("file") = "", py::arg("format") = "auto",
          py::arg("app_columns") = std::vector<std::string>{},
          "Imports a rules list or access matrix (CSV text); returns how each "
          "column was read.")
      .def(
          "add_catalog",
          [](Policy& p, const std::string& data, const std::string& file) {
            ThrowIfError(ImportCatalog(data, Named(file, "<catalog>"), &p));
          },
          py::arg("data"), py::arg("file") = "")
      .def(
          "add_aliases",
          [](Policy& p, const std::string& data, const std::string& file) {
            ThrowIfError(ImportAliases(data, Named(file, "<aliases>"), &p));
          },
          py::arg("data"), py::arg("file") = "")
      .def(
          "add_schema",
          [](Policy& p, const std::string& data, const std::string& file) {
            ThrowIfError(ImportSchema(data, Named(file, "<schema>"), &p));
          },
          py::arg("data"), py::arg("file") = "");

  py::class_<Population>(m, "Population",
                         "HR records: an id plus raw attribute strings.")
      .def(py::init<>())
      .def_static(
          "from_csv",
          [](const std::string& data, const std::string& file) {
            return ValueOrThrow(
                ImportPopulation(data, Named(file, "<people>")));
          },
          py::arg("data"), py::arg("file") = "")
      .def_static(
          "from_records",
          [](py::iterable records) {
            Population p;
            p.people = PeopleFromRecords(records);
            return p;
          },
          py::arg("records"))
      .def_static(
          "from_columns",
          [](const std::vector<std::string>& ids,
             const std::vector<std::string>& names, py::sequence columns) {
            Population p;
            p.columns = names;
            p.people = PeopleFromColumns(ids, names, columns);
            return p;
          },
          py::arg("ids"), py::arg("names"), py::arg("columns"))
      .def("__len__", [](const Population& p) { return p.people.size(); })
      .def_readonly("file", &Population::file)
      .def_readonly("columns", &Population::columns)
      .def_property_readonly("ids",
                             [](const Population& p) {
                               std::vector<std::string> ids;
                               ids.reserve(p.people.size());
                               for (const Person& person : p.people)
                                 ids.push_back(person.id);
                               return ids;
                             })
      .def(
          "records",
          [](const Population& p) {
            py::list out;
            for (const Person& person : p.people) {
              py::dict d;
              d["id"] = person.id;
              for (const auto& [k, v] : person.attributes) d[py::str(k)] = v;
              out.append(d);
            }
            return out;
          },
          "Every person as a dict (id plus raw attribute strings).");
}

}  // namespace birthright::python
