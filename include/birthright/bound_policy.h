// A Policy typed and resolved: the form every evaluator and analysis reads.
//
// Binding folds attribute names, fixes each attribute's type (declared, or
// inferred from HR values, else from rule literals: SPEC §2), parses and
// canonicalizes every literal through the aliases, compiles regexes (RE2,
// linear time), and resolves app / instance / level names against the
// catalog (SPEC §4.3, §4.6). What cannot be resolved becomes a BindIssue:
// `check` reports issues as findings, `eval` refuses to run (exit 2).
//
// A BoundPolicy is immutable after Bind() and safe to share across threads.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BOUND_POLICY_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BOUND_POLICY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "birthright/date.h"
#include "birthright/policy.h"

namespace re2 {
class RE2;
}

namespace birthright {

// Kleene three-valued truth (SPEC §2). Ordered so that AND is min and OR
// is max.
enum class Tri : uint8_t { kFalse = 0, kUnknown = 1, kTrue = 2 };
inline Tri TriNot(Tri t) { return static_cast<Tri>(2 - static_cast<int>(t)); }
inline Tri TriAnd(Tri a, Tri b) { return a < b ? a : b; }
inline Tri TriOr(Tri a, Tri b) { return a < b ? b : a; }

using AttrId = int32_t;

// A typed scalar. int, date and declared-ordinal values use `num` (the
// integer, day number or rank); strings and natural-order ordinals use
// `text` (normalized and alias-canonicalized).
struct Key {
  int64_t num = 0;
  std::string text;
  friend bool operator==(const Key&, const Key&) = default;
};

// One attribute value of a person after typing. `present` is false for a
// missing, empty or unparseable value (SPEC §2).
struct Value {
  bool present = false;
  Key scalar;                        // Non-set types.
  std::vector<std::string> members;  // Sets: sorted, unique, canonical.
};

struct BoundAttribute {
  std::string name;    // First spelling seen (schema, rules, HR).
  std::string folded;  // FoldName(name).
  AttrType type = AttrType::kString;
  bool case_sensitive = false;
  bool declared = false;           // In the schema sheet.
  std::string inferred_from;       // "HR values", "rule literals", "".
  std::vector<std::string> order;  // Declared ordinal order, normalized.
  absl::flat_hash_map<std::string, int64_t> rank;  // For declared ordinals.
  // Normalized alias → normalized canonical, one step (SPEC §2).
  absl::flat_hash_map<std::string, std::string> aliases;

  // True when values are compared by `num` (int, date, declared ordinal).
  bool numeric() const {
    return type == AttrType::kInt || type == AttrType::kDate ||
           (type == AttrType::kOrdinal && !order.empty());
  }
  // Normalizes and canonicalizes raw text (no typing).
  std::string Canonical(std::string_view raw) const;
  // Types one scalar; nullopt when empty or it does not parse.
  std::optional<Key> ParseScalar(std::string_view raw) const;
  // Types a whole cell (a set splits on ';').
  Value ParseValue(std::string_view raw) const;
  // <0, 0, >0 in this attribute's order.
  int Compare(const Key& a, const Key& b) const;
};

struct BoundPredicate {
  AttrId attr = -1;
  PredicateOp op = PredicateOp::kAnyOf;
  std::vector<Key> keys;  // List (sorted, unique), operand, or {low, high}.
  std::string needle;     // Substring ops: normalized literal.
  int32_t regex = -1;     // Regex op: index into BoundPolicy::regex().
};

struct BoundExpr {
  Expr::Kind kind = Expr::Kind::kPredicate;
  BoundPredicate predicate;
  std::vector<BoundExpr> children;
};

// Appends the predicates of `e` to `out`, depth-first, left to right.
void CollectPredicates(const BoundExpr& e,
                       std::vector<const BoundPredicate*>* out);

// A resolved target. Grants always name one instance and one level; a deny
// naming no instance is expanded to one target per instance; a deny's
// level is -1 for "every level", else the cap (SPEC §4.2).
struct BoundTarget {
  int32_t instance = -1;            // Index into BoundPolicy::instances().
  int32_t level = -1;               // Index into that instance's levels.
  std::vector<std::string> scopes;  // Sorted, unique.
};

struct BoundRule {
  int32_t index = 0;  // Position in the policy (source order).
  std::string id;
  Effect effect = Effect::kGrant;
  std::vector<BoundPredicate> conditions;
  std::optional<BoundExpr> unless;
  std::vector<BoundTarget> targets;
  int32_t priority = 0;
  Expiry::Kind expiry_kind = Expiry::Kind::kNever;
  Date expiry_date;
  AttrId expiry_attr = -1;
  std::optional<Date> effective_from;
  std::optional<Date> effective_until;
  SourceLocation location;
  bool valid = true;  // False when a BindIssue of severity error names it.
};

// One app instance of the catalog (or derived from the rules).
struct AppInstance {
  std::string app;
  std::string instance;
  std::vector<std::string> levels;  // Low → high, catalog spelling.
  int32_t default_level = 0;
  std::string owner;
  Provisioning provisioning = Provisioning::kUnspecified;
  std::optional<int64_t> monthly_cost_cents;
  SourceLocation location;
};

// One side of a bound separation-of-duties constraint (SPEC §7): the app
// instances it covers, each with the lowest level that counts (that level
// or higher; 0 = any level).
struct BoundSodSide {
  struct Part {
    int32_t instance = -1;  // Index into BoundPolicy::instances().
    int32_t min_level = 0;
  };
  std::vector<Part> parts;  // Instance id order.
};

// A bound SodConstraint. `valid` is false when a side names an app,
// instance or level the catalog does not know (a BindIssue says which).
struct BoundSod {
  std::string id;
  BoundSodSide first, second;
  std::string message;
  SourceLocation location;
  bool valid = true;
};

enum class Severity : uint8_t { kInfo, kWarning, kError };
std::string_view SeverityName(Severity s);

// A problem found while binding (unknown app / level / instance, type
// mismatch, bad regex, unknown attribute, inferred type, ...). `code` uses
// the SPEC §7 vocabulary.
struct BindIssue {
  std::string code;
  Severity severity = Severity::kError;
  std::string rule_id;  // Empty when not about one rule.
  SourceLocation location;
  std::string message;
};

struct BindOptions {
  // When true, Bind() fails with InvalidArgument on the first error-level
  // issue (what `eval` wants). When false, offending rules are marked
  // invalid and the issues are kept for `check`.
  bool strict = true;
  int64_t max_rules = 1'000'000;
  int64_t max_regex_program_size = 1 << 16;  // RE2 program size per regex.
};

class BoundPolicy {
 public:
  // Binds `policy`. `hr`, when given, is used for type inference only
  // (SPEC §2). On success the result owns copies of everything it needs;
  // neither argument must outlive it.
  static absl::StatusOr<std::unique_ptr<BoundPolicy>> Bind(
      const Policy& policy, const Population* hr, const BindOptions& options);

  BoundPolicy(const BoundPolicy&) = delete;  // Owns compiled regexes.
  BoundPolicy& operator=(const BoundPolicy&) = delete;
  ~BoundPolicy();

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  // SHA-256 of the policy's canonical form (PolicyContentHash, SPEC §9).
  const std::string& hash() const { return hash_; }
  const std::vector<BoundAttribute>& attributes() const { return attributes_; }
  const std::vector<AppInstance>& instances() const { return instances_; }
  const std::vector<BoundRule>& rules() const { return rules_; }
  const std::vector<BindIssue>& issues() const { return issues_; }
  // Policy::sod, resolved against the catalog, in policy order.
  const std::vector<BoundSod>& sod() const { return sod_; }
  const re2::RE2& regex(int32_t i) const { return *regexes_[i]; }
  const std::string& regex_pattern(int32_t i) const { return patterns_[i]; }
  int32_t regex_count() const { return static_cast<int32_t>(regexes_.size()); }
  bool has_catalog() const { return has_catalog_; }

  // The attribute with folded name `folded`, or -1.
  AttrId FindAttribute(std::string_view folded) const;

  // Evaluates one predicate on one typed value (three-valued, SPEC §2).
  Tri EvalPredicate(const BoundPredicate& p, const Value& v) const;

 private:
  friend class Binder;
  friend class SnapshotReader;
  BoundPolicy() = default;

  std::string name_;
  std::string version_;
  std::string hash_;
  std::vector<BoundAttribute> attributes_;
  absl::flat_hash_map<std::string, AttrId> attribute_index_;
  std::vector<AppInstance> instances_;
  std::vector<BoundRule> rules_;
  std::vector<BindIssue> issues_;
  std::vector<BoundSod> sod_;
  std::vector<std::unique_ptr<re2::RE2>> regexes_;
  std::vector<std::string> patterns_;
  bool has_catalog_ = false;
};

// A person typed against a BoundPolicy: one Value per attribute id.
struct BoundPerson {
  std::string id;
  std::vector<Value> values;
  std::optional<Date> termination;     // `termination date` / `leave date`.
  bool termination_malformed = false;  // Present but not an ISO date.
};

// Types `person` (raw HR strings) against `policy`. Never fails: a value
// that does not parse is missing (SPEC §2).
BoundPerson BindPerson(const BoundPolicy& policy, const Person& person);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BOUND_POLICY_H_
