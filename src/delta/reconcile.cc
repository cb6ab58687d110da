// Reconcile: desired (the policy's answer) vs actual (an access export),
// SPEC §6. See delta.h.
#include <algorithm>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "birthright/delta.h"
#include "birthright/reference_evaluator.h"
#include "compile/dag.h"
#include "delta/delta_internal.h"
#include "util/json.h"
#include "util/status_macros.h"
#include "util/text.h"

namespace birthright {

std::string_view ReconcileKindName(ReconcileKind kind) {
  switch (kind) {
    case ReconcileKind::kMissing:
      return "missing";
    case ReconcileKind::kExcess:
      return "excess";
    case ReconcileKind::kLevelMismatch:
      return "level-mismatch";
  }
  return "missing";
}

std::string_view ExcessReasonName(ExcessReason reason) {
  switch (reason) {
    case ExcessReason::kNone:
      return "";
    case ExcessReason::kNotGranted:
      return "not granted";
    case ExcessReason::kOrphan:
      return "orphan";
    case ExcessReason::kTerminated:
      return "terminated";
    case ExcessReason::kUnknownApp:
      return "unknown app";
  }
  return "";
}

namespace {

constexpr std::string_view kDeniedByRule = "denied by rule ";

// Explains hr.people[i] (the reference evaluator in explain mode: its
// `withheld` list names the deny behind each withheld grant), or null when
// the policy's rule conditions are not at hand.
using ExplainFn = std::function<Decision(size_t)>;

// True when every rule's conditions are in the BoundPolicy, so the
// reference evaluator can explain it. A policy loaded from a snapshot keeps
// its conditions only in the DAG (snapshot.h): there a rule's compiled
// conjuncts (one atom per condition, plus one per effective-window bound
// and expiry, compiler.cc BuildRuleInfo) outnumber what the bound rule can
// account for, or its `unless` is compiled but not bound.
bool HasRuleConditions(const CompiledPolicy& policy) {
  const std::vector<BoundRule>& rules = policy.policy().rules();
  const CompiledPolicy::Impl& im = policy.impl();
  for (size_t r = 0; r < rules.size() && r < im.rules.size(); ++r) {
    const BoundRule& rule = rules[r];
    const size_t bound_atoms =
        rule.conditions.size() + (rule.effective_from ? 1 : 0) +
        (rule.effective_until ? 1 : 0) +
        (rule.expiry_kind != Expiry::Kind::kNever ? 1 : 0);
    if (im.rules[r].cond_count > bound_atoms) return false;
    if (im.rules[r].unless_count > 0 && !rule.unless) return false;
  }
  return true;
}

// The part shared by the fast path and the oracle: everything after the
// desired decisions are known. `desired[i]` answers hr.people[i]. `explain`
// (may be null) names the denies behind `not granted` excess items.
ReconcileResult ReconcileCore(const InstanceIndex& index, const Population& hr,
                              const std::vector<Decision>& desired,
                              const std::vector<AccessRecord>& access,
                              const ReconcileOptions& options,
                              const ExplainFn& explain) {
  ReconcileResult result;
  result.people = static_cast<int64_t>(hr.people.size());
  absl::flat_hash_set<std::string> only_apps;
  for (const std::string& a : options.apps) only_apps.insert(AsciiLowercase(a));
  auto included = [&](std::string_view app) {
    return only_apps.empty() || only_apps.count(AsciiLowercase(app)) > 0;
  };

  absl::flat_hash_map<std::string_view, int32_t> hr_index;
  for (size_t i = 0; i < hr.people.size(); ++i) {
    hr_index.emplace(hr.people[i].id, static_cast<int32_t>(i));
  }
  // Export rows per person, in file order; orphans in first-seen order.
  std::vector<std::vector<int32_t>> rows_of(hr.people.size());
  std::vector<std::string_view> orphan_ids;
  absl::flat_hash_map<std::string_view, std::vector<int32_t>> orphan_rows;
  for (size_t r = 0; r < access.size(); ++r) {
    if (!included(access[r].app)) continue;
    auto it = hr_index.find(access[r].person_id);
    if (it != hr_index.end()) {
      rows_of[it->second].push_back(static_cast<int32_t>(r));
    } else {
      auto [o, inserted] = orphan_rows.try_emplace(access[r].person_id);
      if (inserted) orphan_ids.push_back(access[r].person_id);
      o->second.push_back(static_cast<int32_t>(r));
    }
  }

  auto excess = [&](const std::string& person, const AccessRecord& row,
                    int32_t inst, ExcessReason reason) {
    ReconcileItem item;
    item.person_id = person;
    item.kind = ReconcileKind::kExcess;
    if (inst >= 0) {
      item.app = index.policy().instances()[inst].app;
      item.instance = index.policy().instances()[inst].instance;
    } else {
      item.app = row.app;
      item.instance = row.instance;
    }
    item.actual_level = row.level;
    item.location = row.location;
    item.reason = reason;
    result.items.push_back(std::move(item));
  };
  // An exact repeat of an earlier row (same instance, same level) is one
  // account listed twice, not a second finding.
  auto is_duplicate = [&](absl::flat_hash_set<std::string>* seen,
                          const AccessRecord& row, int32_t inst) {
    std::string key = inst >= 0 ? std::to_string(inst)
                                : delta_internal::EntKey(row.app, row.instance);
    key.push_back('\x1e');
    key += AsciiLowercase(row.level);
    if (seen->insert(std::move(key)).second) return false;
    ++result.duplicates;
    return true;
  };

  // Rule id → position, for ordering denied_by (built on first use).
  absl::flat_hash_map<std::string_view, int32_t> rule_pos;
  auto name_denies = [&](size_t person, size_t first_item) {
    // The `not granted` excess items of this person, with their instances.
    std::vector<std::pair<size_t, int32_t>> targets;
    for (size_t k = first_item; k < result.items.size(); ++k) {
      const ReconcileItem& it = result.items[k];
      if (it.kind != ReconcileKind::kExcess ||
          it.reason != ExcessReason::kNotGranted) {
        continue;
      }
      const int32_t inst = index.Find(it.app, it.instance);
      if (inst >= 0) targets.emplace_back(k, inst);
    }
    if (targets.empty()) return;
    const Decision explained = explain(person);
    if (rule_pos.empty()) {
      for (const BoundRule& r : index.policy().rules())
        rule_pos.emplace(r.id, r.index);
    }
    for (const auto& [k, inst] : targets) {
      std::vector<std::string>& ids = result.items[k].denied_by;
      for (const WithheldGrant& w : explained.withheld) {
        if (!std::string_view(w.why).starts_with(kDeniedByRule)) continue;
        if (index.Find(w.app, w.instance) != inst) continue;
        std::string rule(std::string_view(w.why).substr(kDeniedByRule.size()));
        if (std::find(ids.begin(), ids.end(), rule) == ids.end())
          ids.push_back(std::move(rule));
      }
      std::sort(ids.begin(), ids.end(),
                [&](const std::string& a, const std::string& b) {
                  auto pa = rule_pos.find(a), pb = rule_pos.find(b);
                  const int32_t ia = pa == rule_pos.end() ? -1 : pa->second;
                  const int32_t ib = pb == rule_pos.end() ? -1 : pb->second;
                  return ia != ib ? ia < ib : a < b;
                });
    }
  };

  for (size_t i = 0; i < hr.people.size(); ++i) {
    const std::string& id = hr.people[i].id;
    const Decision& d = desired[i];
    const size_t first_item = result.items.size();
    // Desired entitlements by catalog instance.
    std::vector<std::pair<int32_t, const Entitlement*>> want;
    for (const Entitlement& e : d.entitlements) {
      if (included(e.app)) want.emplace_back(index.Find(e.app, e.instance), &e);
    }
    std::vector<uint8_t> matched(want.size(), 0), mismatched(want.size(), 0);
    absl::flat_hash_set<std::string> seen;
    for (int32_t r : rows_of[i]) {
      const AccessRecord& row = access[r];
      const int32_t inst = index.Find(row.app, row.instance);
      if (is_duplicate(&seen, row, inst)) continue;
      if (d.leaver) {
        excess(id, row, inst, ExcessReason::kTerminated);
        continue;
      }
      if (inst < 0) {
        excess(id, row, inst, ExcessReason::kUnknownApp);
        continue;
      }
      size_t w = 0;
      while (w < want.size() && want[w].first != inst) ++w;
      if (w == want.size()) {
        excess(id, row, inst, ExcessReason::kNotGranted);
      } else if (EqualsIgnoreCase(row.level, want[w].second->level)) {
        ++result.consistent;
        matched[w] = 1;
      } else {
        ReconcileItem item;
        item.person_id = id;
        item.kind = ReconcileKind::kLevelMismatch;
        item.app = want[w].second->app;
        item.instance = want[w].second->instance;
        item.desired = *want[w].second;
        item.actual_level = row.level;
        item.location = row.location;
        result.items.push_back(std::move(item));
        mismatched[w] = 1;
      }
    }
    for (size_t w = 0; w < want.size(); ++w) {
      if (matched[w] || mismatched[w]) continue;
      ReconcileItem item;
      item.person_id = id;
      item.kind = ReconcileKind::kMissing;
      item.app = want[w].second->app;
      item.instance = want[w].second->instance;
      item.desired = *want[w].second;
      result.items.push_back(std::move(item));
    }
    if (explain) name_denies(i, first_item);
  }
  for (std::string_view id : orphan_ids) {
    absl::flat_hash_set<std::string> seen;
    for (int32_t r : orphan_rows[id]) {
      const AccessRecord& row = access[r];
      const int32_t inst = index.Find(row.app, row.instance);
      if (is_duplicate(&seen, row, inst)) continue;
      excess(std::string(id), row, inst, ExcessReason::kOrphan);
    }
  }

  struct Keyed {
    std::string key;
    ReconcileItem item;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(result.items.size());
  for (ReconcileItem& item : result.items) {
    std::string key = delta_internal::EntKey(item.app, item.instance);
    keyed.push_back(Keyed{std::move(key), std::move(item)});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.item.person_id != b.item.person_id)
      return a.item.person_id < b.item.person_id;
    if (a.key != b.key) return a.key < b.key;
    if (a.item.kind != b.item.kind) return a.item.kind < b.item.kind;
    return a.item.location.line < b.item.location.line;
  });
  result.items.clear();
  for (Keyed& k : keyed) result.items.push_back(std::move(k.item));
  return result;
}

}  // namespace

absl::StatusOr<ReconcileResult> Reconcile(
    const CompiledPolicy& policy, const Population& hr,
    const std::vector<AccessRecord>& access, const ReconcileOptions& options) {
  BR_RETURN_IF_ERROR(delta_internal::CheckUniqueIds(hr));
  std::vector<Decision> desired(hr.people.size());
  delta_internal::ParallelFor(static_cast<int64_t>(hr.people.size()), 1,
                              [&](int64_t begin, int64_t end) {
                                delta_internal::SlotFiller filler(policy);
                                std::vector<std::string_view> slots;
                                DecisionBuffer buf;
                                for (int64_t i = begin; i < end; ++i) {
                                  filler.Fill(hr.people[i], &slots);
                                  policy.Evaluate(slots, options.as_of, &buf);
                                  buf.missing.clear();
                                  desired[i] =
                                      policy.ToDecision(hr.people[i].id, buf);
                                }
                              });
  const InstanceIndex index(policy.policy());
  ExplainFn explain;
  if (HasRuleConditions(policy)) {
    explain = [&](size_t i) {
      return EvaluateReference(policy.policy(), hr.people[i], options.as_of,
                               /*explain=*/true);
    };
  }
  return ReconcileCore(index, hr, desired, access, options, explain);
}

absl::StatusOr<ReconcileResult> ReconcileReference(
    const BoundPolicy& policy, const Population& hr,
    const std::vector<AccessRecord>& access, const ReconcileOptions& options) {
  BR_RETURN_IF_ERROR(delta_internal::CheckUniqueIds(hr));
  std::vector<Decision> desired;
  desired.reserve(hr.people.size());
  for (const Person& p : hr.people)
    desired.push_back(EvaluateReference(policy, p, options.as_of));
  const InstanceIndex index(policy);
  const ExplainFn explain = [&](size_t i) {
    return EvaluateReference(policy, hr.people[i], options.as_of,
                             /*explain=*/true);
  };
  return ReconcileCore(index, hr, desired, access, options, explain);
}

std::string ReconcileItemToJson(const ReconcileItem& item,
                                const InstanceIndex& index) {
  std::string out = "{\"person\":";
  AppendJsonString(&out, item.person_id);
  out += ",\"kind\":";
  AppendJsonString(&out, ReconcileKindName(item.kind));
  out += ",\"app\":";
  AppendJsonString(&out, item.app);
  out += ",\"instance\":";
  AppendJsonString(&out, item.instance);
  out += ",\"desired\":";
  out += item.desired ? EntitlementToJson(*item.desired) : "null";
  out += ",\"actual\":";
  if (item.kind == ReconcileKind::kMissing) {
    out += "null";
  } else {
    out += "{\"level\":";
    AppendJsonString(&out, item.actual_level);
    out += ",\"location\":";
    AppendJsonString(&out, FormatSourceLocation(item.location));
    out += "}";
  }
  out += ",\"reason\":";
  if (item.reason == ExcessReason::kNone) {
    out += "null";
  } else {
    AppendJsonString(&out, ExcessReasonName(item.reason));
  }
  if (!item.denied_by.empty()) {
    out += ",\"denied_by\":";
    AppendJsonStringArray(&out, item.denied_by);
  }
  const AppInstance* inst = index.FindInstance(item.app, item.instance);
  out += ",\"owner\":";
  AppendJsonString(&out, inst != nullptr ? inst->owner : "");
  out += ",\"provisioning\":";
  const std::string_view prov =
      inst != nullptr ? ProvisioningName(inst->provisioning) : "";
  AppendJsonString(&out, prov.empty() ? "unspecified" : prov);
  out += ",\"monthly_cost_cents\":";
  out += inst != nullptr && inst->monthly_cost_cents
             ? std::to_string(*inst->monthly_cost_cents)
             : "null";
  out += "}";
  return out;
}

}  // namespace birthright
