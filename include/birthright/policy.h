// The policy model as imported: schema, aliases, app catalog and rules
// (SPEC §1, §2, §4, §8), with literals still as text and a source location
// on everything a diagnostic may point at.
//
// A Policy is a plain value: build it with the importers (import.h) or by
// hand, then bind it (bound_policy.h) to type and resolve it. Not
// thread-safe for mutation; const access from many threads is fine.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "birthright/date.h"
#include "birthright/predicate.h"

namespace birthright {

struct SourceLocation {
  std::string file;
  int32_t line = 0;    // 1-based; 0 = unknown.
  int32_t column = 0;  // 1-based byte column; 0 = whole line.
};

// "file:line" or "file:line:col".
std::string FormatSourceLocation(const SourceLocation& loc);

enum class AttrType : uint8_t { kString, kInt, kDate, kOrdinal, kSet };
std::string_view AttrTypeName(AttrType type);
std::optional<AttrType> ParseAttrType(std::string_view text);

// One schema row (SPEC §8 Schema).
struct AttributeSpec {
  std::string name;  // As spelled in the sheet.
  AttrType type = AttrType::kString;
  std::vector<std::string> order;  // Ordinal values low→high; empty = natural.
  bool case_sensitive = false;
  SourceLocation location;
};

// One alias row: `attribute: alias → canonical` (SPEC §2).
struct Alias {
  std::string attribute;
  std::string alias;
  std::string canonical;
  SourceLocation location;  // The alias cell.
};

enum class Provisioning : uint8_t { kUnspecified, kScim, kApi, kManual };
// "scim", "api", "manual", or "" when unspecified (catalog spelling).
std::string_view ProvisioningName(Provisioning p);
// The same with "unspecified" for kUnspecified, as routing output (C API,
// Python) names it. Never null.
const char* ProvisioningLabel(Provisioning p);

// One catalog row: an app instance and its ordered levels (SPEC §8).
struct CatalogEntry {
  std::string app;
  std::string instance;             // Empty for a single-instance app.
  std::vector<std::string> levels;  // Low → high.
  std::string default_level;        // Empty = the lowest level.
  std::string owner;
  Provisioning provisioning = Provisioning::kUnspecified;
  std::optional<int64_t> monthly_cost_cents;
  SourceLocation location;
};

enum class Effect : uint8_t { kGrant, kDeny };

// One per-attribute constraint of a rule (a cell of the rules list).
struct Condition {
  std::string attribute;  // As spelled in the header.
  Predicate predicate;
  std::string text;  // The cell as written, for messages.
  SourceLocation location;
};

// What a rule grants or denies on one app.
//  grant: instance empty = the app's only instance; level empty = default.
//  deny:  instance empty = every instance; level empty = every level, else a
//         cap removing that level and those above (SPEC §4.2).
struct Target {
  std::string app;
  std::string instance;
  std::string level;
  std::vector<std::string> scopes;
  SourceLocation location;
};

// `expires`: nothing, a fixed date, or a date attribute of the person.
struct Expiry {
  enum class Kind : uint8_t { kNever, kDate, kAttribute };
  Kind kind = Kind::kNever;
  Date date;
  std::string attribute;
};

struct Rule {
  std::string id;
  Effect effect = Effect::kGrant;
  std::vector<Condition> conditions;  // Conjunction.
  std::optional<Expr> unless;
  std::string unless_text;
  std::vector<Target>
      targets;  // One for a rules-list row; many for a matrix row.
  int32_t priority = 0;
  Expiry expires;
  std::optional<Date> effective_from;   // Inclusive.
  std::optional<Date> effective_until;  // Inclusive.
  std::string owner;
  std::string notes;
  SourceLocation location;  // The row (column 0).

  // Where diagnostics about single cells point (SPEC §10). The importers
  // fill these; a rule built by hand may leave them unknown (line 0), and
  // diagnostics then fall back to `location`.
  SourceLocation id_location;       // The id cell; column 1 for a generated id.
  SourceLocation unless_location;   // The `unless` cell.
  SourceLocation expires_location;  // The `expires` cell.
  // One entry per predicate of `unless`, in the order a depth-first,
  // left-to-right walk reaches them: where that predicate starts in the
  // source. Empty = unknown (diagnostics use `unless_location`).
  std::vector<SourceLocation> unless_predicate_locations;
};

// A separation-of-duties declaration: nobody may hold both (SPEC §7).
struct SodEntitlement {
  std::string app;
  std::string instance;  // Empty = any instance.
  std::string level;     // Empty = any level; else that level or higher.
};
struct SodConstraint {
  std::string id;
  SodEntitlement first;
  SodEntitlement second;
  std::string message;
  SourceLocation location;
};

struct Policy {
  std::string name;
  std::string version;
  std::vector<AttributeSpec> schema;  // Empty = everything inferred.
  std::vector<Alias> aliases;
  std::vector<CatalogEntry> catalog;  // Empty = derived from rules (SPEC §4.6).
  std::vector<Rule> rules;
  std::vector<SodConstraint> sod;
};

// SHA-256 (hex) of the policy's canonical form (SPEC §9): rules, catalog,
// aliases, schema and SoD with names folded, values normalized and rows and
// lists sorted, so reformatting or reordering rows keeps the hash. The name
// and version label are not part of it.
std::string PolicyContentHash(const Policy& policy);

// One HR record (SPEC §1). Attribute names as spelled in the export.
struct Person {
  std::string id;
  std::vector<std::pair<std::string, std::string>> attributes;
  SourceLocation location;

  // Raw value of the attribute whose folded name is `folded`, if present.
  // Linear in the number of attributes.
  std::optional<std::string_view> Get(std::string_view folded) const;
};

struct Population {
  std::string file;
  std::vector<std::string> columns;  // Attribute columns as spelled.
  std::vector<Person> people;        // In file order.
};

// An access export row: who actually holds what (SPEC §8).
struct AccessRecord {
  std::string person_id;
  std::string app;
  std::string instance;
  std::string level;
  SourceLocation location;
};

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_H_
