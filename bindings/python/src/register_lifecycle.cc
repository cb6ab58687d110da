// Deltas over populations (SPEC §6): HR sync of two exports, a policy change
// over a population, reconcile against an access export, access that lapses
// with time alone, and the emergency leaver's revoke list. The core runs
// with the GIL released; results come back as a C++-backed DeltaSet (an HR
// sync of 100k people stays in C++ until asked) or as plain tuples the
// pure-Python layer wraps in dataclasses.
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "birthright/delta.h"
#include "birthright/import.h"
#include "core.h"
#include "util/text.h"

namespace birthright::python {
namespace {

// The catalog of a compiled policy, for routing; keeps the policy alive.
struct Routing {
  explicit Routing(std::shared_ptr<const BoundPolicy> b)
      : bound(std::move(b)), index(*bound) {}
  std::shared_ptr<const BoundPolicy> bound;
  InstanceIndex index;
};

// Deltas of many people with their summary and the catalog that routes them.
struct DeltaSet {
  std::vector<PersonDelta> deltas;
  DeltaSummary summary;
  std::string summary_line;
  std::shared_ptr<const Routing> routing;
};

// (owner, provisioning, monthly_cost_cents or None) of an instance.
py::tuple Route(const Routing& r, const std::string& app,
                const std::string& instance) {
  const AppInstance* inst = r.index.FindInstance(app, instance);
  if (inst == nullptr) return py::make_tuple("", "unspecified", py::none());
  py::object cost = inst->monthly_cost_cents
                        ? py::object(py::int_(*inst->monthly_cost_cents))
                        : py::object(py::none());
  return py::make_tuple(inst->owner, ProvisioningLabel(inst->provisioning),
                        cost);
}

std::vector<AccessRecord> AccessFrom(const std::string& data,
                                     const std::string& file) {
  if (data.empty()) return {};
  return ValueOrThrow(
      ImportAccessExport(data, file.empty() ? std::string("<access>") : file));
}

void CheckThreads(int threads) {
  if (threads > 256) {
    ThrowStatus(absl::InvalidArgumentError(
        "threads: expected at most 256, got " + std::to_string(threads)));
  }
}

DeltaSet MakeSet(std::vector<PersonDelta> deltas,
                 std::shared_ptr<const Routing> routing, bool policy_change) {
  DeltaSet set;
  set.summary = Summarize(routing->index, deltas);
  set.summary_line = SummaryLine(set.summary, policy_change);
  set.deltas = std::move(deltas);
  set.routing = std::move(routing);
  return set;
}

// One row per action (add, remove, change; with `keep`, keeps too): what a
// ticketing system wants.
py::dict ActionsTable(const DeltaSet& set, bool keep) {
  py::list person, kind, action, app, instance, from, to, reasons, owner,
      provisioning, cost;
  auto row = [&](const PersonDelta& d, const char* what, const Entitlement& e,
                 const Entitlement* f, const Entitlement* t) {
    person.append(d.person_id);
    kind.append(std::string(DeltaKindName(d.kind)));
    action.append(what);
    app.append(e.app);
    instance.append(e.instance);
    from.append(f != nullptr ? py::object(py::str(f->level))
                             : py::object(py::none()));
    to.append(t != nullptr ? py::object(py::str(t->level))
                           : py::object(py::none()));
    std::string joined;
    for (size_t i = 0; i < e.reasons.size(); ++i)
      joined += (i ? ";" : "") + e.reasons[i];
    reasons.append(joined);
    py::tuple r = Route(*set.routing, e.app, e.instance);
    owner.append(r[0]);
    provisioning.append(r[1]);
    cost.append(r[2]);
  };
  for (const PersonDelta& d : set.deltas) {
    for (const Entitlement& e : d.add) row(d, "add", e, nullptr, &e);
    for (const Entitlement& e : d.remove) row(d, "remove", e, &e, nullptr);
    for (const EntitlementChange& c : d.change)
      row(d, "change", c.to, &c.from, &c.to);
    if (keep) {
      for (const Entitlement& e : d.keep) row(d, "keep", e, &e, &e);
    }
  }
  py::dict out;
  out["person"] = person;
  out["kind"] = kind;
  out["action"] = action;
  out["app"] = app;
  out["instance"] = instance;
  out["from_level"] = from;
  out["to_level"] = to;
  out["reasons"] = reasons;
  out["owner"] = owner;
  out["provisioning"] = provisioning;
  out["monthly_cost_cents"] = cost;
  return out;
}

}  // namespace

void RegisterLifecycle(py::module_& m) {
  py::class_<DeltaSet>(m, "DeltaSet",
                       "Deltas of many people (HR sync, policy change), "
                       "sorted by id, with their summary.")
      .def("__len__", [](const DeltaSet& s) { return s.deltas.size(); })
      .def(
          "__getitem__",
          [](const DeltaSet& s, py::ssize_t i) {
            const py::ssize_t n = static_cast<py::ssize_t>(s.deltas.size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) throw py::index_error("delta index");
            return s.deltas[static_cast<size_t>(i)];
          },
          py::arg("i"))
      .def_readonly("summary", &DeltaSet::summary_line,
                    "The line a person reads first.")
      .def_property_readonly("stats",
                             [](const DeltaSet& s) {
                               const DeltaSummary& x = s.summary;
                               py::dict d;
                               d["people"] = x.people;
                               d["joiners"] = x.joiners;
                               d["movers"] = x.movers;
                               d["leavers"] = x.leavers;
                               d["unchanged"] = x.unchanged;
                               d["adds"] = x.adds;
                               d["removes"] = x.removes;
                               d["changes"] = x.changes;
                               d["keeps"] = x.keeps;
                               d["automated_tasks"] = x.automated_tasks;
                               d["manual_tasks"] = x.manual_tasks;
                               d["license_cents_per_month"] =
                                   x.license_cents_per_month;
                               d["unpriced_actions"] = x.unpriced_actions;
                               py::dict owners;
                               for (const OwnerTasks& o : x.manual_by_owner)
                                 owners[py::str(o.owner)] = o.tasks;
                               d["manual_by_owner"] = owners;
                               return d;
                             })
      .def(
          "to_jsonl",
          [](const DeltaSet& s) {
            std::string out;
            {
              py::gil_scoped_release release;
              for (const PersonDelta& d : s.deltas) {
                out += PersonDeltaToJson(d);
                out += '\n';
              }
            }
            return out;
          },
          "SPEC §11 delta jsonl, one line per person.")
      .def("actions_table", &ActionsTable, py::arg("keep") = false)
      .def(
          "route",
          [](const DeltaSet& s, const std::string& app,
             const std::string& instance) {
            return Route(*s.routing, app, instance);
          },
          py::arg("app"), py::arg("instance") = "");

  m.def(
      "route",
      [](const Compiled& c, const std::string& app,
         const std::string& instance) {
        const Routing r(c.bound);
        return Route(r, app, instance);
      },
      py::arg("compiled"), py::arg("app"), py::arg("instance") = "",
      "(owner, provisioning, monthly_cost_cents or None) from the catalog.");

  m.def(
      "hr_sync",
      [](const Compiled& c, const Population& before, const Population& after,
         const std::string& as_of, std::optional<std::string> before_as_of,
         int threads) {
        CheckThreads(threads);
        HrSyncOptions options;
        options.as_of = ParseAsOf(as_of);
        if (before_as_of) options.before_as_of = ParseAsOf(*before_as_of);
        options.threads = threads;
        absl::StatusOr<std::vector<PersonDelta>> deltas;
        {
          py::gil_scoped_release release;
          deltas = HrSync(*c.compiled, before, after, options);
        }
        return MakeSet(ValueOrThrow(std::move(deltas)),
                       std::make_shared<const Routing>(c.bound), false);
      },
      py::arg("compiled"), py::arg("before"), py::arg("after"),
      py::arg("as_of"), py::arg("before_as_of") = py::none(),
      py::arg("threads") = 0);

  m.def(
      "policy_delta",
      [](const Compiled& before, const Compiled& after,
         const Population& people, const std::string& as_of, int threads) {
        CheckThreads(threads);
        const Date date = ParseAsOf(as_of);
        absl::StatusOr<std::vector<PersonDelta>> deltas;
        {
          py::gil_scoped_release release;
          deltas = PolicyDeltaPopulation(*before.compiled, *after.compiled,
                                         people, date, threads);
        }
        return MakeSet(ValueOrThrow(std::move(deltas)),
                       std::make_shared<const Routing>(after.bound), true);
      },
      py::arg("before"), py::arg("after"), py::arg("people"), py::arg("as_of"),
      py::arg("threads") = 0);

  m.def(
      "reconcile",
      [](const Compiled& c, const Population& hr, const std::string& access,
         const std::string& file, const std::string& as_of,
         const std::vector<std::string>& apps) {
        ReconcileOptions options;
        options.as_of = ParseAsOf(as_of);
        options.apps = apps;
        const std::vector<AccessRecord> rows = AccessFrom(access, file);
        absl::StatusOr<ReconcileResult> result;
        {
          py::gil_scoped_release release;
          result = Reconcile(*c.compiled, hr, rows, options);
        }
        const ReconcileResult r = ValueOrThrow(std::move(result));
        const Routing routing(c.bound);
        py::list items;
        for (const ReconcileItem& i : r.items) {
          py::tuple route = Route(routing, i.app, i.instance);
          const bool missing = i.kind == ReconcileKind::kMissing;
          items.append(py::make_tuple(
              i.person_id, std::string(ReconcileKindName(i.kind)), i.app,
              i.instance,
              i.desired ? py::cast(*i.desired) : py::object(py::none()),
              missing ? py::object(py::none())
                      : py::object(py::str(i.actual_level)),
              missing ? std::string() : FormatSourceLocation(i.location),
              i.reason == ExcessReason::kNone
                  ? py::object(py::none())
                  : py::object(
                        py::str(std::string(ExcessReasonName(i.reason)))),
              i.denied_by, route[0], route[1], route[2],
              ReconcileItemToJson(i, routing.index)));
        }
        return py::make_tuple(items, r.consistent, r.duplicates, r.people);
      },
      py::arg("compiled"), py::arg("hr"), py::arg("access"), py::arg("file"),
      py::arg("as_of"), py::arg("apps") = std::vector<std::string>{});

  m.def(
      "expiring_within",
      [](const Compiled& c, const Population& people, const std::string& as_of,
         int days) {
        const Date date = ParseAsOf(as_of);
        if (days < 0 || days > 36600) {
          ThrowStatus(absl::OutOfRangeError("days: expected 0..36600, got " +
                                            std::to_string(days)));
        }
        std::vector<TimedChange> changes;
        {
          py::gil_scoped_release release;
          std::vector<const Person*> sorted;
          for (const Person& p : people.people) sorted.push_back(&p);
          std::sort(
              sorted.begin(), sorted.end(),
              [](const Person* a, const Person* b) { return a->id < b->id; });
          for (const Person* p : sorted) {
            for (TimedChange& t : UpcomingChanges(*c.compiled, *p, date, days))
              changes.push_back(std::move(t));
          }
          std::stable_sort(changes.begin(), changes.end(),
                           [](const TimedChange& a, const TimedChange& b) {
                             return a.effective < b.effective;
                           });
        }
        const Routing routing(c.bound);
        py::list out;
        for (const TimedChange& t : changes) {
          const Entitlement& e = t.from ? *t.from : *t.to;
          py::tuple route = Route(routing, e.app, e.instance);
          out.append(py::make_tuple(
              t.person_id, FormatIsoDate(t.effective),
              FormatIsoDate(Date{t.effective.days - 1}), e.app, e.instance,
              t.from ? py::cast(*t.from) : py::object(py::none()),
              t.to ? py::cast(*t.to) : py::object(py::none()), route[0],
              route[1], route[2]));
        }
        return out;
      },
      py::arg("compiled"), py::arg("people"), py::arg("as_of"),
      py::arg("days"));

  m.def(
      "emergency_leaver",
      [](const Compiled& c, py::handle person, const std::string& access,
         const std::string& file, const std::string& as_of,
         std::optional<std::string> id) {
        const Date date = ParseAsOf(as_of);
        const Person p = PersonFromMapping(person, id ? &*id : nullptr);
        const std::vector<AccessRecord> rows = AccessFrom(access, file);
        std::vector<RevokeItem> items;
        {
          py::gil_scoped_release release;
          items = EmergencyLeaver(*c.compiled, p,
                                  access.empty() ? nullptr : &rows, date);
        }
        py::list out;
        for (const RevokeItem& i : items) {
          out.append(py::make_tuple(
              i.app, i.instance,
              i.granted ? py::cast(*i.granted) : py::object(py::none()),
              i.actual_level ? py::object(py::str(*i.actual_level))
                             : py::object(py::none()),
              i.actual_level ? FormatSourceLocation(i.location) : std::string(),
              i.owner, ProvisioningLabel(i.provisioning),
              i.monthly_cost_cents ? py::object(py::int_(*i.monthly_cost_cents))
                                   : py::object(py::none())));
        }
        return py::make_tuple(
            p.id, out, PersonDeltaToJson(RevokeListToDelta(p.id, items)));
      },
      py::arg("compiled"), py::arg("person"), py::arg("access"),
      py::arg("file"), py::arg("as_of"), py::arg("id") = py::none());
}

}  // namespace birthright::python
