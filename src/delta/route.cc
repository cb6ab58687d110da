// Routing deltas to the people who do the work: catalog lookup, the
// summary a person reads first, money formatting. See delta.h.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "birthright/delta.h"
#include "delta/delta_internal.h"
#include "util/text.h"

namespace birthright {

InstanceIndex::InstanceIndex(const BoundPolicy& policy) : policy_(&policy) {
  const auto& instances = policy.instances();
  for (size_t i = 0; i < instances.size(); ++i) {
    const AppInstance& inst = instances[i];
    by_name_.emplace(delta_internal::EntKey(inst.app, inst.instance),
                     static_cast<int32_t>(i));
    const std::string app = AsciiLowercase(inst.app);
    auto [it, inserted] = only_instance_.emplace(app, static_cast<int32_t>(i));
    if (!inserted)
      it->second = -1;  // Several instances: an empty name is ambiguous.
  }
}

int32_t InstanceIndex::Find(std::string_view app,
                            std::string_view instance) const {
  auto it = by_name_.find(delta_internal::EntKey(app, instance));
  if (it != by_name_.end()) return it->second;
  if (instance.empty()) {
    // SPEC §4.3 for accounts: an empty instance names the app's only one.
    auto only = only_instance_.find(AsciiLowercase(app));
    if (only != only_instance_.end()) return only->second;
  }
  return -1;
}

const AppInstance* InstanceIndex::FindInstance(
    std::string_view app, std::string_view instance) const {
  const int32_t i = Find(app, instance);
  return i < 0 ? nullptr : &policy_->instances()[i];
}

bool InstanceIndex::HasApp(std::string_view app) const {
  return only_instance_.count(AsciiLowercase(app)) > 0;
}

DeltaSummary Summarize(const InstanceIndex& index,
                       const std::vector<PersonDelta>& deltas) {
  DeltaSummary s;
  std::map<std::string, int64_t> by_owner;
  auto action = [&](const Entitlement& e, int sign) {
    const AppInstance* inst = index.FindInstance(e.app, e.instance);
    const Provisioning p =
        inst != nullptr ? inst->provisioning : Provisioning::kUnspecified;
    if (IsAutomated(p)) {
      ++s.automated_tasks;
    } else {
      ++s.manual_tasks;
      ++by_owner[inst == nullptr || inst->owner.empty() ? "(no owner)"
                                                        : inst->owner];
    }
    if (sign == 0) return;
    if (inst == nullptr || !inst->monthly_cost_cents) {
      ++s.unpriced_actions;
    } else {
      s.license_cents_per_month += sign * *inst->monthly_cost_cents;
    }
  };
  for (const PersonDelta& d : deltas) {
    ++s.people;
    switch (d.kind) {
      case DeltaKind::kJoiner:
        ++s.joiners;
        break;
      case DeltaKind::kMover:
        ++s.movers;
        break;
      case DeltaKind::kLeaver:
        ++s.leavers;
        break;
      case DeltaKind::kUnchanged:
        ++s.unchanged;
        break;
    }
    s.adds += static_cast<int64_t>(d.add.size());
    s.removes += static_cast<int64_t>(d.remove.size());
    s.changes += static_cast<int64_t>(d.change.size());
    s.keeps += static_cast<int64_t>(d.keep.size());
    for (const Entitlement& e : d.add) action(e, +1);
    for (const Entitlement& e : d.remove) action(e, -1);
    for (const EntitlementChange& c : d.change) action(c.to, 0);
  }
  for (const auto& [owner, n] : by_owner)
    s.manual_by_owner.push_back(OwnerTasks{owner, n});
  return s;
}

std::string FormatCents(int64_t cents, bool signed_) {
  const char* sign = cents < 0 ? "-" : (signed_ ? "+" : "");
  const uint64_t abs = cents < 0 ? static_cast<uint64_t>(-(cents + 1)) + 1
                                 : static_cast<uint64_t>(cents);
  char buf[48];
  if (abs % 100 == 0) {
    std::snprintf(buf, sizeof(buf), "%s$%llu", sign,
                  static_cast<unsigned long long>(abs / 100));
  } else {
    std::snprintf(buf, sizeof(buf), "%s$%llu.%02u", sign,
                  static_cast<unsigned long long>(abs / 100),
                  static_cast<unsigned>(abs % 100));
  }
  return buf;
}

namespace {
std::string Count(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}
}  // namespace

std::string SummaryLine(const DeltaSummary& s, bool policy_change) {
  std::string out =
      policy_change
          ? Count(s.people - s.unchanged, "person changes", "people change") +
                " (" + std::to_string(s.unchanged) + " unchanged): "
          : Count(s.joiners, "joiner", "joiners") + ", " +
                Count(s.movers, "mover", "movers") + ", " +
                Count(s.leavers, "leaver", "leavers") + " (" +
                std::to_string(s.unchanged) + " unchanged): ";
  out +=
      Count(s.adds, "add", "adds") + ", " +
      Count(s.removes, "remove", "removes") + ", " +
      Count(s.changes, "change", "changes") + "; " +
      Count(s.manual_tasks, "manual task", "manual tasks") + " for " +
      Count(static_cast<int64_t>(s.manual_by_owner.size()), "owner", "owners") +
      "; licenses " + FormatCents(s.license_cents_per_month, true) + "/month";
  if (s.unpriced_actions > 0) {
    out += " (" + Count(s.unpriced_actions, "action", "actions") +
           " without a catalog cost)";
  }
  return out;
}

}  // namespace birthright
