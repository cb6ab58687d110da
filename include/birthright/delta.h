// Lifecycle deltas (SPEC §6): what to add, remove and change when a person
// joins, moves or leaves; over two HR exports (HR sync); between two policy
// versions; desired vs actual access (reconcile); what changes with time
// alone (expiring access); and the emergency leaver's revoke list.
//
// Every function has a fast path on a CompiledPolicy and, where it helps
// testing, a `...Reference` twin on a BoundPolicy that uses the reference
// evaluator: the twins give byte-identical answers (STYLE §9) and are
// NEVER FOR PRODUCTION (they scan every rule for every person).
//
// All functions are pure: the same inputs give the same output on any
// thread (SPEC §5). Nothing reads the clock; dates are inputs. They are
// thread-safe for concurrent calls on shared const policies. See
// docs/deltas.md for the choices made where SPEC §6 is silent.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DELTA_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DELTA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/date.h"
#include "birthright/decision.h"
#include "birthright/policy.h"

namespace birthright {

// ---------------------------------------------------------------------------
// One person.

// SPEC §6 lifecycle kinds. A person is *active* on one side when present in
// that input and not terminated (termination date before that side's date).
//   joiner:    inactive (absent or terminated) → active
//   leaver:    active → inactive (absent or terminated)
//   mover:     active → active, and an attribute the policy reads changed
//              (or, with two dates, access changed with time alone)
//   unchanged: everything else; an `unchanged` delta never has actions.
enum class DeltaKind : uint8_t { kJoiner, kMover, kLeaver, kUnchanged };

// "joiner", "mover", "leaver", "unchanged" (the SPEC §11 spellings).
std::string_view DeltaKindName(DeltaKind kind);

// A provisioning action on one (app, instance) held on both sides with a
// different level, scope set or expiry (SPEC §6): `from` is the before
// entitlement, `to` the after one, both with their reasons.
struct EntitlementChange {
  Entitlement from;
  Entitlement to;
  friend bool operator==(const EntitlementChange&,
                         const EntitlementChange&) = default;
};

// The delta of one person. Entitlements are matched on (app, instance),
// case-insensitively (SPEC §4.3). `add`, `change` and `keep` follow the
// after decision's order, `remove` the before decision's (both sorted by
// app then instance, as `eval` prints them). A pair that differs only in
// `reasons` is a `keep` (nothing to provision); `keep` carries the after
// entitlement, so its reasons are current.
struct PersonDelta {
  std::string person_id;
  DeltaKind kind = DeltaKind::kUnchanged;
  std::vector<Entitlement> add;
  std::vector<Entitlement> remove;
  std::vector<EntitlementChange> change;
  std::vector<Entitlement> keep;

  // True when there is something to provision (add, remove or change).
  bool has_actions() const {
    return !add.empty() || !remove.empty() || !change.empty();
  }
  friend bool operator==(const PersonDelta&, const PersonDelta&) = default;
};

// The SPEC §11 jsonl line (no trailing newline), keys in this order:
// {"person","kind","add":[ENT...],"remove":[ENT...],
//  "change":[{"app","instance","from":ENT,"to":ENT}...],"keep":[ENT...]}
// ENT is exactly EntitlementToJson (decision.h), as `eval` prints it.
std::string PersonDeltaToJson(const PersonDelta& delta);

// Fills add/remove/change/keep of `out` from two entitlement lists (each
// sorted as in a Decision, no (app, instance) twice). Leaves person_id and
// kind alone. Pure; the building block of every delta below.
void DiffEntitlements(const std::vector<Entitlement>& before,
                      const std::vector<Entitlement>& after, PersonDelta* out);

// Applies `delta` to `before`: drops `remove`, replaces `change.from` by
// `change.to` and `keep` entries by their after form, inserts `add`, and
// sorts by (app, instance). For every delta D computed from before B and
// after A: ApplyDelta(B, D) == A (the invariant the tests check).
std::vector<Entitlement> ApplyDelta(const std::vector<Entitlement>& before,
                                    const PersonDelta& delta);

// True when `a` and `b` differ in an attribute the policy reads: every
// attribute of policy.attributes() (schema-declared, named by a rule or an
// `expires`) compared as typed, alias-canonical values (so `new york` →
// `New York` is no change, and neither is `n/a` → `` on an int), plus the
// termination date. Columns the policy never reads (a name, an e-mail) do
// not count.
bool AttributesDiffer(const BoundPolicy& policy, const Person& a,
                      const Person& b);

// The delta of one person between two HR records (SPEC §6). `before` or
// `after` may be null (absent: a joiner or leaver against the empty
// person), not both. The before record is evaluated at `before_as_of`, the
// after record at `as_of`; with one date (the first overload) time-driven
// changes (expiries, windows, termination dates passing) are not part of
// the delta, only HR edits are. The id is after's (else before's).
// REQUIRES: before != nullptr || after != nullptr; both records (when
// given) have the same id.
PersonDelta Delta(const CompiledPolicy& policy, const Person* before,
                  const Person* after, Date as_of);
PersonDelta Delta(const CompiledPolicy& policy, const Person* before,
                  const Person* after, Date before_as_of, Date as_of);
// The oracle twin (reference evaluator; never for production).
PersonDelta DeltaReference(const BoundPolicy& policy, const Person* before,
                           const Person* after, Date before_as_of, Date as_of);

// ---------------------------------------------------------------------------
// Two HR exports (SPEC §6 HR sync).

struct HrSyncOptions {
  // Date of the after export.
  Date as_of;
  // Date of the before export; default as_of (then only HR edits count).
  std::optional<Date> before_as_of;
  // Threads to compute on; <= 0 means one per hardware thread.
  int threads = 1;
};

// One delta per person of either export, sorted by id in code-point (UTF-8
// byte) order. People are matched by exact id (the importer trims it).
// Fails with InvalidArgument when an export lists an id twice. The result
// does not depend on `threads`.
absl::StatusOr<std::vector<PersonDelta>> HrSync(const CompiledPolicy& policy,
                                                const Population& before,
                                                const Population& after,
                                                const HrSyncOptions& options);
absl::StatusOr<std::vector<PersonDelta>> HrSyncReference(
    const BoundPolicy& policy, const Population& before,
    const Population& after, const HrSyncOptions& options);

// ---------------------------------------------------------------------------
// Two policy versions (SPEC §6 policy change).

// The delta of one person between `before` and `after` policies at
// `as_of`. Kind: `mover` when the person's access changes, else
// `unchanged` (the person did not move; the policy did — docs/deltas.md).
PersonDelta PolicyDelta(const CompiledPolicy& before,
                        const CompiledPolicy& after, const Person& person,
                        Date as_of);
PersonDelta PolicyDeltaReference(const BoundPolicy& before,
                                 const BoundPolicy& after, const Person& person,
                                 Date as_of);
// Over a population, sorted by id (code-point order). InvalidArgument on a
// duplicate id.
absl::StatusOr<std::vector<PersonDelta>> PolicyDeltaPopulation(
    const CompiledPolicy& before, const CompiledPolicy& after,
    const Population& people, Date as_of, int threads = 1);

// Who gains, loses or changes what: one row per (app, instance) that some
// delta touches, sorted by app then instance (byte order). Ids are sorted.
struct EntitlementImpact {
  std::string app;
  std::string instance;
  std::vector<std::string> gained;   // Person ids with an `add`.
  std::vector<std::string> lost;     // ... with a `remove`.
  std::vector<std::string> changed;  // ... with a `change`.
};
std::vector<EntitlementImpact> ImpactByEntitlement(
    const std::vector<PersonDelta>& deltas);
// {"app":..,"instance":..,"gained":[ids],"lost":[ids],"changed":[ids]}, as
// `delta --policy-after` and `diff --people` print it.
std::string EntitlementImpactToJson(const EntitlementImpact& impact);

// ---------------------------------------------------------------------------
// Routing: who must do the work (catalog owner, provisioning, cost).

// Finds catalog instances by name, case-insensitively (SPEC §4.3). An empty
// instance names the app's only instance. Borrows `policy`, which must
// outlive the index. Immutable after construction; thread-safe.
class InstanceIndex {
 public:
  explicit InstanceIndex(const BoundPolicy& policy);

  // Index into policy.instances(), or -1 when unknown (or when `instance` is
  // empty and the app has several instances).
  int32_t Find(std::string_view app, std::string_view instance) const;
  // The instance, or nullptr.
  const AppInstance* FindInstance(std::string_view app,
                                  std::string_view instance) const;
  // True when `app` is in the catalog.
  bool HasApp(std::string_view app) const;
  const BoundPolicy& policy() const { return *policy_; }

 private:
  const BoundPolicy* policy_;
  absl::flat_hash_map<std::string, int32_t>
      by_name_;  // "app\x1finstance", folded.
  absl::flat_hash_map<std::string, int32_t>
      only_instance_;  // app → sole instance or -1.
};

// Manual work is provisioning `manual` or unspecified: nobody automated it.
inline bool IsAutomated(Provisioning p) {
  return p == Provisioning::kScim || p == Provisioning::kApi;
}

struct OwnerTasks {
  std::string owner;  // Catalog owner; "(no owner)" when empty.
  int64_t tasks = 0;
};

// What a person reads first about a set of deltas.
struct DeltaSummary {
  int64_t people = 0;
  int64_t joiners = 0, movers = 0, leavers = 0, unchanged = 0;
  int64_t adds = 0, removes = 0, changes = 0, keeps = 0;
  int64_t automated_tasks = 0;  // Actions on scim/api instances.
  int64_t manual_tasks = 0;     // Actions on manual/unspecified ones.
  std::vector<OwnerTasks> manual_by_owner;  // Sorted by owner.
  // Monthly license change: the catalog cost of every add minus every
  // remove (a change keeps the seat). Actions on instances without a cost
  // count in `unpriced_actions` and add nothing.
  int64_t license_cents_per_month = 0;
  int64_t unpriced_actions = 0;
};

// Summarizes `deltas`, routing each action through `index`'s catalog.
DeltaSummary Summarize(const InstanceIndex& index,
                       const std::vector<PersonDelta>& deltas);

// One line: "1 joiner, 3 movers, 1 leaver (36 unchanged): 25 adds,
// 11 removes, 14 changes; 2 manual tasks for 2 owners; licenses
// +$184.33/month". With `policy_change`, the lead is "6 people change
// (34 unchanged)": a policy change has no joiners or leavers.
std::string SummaryLine(const DeltaSummary& summary,
                        bool policy_change = false);

// "$165", "$8.75", with a sign when `signed_` ("+$0", "-$12.50").
std::string FormatCents(int64_t cents, bool signed_);

// ---------------------------------------------------------------------------
// Reconcile: desired (policy) vs actual (an access export), SPEC §6.

enum class ReconcileKind : uint8_t { kMissing, kExcess, kLevelMismatch };
// "missing", "excess", "level-mismatch".
std::string_view ReconcileKindName(ReconcileKind kind);

// Why an account is excess.
enum class ExcessReason : uint8_t {
  kNone,        // Not excess.
  kNotGranted,  // The policy gives this person nothing on this instance.
  kOrphan,      // The person id is not in the HR export.
  kTerminated,  // The person's termination date is before as_of.
  kUnknownApp,  // The app or instance is not in the catalog.
};
// "", "not granted", "orphan", "terminated", "unknown app".
std::string_view ExcessReasonName(ExcessReason reason);

struct ReconcileItem {
  std::string person_id;
  ReconcileKind kind = ReconcileKind::kMissing;
  std::string app;  // Catalog spelling when known, else as exported.
  std::string instance;
  // What the policy gives (missing, level mismatch); nullopt for excess.
  std::optional<Entitlement> desired;
  // The account as exported (excess, level mismatch); empty for missing.
  std::string actual_level;
  SourceLocation location;  // Of the export row; empty for missing.
  ExcessReason reason = ExcessReason::kNone;
  // For a `not granted` excess: the denies behind it — for every grant this
  // person would otherwise have on this instance, the first deny (policy
  // order) that removes it (SPEC §4.2); ids in policy order, no repeats.
  // The account is excess because of a deny, not for lack of a rule.
  // Empty for every other item, and when the policy's rule conditions are
  // not at hand (a policy loaded from a snapshot: docs/deltas.md).
  std::vector<std::string> denied_by;
};

struct ReconcileOptions {
  Date as_of;
  // Compare only these apps (case-insensitive names); empty = every app.
  // Export rows and desired entitlements of other apps are ignored.
  std::vector<std::string> apps;
};

struct ReconcileResult {
  // Sorted by person id (code-point order), app, instance (byte order of
  // the folded names), then kind.
  std::vector<ReconcileItem> items;
  int64_t consistent = 0;  // Export rows matching the desired level.
  int64_t duplicates = 0;  // Export rows repeating an earlier row exactly.
  int64_t people = 0;      // HR people compared.
};

// Compares the policy's answer for every person of `hr` at options.as_of
// with `access`: a desired (app, instance) without an export row is
// `missing`; an export row the policy does not give is `excess` (with a
// reason: orphans are ids absent from `hr`, leavers are terminated);
// a row on a desired instance at another level is `level-mismatch`.
// Names match case-insensitively; an empty export instance names a
// single-instance app's instance. InvalidArgument on a duplicate HR id.
absl::StatusOr<ReconcileResult> Reconcile(
    const CompiledPolicy& policy, const Population& hr,
    const std::vector<AccessRecord>& access, const ReconcileOptions& options);
absl::StatusOr<ReconcileResult> ReconcileReference(
    const BoundPolicy& policy, const Population& hr,
    const std::vector<AccessRecord>& access, const ReconcileOptions& options);

// One jsonl line for a reconcile item (no trailing newline):
// {"person","kind","app","instance","desired":ENT|null,
//  "actual":{"level","location"}|null,"reason":STRING|null,
//  ["denied_by":[RULE...],]"owner","provisioning","monthly_cost_cents":INT|null}
// "denied_by" is present only when non-empty (as check's "witness").
// The routing keys come from `index` (empty / "unspecified" / null when
// the instance is not in the catalog).
std::string ReconcileItemToJson(const ReconcileItem& item,
                                const InstanceIndex& index);

// ---------------------------------------------------------------------------
// Time-bound access: what changes with time alone.

// One change of a person's access on `effective` (the first day of the new
// state) without any HR edit: an expiry passing (SPEC §4.5), an effective
// window opening or closing (§4.1), a termination date passing (§4.0).
struct TimedChange {
  std::string person_id;
  Date effective;
  std::optional<Entitlement> from;  // Held the day before; nullopt: a start.
  std::optional<Entitlement> to;    // Held from `effective`; nullopt: a lapse.
};

// Every change of `person`'s access whose `effective` day lies in
// (as_of, as_of + days + 1]: the last day of the old state is at most
// `days` days after as_of, so an entitlement expiring on as_of + days is
// listed. Exact: the person is re-evaluated at every date where an input
// of the evaluation can flip (rule windows and fixed expiries, the
// person's expiry-attribute dates and termination date). Sorted by
// effective day, then app and instance.
// REQUIRES: 0 <= days <= 36600.
std::vector<TimedChange> UpcomingChanges(const CompiledPolicy& policy,
                                         const Person& person, Date as_of,
                                         int32_t days);
std::vector<TimedChange> UpcomingChangesReference(const BoundPolicy& policy,
                                                  const Person& person,
                                                  Date as_of, int32_t days);

// ---------------------------------------------------------------------------
// Emergency leaver: the complete revoke list for one person.

struct RevokeItem {
  std::string app;  // Catalog spelling when known, else as exported.
  std::string instance;
  // The policy's entitlement while the person is active (reasons say why
  // they had it); nullopt for an account only the export knows.
  std::optional<Entitlement> granted;
  // The exported account's level and row, when `access` lists it.
  std::optional<std::string> actual_level;
  SourceLocation location;
  std::string owner;
  Provisioning provisioning = Provisioning::kUnspecified;
  std::optional<int64_t> monthly_cost_cents;
};

// Everything to revoke from `person` now: the entitlements the policy gives
// them while active at `as_of` (their termination date is ignored, so a
// person HR already terminated still gets a complete list), united with
// every account `access` (may be null) lists for their id. Automated items
// first — scim, then api — then manual, then unspecified; within a group,
// by app and instance (byte order).
std::vector<RevokeItem> EmergencyLeaver(const CompiledPolicy& policy,
                                        const Person& person,
                                        const std::vector<AccessRecord>* access,
                                        Date as_of);

// The leaver's revoke list as a SPEC §11 delta line: kind "leaver", every
// item in `remove` in revoke order (an export-only account as an ENT with
// no scopes, expiry or reasons).
PersonDelta RevokeListToDelta(const std::string& person_id,
                              const std::vector<RevokeItem>& items);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DELTA_H_
