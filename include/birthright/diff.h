// Policy diff (SPEC §9 last bullet, §6 "Policy change"): what changed
// between two versions of a policy, at three depths.
//
//  1. Rule level: rules added, removed or modified (matched by id, compared
//     on their canonical form field by field), plus catalog, alias, schema
//     and SoD changes.
//  2. Semantic: the exact set of people whose entitlements change, as
//     attribute regions per app instance with the old and new outcome. It
//     is computed on compiled decision DAGs (Gouda & Liu's change-impact
//     analysis of firewall decision diagrams): both versions' rules of every
//     changed app are compiled together into ONE DAG over a common variable
//     universe, so every DAG path decides both versions at once; the paths
//     whose two outcomes differ are the regions. See docs/diff.md.
//  3. Population: with an HR export, who gains, loses or changes what, per
//     entitlement, and the monthly license cost change.
//
// All functions are pure and deterministic (no hash-order iteration in any
// output); a computed PolicyDiff is immutable and its const methods are
// thread-safe.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DIFF_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DIFF_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/date.h"
#include "birthright/delta.h"
#include "birthright/policy.h"

namespace birthright {

// ---------------------------------------------------------------------------
// Rule level.

enum class ChangeKind : uint8_t { kAdded, kRemoved, kModified };
// "added", "removed", "modified".
std::string_view ChangeKindName(ChangeKind kind);

// One field of a modified item, rendered in cell/expression syntax.
struct FieldChange {
  // Rules: "effect", "conditions", "unless", "targets", "priority",
  // "expiry", "window", "owner", "notes". Catalog: "levels",
  // "default level", "owner", "provisioning", "monthly cost". Schema:
  // "type", "order", "case sensitive". Aliases: "canonical". SoD: "pair".
  std::string field;
  std::string before;
  std::string after;
};

// A rule matched by id. A rule is modified when its canonical form differs:
// names folded, values normalized, lists sorted (so `Sales | Marketing` and
// `marketing; sales` are the same condition, SPEC §7 equivalence), the same
// rendering the content hash uses (SPEC §9).
struct RuleChange {
  ChangeKind kind = ChangeKind::kModified;
  std::string id;
  std::string before;  // One-line rendering; empty when added.
  std::string after;   // Empty when removed.
  SourceLocation before_location, after_location;
  std::vector<FieldChange> fields;  // Modified only, in the order above.
};

// A catalog row, alias, schema attribute or SoD constraint that changed.
// `key` names it: "Slack [corp]", "department: Ent Sales", "grade", the SoD
// id.
struct ItemChange {
  ChangeKind kind = ChangeKind::kModified;
  std::string key;
  std::string before;
  std::string after;
  std::vector<FieldChange> fields;
};

struct RuleLevelDiff {
  std::string hash_before, hash_after;  // PolicyContentHash (SPEC §9).
  std::vector<RuleChange> rules;        // Sorted by id (byte order).
  std::vector<ItemChange> catalog;      // Sorted by folded app, instance.
  std::vector<ItemChange> aliases;      // By folded attribute, alias.
  std::vector<ItemChange> schema;       // By folded attribute.
  std::vector<ItemChange> sod;          // By id.
  int64_t added = 0, removed = 0, modified = 0;  // Rules.
  bool empty() const {
    return rules.empty() && catalog.empty() && aliases.empty() &&
           schema.empty() && sod.empty();
  }
};

// Compares two policies rule by rule. Never fails.
RuleLevelDiff DiffRuleLevel(const Policy& before, const Policy& after);

// ---------------------------------------------------------------------------
// Semantic level.

// What one version gives on one app instance inside a region. The expiry is
// symbolic: never, or the latest of a fixed date and date attributes of
// the person (SPEC §4.5), because the DAG decides who is granted, and the
// date comes from the person's record.
struct DiffOutcome {
  bool granted = false;
  std::string level;                // Catalog spelling.
  std::vector<std::string> scopes;  // Sorted.
  bool never_expires = true;
  std::optional<Date> expires_on;  // The latest fixed expiry, if any.
  std::vector<std::string> expiry_attributes;  // Sorted names.
  friend bool operator==(const DiffOutcome&, const DiffOutcome&) = default;
};
// "nothing", "Write [api;platform]", "Admin until latest of contract end,
// 2027-01-01".
std::string FormatDiffOutcome(const DiffOutcome& o);

// One attribute constraint of a region, in the policy language's syntax:
// `department in (sales, marketing)`, `grade in l3..l5`,
// `job title not matching /^sr/`, `contract end missing`, and for the
// evaluation date `as_of >= 2027-01-01`.
struct RegionCondition {
  std::string attribute;  // As the policy spells it; "as_of" for the date.
  std::string text;
};

// A set of people (a product of per-variable value classes) whose
// entitlement on one app instance is `before` under the old policy and
// `after` under the new one. Regions of one instance are disjoint.
// Leavers (termination date before as_of, SPEC §4.0) are in no region: they
// get nothing under both versions.
struct Region {
  std::vector<RegionCondition> conditions;  // Sorted by attribute; empty =
                                            // every (active) person.
  DiffOutcome before, after;
  // True when the two outcomes differ only in a symbolic expiry whose
  // value can coincide for some people (e.g. `contract end` vs `latest of
  // contract end, 2027-01-01`): the region then holds exactly the people
  // whose two computed expiry dates differ.
  bool expiry_dependent = false;
  // "department = sales and grade >= l5" (or "everyone").
  std::string When() const;

  // Internal: allowed classes per variable of the merged compiled policy
  // (sorted (var, classes) pairs), for Contains().
  std::vector<std::pair<int32_t, std::vector<int32_t>>> classes;
};

struct InstanceDiff {
  std::string app;  // Catalog spelling (the new version's when both).
  std::string instance;
  std::vector<Region> regions;  // DAG path order (deterministic).
};

struct SemanticDiff {
  // False when no exact common universe exists: the versions bind an
  // attribute differently (type, ordinal order, case sensitivity, aliases),
  // or an input is a compiled snapshot. `unavailable_reason` says why; the
  // rule-level diff and the population impact still work.
  bool available = false;
  std::string unavailable_reason;
  std::optional<Date> as_of;  // The date the regions were computed for;
                              // nullopt = every date (as_of is a variable).
  std::vector<InstanceDiff> instances;  // Sorted by (app, instance).
  int64_t regions = 0;                  // Regions listed.
  // True when DiffOptions::max_regions stopped the listing; then
  // `region_paths` bounds how many regions there are.
  bool truncated = false;
  int64_t region_paths = 0;   // DAG paths with a difference (saturating).
  int64_t apps_compared = 0;  // Apps whose rules or catalog rows changed.
  int64_t dag_nodes = 0;      // Nodes of the merged DAGs.

  // True when `person` lies in `region` at `as_of` (REQUIRES: `region`
  // belongs to this diff, and as_of equals this->as_of when that is set).
  // Uses the merged policy's typing: exactly what the regions are made of.
  bool Contains(const Region& region, const Person& person, Date as_of) const;
  // The concrete expiry `o` gives `person` (nullopt = never or not granted).
  std::optional<Date> ExpiryFor(const DiffOutcome& o,
                                const Person& person) const;
  // The same on a person typed once with BindPerson(merged->policy(), ..),
  // for placing one person in many regions.
  bool Contains(const Region& region, const BoundPerson& person,
                Date as_of) const;
  std::optional<Date> ExpiryFor(const DiffOutcome& o,
                                const BoundPerson& person) const;

  // The merged policy (both versions renamed apart); null when
  // unavailable. Shared so the diff stays valid after copies.
  std::shared_ptr<const CompiledPolicy> merged;
};

// ---------------------------------------------------------------------------
// Population level (reuses the policy-change deltas of delta.h).

struct PopulationImpact {
  std::string file;
  Date as_of;
  int64_t people = 0;
  int64_t gain = 0;       // People with only adds.
  int64_t lose = 0;       // People with only removes.
  int64_t change = 0;     // People with changes or a mix.
  int64_t unchanged = 0;  // No action.
  // Adds priced by the new catalog, removes by the old one (a change keeps
  // the seat). Instances without a cost count in `unpriced_actions`.
  int64_t license_cents_per_month = 0;
  int64_t unpriced_actions = 0;
  std::vector<PersonDelta> deltas;  // People with actions, sorted by id.
  std::vector<EntitlementImpact> by_entitlement;
};

// ---------------------------------------------------------------------------

struct DiffOptions {
  // Fix the evaluation date of the semantic diff; nullopt = regions range
  // over every date (effective windows and fixed expiries show as `as_of`
  // conditions).
  std::optional<Date> semantic_as_of;
  // The population impact's date (SPEC §4: an input, never the clock).
  // Set it whenever people are given (the default is 1970-01-01).
  Date population_as_of;
  // Regions listed at most, over all instances (a limit, never a hang: the
  // walk skips sub-DAGs without differences, so its time is linear in the
  // listed regions plus the DAG size).
  int64_t max_regions = 1000;
  CompileOptions compile;
  int threads = 1;
};

struct PolicyDiff {
  std::string name_before, version_before, name_after, version_after;
  RuleLevelDiff rules;
  SemanticDiff semantic;
  std::optional<PopulationImpact> population;
};

// Diffs two policy sources. Each version is bound strictly (as `eval`
// does: an unknown app or level is an input error) with `people`, when
// given, for type inference. Fails with InvalidArgument naming the version
// when one does not bind, ResourceExhausted when a compile limit is hit.
absl::StatusOr<PolicyDiff> DiffPolicies(const Policy& before,
                                        const Policy& after,
                                        const Population* people,
                                        const DiffOptions& options);

// Population impact of two compiled versions (either may come from a
// snapshot). InvalidArgument on a duplicate person id.
absl::StatusOr<PopulationImpact> DiffPopulation(const CompiledPolicy& before,
                                                const CompiledPolicy& after,
                                                const Population& people,
                                                Date as_of, int threads = 1);

// "3 rules added, 1 removed, 2 modified; 4 regions change Salesforce, Slack
// [corp]; 12 people affected: 7 gain, 3 lose, 2 change; licenses
// +$310/month".
std::string DiffSummaryLine(const PolicyDiff& diff);

// The documented JSON document (docs/diff.md), keys in a fixed order, one
// line, no trailing newline.
std::string PolicyDiffToJson(const PolicyDiff& diff);
// The jsonl form: one object per rule change, item change, region and
// person delta, each starting with "type".
std::string PolicyDiffToJsonl(const PolicyDiff& diff);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DIFF_H_
