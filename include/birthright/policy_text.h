// The text policy language (`.brp` files; docs/policy-language.md): a
// readable, reviewable, version-controlled form of a whole Policy — name and
// version label, attribute schema, aliases, app catalog, SoD declarations
// and rules (SPEC §1–§4, §7, §9).
//
//   policy "acme-access" version "2.4"
//   attribute grade ordinal (L1, L2, L3)
//   alias department "Eng" = Engineering
//   app Slack [corp] levels (Member, Admin) default Member cost 8.75
//   sod SOD1 NetSuite: "AP Clerk" with NetSuite: "AP Approver"
//   rule R12 grant Salesforce: Standard scopes (emea)
//     when department = Sales and job title starts with Sr
//     unless employment type = Contractor
//     priority 10
//
// Parsing fills source locations (file, line, column) on every rule, rule
// id, condition, target, `unless` predicate and expiry so diagnostics from
// `check` and `eval` point into the policy file. Formatting prints the
// canonical form: FormatPolicyText(ParsePolicyText(FormatPolicyText(p))) ==
// FormatPolicyText(p), and the parsed policy has the same PolicyContentHash
// as `p` whenever `p` is expressible (every value the parser can produce
// is).
//
// Thread-safety: the functions are pure; call them from any thread.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_TEXT_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "birthright/policy.h"
#include "birthright/predicate.h"

namespace birthright {

// Hard limits (SPEC §10; docs/limits.md). Exceeding one is
// ResourceExhausted "file:line:col: ... (limit N)".
struct PolicyTextLimits {
  int64_t max_file_bytes = int64_t{64} << 20;
  int64_t max_rules = 1'000'000;
  int64_t max_declarations = 2'000'000;  // All declarations together.
  int32_t max_targets_per_rule = 4096;
  int32_t max_list_values = 4096;  // Levels, scopes, ordinal order.
  int32_t max_string_bytes = 1 << 20;
  ExprLimits expr;  // `when` / `unless` nesting depth, size, list length.
};

// Comments kept by the formatter (`birthright fmt`). Each entry is a list of
// comment lines, each starting with '#', printed just before the
// declaration it belongs to. Whole-line comments above a declaration belong
// to it; comments inside a declaration (trailing a line, or between its
// lines) are moved above it, in order; comments after the last declaration
// are `trailing`. The vectors are parallel to the Policy's (schema, aliases,
// catalog, sod, rules); missing entries mean "no comments".
struct PolicyTextComments {
  std::vector<std::string> policy;  // Before the `policy` line.
  std::vector<std::vector<std::string>> attributes;
  std::vector<std::vector<std::string>> aliases;
  std::vector<std::vector<std::string>> apps;
  std::vector<std::vector<std::string>> sod;
  std::vector<std::vector<std::string>> rules;
  std::vector<std::string> trailing;
};

struct ParsedPolicyText {
  Policy policy;
  PolicyTextComments comments;
  bool has_policy_line = false;  // A `policy` declaration was present.
};

// Parses policy text. `file` names the source in locations and errors.
// Returns the policy (name and version from the `policy` line; empty when
// absent) or InvalidArgument "file:line:col: what was expected" followed by
// a caret excerpt (the source line and a '^' under the column) on a syntax
// or semantic error (unknown keyword, duplicate rule id or catalog entry,
// default level not among the levels, ...), ResourceExhausted on a limit.
absl::StatusOr<ParsedPolicyText> ParsePolicyTextWithComments(
    std::string_view text, std::string_view file,
    const PolicyTextLimits& limits = {});
absl::StatusOr<Policy> ParsePolicyText(std::string_view text,
                                       std::string_view file,
                                       const PolicyTextLimits& limits = {});

// The canonical text of `policy`: sections in the order policy, attributes,
// aliases, apps, sod, rules; declarations within a section in the policy's
// order; one clause per line; values quoted only where needed. With
// `comments`, their lines are printed before the declarations they belong
// to. Attribute names that are not expressible as written in a condition
// (a word such as `in` or `is`) are printed with '_' for spaces (the same
// attribute, SPEC §2).
std::string FormatPolicyText(const Policy& policy,
                             const PolicyTextComments* comments = nullptr);

// Migration of an imported spreadsheet policy (rules list or matrix, with
// catalog, aliases and schema) to the language (`birthright migrate`):
//  * attribute names take the schema's spelling (same folded name, SPEC §2);
//  * any-of / none-of literals that are aliases take the canonical spelling
//    (not when the canonical value is itself an alias: aliases are one step,
//    so rewriting would change the meaning); repeated values are dropped;
//  * app, instance and level names take the catalog's spelling;
//  * exact duplicate rules (equal after the normalizations above, apart from
//    id and location) are merged into the first; the merged ids are recorded
//    in that rule's comments;
//  * every rule gets a provenance comment `# from FILE:LINE`.
// None of these changes what any person is granted (tested differentially
// against the reference evaluator).
struct MigrationResult {
  Policy policy;
  PolicyTextComments comments;
  // One line per change, "FILE:LINE rule ID: what changed", in rule order.
  std::vector<std::string> changes;
  int32_t values_canonicalized = 0;
  int32_t names_respelled = 0;
  int32_t rules_merged = 0;
};
MigrationResult MigratePolicy(const Policy& imported);

// True when `data` looks like policy text rather than CSV: after an optional
// BOM, blank lines and '#' comment lines, the first word is a declaration
// keyword (policy, attribute, alias, app, sod, rule) followed by a space.
bool LooksLikePolicyText(std::string_view data);

// "file:line:col: message\n  SOURCE LINE\n      ^" for a position in
// `text` (1-based line and byte column). Exposed for tests and tools.
std::string FormatCaretError(std::string_view text, std::string_view file,
                             int32_t line, int32_t column,
                             std::string_view message);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_TEXT_H_
