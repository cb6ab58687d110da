// Python values → HR records (Person). Runs with the GIL held; evaluation
// then runs on the converted records with the GIL released.
#include <Python.h>

#include <cmath>
#include <string>
#include <unordered_map>

#include "core.h"
#include "util/text.h"

namespace birthright::python {
namespace {

// datetime.date, imported once; kept for the life of the process.
PyObject* DateType() {
  static PyObject* type = [] {
    py::object t = py::module_::import("datetime").attr("date");
    return t.release().ptr();
  }();
  return type;
}

bool IsIdKey(const std::string& folded) {
  return folded == "id" || folded == "personid" || folded == "employeeid";
}

std::string Utf8(PyObject* o) {
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(o, &n);
  if (s == nullptr) throw py::error_already_set();
  return std::string(s, static_cast<size_t>(n));
}

// Remembers, per key object, whether it is the id key: the records of one
// table share their key objects, so FoldName runs once per column.
class KeyCache {
 public:
  bool IsId(PyObject* key, std::string* name) {
    *name = PyUnicode_Check(key) ? Utf8(key) : std::string(py::str(key));
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const bool id = IsIdKey(FoldName(*name));
    cache_.emplace(key, id);
    return id;
  }

 private:
  std::unordered_map<PyObject*, bool> cache_;
};

Person FromMapping(py::handle mapping, const std::string* id, KeyCache* keys) {
  Person p;
  bool have_id = id != nullptr;
  if (have_id) p.id = *id;
  auto add = [&](PyObject* k, PyObject* v) {
    std::string name;
    if (keys->IsId(k, &name)) {
      if (!have_id) {
        p.id = CellText(v);
        have_id = true;
      }
      return;
    }
    p.attributes.emplace_back(std::move(name), CellText(v));
  };
  PyObject* m = mapping.ptr();
  if (PyDict_Check(m)) {
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(m, &pos, &k, &v)) add(k, v);
  } else {
    if (!PyObject_HasAttrString(m, "items")) {
      throw py::type_error(
          "a person must be a mapping of attribute name to value, got " +
          std::string(py::str(py::type::of(mapping))));
    }
    for (py::handle item : mapping.attr("items")()) {
      py::tuple kv = py::reinterpret_borrow<py::tuple>(item);
      add(kv[0].ptr(), kv[1].ptr());
    }
  }
  return p;
}

}  // namespace

std::string CellText(py::handle value) {
  PyObject* o = value.ptr();
  if (PyUnicode_Check(o)) return Utf8(o);
  if (o == Py_None) return {};
  if (PyBool_Check(o)) return o == Py_True ? "true" : "false";
  if (PyLong_Check(o)) return std::string(py::str(value));
  if (PyFloat_Check(o)) {
    const double d = PyFloat_AS_DOUBLE(o);
    if (std::isnan(d)) return {};  // pandas' missing value
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));  // 4100.0 → "4100"
    }
    return std::string(py::str(value));
  }
  const std::string type_name = Py_TYPE(o)->tp_name;
  if (type_name == "NaTType" || type_name == "NAType") return {};  // pandas
  if (PyObject_IsInstance(o, DateType()) == 1) {
    py::object date = py::reinterpret_borrow<py::object>(value);
    if (PyObject_HasAttrString(o, "date") &&
        PyObject_HasAttrString(o, "hour")) {
      date = value.attr("date")();  // datetime / Timestamp: the calendar day
    }
    return std::string(py::str(date.attr("isoformat")()));
  }
  if (PyBytes_Check(o)) {
    return std::string(PyBytes_AS_STRING(o),
                       static_cast<size_t>(PyBytes_GET_SIZE(o)));
  }
  if (PyList_Check(o) || PyTuple_Check(o) || PyAnySet_Check(o)) {
    std::string out;
    bool first = true;
    for (py::handle member : value) {
      if (!first) out += ';';
      out += CellText(member);
      first = false;
    }
    return out;
  }
  return std::string(py::str(value));
}

Person PersonFromMapping(py::handle mapping, const std::string* id) {
  KeyCache keys;
  return FromMapping(mapping, id, &keys);
}

std::vector<Person> PeopleFromRecords(py::iterable records) {
  KeyCache keys;
  std::vector<Person> out;
  if (PyList_Check(records.ptr())) out.reserve(PyList_GET_SIZE(records.ptr()));
  for (py::handle r : records) {
    out.push_back(FromMapping(r, nullptr, &keys));
    // A record without an id is named by its position, like a spreadsheet
    // row number would be.
    if (out.back().id.empty()) out.back().id = std::to_string(out.size() - 1);
  }
  return out;
}

std::vector<Person> PeopleFromColumns(const std::vector<std::string>& ids,
                                      const std::vector<std::string>& names,
                                      py::sequence columns) {
  if (static_cast<size_t>(py::len(columns)) != names.size()) {
    ThrowStatus(
        absl::InvalidArgumentError("columns: expected one column per name"));
  }
  std::vector<Person> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    out[i].id = ids[i];
    out[i].attributes.reserve(names.size());
  }
  for (size_t c = 0; c < names.size(); ++c) {
    py::object fast = py::reinterpret_steal<py::object>(
        PySequence_Fast(columns[c].ptr(), "a column must be a sequence"));
    if (!fast) throw py::error_already_set();
    if (static_cast<size_t>(PySequence_Fast_GET_SIZE(fast.ptr())) !=
        ids.size()) {
      ThrowStatus(absl::InvalidArgumentError(
          "column '" + names[c] + "' has " +
          std::to_string(PySequence_Fast_GET_SIZE(fast.ptr())) +
          " values for " + std::to_string(ids.size()) + " people"));
    }
    PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
    for (size_t i = 0; i < ids.size(); ++i) {
      out[i].attributes.emplace_back(names[c], CellText(items[i]));
    }
  }
  return out;
}

}  // namespace birthright::python
