// Access over time: what changes with time alone (expiries, windows,
// termination dates), and the emergency leaver's revoke list. See delta.h.
#include <algorithm>
#include <utility>

#include "birthright/delta.h"
#include "birthright/reference_evaluator.h"
#include "compile/dag.h"
#include "delta/delta_internal.h"
#include "util/text.h"

namespace birthright {
namespace {

void AppendChanges(const std::string& person_id, Date effective,
                   const Decision& prev, const Decision& cur,
                   std::vector<TimedChange>* out) {
  PersonDelta d;
  DiffEntitlements(prev.entitlements, cur.entitlements, &d);
  const size_t first = out->size();
  for (Entitlement& e : d.remove)
    out->push_back(TimedChange{person_id, effective, std::move(e), {}});
  for (EntitlementChange& c : d.change) {
    out->push_back(
        TimedChange{person_id, effective, std::move(c.from), std::move(c.to)});
  }
  for (Entitlement& e : d.add)
    out->push_back(TimedChange{person_id, effective, {}, std::move(e)});
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
            [](const TimedChange& a, const TimedChange& b) {
              const Entitlement& ea = a.from ? *a.from : *a.to;
              const Entitlement& eb = b.from ? *b.from : *b.to;
              if (ea.app != eb.app) return ea.app < eb.app;
              return ea.instance < eb.instance;
            });
}

}  // namespace

std::vector<TimedChange> UpcomingChanges(const CompiledPolicy& policy,
                                         const Person& person, Date as_of,
                                         int32_t days) {
  const BoundPolicy& bound = policy.policy();
  delta_internal::SlotFiller filler(policy);
  std::vector<std::string_view> slots;
  filler.Fill(person, &slots);
  // Every date on which an input of the evaluation can flip; between two
  // of them the answer is constant, so evaluating there is exact.
  const Date last{as_of.days + days + 1};
  std::vector<int32_t> dates;
  auto candidate = [&](int64_t d) {
    if (d > as_of.days && d <= last.days)
      dates.push_back(static_cast<int32_t>(d));
  };
  // The evaluation date enters the DAG only through its as_of variable,
  // whose class changes at each of its points (rule windows, fixed expiries)
  // and the day after. Read from the compiled form, this holds for a
  // snapshot too, which does not keep the rules' windows.
  const CompiledPolicy::Impl& im = policy.impl();
  if (im.as_of_var >= 0) {
    for (const Key& p : im.vars[im.as_of_var].points) {
      candidate(p.num);
      candidate(p.num + 1);
    }
  }
  std::vector<uint8_t> expiry_attr(bound.attributes().size(), 0);
  for (const BoundRule& r : bound.rules()) {
    if (r.expiry_kind == Expiry::Kind::kAttribute && r.expiry_attr >= 0) {
      expiry_attr[r.expiry_attr] = 1;
    }
  }
  for (size_t a = 0; a < expiry_attr.size(); ++a) {
    if (!expiry_attr[a]) continue;
    const Value v = bound.attributes()[a].ParseValue(slots[a]);
    if (v.present) candidate(v.scalar.num + 1);
  }
  if (std::optional<Date> t = ParseIsoDate(slots.back()))
    candidate(int64_t{t->days} + 1);
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());

  std::vector<TimedChange> out;
  DecisionBuffer buf;
  policy.Evaluate(slots, as_of, &buf);
  buf.missing.clear();
  Decision prev = policy.ToDecision(person.id, buf);
  for (int32_t d : dates) {
    policy.Evaluate(slots, Date{d}, &buf);
    buf.missing.clear();
    Decision cur = policy.ToDecision(person.id, buf);
    AppendChanges(person.id, Date{d}, prev, cur, &out);
    prev = std::move(cur);
  }
  return out;
}

std::vector<TimedChange> UpcomingChangesReference(const BoundPolicy& policy,
                                                  const Person& person,
                                                  Date as_of, int32_t days) {
  // The oracle: every single day, no cleverness about which dates matter.
  const BoundPerson bp = BindPerson(policy, person);
  std::vector<TimedChange> out;
  Decision prev = EvaluateReference(policy, bp, as_of);
  for (int32_t d = as_of.days + 1; d <= as_of.days + days + 1; ++d) {
    Decision cur = EvaluateReference(policy, bp, Date{d});
    AppendChanges(person.id, Date{d}, prev, cur, &out);
    prev = std::move(cur);
  }
  return out;
}

namespace {

int ProvisioningRank(Provisioning p) {
  switch (p) {
    case Provisioning::kScim:
      return 0;
    case Provisioning::kApi:
      return 1;
    case Provisioning::kManual:
      return 2;
    case Provisioning::kUnspecified:
      return 3;
  }
  return 3;
}

}  // namespace

std::vector<RevokeItem> EmergencyLeaver(const CompiledPolicy& policy,
                                        const Person& person,
                                        const std::vector<AccessRecord>* access,
                                        Date as_of) {
  const InstanceIndex index(policy.policy());
  // Evaluate as if still active: a person HR already terminated gets
  // nothing from the policy, which would make the kill switch a no-op. Only
  // the leaver test is switched off; a rule reading `termination date` as
  // an attribute still sees it.
  delta_internal::SlotFiller filler(policy);
  std::vector<std::string_view> slots;
  filler.Fill(person, &slots);
  slots.back() = std::string_view();
  DecisionBuffer buf;
  policy.Evaluate(slots, as_of, &buf);
  buf.missing.clear();
  const Decision d = policy.ToDecision(person.id, buf);
  std::vector<RevokeItem> items;
  std::vector<int32_t> item_instance;
  auto route = [&](RevokeItem* item, int32_t inst) {
    if (inst < 0) return;
    const AppInstance& ai = policy.policy().instances()[inst];
    item->app = ai.app;
    item->instance = ai.instance;
    item->owner = ai.owner;
    item->provisioning = ai.provisioning;
    item->monthly_cost_cents = ai.monthly_cost_cents;
  };
  for (const Entitlement& e : d.entitlements) {
    RevokeItem item;
    item.app = e.app;
    item.instance = e.instance;
    item.granted = e;
    const int32_t inst = index.Find(e.app, e.instance);
    route(&item, inst);
    items.push_back(std::move(item));
    item_instance.push_back(inst);
  }
  if (access != nullptr) {
    for (const AccessRecord& row : *access) {
      if (row.person_id != person.id) continue;
      const int32_t inst = index.Find(row.app, row.instance);
      RevokeItem* hit = nullptr;
      for (size_t i = 0; i < items.size(); ++i) {
        const bool same =
            inst >= 0
                ? item_instance[i] == inst
                : (item_instance[i] < 0 &&
                   delta_internal::EntKey(items[i].app, items[i].instance) ==
                       delta_internal::EntKey(row.app, row.instance));
        if (same) hit = &items[i];
      }
      if (hit != nullptr) {
        if (!hit->actual_level) {  // The first row names the account.
          hit->actual_level = row.level;
          hit->location = row.location;
        }
        continue;
      }
      RevokeItem item;
      item.app = row.app;
      item.instance = row.instance;
      item.actual_level = row.level;
      item.location = row.location;
      route(&item, inst);
      items.push_back(std::move(item));
      item_instance.push_back(inst);
    }
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const RevokeItem& a, const RevokeItem& b) {
                     const int ra = ProvisioningRank(a.provisioning),
                               rb = ProvisioningRank(b.provisioning);
                     if (ra != rb) return ra < rb;
                     if (a.app != b.app) return a.app < b.app;
                     return a.instance < b.instance;
                   });
  return items;
}

PersonDelta RevokeListToDelta(const std::string& person_id,
                              const std::vector<RevokeItem>& items) {
  PersonDelta out;
  out.person_id = person_id;
  out.kind = DeltaKind::kLeaver;
  for (const RevokeItem& item : items) {
    if (item.granted) {
      out.remove.push_back(*item.granted);
    } else {
      Entitlement e;
      e.app = item.app;
      e.instance = item.instance;
      e.level = item.actual_level.value_or("");
      out.remove.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace birthright
