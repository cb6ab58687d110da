// Evaluation (SPEC §4, §5): one person, or many on several threads with the
// GIL released. Decisions and entitlements are C++ values behind
// read-only, dataclass-like Python objects.
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "birthright/batch.h"
#include "birthright/decision.h"
#include "core.h"

namespace birthright::python {
namespace {

py::object DateOrNone(const std::optional<Date>& d);

// A DataFrame straight to the long table, column-wise (the fast path of
// evaluate_many on a DataFrame):
//   1. only the columns the policy reads are converted (CellText, GIL held);
//   2. every person is evaluated into compact entitlements with the GIL
//      released, on `threads` threads, in fixed chunks (order never depends
//      on scheduling), without building a Decision or a Person;
//   3. the table's cells are Python strings interned per instance, level,
//      scope set and reason set, in preallocated lists.
py::dict ColumnsTable(const Compiled& c, py::sequence ids,
                      const std::vector<std::string>& names,
                      py::sequence columns, const std::string& as_of,
                      int threads) {
  const CompiledPolicy& policy = *c.compiled;
  const Date date = ParseAsOf(as_of);
  const size_t n = static_cast<size_t>(py::len(ids));
  if (static_cast<size_t>(py::len(columns)) != names.size()) {
    ThrowStatus(
        absl::InvalidArgumentError("columns: expected one column per name"));
  }
  // 1. Convert the used columns.
  struct Col {
    SlotTarget slot;
    std::vector<std::string> cells;
  };
  std::vector<Col> cols;
  for (size_t k = 0; k < names.size(); ++k) {
    const SlotTarget slot = policy.SlotOf(names[k]);
    if (!slot.used()) continue;
    py::object fast = py::reinterpret_steal<py::object>(
        PySequence_Fast(columns[k].ptr(), "a column must be a sequence"));
    if (!fast) throw py::error_already_set();
    const size_t len =
        static_cast<size_t>(PySequence_Fast_GET_SIZE(fast.ptr()));
    if (len != n) {
      ThrowStatus(absl::InvalidArgumentError(
          "column '" + names[k] + "' has " + std::to_string(len) +
          " values for " + std::to_string(n) + " people"));
    }
    Col col{slot, {}};
    col.cells.reserve(n);
    PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
    for (size_t i = 0; i < n; ++i) col.cells.push_back(CellText(items[i]));
    cols.push_back(std::move(col));
  }
  // 2. Evaluate, GIL released.
  constexpr size_t kChunk = 256;
  struct Row {
    uint32_t person;
    CompactEntitlement e;
  };
  const size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::vector<Row>> rows(chunks);
  // Per chunk, the scope and reason ranges merged at evaluation
  // (kBufferRange), rebased into one pool.
  std::vector<DecisionBuffer> merged(chunks);
  {
    py::gil_scoped_release release;
    auto run = [&](size_t chunk) {
      std::vector<std::string_view> slots(
          static_cast<size_t>(policy.slot_count()));
      DecisionBuffer buf;
      std::vector<Row>& out = rows[chunk];
      const size_t end = std::min(n, (chunk + 1) * kChunk);
      for (size_t i = chunk * kChunk; i < end; ++i) {
        for (const Col& col : cols) col.slot.Place(col.cells[i], slots);
        policy.Evaluate(slots, date, &buf);
        std::vector<uint32_t>& pool = merged[chunk].pool;
        const uint32_t base = static_cast<uint32_t>(pool.size());
        pool.insert(pool.end(), buf.pool.begin(), buf.pool.end());
        for (const CompactEntitlement& e : buf.entitlements) {
          Row& row = out.emplace_back(Row{static_cast<uint32_t>(i), e});
          if (e.scopes_begin & kBufferRange) row.e.scopes_begin += base;
          if (e.reasons_begin & kBufferRange) row.e.reasons_begin += base;
        }
      }
    };
    int t = threads > 0 ? threads
                        : static_cast<int>(std::max(
                              1u, std::thread::hardware_concurrency()));
    t = static_cast<int>(std::min<size_t>(static_cast<size_t>(t), chunks));
    if (t <= 1) {
      for (size_t k = 0; k < chunks; ++k) run(k);
    } else {
      std::atomic<size_t> next{0};
      std::vector<std::thread> pool;
      for (int w = 0; w < t; ++w) {
        pool.emplace_back([&] {
          for (size_t k = next.fetch_add(1); k < chunks; k = next.fetch_add(1))
            run(k);
        });
      }
      for (std::thread& th : pool) th.join();
    }
  }
  // 3. Build the columns (ids are the caller's own str objects).
  py::object ids_fast = py::reinterpret_steal<py::object>(
      PySequence_Fast(ids.ptr(), "ids must be a sequence"));
  if (!ids_fast) throw py::error_already_set();
  PyObject** id_items = PySequence_Fast_ITEMS(ids_fast.ptr());
  size_t total = 0;
  for (const std::vector<Row>& r : rows) total += r.size();
  py::list person(total), app(total), instance(total), level(total),
      scopes(total), expires(total), reasons(total);
  const std::vector<AppInstance>& instances = policy.policy().instances();
  absl::flat_hash_map<int64_t, py::object> level_str, scope_str, reason_str;
  absl::flat_hash_map<int32_t, std::pair<py::object, py::object>> app_str;
  absl::flat_hash_map<int32_t, py::object> date_obj;
  auto range_key = [](uint32_t begin, uint32_t count) {
    return (static_cast<int64_t>(begin) << 32) | count;
  };
  std::string joined;
  py::object none = py::none();
  auto set = [](py::list& l, size_t i, const py::object& o) {
    PyList_SET_ITEM(l.ptr(), static_cast<Py_ssize_t>(i), o.inc_ref().ptr());
  };
  // The ';'-joined items [begin, begin + count) of a scope or reason range,
  // cached per range of the policy's pool. A merged range (kBufferRange)
  // belongs to one chunk's pool and is not shared, so it is built each time.
  auto joined_range = [&](absl::flat_hash_map<int64_t, py::object>& cache,
                          uint32_t begin, uint32_t count, auto&& item) {
    auto build = [&] {
      joined.clear();
      for (uint32_t q = 0; q < count; ++q) {
        if (q > 0) joined.push_back(';');
        joined += item(begin + q);
      }
      return py::object(py::str(joined));
    };
    if (begin & kBufferRange) return build();
    auto [it, fresh] = cache.try_emplace(range_key(begin, count));
    if (fresh) it->second = build();
    return it->second;
  };
  size_t k = 0;
  for (size_t c = 0; c < chunks; ++c) {
    const DecisionBuffer& chunk_pool = merged[c];
    for (const Row& r : rows[c]) {
      const CompactEntitlement& e = r.e;
      set(person, k, py::reinterpret_borrow<py::object>(id_items[r.person]));
      auto [ai, a_new] = app_str.try_emplace(e.instance);
      if (a_new) {
        ai->second = {py::str(instances[e.instance].app),
                      py::str(instances[e.instance].instance)};
      }
      set(app, k, ai->second.first);
      set(instance, k, ai->second.second);
      auto [li, l_new] =
          level_str.try_emplace((static_cast<int64_t>(e.instance) << 32) |
                                static_cast<uint32_t>(e.level));
      if (l_new) li->second = py::str(instances[e.instance].levels[e.level]);
      set(level, k, li->second);
      const py::object scope_text =
          joined_range(scope_str, e.scopes_begin, e.scopes_count,
                       [&](uint32_t i) -> const std::string& {
                         return policy.scope(chunk_pool, i);
                       });
      set(scopes, k, scope_text);
      if (e.expires) {
        auto [di, d_new] = date_obj.try_emplace(e.expires->days);
        if (d_new) di->second = DateOrNone(e.expires);
        set(expires, k, di->second);
      } else {
        set(expires, k, none);
      }
      const py::object reason_text =
          joined_range(reason_str, e.reasons_begin, e.reasons_count,
                       [&](uint32_t i) -> const std::string& {
                         return policy.reason(chunk_pool, i).id;
                       });
      set(reasons, k, reason_text);
      ++k;
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
      "used_columns",
      [](const Compiled& c, const std::vector<std::string>& names) {
        std::vector<bool> used;
        used.reserve(names.size());
        for (const std::string& name : names)
          used.push_back(c.compiled->SlotOf(name).used());
        return used;
      },
      py::arg("compiled"), py::arg("names"),
      "Per HR column name: does the policy read it (an attribute or the "
      "termination date)?");

  m.def("evaluate_frame_table", &ColumnsTable, py::arg("compiled"),
        py::arg("ids"), py::arg("names"), py::arg("columns"), py::arg("as_of"),
        py::arg("threads") = 0,
        "evaluate_columns_table, column-wise: columns the policy does not read "
        "may be None (never converted).");

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
