/* birthright C API: one header, one shared library (libbirthright.so).
 *
 * Loads access spreadsheets (CSV text held by the caller), compiles them into
 * an immutable decision DAG and answers "what app access should this person
 * have, and why" (SPEC §5), one person or a whole population at a time, and
 * the provisioning delta of one person (SPEC §6).
 *
 * Shape (leveldb/c.h, with sqlite3.h's discipline; STYLE.md §7):
 *   - Opaque handles. Every `br_X_create`/`br_X_load_*`/producing call has a
 *     `br_X_destroy`; destroy(NULL) is a no-op.
 *   - Strings in are pointer + length (need not be NUL-terminated; NULL with
 *     length 0 is the empty string) and must be UTF-8. Strings out are
 *     borrowed, NUL-terminated, UTF-8, with their length through an optional
 *     `size_t* len` (pass NULL when not needed); they live as long as the
 *     handle they came from.
 *   - Every call that can fail returns a br_status_t (BR_OK = 0) and takes a
 *     `char** errptr` last. On failure, when errptr is not NULL, any message
 *     already in *errptr is freed with br_free and *errptr is set to a new
 *     malloc'ed, NUL-terminated message the caller frees with br_free; input
 *     errors name the file, line and column ("rules.csv:3:7: ..."). On
 *     success *errptr is left untouched. So: initialize `char* err = NULL`
 *     and free it once at the end. Per-call messages (not a per-handle last
 *     error) keep every call thread-safe.
 *   - Producing calls set their `out` pointer to NULL first: after a failure
 *     there is nothing to destroy, and evaluation never grants on error.
 *   - No C++ exception crosses this API; an internal failure is BR_INTERNAL
 *     and memory exhaustion BR_RESOURCE_EXHAUSTED.
 *   - Signatures never change: a new behaviour gets a new `_v2` function.
 *     Status codes never change meaning; new ones are only appended.
 *
 * Thread safety: br_compiled_t is immutable and may be used from any number
 * of threads at once, as may every const (read-only) handle. A handle being
 * modified (br_policy_add_*, br_person_set, br_population_add) must not be
 * used by another thread at the same time.
 *
 * Pipeline: br_policy_create → br_policy_add_catalog / _schema / _aliases /
 * _rules → br_check (findings) → br_compile (or br_snapshot_load) →
 * br_evaluate / br_evaluate_many / br_delta / br_hr_sync / br_policy_delta /
 * br_reconcile / br_expiring_within / br_emergency_leaver.
 * docs/c-api.md has a complete example.
 */
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BIRTHRIGHT_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BIRTHRIGHT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define BR_EXPORT
#elif defined(__GNUC__) || defined(__clang__)
#define BR_EXPORT __attribute__((visibility("default")))
#else
#define BR_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */

/* The library version this header belongs to (CMake's project version). */
#define BR_VERSION_MAJOR 0
#define BR_VERSION_MINOR 1
#define BR_VERSION_PATCH 0
#define BR_VERSION_STRING "0.1.0"

/* The ABI version: bumped only when a binary built against an older header
 * could misbehave with this library. The shared library's SONAME is
 * libbirthright.so.<BR_ABI_VERSION>. */
#define BR_ABI_VERSION 1

/* The library's version string ("0.1.0"). Static storage; never NULL. */
BR_EXPORT const char* br_version(void);

/* The library's ABI version. A program may compare it with BR_ABI_VERSION
 * (the header it was compiled with) at start-up. */
BR_EXPORT int32_t br_abi_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes and memory                                                   */

/* Returned by every fallible call. The numbers are part of the ABI and never
 * change meaning; new codes are only appended. */
typedef int32_t br_status_t;
enum {
  BR_OK = 0,
  BR_INVALID_ARGUMENT = 1,    /* malformed input: CSV, date, NULL handle, ... */
  BR_NOT_FOUND = 2,           /* a looked-up item does not exist */
  BR_RESOURCE_EXHAUSTED = 3,  /* a documented limit was hit, or out of memory */
  BR_DATA_LOSS = 4,           /* corrupt bytes (snapshots) */
  BR_FAILED_PRECONDITION = 5, /* e.g. a version mismatch */
  BR_INTERNAL = 6,            /* a bug in birthright; please report it */
  BR_OUT_OF_RANGE = 7,        /* a value outside its allowed range */
  BR_UNIMPLEMENTED = 8,       /* not supported (yet) */
  BR_UNKNOWN = 9              /* any other failure */
};

/* "OK", "INVALID_ARGUMENT", ... for a br_status_t; "UNKNOWN" for a number
 * this library does not know. Static storage; never NULL. */
BR_EXPORT const char* br_status_name(br_status_t status);

/* Frees a message from an errptr or a buffer this API documents as "free
 * with br_free" (e.g. br_evaluate_many's jsonl). br_free(NULL) is a no-op. */
BR_EXPORT void br_free(void* ptr);

/* ------------------------------------------------------------------------ */
/* Handles                                                                   */

typedef struct br_policy_t br_policy_t;         /* rules + catalog + ...   */
typedef struct br_issues_t br_issues_t;         /* bind findings (check)   */
typedef struct br_compiled_t br_compiled_t;     /* immutable decision DAG  */
typedef struct br_person_t br_person_t;         /* one HR record           */
typedef struct br_population_t br_population_t; /* many HR records         */
typedef struct br_decision_t br_decision_t;     /* one person's answer     */
typedef struct br_delta_t br_delta_t;           /* one person's delta      */

/* ------------------------------------------------------------------------ */
/* Policy: import the spreadsheets (SPEC §8)                                 */

/* Creates an empty policy named `name` (reasons cite it) with version label
 * `version` (empty = "unversioned"). On success *out owns a new policy the
 * caller destroys with br_policy_destroy; on failure *out is NULL. */
BR_EXPORT br_status_t br_policy_create(const char* name, size_t name_len,
                                       const char* version, size_t version_len,
                                       br_policy_t** out, char** errptr);

/* Destroys `policy`. Compiled policies made from it stay valid (they own
 * copies). NULL is a no-op. */
BR_EXPORT void br_policy_destroy(br_policy_t* policy);

/* Rules-sheet formats for br_policy_add_rules. */
enum {
  BR_RULES_AUTO = 0,  /* an `app` column means a rules list, else a matrix */
  BR_RULES_LIST = 1,  /* one rule per row */
  BR_RULES_MATRIX = 2 /* roles × apps; app columns come from the catalog */
};

/* Imports a rules sheet (CSV text, RFC 4180, UTF-8) into `policy`. `file`
 * names the input in messages (empty = "<rules>"). `format` is a BR_RULES_*
 * value. A matrix reads its app columns from the catalog, so add the
 * catalog first (or use br_policy_add_matrix). Borrows `data` and `file`
 * for the call only. On failure (BR_INVALID_ARGUMENT "file:line:col: ...",
 * BR_RESOURCE_EXHAUSTED past a limit of docs/limits.md) `policy` may hold
 * part of the sheet: from then on br_compile, br_policy_check, br_check,
 * br_diff and br_policy_format_text refuse it with BR_FAILED_PRECONDITION
 * (fail closed: a half-imported sheet may lack a deny), so destroy it. */
BR_EXPORT br_status_t br_policy_add_rules(br_policy_t* policy, const char* data,
                                          size_t data_len, const char* file,
                                          size_t file_len, int32_t format,
                                          char** errptr);

/* Imports an access matrix whose app columns are named explicitly:
 * `app_columns[i]` (length `app_column_lens[i]`) is a header as written,
 * e.g. "Slack [corp]". With app_column_count == 0 the catalog decides, as
 * with br_policy_add_rules. Same ownership and errors as
 * br_policy_add_rules. */
BR_EXPORT br_status_t br_policy_add_matrix(
    br_policy_t* policy, const char* data, size_t data_len, const char* file,
    size_t file_len, const char* const* app_columns,
    const size_t* app_column_lens, size_t app_column_count, char** errptr);

/* Import the catalog (`app, instance, levels, default level, owner,
 * provisioning, monthly cost`), the aliases (`attribute, alias, canonical`)
 * and the schema (`attribute, type, order, case sensitive`). `file` empty
 * = "<catalog>", "<aliases>", "<schema>". Same ownership and errors as
 * br_policy_add_rules. */
BR_EXPORT br_status_t br_policy_add_catalog(br_policy_t* policy,
                                            const char* data, size_t data_len,
                                            const char* file, size_t file_len,
                                            char** errptr);
BR_EXPORT br_status_t br_policy_add_aliases(br_policy_t* policy,
                                            const char* data, size_t data_len,
                                            const char* file, size_t file_len,
                                            char** errptr);
BR_EXPORT br_status_t br_policy_add_schema(br_policy_t* policy,
                                           const char* data, size_t data_len,
                                           const char* file, size_t file_len,
                                           char** errptr);

/* Number of rules imported so far; 0 for NULL. */
BR_EXPORT int64_t br_policy_rule_count(const br_policy_t* policy);

/* Binds `policy` without compiling and reports every problem found (unknown
 * app / level / attribute, type mismatch, bad regex, inferred types ...), as
 * `birthright check` does. `hr` (may be NULL) is used for type inference
 * only (SPEC §2). Borrows both for the call. On success *out owns a new
 * br_issues_t (possibly with zero issues; destroy with br_issues_destroy).
 * Issues are results, not failures: an error-level issue still returns
 * BR_OK. */
BR_EXPORT br_status_t br_policy_check(const br_policy_t* policy,
                                      const br_population_t* hr,
                                      br_issues_t** out, char** errptr);

/* ------------------------------------------------------------------------ */
/* Issues (findings of br_policy_check)                                      */

/* NULL is a no-op. */
BR_EXPORT void br_issues_destroy(br_issues_t* issues);

/* Number of issues; 0 for NULL. */
BR_EXPORT int64_t br_issues_count(const br_issues_t* issues);

/* Fields of issue i (0 <= i < count); NULL when out of range. Borrowed from
 * `issues`.
 *   code:     SPEC §7 vocabulary ("unknown-app", "type-mismatch", ...)
 *   severity: "error", "warning" or "info"
 *   rule:     the rule id, "" when not about one rule
 *   location: "file:line:col", "file:line" or "" when unknown
 *   message:  one sentence for a person */
BR_EXPORT const char* br_issues_code(const br_issues_t* issues, int64_t i,
                                     size_t* len);
BR_EXPORT const char* br_issues_severity(const br_issues_t* issues, int64_t i,
                                         size_t* len);
BR_EXPORT const char* br_issues_rule(const br_issues_t* issues, int64_t i,
                                     size_t* len);
BR_EXPORT const char* br_issues_location(const br_issues_t* issues, int64_t i,
                                         size_t* len);
BR_EXPORT const char* br_issues_message(const br_issues_t* issues, int64_t i,
                                        size_t* len);

/* Every issue as SPEC §11 `check` jsonl: one object per line, each line
 * ending in "\n" ("" when there are none). Borrowed from `issues`; NULL
 * only for a NULL handle. */
BR_EXPORT const char* br_issues_jsonl(const br_issues_t* issues, size_t* len);

/* ------------------------------------------------------------------------ */
/* Compile                                                                   */

/* Binds `policy` (strictly: any error-level issue fails, as `eval` does)
 * and compiles it into an immutable decision DAG. `hr` (may be NULL) is
 * used for type inference only. Borrows both for the call. On success *out
 * owns a new compiled policy (destroy with br_compiled_destroy) that owns
 * copies of everything it needs. Errors: BR_INVALID_ARGUMENT naming
 * file:line:col of the first unresolvable reference, BR_RESOURCE_EXHAUSTED
 * past a compile limit. */
BR_EXPORT br_status_t br_compile(const br_policy_t* policy,
                                 const br_population_t* hr, br_compiled_t** out,
                                 char** errptr);

/* NULL is a no-op. REQUIRES: no call on `compiled` is still running. */
BR_EXPORT void br_compiled_destroy(br_compiled_t* compiled);

/* The policy name and version label. Borrowed; NULL for a NULL handle. */
BR_EXPORT const char* br_compiled_name(const br_compiled_t* compiled,
                                       size_t* len);
BR_EXPORT const char* br_compiled_version(const br_compiled_t* compiled,
                                          size_t* len);

/* Number of rules; 0 for NULL. */
BR_EXPORT int64_t br_compiled_rule_count(const br_compiled_t* compiled);

/* The attributes the policy reads (schema, rule columns, `expires`), as
 * first spelled; attribute i for 0 <= i < count, NULL when out of range.
 * Borrowed. A person attribute whose folded name (SPEC §2: case, spaces,
 * '-' and '_' ignored) is none of these nor "termination date" / "leave
 * date" is ignored by evaluation (or rejected, with
 * BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES). */
BR_EXPORT int64_t br_compiled_attribute_count(const br_compiled_t* compiled);
BR_EXPORT const char* br_compiled_attribute(const br_compiled_t* compiled,
                                            int64_t i, size_t* len);

/* ------------------------------------------------------------------------ */
/* People                                                                    */

/* Creates a person with id `id` (may be empty) and no attributes. On
 * success *out owns the new person (destroy with br_person_destroy). */
BR_EXPORT br_status_t br_person_create(const char* id, size_t id_len,
                                       br_person_t** out, char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_person_destroy(br_person_t* person);

/* Sets attribute `name` to the raw HR string `value` (copied). Names fold
 * as in SPEC §2, so setting "job_title" replaces an earlier "Job Title". An
 * empty value means missing. A set attribute takes ';'-separated members.
 * BR_INVALID_ARGUMENT for an empty name or invalid UTF-8. */
BR_EXPORT br_status_t br_person_set(br_person_t* person, const char* name,
                                    size_t name_len, const char* value,
                                    size_t value_len, char** errptr);

/* Looks up attribute `name` (folded). On success *value is borrowed from
 * `person` (valid until the attribute is set again or the person is
 * destroyed) and *value_len (may be NULL) its length. BR_NOT_FOUND when the
 * person has no such attribute. */
BR_EXPORT br_status_t br_person_get(const br_person_t* person, const char* name,
                                    size_t name_len, const char** value,
                                    size_t* value_len, char** errptr);

/* The person's id. Borrowed; NULL for a NULL handle. */
BR_EXPORT const char* br_person_id(const br_person_t* person, size_t* len);

/* Number of attributes set; 0 for NULL. */
BR_EXPORT int64_t br_person_attribute_count(const br_person_t* person);

/* Creates an empty population. *out owns it (br_population_destroy). */
BR_EXPORT br_status_t br_population_create(br_population_t** out,
                                           char** errptr);

/* Parses an HR export (CSV: an `id` column plus attribute columns; SPEC §8).
 * `file` names it in messages (empty = "<people>"). Borrows `data` for the
 * call. On success *out owns the new population; BR_INVALID_ARGUMENT
 * "file:line:col: ..." for malformed CSV, a missing id column, an empty or
 * duplicate id. */
BR_EXPORT br_status_t br_population_load_csv(const char* data, size_t data_len,
                                             const char* file, size_t file_len,
                                             br_population_t** out,
                                             char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_population_destroy(br_population_t* population);

/* Appends a copy of `person` (which the caller still owns).
 * BR_INVALID_ARGUMENT when its id is empty or already in the population. */
BR_EXPORT br_status_t br_population_add(br_population_t* population,
                                        const br_person_t* person,
                                        char** errptr);

/* Number of people; 0 for NULL. */
BR_EXPORT int64_t br_population_count(const br_population_t* population);

/* ------------------------------------------------------------------------ */
/* Evaluate (SPEC §4, §5)                                                    */

/* Flags for br_evaluate, br_evaluate_many and br_delta (bitwise or). */
#define BR_EVAL_DEFAULT 0u
/* Fail with BR_INVALID_ARGUMENT when a person has an attribute the policy
 * does not read (catches a misspelt key; HR exports usually carry extra
 * columns, so it is off by default). */
#define BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES 1u

/* Evaluates `person` under `compiled` on the date `as_of` ("YYYY-MM-DD";
 * decides leavers, expiries and effective windows; the library never reads
 * the clock). Borrows both handles for the call. On success *out owns a new
 * decision (destroy with br_decision_destroy). Errors: BR_INVALID_ARGUMENT
 * for a NULL handle, a bad date, unknown flags, or (with
 * BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES) an unknown attribute; *out is then NULL:
 * nothing is granted. Thread-safe on a shared `compiled`. */
BR_EXPORT br_status_t br_evaluate(const br_compiled_t* compiled,
                                  const br_person_t* person, const char* as_of,
                                  size_t as_of_len, uint32_t flags,
                                  br_decision_t** out, char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_decision_destroy(br_decision_t* decision);

/* The person's id. Borrowed; NULL for a NULL handle. */
BR_EXPORT const char* br_decision_person(const br_decision_t* decision,
                                         size_t* len);

/* 1 when the person is a leaver (terminated before as_of: gets nothing),
 * else 0 (also for NULL). */
BR_EXPORT int32_t br_decision_is_leaver(const br_decision_t* decision);

/* Number of entitlements, sorted by (app, instance); 0 for NULL. */
BR_EXPORT int64_t br_decision_entitlement_count(const br_decision_t* decision);

/* Fields of entitlement i (0 <= i < count), catalog spelling; NULL when out
 * of range. Borrowed from `decision`. `instance` is "" for a single-instance
 * app; `expires` is "YYYY-MM-DD" or "" when it never expires. */
BR_EXPORT const char* br_decision_entitlement_app(const br_decision_t* decision,
                                                  int64_t i, size_t* len);
BR_EXPORT const char* br_decision_entitlement_instance(
    const br_decision_t* decision, int64_t i, size_t* len);
BR_EXPORT const char* br_decision_entitlement_level(
    const br_decision_t* decision, int64_t i, size_t* len);
BR_EXPORT const char* br_decision_entitlement_expires(
    const br_decision_t* decision, int64_t i, size_t* len);

/* Scopes of entitlement i (sorted): count (0 when i is out of range) and
 * scope j; NULL when out of range. Borrowed. */
BR_EXPORT int64_t
br_decision_entitlement_scope_count(const br_decision_t* decision, int64_t i);
BR_EXPORT const char* br_decision_entitlement_scope(
    const br_decision_t* decision, int64_t i, int64_t j, size_t* len);

/* Reasons of entitlement i: the ids of the rules that gave it, in policy
 * order. Count (0 when out of range) and reason j; NULL when out of range. */
BR_EXPORT int64_t
br_decision_entitlement_reason_count(const br_decision_t* decision, int64_t i);
BR_EXPORT const char* br_decision_entitlement_reason(
    const br_decision_t* decision, int64_t i, int64_t j, size_t* len);

/* Missing attributes that changed the outcome (SPEC §2), sorted, as the
 * sheet spells them: count and attribute i (NULL when out of range). */
BR_EXPORT int64_t br_decision_missing_count(const br_decision_t* decision);
BR_EXPORT const char* br_decision_missing(const br_decision_t* decision,
                                          int64_t i, size_t* len);

/* The SPEC §11 jsonl line, without a trailing newline:
 * {"person":..,"entitlements":[{"app","instance","level","scopes",
 *  "expires","reasons"}...],"missing":[...]}. Byte-identical to
 * `birthright eval --format jsonl`. Made on first call (safe from several
 * threads at once) and borrowed from `decision`; NULL for a NULL handle or
 * when memory runs out. */
BR_EXPORT const char* br_decision_json(const br_decision_t* decision,
                                       size_t* len);

/* Evaluates every person of `population` at `as_of` on `threads` threads
 * (<= 0: one per hardware thread) and returns the SPEC §11 jsonl: one line
 * per person, in population order whatever the thread count, each ending
 * in "\n". On success *jsonl is a malloc'ed, NUL-terminated buffer the
 * caller frees with br_free and *jsonl_len (may be NULL) its length; on
 * failure *jsonl is NULL. Errors as br_evaluate. */
BR_EXPORT br_status_t br_evaluate_many(const br_compiled_t* compiled,
                                       const br_population_t* population,
                                       const char* as_of, size_t as_of_len,
                                       int32_t threads, uint32_t flags,
                                       char** jsonl, size_t* jsonl_len,
                                       char** errptr);

/* ------------------------------------------------------------------------ */
/* Delta of one person (SPEC §6)                                             */

/* Lifecycle kinds (br_delta_kind). */
enum {
  BR_DELTA_JOINER = 0,
  BR_DELTA_MOVER = 1,
  BR_DELTA_LEAVER = 2,
  BR_DELTA_UNCHANGED = 3
};
/* Action lists (br_delta_count). */
enum {
  BR_DELTA_ADD = 0,
  BR_DELTA_REMOVE = 1,
  BR_DELTA_CHANGE = 2,
  BR_DELTA_KEEP = 3
};

/* What to provision when one person's HR record goes from `before` to
 * `after`, both evaluated at `as_of`. `before` NULL = a joiner (from the
 * empty person), `after` NULL = a leaver (removes everything); not both.
 * Records of one person must have the same id. Borrows the handles for the
 * call. On success *out owns a new delta (br_delta_destroy). Errors as
 * br_evaluate, plus BR_INVALID_ARGUMENT when both are NULL or the ids
 * differ. */
BR_EXPORT br_status_t br_delta(const br_compiled_t* compiled,
                               const br_person_t* before,
                               const br_person_t* after, const char* as_of,
                               size_t as_of_len, uint32_t flags,
                               br_delta_t** out, char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_delta_destroy(br_delta_t* delta);

/* A BR_DELTA_JOINER .. BR_DELTA_UNCHANGED value; -1 for NULL. */
BR_EXPORT int32_t br_delta_kind(const br_delta_t* delta);

/* Number of entitlements in list `which` (BR_DELTA_ADD .. BR_DELTA_KEEP);
 * -1 for NULL or an unknown list. */
BR_EXPORT int64_t br_delta_count(const br_delta_t* delta, int32_t which);

/* The SPEC §11 delta jsonl line, without a trailing newline:
 * {"person","kind","add":[..],"remove":[..],"change":[..],"keep":[..]}.
 * Borrowed; NULL for a NULL handle. */
BR_EXPORT const char* br_delta_json(const br_delta_t* delta, size_t* len);

/* The person's id. Borrowed; NULL for a NULL handle. */
BR_EXPORT const char* br_delta_person(const br_delta_t* delta, size_t* len);

/* The from-side of the change list, for the br_delta_item_* accessors
 * only: with `which` = BR_DELTA_CHANGE they read change j's `to`
 * entitlement, with BR_DELTA_CHANGE_FROM its `from` one (same count as
 * BR_DELTA_CHANGE; br_delta_count does not take this value). */
#define BR_DELTA_CHANGE_FROM 4

/* Fields of entitlement j of list `which` (BR_DELTA_ADD .. _KEEP or
 * BR_DELTA_CHANGE_FROM); NULL when the list or j is out of range. Borrowed
 * from `delta`. As br_decision_entitlement_*: catalog spelling, `instance`
 * "" for a single-instance app, `expires` "YYYY-MM-DD" or "". */
BR_EXPORT const char* br_delta_item_app(const br_delta_t* delta, int32_t which,
                                        int64_t j, size_t* len);
BR_EXPORT const char* br_delta_item_instance(const br_delta_t* delta,
                                             int32_t which, int64_t j,
                                             size_t* len);
BR_EXPORT const char* br_delta_item_level(const br_delta_t* delta,
                                          int32_t which, int64_t j,
                                          size_t* len);
BR_EXPORT const char* br_delta_item_expires(const br_delta_t* delta,
                                            int32_t which, int64_t j,
                                            size_t* len);
/* Scopes and reasons (rule ids, policy order) of entitlement j: count (0
 * when out of range) and member k (NULL when out of range). */
BR_EXPORT int64_t br_delta_item_scope_count(const br_delta_t* delta,
                                            int32_t which, int64_t j);
BR_EXPORT const char* br_delta_item_scope(const br_delta_t* delta,
                                          int32_t which, int64_t j, int64_t k,
                                          size_t* len);
BR_EXPORT int64_t br_delta_item_reason_count(const br_delta_t* delta,
                                             int32_t which, int64_t j);
BR_EXPORT const char* br_delta_item_reason(const br_delta_t* delta,
                                           int32_t which, int64_t j, int64_t k,
                                           size_t* len);

/* Routing of entitlement j (who must do the work), from the catalog of the
 * compiled policy the delta came from: the owner ("" when the catalog
 * names none or does not list the instance) and the provisioning mode
 * ("scim", "api", "manual" or "unspecified"); NULL when out of range.
 * Borrowed from `delta`. */
BR_EXPORT const char* br_delta_item_owner(const br_delta_t* delta,
                                          int32_t which, int64_t j,
                                          size_t* len);
BR_EXPORT const char* br_delta_item_provisioning(const br_delta_t* delta,
                                                 int32_t which, int64_t j,
                                                 size_t* len);
/* Monthly license cost of entitlement j's instance in cents; -1 when the
 * catalog gives none or j is out of range. */
BR_EXPORT int64_t br_delta_item_monthly_cost_cents(const br_delta_t* delta,
                                                   int32_t which, int64_t j);

/* ------------------------------------------------------------------------ */
/* Snapshots (SPEC §9; docs/snapshot-format.md)                              */

/* Serializes `compiled` into snapshot bytes (deterministic: the same
 * policy gives the same bytes). On success *bytes is a malloc'ed buffer
 * (NUL-terminated for convenience; the bytes themselves are binary) the
 * caller frees with br_free, and *bytes_len (required) its length; on
 * failure *bytes is NULL and *bytes_len 0. */
BR_EXPORT br_status_t br_snapshot_write(const br_compiled_t* compiled,
                                        char** bytes, size_t* bytes_len,
                                        char** errptr);

/* Verifies and loads snapshot bytes (copied; borrowed for the call only).
 * On success *out owns a new compiled policy (br_compiled_destroy) that
 * evaluates exactly like the one written. Never trusts the bytes:
 * BR_DATA_LOSS for corrupt or truncated bytes, BR_INVALID_ARGUMENT for
 * bytes that are not a snapshot, BR_FAILED_PRECONDITION for a newer
 * format, BR_RESOURCE_EXHAUSTED past a limit; *out is then NULL. A loaded
 * policy keeps rule conditions only in its decision DAG, so
 * br_reconcile on it does not name the denies behind excess accounts. */
BR_EXPORT br_status_t br_snapshot_load(const char* bytes, size_t bytes_len,
                                       br_compiled_t** out, char** errptr);

/* ------------------------------------------------------------------------ */
/* Check: analysis findings (SPEC §7; docs/check.md)                         */

typedef struct br_findings_t br_findings_t; /* findings of br_check */

/* Analyses `policy` as `birthright check` does: bind issues plus the
 * analysis findings (unsatisfiable, duplicate, shadowed, conflicts, ...;
 * docs/check.md lists every code). `hr` (may be NULL) enables the
 * population findings (unknown-value, gap, ...), evaluated at `as_of`
 * ("YYYY-MM-DD"). Borrows everything for the call. On success *out owns a
 * new br_findings_t (br_findings_destroy), sorted as check prints them
 * (error first). Findings are results: an error-level finding still
 * returns BR_OK. Errors: BR_INVALID_ARGUMENT for a NULL policy or a bad
 * date, BR_RESOURCE_EXHAUSTED past an analysis limit. */
BR_EXPORT br_status_t br_check(const br_policy_t* policy,
                               const br_population_t* hr, const char* as_of,
                               size_t as_of_len, br_findings_t** out,
                               char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_findings_destroy(br_findings_t* findings);

/* Number of findings; 0 for NULL. */
BR_EXPORT int64_t br_findings_count(const br_findings_t* findings);

/* Finding i's code (SPEC §7 vocabulary), severity ("error", "warning",
 * "info") and message; NULL when out of range. Borrowed. */
BR_EXPORT const char* br_findings_code(const br_findings_t* findings, int64_t i,
                                       size_t* len);
BR_EXPORT const char* br_findings_severity(const br_findings_t* findings,
                                           int64_t i, size_t* len);
BR_EXPORT const char* br_findings_message(const br_findings_t* findings,
                                          int64_t i, size_t* len);

/* The rule ids finding i names (policy order) and its locations
 * ("file:line"): count (0 when out of range) and member j (NULL when out
 * of range). Borrowed. */
BR_EXPORT int64_t br_findings_rule_count(const br_findings_t* findings,
                                         int64_t i);
BR_EXPORT const char* br_findings_rule(const br_findings_t* findings, int64_t i,
                                       int64_t j, size_t* len);
BR_EXPORT int64_t br_findings_location_count(const br_findings_t* findings,
                                             int64_t i);
BR_EXPORT const char* br_findings_location(const br_findings_t* findings,
                                           int64_t i, int64_t j, size_t* len);

/* The witness of finding i: a concrete person showing the problem, as
 * (attribute, value) pairs; count 0 when none helps. Borrowed. */
BR_EXPORT int64_t br_findings_witness_count(const br_findings_t* findings,
                                            int64_t i);
BR_EXPORT const char* br_findings_witness_attribute(
    const br_findings_t* findings, int64_t i, int64_t j, size_t* len);
BR_EXPORT const char* br_findings_witness_value(const br_findings_t* findings,
                                                int64_t i, int64_t j,
                                                size_t* len);

/* Every finding as SPEC §11 check jsonl (one line each, ending in "\n";
 * "" when none), and as a SARIF 2.1.0 log. Borrowed; NULL only for NULL. */
BR_EXPORT const char* br_findings_jsonl(const br_findings_t* findings,
                                        size_t* len);
BR_EXPORT const char* br_findings_sarif(const br_findings_t* findings,
                                        size_t* len);

/* ------------------------------------------------------------------------ */
/* Deltas over populations (SPEC §6; docs/deltas.md)                         */

typedef struct br_deltas_t br_deltas_t; /* one br_delta_t per person */

/* HR sync: one delta per person of either export (joiners, movers,
 * leavers, unchanged), sorted by id (UTF-8 byte order). The after export
 * is evaluated at `as_of`, the before one at `before_as_of` (empty = as_of:
 * then only HR edits count, not time passing). `threads` <= 0: one per
 * hardware thread; the result does not depend on it. Borrows everything for
 * the call. On success *out owns a new br_deltas_t (br_deltas_destroy).
 * Errors: BR_INVALID_ARGUMENT for a NULL handle, a bad date, too many
 * threads. */
BR_EXPORT br_status_t br_hr_sync(const br_compiled_t* compiled,
                                 const br_population_t* before,
                                 const br_population_t* after,
                                 const char* as_of, size_t as_of_len,
                                 const char* before_as_of,
                                 size_t before_as_of_len, int32_t threads,
                                 br_deltas_t** out, char** errptr);

/* Policy change: per person of `people`, the delta between the answers of
 * `before` and `after` at `as_of` (kind BR_DELTA_MOVER when their access
 * changes, else BR_DELTA_UNCHANGED), sorted by id. Routing uses `after`'s
 * catalog. Same ownership and errors as br_hr_sync. */
BR_EXPORT br_status_t br_policy_delta(const br_compiled_t* before,
                                      const br_compiled_t* after,
                                      const br_population_t* people,
                                      const char* as_of, size_t as_of_len,
                                      int32_t threads, br_deltas_t** out,
                                      char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_deltas_destroy(br_deltas_t* deltas);

/* Number of people; 0 for NULL. */
BR_EXPORT int64_t br_deltas_count(const br_deltas_t* deltas);

/* Person i's delta (0 <= i < count), borrowed from `deltas` (do not
 * destroy it); NULL when out of range. Every br_delta_* accessor reads it. */
BR_EXPORT const br_delta_t* br_deltas_at(const br_deltas_t* deltas, int64_t i);

/* The line a person reads first, e.g. "1 joiner, 3 movers, 1 leaver (36
 * unchanged): 25 adds, 11 removes, 14 changes; 2 manual tasks for 2
 * owners; licenses +$184.33/month". Borrowed; NULL for NULL. */
BR_EXPORT const char* br_deltas_summary(const br_deltas_t* deltas, size_t* len);

/* Figures of the summary (br_deltas_stat). */
enum {
  BR_STAT_PEOPLE = 0,
  BR_STAT_JOINERS = 1,
  BR_STAT_MOVERS = 2,
  BR_STAT_LEAVERS = 3,
  BR_STAT_UNCHANGED = 4,
  BR_STAT_ADDS = 5,
  BR_STAT_REMOVES = 6,
  BR_STAT_CHANGES = 7,
  BR_STAT_KEEPS = 8,
  BR_STAT_AUTOMATED_TASKS = 9,          /* actions on scim/api instances */
  BR_STAT_MANUAL_TASKS = 10,            /* actions on manual/unspecified ones */
  BR_STAT_LICENSE_CENTS_PER_MONTH = 11, /* adds minus removes; may be < 0 */
  BR_STAT_UNPRICED_ACTIONS = 12         /* adds/removes without a cost */
};

/* A BR_STAT_* figure; 0 for NULL or an unknown figure. */
BR_EXPORT int64_t br_deltas_stat(const br_deltas_t* deltas, int32_t which);

/* Every delta as SPEC §11 delta jsonl, one line per person (each ending in
 * "\n"), in br_deltas_at order. Made on first call (safe from several
 * threads at once) and borrowed; NULL for NULL or when memory runs out. */
BR_EXPORT const char* br_deltas_jsonl(const br_deltas_t* deltas, size_t* len);

/* Emergency leaver: everything to revoke from `person` now — what the
 * policy gives them while active at `as_of` (their termination date is
 * ignored), united with every account the access export `access` (CSV
 * `person id, app, instance, level`; may be NULL with length 0 for none)
 * lists for their id. On success *out owns a BR_DELTA_LEAVER delta
 * (br_delta_destroy) whose BR_DELTA_REMOVE list is in revoke order:
 * automated items first (scim, then api), then manual, then unspecified.
 * An account only the export knows has its exported level, no scopes and
 * no reasons. `file` names the export in messages (empty = "<access>").
 * For someone HR no longer lists, pass a person with only the id: the
 * policy's answer for an empty record (rules on `*`) is then part of the
 * list; export-only items are those with no reasons.
 * Errors: BR_INVALID_ARGUMENT for a NULL handle, a bad date or a malformed
 * export ("file:line:col: ..."). */
BR_EXPORT br_status_t br_emergency_leaver(const br_compiled_t* compiled,
                                          const br_person_t* person,
                                          const char* access, size_t access_len,
                                          const char* file, size_t file_len,
                                          const char* as_of, size_t as_of_len,
                                          br_delta_t** out, char** errptr);

/* ------------------------------------------------------------------------ */
/* Reconcile: desired (policy) vs actual (an access export), SPEC §6         */

typedef struct br_reconcile_t br_reconcile_t; /* reconcile items */

/* Item kinds (br_reconcile_kind). */
enum {
  BR_RECONCILE_MISSING = 0,       /* desired, no account */
  BR_RECONCILE_EXCESS = 1,        /* an account the policy does not give */
  BR_RECONCILE_LEVEL_MISMATCH = 2 /* an account at another level */
};

/* Compares the policy's answer for every person of `hr` at `as_of` with
 * the access export `access` (CSV `person id, app, instance, level`;
 * `file` names it in messages, empty = "<access>"). `apps` (may be NULL
 * with app_count 0) limits both sides to these apps (case-insensitive).
 * Borrows everything for the call. On success *out owns a new
 * br_reconcile_t (br_reconcile_destroy), items sorted by person id, app,
 * instance, kind. Errors: BR_INVALID_ARGUMENT for a NULL handle, a bad
 * date, a malformed export, a duplicate HR id. */
BR_EXPORT br_status_t br_reconcile(const br_compiled_t* compiled,
                                   const br_population_t* hr,
                                   const char* access, size_t access_len,
                                   const char* file, size_t file_len,
                                   const char* as_of, size_t as_of_len,
                                   const char* const* apps,
                                   const size_t* app_lens, size_t app_count,
                                   br_reconcile_t** out, char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_reconcile_destroy(br_reconcile_t* reconcile);

/* Number of items; 0 for NULL. */
BR_EXPORT int64_t br_reconcile_count(const br_reconcile_t* reconcile);

/* Figures (br_reconcile_stat). */
enum {
  BR_RECONCILE_STAT_PEOPLE = 0,     /* HR people compared */
  BR_RECONCILE_STAT_CONSISTENT = 1, /* export rows at the desired level */
  BR_RECONCILE_STAT_DUPLICATES = 2  /* export rows repeating an earlier one */
};
/* A BR_RECONCILE_STAT_* figure; 0 for NULL or an unknown figure. */
BR_EXPORT int64_t br_reconcile_stat(const br_reconcile_t* reconcile,
                                    int32_t which);

/* Item i's kind (BR_RECONCILE_*); -1 for NULL or out of range. */
BR_EXPORT int32_t br_reconcile_kind(const br_reconcile_t* reconcile, int64_t i);

/* Fields of item i; NULL when out of range. Borrowed.
 *   person, app, instance: catalog spelling when known, else as exported
 *   desired_level: what the policy gives ("" for excess)
 *   actual_level:  the exported account's level ("" for missing)
 *   location:      the export row, "file:line" ("" for missing)
 *   reason:        why an account is excess ("not granted", "orphan",
 *                  "terminated", "unknown app"); "" for other kinds
 *   owner, provisioning: routing, as br_delta_item_owner / _provisioning
 *   json:          the jsonl line of docs/deltas.md, without a newline */
BR_EXPORT const char* br_reconcile_person(const br_reconcile_t* reconcile,
                                          int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_app(const br_reconcile_t* reconcile,
                                       int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_instance(const br_reconcile_t* reconcile,
                                            int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_desired_level(
    const br_reconcile_t* reconcile, int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_actual_level(const br_reconcile_t* reconcile,
                                                int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_location(const br_reconcile_t* reconcile,
                                            int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_reason(const br_reconcile_t* reconcile,
                                          int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_owner(const br_reconcile_t* reconcile,
                                         int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_provisioning(const br_reconcile_t* reconcile,
                                                int64_t i, size_t* len);
BR_EXPORT const char* br_reconcile_json(const br_reconcile_t* reconcile,
                                        int64_t i, size_t* len);
/* Monthly cost of item i's instance in cents; -1 when unknown. */
BR_EXPORT int64_t
br_reconcile_monthly_cost_cents(const br_reconcile_t* reconcile, int64_t i);
/* For a "not granted" excess item: the deny rules that withhold a grant
 * the person would otherwise have on that instance (policy order). Count
 * (0 otherwise) and rule id j (NULL when out of range). */
BR_EXPORT int64_t br_reconcile_denied_by_count(const br_reconcile_t* reconcile,
                                               int64_t i);
BR_EXPORT const char* br_reconcile_denied_by(const br_reconcile_t* reconcile,
                                             int64_t i, int64_t j, size_t* len);

/* Every item's line, each ending in "\n" ("" when none). Borrowed. */
BR_EXPORT const char* br_reconcile_jsonl(const br_reconcile_t* reconcile,
                                         size_t* len);

/* ------------------------------------------------------------------------ */
/* Time-bound access: what changes with time alone (SPEC §4.1, §4.5)         */

typedef struct br_changes_t br_changes_t; /* upcoming changes */

/* Change kinds (br_changes_kind). */
enum {
  BR_CHANGE_LAPSE = 0, /* access held the day before ends */
  BR_CHANGE_START = 1, /* access starts (an effective window opens) */
  BR_CHANGE_CHANGE = 2 /* level, scopes or expiry change */
};

/* Every change of access that time alone makes for the people of `people`
 * whose last day of the old state is at most `days` days after `as_of`
 * (0 <= days <= 36600): expiries passing, effective windows opening or
 * closing, termination dates passing. The "day-80 notice" of a 90-day
 * contract is days = 10. Sorted by effective day, then person id. Borrows
 * everything for the call. On success *out owns a new br_changes_t
 * (br_changes_destroy). Errors: BR_INVALID_ARGUMENT for a NULL handle, a
 * bad date; BR_OUT_OF_RANGE for `days` outside its range. */
BR_EXPORT br_status_t br_expiring_within(const br_compiled_t* compiled,
                                         const br_population_t* people,
                                         const char* as_of, size_t as_of_len,
                                         int32_t days, br_changes_t** out,
                                         char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_changes_destroy(br_changes_t* changes);

/* Number of changes; 0 for NULL. */
BR_EXPORT int64_t br_changes_count(const br_changes_t* changes);

/* Change i's kind (BR_CHANGE_*); -1 for NULL or out of range. */
BR_EXPORT int32_t br_changes_kind(const br_changes_t* changes, int64_t i);

/* Fields of change i; NULL when out of range. Borrowed.
 *   person, app, instance
 *   effective:  first day of the new state, "YYYY-MM-DD"
 *   last_day:   last day of the old state (effective - 1)
 *   from_level: level held the day before ("" for a start)
 *   to_level:   level held from `effective` ("" for a lapse)
 *   owner, provisioning: routing, as br_delta_item_owner / _provisioning
 *   json: {"person","effective","last_day","app","instance","from":ENT|null,
 *          "to":ENT|null,"owner","provisioning","monthly_cost_cents"} */
BR_EXPORT const char* br_changes_person(const br_changes_t* changes, int64_t i,
                                        size_t* len);
BR_EXPORT const char* br_changes_app(const br_changes_t* changes, int64_t i,
                                     size_t* len);
BR_EXPORT const char* br_changes_instance(const br_changes_t* changes,
                                          int64_t i, size_t* len);
BR_EXPORT const char* br_changes_effective(const br_changes_t* changes,
                                           int64_t i, size_t* len);
BR_EXPORT const char* br_changes_last_day(const br_changes_t* changes,
                                          int64_t i, size_t* len);
BR_EXPORT const char* br_changes_from_level(const br_changes_t* changes,
                                            int64_t i, size_t* len);
BR_EXPORT const char* br_changes_to_level(const br_changes_t* changes,
                                          int64_t i, size_t* len);
BR_EXPORT const char* br_changes_owner(const br_changes_t* changes, int64_t i,
                                       size_t* len);
BR_EXPORT const char* br_changes_provisioning(const br_changes_t* changes,
                                              int64_t i, size_t* len);
BR_EXPORT const char* br_changes_json(const br_changes_t* changes, int64_t i,
                                      size_t* len);
/* Monthly cost of change i's instance in cents; -1 when unknown. */
BR_EXPORT int64_t br_changes_monthly_cost_cents(const br_changes_t* changes,
                                                int64_t i);
/* Every change's line, each ending in "\n" ("" when none). Borrowed. */
BR_EXPORT const char* br_changes_jsonl(const br_changes_t* changes,
                                       size_t* len);

/* ------------------------------------------------------------------------ */
/* Policy text (birthright/policy_text.h) and diff (birthright/diff.h)     */

/* Parses a policy written in the text language (a `.brp` file: name,
 * version, attributes, aliases, apps, SoD and rules in one file). `file`
 * names it in messages (empty = "<policy>"). Borrows both for the call. On
 * success *out owns a new policy (br_policy_destroy) named and versioned by
 * its `policy` line ("unversioned" without one), ready for br_check and
 * br_compile. Errors: BR_INVALID_ARGUMENT "file:line:col: ..." with a
 * caret excerpt, BR_RESOURCE_EXHAUSTED past a limit of docs/limits.md. */
BR_EXPORT br_status_t br_policy_load_text(const char* text, size_t text_len,
                                          const char* file, size_t file_len,
                                          br_policy_t** out, char** errptr);

/* The canonical policy text of `policy` (what `birthright fmt` prints;
 * parsing it gives the same policy). On success *text is a malloc'ed,
 * NUL-terminated buffer the caller frees with br_free and *text_len (may
 * be NULL) its length; on failure *text is NULL. */
BR_EXPORT br_status_t br_policy_format_text(const br_policy_t* policy,
                                            char** text, size_t* text_len,
                                            char** errptr);

typedef struct br_diff_t br_diff_t; /* a diff of two policy versions */

/* What changes between two policy versions (`birthright diff`): rule-level
 * changes, the semantic regions where some person's access differs, and,
 * when `people` is given (may be NULL), who gains, loses or changes what
 * at `as_of`. Both versions are bound strictly, as br_compile does.
 * Borrows everything for the call. On success *out owns a new br_diff_t
 * (br_diff_destroy). Errors: BR_INVALID_ARGUMENT for a NULL policy, a bad
 * date or a version that does not bind (the message names it),
 * BR_RESOURCE_EXHAUSTED past a compile limit. */
BR_EXPORT br_status_t br_diff(const br_policy_t* before,
                              const br_policy_t* after,
                              const br_population_t* people, const char* as_of,
                              size_t as_of_len, br_diff_t** out, char** errptr);

/* NULL is a no-op. */
BR_EXPORT void br_diff_destroy(br_diff_t* diff);

/* The summary line ("3 rules added, 1 removed, 2 modified; ..."), the JSON
 * document of PolicyDiffToJson (one line) and its jsonl form (one object per
 * change, each line ending in "\n"). Borrowed; NULL for NULL. */
BR_EXPORT const char* br_diff_summary(const br_diff_t* diff, size_t* len);
BR_EXPORT const char* br_diff_json(const br_diff_t* diff, size_t* len);
BR_EXPORT const char* br_diff_jsonl(const br_diff_t* diff, size_t* len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BIRTHRIGHT_H_ */
