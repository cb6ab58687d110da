// The C ABI (include/birthright/birthright.h): a thin shell over the C++
// core. Every extern "C" entry runs inside a catch-all so that no C++
// exception crosses into C (SPEC §5), validates its arguments (NULL handles,
// pointer+length strings, UTF-8, dates) before touching the core, and on
// failure leaves every `out` NULL: an error never grants anything.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "birthright/batch.h"
#include "birthright/birthright.h"
#include "birthright/bound_policy.h"
#include "birthright/check.h"
#include "birthright/compiled_policy.h"
#include "birthright/date.h"
#include "birthright/decision.h"
#include "birthright/delta.h"
#include "birthright/diff.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "birthright/policy_text.h"
#include "birthright/snapshot.h"
#include "birthright/version.h"
#include "util/json.h"
#include "util/text.h"

// --- Handles ---------------------------------------------------------------

struct br_policy_t {
  birthright::Policy policy;
  // The first import into this policy that failed ("rules.csv:3:7: ...").
  // A failed import may have appended part of a sheet: dropping a deny row
  // would grant more than the sheet says, so such a policy is never
  // compiled, checked, diffed or formatted (fail closed, SPEC §10).
  std::string failed_import;
};

struct br_issues_t {
  struct Row {
    std::string code, severity, rule, location, message;
  };
  std::vector<Row> rows;
  std::string jsonl;
};

// The catalog of a compiled policy, for routing (owner, provisioning, cost).
// Shared by the compiled policy and every delta made from it, so a delta
// outlives the compiled policy safely.
struct BrRouting {
  explicit BrRouting(std::shared_ptr<const birthright::BoundPolicy> b)
      : bound(std::move(b)), index(*bound) {}
  std::shared_ptr<const birthright::BoundPolicy> bound;
  birthright::InstanceIndex index;
};

struct br_compiled_t {
  std::shared_ptr<const birthright::BoundPolicy> bound;
  std::unique_ptr<birthright::CompiledPolicy> compiled;
  std::shared_ptr<const BrRouting> routing;  // Made with `compiled`.
};

struct br_person_t {
  birthright::Person person;
  std::vector<std::string> folded;  // FoldName of person.attributes[i].first.
};

struct br_population_t {
  birthright::Population population;
  absl::flat_hash_set<std::string> ids;
};

// The JSON line and the ISO expiry strings are made on first use (once, even
// with concurrent readers): most callers read one or the other, and building
// both eagerly would double what br_evaluate costs over the C++ call.
struct br_decision_t {
  birthright::Decision decision;
  mutable std::once_flag json_once, expires_once;
  mutable std::string json;
  mutable std::vector<std::string> expires;  // Per entitlement: ISO date or "".

  const std::string& Json() const {
    std::call_once(json_once,
                   [this] { json = birthright::DecisionToJson(decision); });
    return json;
  }
  const std::string& Expires(size_t i) const {
    std::call_once(expires_once, [this] {
      expires.reserve(decision.entitlements.size());
      for (const birthright::Entitlement& e : decision.entitlements) {
        expires.push_back(e.expires ? birthright::FormatIsoDate(*e.expires)
                                    : std::string());
      }
    });
    return expires[i];
  }
};

// JSON and ISO expiry strings are made on first use, as for decisions: an
// HR sync holds one delta per person and most callers read few of them.
struct br_delta_t {
  birthright::PersonDelta delta;
  std::shared_ptr<const BrRouting> routing;
  mutable std::once_flag json_once, expires_once;
  mutable std::string json;
  // Per list (BR_DELTA_ADD .. BR_DELTA_CHANGE_FROM), per entitlement.
  mutable std::array<std::vector<std::string>, 5> expires;

  const std::string& Json() const {
    std::call_once(json_once,
                   [this] { json = birthright::PersonDeltaToJson(delta); });
    return json;
  }
  size_t Count(int32_t which) const {
    switch (which) {
      case BR_DELTA_ADD:
        return delta.add.size();
      case BR_DELTA_REMOVE:
        return delta.remove.size();
      case BR_DELTA_CHANGE:
      case BR_DELTA_CHANGE_FROM:
        return delta.change.size();
      case BR_DELTA_KEEP:
        return delta.keep.size();
      default:
        return 0;
    }
  }
  // Entitlement j of list `which`, or nullptr.
  const birthright::Entitlement* At(int32_t which, int64_t j) const {
    if (j < 0 || static_cast<size_t>(j) >= Count(which)) return nullptr;
    const size_t k = static_cast<size_t>(j);
    switch (which) {
      case BR_DELTA_ADD:
        return &delta.add[k];
      case BR_DELTA_REMOVE:
        return &delta.remove[k];
      case BR_DELTA_CHANGE:
        return &delta.change[k].to;
      case BR_DELTA_CHANGE_FROM:
        return &delta.change[k].from;
      case BR_DELTA_KEEP:
        return &delta.keep[k];
      default:
        return nullptr;
    }
  }
  const std::string& Expires(int32_t which, int64_t j) const {
    std::call_once(expires_once, [this] {
      for (int32_t w = 0; w < 5; ++w) {
        const size_t n = Count(w);
        expires[w].reserve(n);
        for (size_t k = 0; k < n; ++k) {
          const birthright::Entitlement* e = At(w, static_cast<int64_t>(k));
          expires[w].push_back(e->expires
                                   ? birthright::FormatIsoDate(*e->expires)
                                   : std::string());
        }
      }
    });
    return expires[which][static_cast<size_t>(j)];
  }
};

struct br_deltas_t {
  std::vector<std::unique_ptr<br_delta_t>> deltas;
  birthright::DeltaSummary summary;
  std::string summary_line;
  mutable std::once_flag jsonl_once;
  mutable std::string jsonl;
};

struct br_diff_t {
  std::string summary, json, jsonl;
};

struct br_findings_t {
  std::vector<birthright::Finding> findings;
  std::string jsonl, sarif;
};

struct br_reconcile_t {
  birthright::ReconcileResult result;
  std::shared_ptr<const BrRouting> routing;
  std::vector<std::string> desired_level, location, lines;
  std::string jsonl;
};

struct br_changes_t {
  std::vector<birthright::TimedChange> changes;
  std::shared_ptr<const BrRouting> routing;
  std::vector<std::string> effective, last_day, lines;
  std::string jsonl;
};

namespace {

using birthright::Date;

// The numbers are the ABI (birthright.h); pin them here too.
static_assert(BR_OK == 0 && BR_INVALID_ARGUMENT == 1 && BR_NOT_FOUND == 2 &&
              BR_RESOURCE_EXHAUSTED == 3 && BR_DATA_LOSS == 4 &&
              BR_FAILED_PRECONDITION == 5 && BR_INTERNAL == 6 &&
              BR_OUT_OF_RANGE == 7 && BR_UNIMPLEMENTED == 8 && BR_UNKNOWN == 9);

// The C header's version is the library's (CMake checks it against the
// project).
static_assert(std::string_view(BR_VERSION_STRING) ==
              birthright::kBirthrightVersion);

constexpr uint32_t kKnownEvalFlags = BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES;
constexpr int32_t kMaxThreads = 256;

// Stores `message` in *errptr (LevelDB's SaveError). Never throws: when
// malloc fails the old message is still freed and *errptr stays NULL.
void SaveError(char** errptr, std::string_view message) noexcept {
  if (errptr == nullptr) return;
  std::free(*errptr);
  *errptr = static_cast<char*>(std::malloc(message.size() + 1));
  if (*errptr != nullptr) {
    std::memcpy(*errptr, message.data(), message.size());
    (*errptr)[message.size()] = '\0';
  }
}

br_status_t Fail(char** errptr, br_status_t code,
                 std::string_view message) noexcept {
  SaveError(errptr, message);
  return code;
}

br_status_t CodeOf(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return BR_OK;
    case absl::StatusCode::kInvalidArgument:
      return BR_INVALID_ARGUMENT;
    case absl::StatusCode::kNotFound:
      return BR_NOT_FOUND;
    case absl::StatusCode::kResourceExhausted:
      return BR_RESOURCE_EXHAUSTED;
    case absl::StatusCode::kDataLoss:
      return BR_DATA_LOSS;
    case absl::StatusCode::kFailedPrecondition:
      return BR_FAILED_PRECONDITION;
    case absl::StatusCode::kInternal:
      return BR_INTERNAL;
    case absl::StatusCode::kOutOfRange:
      return BR_OUT_OF_RANGE;
    case absl::StatusCode::kUnimplemented:
      return BR_UNIMPLEMENTED;
    default:
      return BR_UNKNOWN;
  }
}

br_status_t Fail(char** errptr, const absl::Status& s) {
  // Debian's absl::string_view is not std::string_view: convert here.
  return Fail(errptr, CodeOf(s),
              std::string_view(s.message().data(), s.message().size()));
}

// The catch-all every status-returning entry runs in.
template <typename F>
br_status_t Guard(char** errptr, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(errptr, BR_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception& e) {
    SaveError(errptr, "internal error: ");
    if (errptr != nullptr && *errptr != nullptr) {
      const char* what = e.what();
      const size_t a = std::strlen(*errptr), b = std::strlen(what);
      if (char* m = static_cast<char*>(std::realloc(*errptr, a + b + 1))) {
        std::memcpy(m + a, what, b + 1);
        *errptr = m;
      }
    }
    return BR_INTERNAL;
  } catch (...) {
    return Fail(errptr, BR_INTERNAL, "internal error: unknown exception");
  }
}

// The catch-all for accessors, which return a value instead of a status.
template <typename T, typename F>
T GuardValue(T on_error, F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return on_error;
  }
}

const char* Out(const std::string& s, size_t* len) {
  if (len != nullptr) *len = s.size();
  return s.c_str();
}

const char* NoString(size_t* len) {
  if (len != nullptr) *len = 0;
  return nullptr;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i <= static_cast<size_t>(extra)) return false;  // Truncated.
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

// Reads a pointer+length argument. `utf8` checks the encoding (strings
// that reach JSON output or messages); CSV data is checked by the parser,
// which can say where.
absl::Status Text(const char* p, size_t n, std::string_view what,
                  std::string_view* out, bool utf8 = true) {
  if (p == nullptr && n > 0) {
    return absl::InvalidArgumentError(std::string(what) +
                                      " is NULL with a non-zero length");
  }
  *out = n == 0 ? std::string_view() : std::string_view(p, n);
  if (utf8 && !ValidUtf8(*out)) {
    return absl::InvalidArgumentError(std::string(what) +
                                      " is not valid UTF-8");
  }
  return absl::OkStatus();
}

absl::StatusOr<Date> AsOf(const char* p, size_t n) {
  std::string_view text;
  if (absl::Status s = Text(p, n, "as_of", &text); !s.ok()) return s;
  if (text.empty())
    return absl::InvalidArgumentError(
        "as_of: expected YYYY-MM-DD, got nothing");
  std::optional<Date> d = birthright::ParseIsoDate(text);
  if (!d) {
    return absl::InvalidArgumentError("as_of: expected YYYY-MM-DD, got '" +
                                      std::string(text) + "'");
  }
  return *d;
}

absl::Status CheckFlags(uint32_t flags) {
  if ((flags & ~kKnownEvalFlags) != 0) {
    return absl::InvalidArgumentError("flags: unknown bits " +
                                      std::to_string(flags & ~kKnownEvalFlags));
  }
  return absl::OkStatus();
}

// BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES: every attribute of `person` must be one
// the policy reads (or the termination date).
absl::Status CheckAttributes(const birthright::CompiledPolicy& policy,
                             const birthright::Person& person) {
  for (const auto& [name, value] : person.attributes) {
    if (policy.SlotOf(name).used()) continue;
    std::string known;
    for (const birthright::BoundAttribute& a : policy.policy().attributes()) {
      known += (known.empty() ? "" : ", ") + a.name;
    }
    return absl::InvalidArgumentError(
        "person '" + person.id + "': unknown attribute '" + name +
        "'; the policy reads: " + (known.empty() ? "(none)" : known) +
        ", termination date");
  }
  return absl::OkStatus();
}

std::string FileName(std::string_view file, const char* fallback) {
  return file.empty() ? std::string(fallback) : std::string(file);
}

enum class Sheet { kCatalog, kAliases, kSchema };

br_status_t AddSheet(br_policy_t* policy, const char* data, size_t data_len,
                     const char* file, size_t file_len, Sheet sheet,
                     char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (policy == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "policy is NULL");
    std::string_view d, f;
    if (absl::Status s = Text(data, data_len, "data", &d, /*utf8=*/false);
        !s.ok()) {
      return Fail(errptr, s);
    }
    if (absl::Status s = Text(file, file_len, "file", &f); !s.ok())
      return Fail(errptr, s);
    absl::Status s;
    switch (sheet) {
      case Sheet::kCatalog:
        s = birthright::ImportCatalog(d, FileName(f, "<catalog>"),
                                      &policy->policy);
        break;
      case Sheet::kAliases:
        s = birthright::ImportAliases(d, FileName(f, "<aliases>"),
                                      &policy->policy);
        break;
      case Sheet::kSchema:
        s = birthright::ImportSchema(d, FileName(f, "<schema>"),
                                     &policy->policy);
        break;
    }
    return s.ok() ? BR_OK : Fail(errptr, s);
  });
}

br_status_t ImportRules(br_policy_t* policy, const char* data, size_t data_len,
                        const char* file, size_t file_len, int32_t format,
                        std::vector<std::string> app_columns, char** errptr) {
  if (policy == nullptr)
    return Fail(errptr, BR_INVALID_ARGUMENT, "policy is NULL");
  std::string_view d, f;
  if (absl::Status s = Text(data, data_len, "data", &d, /*utf8=*/false);
      !s.ok()) {
    return Fail(errptr, s);
  }
  if (absl::Status s = Text(file, file_len, "file", &f); !s.ok())
    return Fail(errptr, s);
  const std::string name = FileName(f, "<rules>");
  birthright::RulesFormat fmt;
  switch (format) {
    case BR_RULES_AUTO:
      fmt = birthright::DetectRulesFormat(d);
      break;
    case BR_RULES_LIST:
      fmt = birthright::RulesFormat::kRulesList;
      break;
    case BR_RULES_MATRIX:
      fmt = birthright::RulesFormat::kMatrix;
      break;
    default:
      return Fail(errptr, BR_INVALID_ARGUMENT,
                  "format: expected BR_RULES_AUTO, BR_RULES_LIST or "
                  "BR_RULES_MATRIX, got " +
                      std::to_string(format));
  }
  birthright::ImportReport report;
  absl::Status s;
  if (fmt == birthright::RulesFormat::kRulesList) {
    s = birthright::ImportRulesList(d, name, &policy->policy, &report);
  } else if (fmt == birthright::RulesFormat::kMatrix) {
    s = birthright::ImportMatrix(d, name, app_columns, &policy->policy,
                                 &report);
  } else if (fmt == birthright::RulesFormat::kPolicyText) {
    s = absl::InvalidArgumentError(
        name +
        ": this is policy text, not a sheet; load it with "
        "br_policy_load_text");
  } else {
    s = absl::InvalidArgumentError(
        name +
        ": this is a snapshot, not a sheet; load it with "
        "br_snapshot_load");
  }
  return s.ok() ? BR_OK : Fail(errptr, s);
}

// BR_FAILED_PRECONDITION when an import into `policy` failed (see
// br_policy_t::failed_import); BR_OK otherwise, and for NULL (the caller
// reports that).
br_status_t RefuseBrokenPolicy(const br_policy_t* policy, char** errptr) {
  if (policy == nullptr || policy->failed_import.empty()) return BR_OK;
  return Fail(errptr, BR_FAILED_PRECONDITION,
              "this policy had a failed import and may hold part of a sheet; "
              "destroy it and import again (first failure: " +
                  policy->failed_import + ")");
}

// Every failed br_policy_add_* marks the policy, whatever failed: the
// contract is simply "a policy with a failed import is refused". The mark
// keeps the caller's error message, or names the call when errptr is NULL.
br_status_t MarkFailedImport(br_policy_t* policy, br_status_t st,
                             const char* fn, char** errptr) {
  if (st != BR_OK && policy != nullptr && policy->failed_import.empty()) {
    policy->failed_import =
        errptr != nullptr && *errptr != nullptr
            ? std::string(*errptr)
            : std::string(fn) + " failed (" + br_status_name(st) + ")";
  }
  return st;
}

std::string IssuesJsonl(const std::vector<br_issues_t::Row>& rows,
                        const std::vector<birthright::BindIssue>& issues) {
  // SPEC §11 `check` line: {"code","severity","rules","locations","message"}.
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const br_issues_t::Row& r = rows[i];
    out += "{\"code\":";
    birthright::AppendJsonString(&out, r.code);
    out += ",\"severity\":";
    birthright::AppendJsonString(&out, r.severity);
    out += ",\"rules\":";
    birthright::AppendJsonStringArray(
        &out, r.rule.empty() ? std::vector<std::string>{}
                             : std::vector<std::string>{r.rule});
    out += ",\"locations\":";
    birthright::AppendJsonStringArray(
        &out, issues[i].location.line > 0 ? std::vector<std::string>{r.location}
                                          : std::vector<std::string>{});
    out += ",\"message\":";
    birthright::AppendJsonString(&out, r.message);
    out += "}\n";
  }
  return out;
}

std::unique_ptr<br_decision_t> MakeDecision(birthright::Decision d) {
  auto out = std::make_unique<br_decision_t>();
  out->decision = std::move(d);
  return out;
}

const birthright::Entitlement* EntitlementAt(const br_decision_t* d,
                                             int64_t i) {
  if (d == nullptr || i < 0 ||
      i >= static_cast<int64_t>(d->decision.entitlements.size())) {
    return nullptr;
  }
  return &d->decision.entitlements[static_cast<size_t>(i)];
}

template <typename V>
const char* Item(const V& v, int64_t i, size_t* len) {
  if (i < 0 || i >= static_cast<int64_t>(v.size())) return NoString(len);
  return Out(v[static_cast<size_t>(i)], len);
}

const br_issues_t::Row* IssueAt(const br_issues_t* issues, int64_t i) {
  if (issues == nullptr || i < 0 ||
      i >= static_cast<int64_t>(issues->rows.size())) {
    return nullptr;
  }
  return &issues->rows[static_cast<size_t>(i)];
}

}  // namespace

extern "C" {

// --- Versions, status, memory ----------------------------------------------

const char* br_version(void) {
  return GuardValue<const char*>(BR_VERSION_STRING,
                                 [] { return BR_VERSION_STRING; });
}

int32_t br_abi_version(void) {
  return GuardValue<int32_t>(BR_ABI_VERSION, [] { return BR_ABI_VERSION; });
}

const char* br_status_name(br_status_t status) {
  return GuardValue<const char*>("UNKNOWN", [status]() -> const char* {
    switch (status) {
      case BR_OK:
        return "OK";
      case BR_INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
      case BR_NOT_FOUND:
        return "NOT_FOUND";
      case BR_RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
      case BR_DATA_LOSS:
        return "DATA_LOSS";
      case BR_FAILED_PRECONDITION:
        return "FAILED_PRECONDITION";
      case BR_INTERNAL:
        return "INTERNAL";
      case BR_OUT_OF_RANGE:
        return "OUT_OF_RANGE";
      case BR_UNIMPLEMENTED:
        return "UNIMPLEMENTED";
      default:
        return "UNKNOWN";
    }
  });
}

void br_free(void* ptr) { std::free(ptr); }

// --- Policy ----------------------------------------------------------------

br_status_t br_policy_create(const char* name, size_t name_len,
                             const char* version, size_t version_len,
                             br_policy_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    std::string_view n, v;
    if (absl::Status s = Text(name, name_len, "name", &n); !s.ok())
      return Fail(errptr, s);
    if (absl::Status s = Text(version, version_len, "version", &v); !s.ok()) {
      return Fail(errptr, s);
    }
    auto p = std::make_unique<br_policy_t>();
    p->policy.name = std::string(n);
    p->policy.version = v.empty() ? "unversioned" : std::string(v);
    *out = p.release();
    return BR_OK;
  });
}

void br_policy_destroy(br_policy_t* policy) { delete policy; }

br_status_t br_policy_add_rules(br_policy_t* policy, const char* data,
                                size_t data_len, const char* file,
                                size_t file_len, int32_t format,
                                char** errptr) {
  return MarkFailedImport(policy,
                          Guard(errptr,
                                [&]() -> br_status_t {
                                  return ImportRules(policy, data, data_len,
                                                     file, file_len, format, {},
                                                     errptr);
                                }),
                          "br_policy_add_rules", errptr);
}

br_status_t br_policy_add_matrix(br_policy_t* policy, const char* data,
                                 size_t data_len, const char* file,
                                 size_t file_len,
                                 const char* const* app_columns,
                                 const size_t* app_column_lens,
                                 size_t app_column_count, char** errptr) {
  return MarkFailedImport(
      policy,
      Guard(errptr,
            [&]() -> br_status_t {
              std::vector<std::string> columns;
              if (app_column_count > 0 &&
                  (app_columns == nullptr || app_column_lens == nullptr)) {
                return Fail(errptr, BR_INVALID_ARGUMENT,
                            "app_columns or app_column_lens is NULL with a "
                            "non-zero count");
              }
              for (size_t i = 0; i < app_column_count; ++i) {
                std::string_view c;
                if (absl::Status s =
                        Text(app_columns[i], app_column_lens[i],
                             "app_columns[" + std::to_string(i) + "]", &c);
                    !s.ok()) {
                  return Fail(errptr, s);
                }
                columns.emplace_back(c);
              }
              return ImportRules(policy, data, data_len, file, file_len,
                                 BR_RULES_MATRIX, std::move(columns), errptr);
            }),
      "br_policy_add_matrix", errptr);
}

br_status_t br_policy_add_catalog(br_policy_t* policy, const char* data,
                                  size_t data_len, const char* file,
                                  size_t file_len, char** errptr) {
  return MarkFailedImport(
      policy,
      AddSheet(policy, data, data_len, file, file_len, Sheet::kCatalog, errptr),
      "br_policy_add_catalog", errptr);
}

br_status_t br_policy_add_aliases(br_policy_t* policy, const char* data,
                                  size_t data_len, const char* file,
                                  size_t file_len, char** errptr) {
  return MarkFailedImport(
      policy,
      AddSheet(policy, data, data_len, file, file_len, Sheet::kAliases, errptr),
      "br_policy_add_aliases", errptr);
}

br_status_t br_policy_add_schema(br_policy_t* policy, const char* data,
                                 size_t data_len, const char* file,
                                 size_t file_len, char** errptr) {
  return MarkFailedImport(
      policy,
      AddSheet(policy, data, data_len, file, file_len, Sheet::kSchema, errptr),
      "br_policy_add_schema", errptr);
}

int64_t br_policy_rule_count(const br_policy_t* policy) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return policy == nullptr
               ? 0
               : static_cast<int64_t>(policy->policy.rules.size());
  });
}

br_status_t br_policy_check(const br_policy_t* policy,
                            const br_population_t* hr, br_issues_t** out,
                            char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (policy == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "policy is NULL");
    if (br_status_t st = RefuseBrokenPolicy(policy, errptr); st != BR_OK) {
      return st;
    }
    birthright::BindOptions options;
    options.strict = false;  // Keep every issue, as `check` does.
    auto bound = birthright::BoundPolicy::Bind(
        policy->policy, hr == nullptr ? nullptr : &hr->population, options);
    if (!bound.ok()) return Fail(errptr, bound.status());
    auto issues = std::make_unique<br_issues_t>();
    const std::vector<birthright::BindIssue>& list = (*bound)->issues();
    for (const birthright::BindIssue& i : list) {
      issues->rows.push_back(
          {i.code, std::string(birthright::SeverityName(i.severity)), i.rule_id,
           i.location.line > 0 ? birthright::FormatSourceLocation(i.location)
                               : std::string(),
           i.message});
    }
    issues->jsonl = IssuesJsonl(issues->rows, list);
    *out = issues.release();
    return BR_OK;
  });
}

// --- Issues ----------------------------------------------------------------

void br_issues_destroy(br_issues_t* issues) { delete issues; }

int64_t br_issues_count(const br_issues_t* issues) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return issues == nullptr ? 0 : static_cast<int64_t>(issues->rows.size());
  });
}

#define BR_ISSUE_FIELD(fn, field)                                     \
  const char* fn(const br_issues_t* issues, int64_t i, size_t* len) { \
    return GuardValue<const char*>(nullptr, [&]() -> const char* {    \
      const br_issues_t::Row* r = IssueAt(issues, i);                 \
      return r == nullptr ? NoString(len) : Out(r->field, len);       \
    });                                                               \
  }
BR_ISSUE_FIELD(br_issues_code, code)
BR_ISSUE_FIELD(br_issues_severity, severity)
BR_ISSUE_FIELD(br_issues_rule, rule)
BR_ISSUE_FIELD(br_issues_location, location)
BR_ISSUE_FIELD(br_issues_message, message)
#undef BR_ISSUE_FIELD

const char* br_issues_jsonl(const br_issues_t* issues, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return issues == nullptr ? NoString(len) : Out(issues->jsonl, len);
  });
}

// --- Compile ---------------------------------------------------------------

br_status_t br_compile(const br_policy_t* policy, const br_population_t* hr,
                       br_compiled_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (policy == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "policy is NULL");
    if (br_status_t st = RefuseBrokenPolicy(policy, errptr); st != BR_OK) {
      return st;
    }
    birthright::BindOptions options;
    options.strict = true;  // What `eval` does: refuse a policy with errors.
    auto bound = birthright::BoundPolicy::Bind(
        policy->policy, hr == nullptr ? nullptr : &hr->population, options);
    if (!bound.ok()) return Fail(errptr, bound.status());
    auto c = std::make_unique<br_compiled_t>();
    c->bound = std::move(*bound);
    auto compiled = birthright::CompiledPolicy::Compile(c->bound);
    if (!compiled.ok()) return Fail(errptr, compiled.status());
    c->compiled = std::move(*compiled);
    c->routing = std::make_shared<const BrRouting>(c->bound);
    *out = c.release();
    return BR_OK;
  });
}

void br_compiled_destroy(br_compiled_t* compiled) { delete compiled; }

const char* br_compiled_name(const br_compiled_t* compiled, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return compiled == nullptr ? NoString(len)
                               : Out(compiled->bound->name(), len);
  });
}

const char* br_compiled_version(const br_compiled_t* compiled, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return compiled == nullptr ? NoString(len)
                               : Out(compiled->bound->version(), len);
  });
}

int64_t br_compiled_rule_count(const br_compiled_t* compiled) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return compiled == nullptr
               ? 0
               : static_cast<int64_t>(compiled->bound->rules().size());
  });
}

int64_t br_compiled_attribute_count(const br_compiled_t* compiled) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return compiled == nullptr
               ? 0
               : static_cast<int64_t>(compiled->bound->attributes().size());
  });
}

const char* br_compiled_attribute(const br_compiled_t* compiled, int64_t i,
                                  size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    if (compiled == nullptr) return NoString(len);
    const auto& attrs = compiled->bound->attributes();
    if (i < 0 || i >= static_cast<int64_t>(attrs.size())) return NoString(len);
    return Out(attrs[static_cast<size_t>(i)].name, len);
  });
}

// --- People ----------------------------------------------------------------

br_status_t br_person_create(const char* id, size_t id_len, br_person_t** out,
                             char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    std::string_view v;
    if (absl::Status s = Text(id, id_len, "id", &v); !s.ok())
      return Fail(errptr, s);
    auto p = std::make_unique<br_person_t>();
    p->person.id = std::string(v);
    *out = p.release();
    return BR_OK;
  });
}

void br_person_destroy(br_person_t* person) { delete person; }

br_status_t br_person_set(br_person_t* person, const char* name,
                          size_t name_len, const char* value, size_t value_len,
                          char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (person == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "person is NULL");
    std::string_view n, v;
    if (absl::Status s = Text(name, name_len, "name", &n); !s.ok())
      return Fail(errptr, s);
    if (absl::Status s = Text(value, value_len, "value", &v); !s.ok())
      return Fail(errptr, s);
    std::string folded = birthright::FoldName(n);
    if (folded.empty()) {
      return Fail(
          errptr, BR_INVALID_ARGUMENT,
          "attribute name '" + std::string(n) + "' is empty once folded");
    }
    for (size_t i = 0; i < person->folded.size(); ++i) {
      if (person->folded[i] == folded) {
        person->person.attributes[i] = {std::string(n), std::string(v)};
        return BR_OK;
      }
    }
    person->person.attributes.emplace_back(std::string(n), std::string(v));
    person->folded.push_back(std::move(folded));
    return BR_OK;
  });
}

br_status_t br_person_get(const br_person_t* person, const char* name,
                          size_t name_len, const char** value,
                          size_t* value_len, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (value == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "value is NULL");
    *value = nullptr;
    if (value_len != nullptr) *value_len = 0;
    if (person == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "person is NULL");
    std::string_view n;
    if (absl::Status s = Text(name, name_len, "name", &n); !s.ok())
      return Fail(errptr, s);
    const std::string folded = birthright::FoldName(n);
    for (size_t i = 0; i < person->folded.size(); ++i) {
      if (person->folded[i] == folded) {
        *value = Out(person->person.attributes[i].second, value_len);
        return BR_OK;
      }
    }
    return Fail(errptr, BR_NOT_FOUND,
                "person '" + person->person.id + "' has no attribute '" +
                    std::string(n) + "'");
  });
}

const char* br_person_id(const br_person_t* person, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return person == nullptr ? NoString(len) : Out(person->person.id, len);
  });
}

int64_t br_person_attribute_count(const br_person_t* person) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return person == nullptr
               ? 0
               : static_cast<int64_t>(person->person.attributes.size());
  });
}

br_status_t br_population_create(br_population_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    *out = new br_population_t();
    return BR_OK;
  });
}

br_status_t br_population_load_csv(const char* data, size_t data_len,
                                   const char* file, size_t file_len,
                                   br_population_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    std::string_view d, f;
    if (absl::Status s = Text(data, data_len, "data", &d, /*utf8=*/false);
        !s.ok()) {
      return Fail(errptr, s);
    }
    if (absl::Status s = Text(file, file_len, "file", &f); !s.ok())
      return Fail(errptr, s);
    auto pop = birthright::ImportPopulation(d, FileName(f, "<people>"));
    if (!pop.ok()) return Fail(errptr, pop.status());
    auto p = std::make_unique<br_population_t>();
    p->population = std::move(*pop);
    for (const birthright::Person& person : p->population.people)
      p->ids.insert(person.id);
    *out = p.release();
    return BR_OK;
  });
}

void br_population_destroy(br_population_t* population) { delete population; }

br_status_t br_population_add(br_population_t* population,
                              const br_person_t* person, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (population == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "population is NULL");
    if (person == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "person is NULL");
    const std::string& id = person->person.id;
    if (id.empty())
      return Fail(errptr, BR_INVALID_ARGUMENT, "person id is empty");
    if (population->ids.contains(id)) {
      return Fail(errptr, BR_INVALID_ARGUMENT,
                  "duplicate person id '" + id + "'");
    }
    population->population.people.push_back(person->person);
    population->ids.insert(id);
    return BR_OK;
  });
}

int64_t br_population_count(const br_population_t* population) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return population == nullptr
               ? 0
               : static_cast<int64_t>(population->population.people.size());
  });
}

// --- Evaluate --------------------------------------------------------------

br_status_t br_evaluate(const br_compiled_t* compiled,
                        const br_person_t* person, const char* as_of,
                        size_t as_of_len, uint32_t flags, br_decision_t** out,
                        char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (person == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "person is NULL");
    if (absl::Status s = CheckFlags(flags); !s.ok()) return Fail(errptr, s);
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    const birthright::CompiledPolicy& policy = *compiled->compiled;
    if (flags & BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES) {
      if (absl::Status s = CheckAttributes(policy, person->person); !s.ok()) {
        return Fail(errptr, s);
      }
    }
    *out = MakeDecision(policy.Evaluate(person->person, *date)).release();
    return BR_OK;
  });
}

void br_decision_destroy(br_decision_t* decision) { delete decision; }

const char* br_decision_person(const br_decision_t* decision, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return decision == nullptr ? NoString(len)
                               : Out(decision->decision.person_id, len);
  });
}

int32_t br_decision_is_leaver(const br_decision_t* decision) {
  return GuardValue<int32_t>(0, [&]() -> int32_t {
    return decision != nullptr && decision->decision.leaver ? 1 : 0;
  });
}

int64_t br_decision_entitlement_count(const br_decision_t* decision) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return decision == nullptr
               ? 0
               : static_cast<int64_t>(decision->decision.entitlements.size());
  });
}

#define BR_ENTITLEMENT_FIELD(fn, field)                                   \
  const char* fn(const br_decision_t* decision, int64_t i, size_t* len) { \
    return GuardValue<const char*>(nullptr, [&]() -> const char* {        \
      const birthright::Entitlement* e = EntitlementAt(decision, i);      \
      return e == nullptr ? NoString(len) : Out(e->field, len);           \
    });                                                                   \
  }
BR_ENTITLEMENT_FIELD(br_decision_entitlement_app, app)
BR_ENTITLEMENT_FIELD(br_decision_entitlement_instance, instance)
BR_ENTITLEMENT_FIELD(br_decision_entitlement_level, level)
#undef BR_ENTITLEMENT_FIELD

const char* br_decision_entitlement_expires(const br_decision_t* decision,
                                            int64_t i, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    if (EntitlementAt(decision, i) == nullptr) return NoString(len);
    return Out(decision->Expires(static_cast<size_t>(i)), len);
  });
}

int64_t br_decision_entitlement_scope_count(const br_decision_t* decision,
                                            int64_t i) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Entitlement* e = EntitlementAt(decision, i);
    return e == nullptr ? 0 : static_cast<int64_t>(e->scopes.size());
  });
}

const char* br_decision_entitlement_scope(const br_decision_t* decision,
                                          int64_t i, int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Entitlement* e = EntitlementAt(decision, i);
    return e == nullptr ? NoString(len) : Item(e->scopes, j, len);
  });
}

int64_t br_decision_entitlement_reason_count(const br_decision_t* decision,
                                             int64_t i) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Entitlement* e = EntitlementAt(decision, i);
    return e == nullptr ? 0 : static_cast<int64_t>(e->reasons.size());
  });
}

const char* br_decision_entitlement_reason(const br_decision_t* decision,
                                           int64_t i, int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Entitlement* e = EntitlementAt(decision, i);
    return e == nullptr ? NoString(len) : Item(e->reasons, j, len);
  });
}

int64_t br_decision_missing_count(const br_decision_t* decision) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return decision == nullptr
               ? 0
               : static_cast<int64_t>(decision->decision.missing.size());
  });
}

const char* br_decision_missing(const br_decision_t* decision, int64_t i,
                                size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return decision == nullptr ? NoString(len)
                               : Item(decision->decision.missing, i, len);
  });
}

const char* br_decision_json(const br_decision_t* decision, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return decision == nullptr ? NoString(len) : Out(decision->Json(), len);
  });
}

br_status_t br_evaluate_many(const br_compiled_t* compiled,
                             const br_population_t* population,
                             const char* as_of, size_t as_of_len,
                             int32_t threads, uint32_t flags, char** jsonl,
                             size_t* jsonl_len, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (jsonl == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "jsonl is NULL");
    *jsonl = nullptr;
    if (jsonl_len != nullptr) *jsonl_len = 0;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (population == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "population is NULL");
    if (absl::Status s = CheckFlags(flags); !s.ok()) return Fail(errptr, s);
    if (threads > kMaxThreads) {
      return Fail(errptr, BR_INVALID_ARGUMENT,
                  "threads: expected at most " + std::to_string(kMaxThreads) +
                      ", got " + std::to_string(threads));
    }
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    const birthright::CompiledPolicy& policy = *compiled->compiled;
    const std::vector<birthright::Person>& people =
        population->population.people;
    if (flags & BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES) {
      for (const birthright::Person& p : people) {
        if (absl::Status s = CheckAttributes(policy, p); !s.ok())
          return Fail(errptr, s);
      }
    }
    birthright::BatchOptions options;
    options.threads = threads;
    const std::vector<birthright::Decision> decisions =
        birthright::EvaluateMany(policy, people, *date, options);
    std::string text;
    for (const birthright::Decision& d : decisions) {
      text += birthright::DecisionToJson(d);
      text += '\n';
    }
    char* buf = static_cast<char*>(std::malloc(text.size() + 1));
    if (buf == nullptr)
      return Fail(errptr, BR_RESOURCE_EXHAUSTED, "out of memory");
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    *jsonl = buf;
    if (jsonl_len != nullptr) *jsonl_len = text.size();
    return BR_OK;
  });
}

// --- Delta -----------------------------------------------------------------

br_status_t br_delta(const br_compiled_t* compiled, const br_person_t* before,
                     const br_person_t* after, const char* as_of,
                     size_t as_of_len, uint32_t flags, br_delta_t** out,
                     char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (before == nullptr && after == nullptr) {
      return Fail(errptr, BR_INVALID_ARGUMENT,
                  "before and after are both NULL");
    }
    if (before != nullptr && after != nullptr &&
        before->person.id != after->person.id) {
      return Fail(errptr, BR_INVALID_ARGUMENT,
                  "before and after are different people ('" +
                      before->person.id + "' and '" + after->person.id + "')");
    }
    if (absl::Status s = CheckFlags(flags); !s.ok()) return Fail(errptr, s);
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    const birthright::CompiledPolicy& policy = *compiled->compiled;
    if (flags & BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES) {
      for (const br_person_t* p : {before, after}) {
        if (p == nullptr) continue;
        if (absl::Status s = CheckAttributes(policy, p->person); !s.ok()) {
          return Fail(errptr, s);
        }
      }
    }
    auto d = std::make_unique<br_delta_t>();
    d->delta =
        birthright::Delta(policy, before == nullptr ? nullptr : &before->person,
                          after == nullptr ? nullptr : &after->person, *date);
    d->routing = compiled->routing;
    *out = d.release();
    return BR_OK;
  });
}

void br_delta_destroy(br_delta_t* delta) { delete delta; }

int32_t br_delta_kind(const br_delta_t* delta) {
  return GuardValue<int32_t>(-1, [&]() -> int32_t {
    if (delta == nullptr) return -1;
    switch (delta->delta.kind) {
      case birthright::DeltaKind::kJoiner:
        return BR_DELTA_JOINER;
      case birthright::DeltaKind::kMover:
        return BR_DELTA_MOVER;
      case birthright::DeltaKind::kLeaver:
        return BR_DELTA_LEAVER;
      case birthright::DeltaKind::kUnchanged:
        return BR_DELTA_UNCHANGED;
    }
    return -1;
  });
}

int64_t br_delta_count(const br_delta_t* delta, int32_t which) {
  return GuardValue<int64_t>(-1, [&]() -> int64_t {
    if (delta == nullptr) return -1;
    switch (which) {
      case BR_DELTA_ADD:
        return static_cast<int64_t>(delta->delta.add.size());
      case BR_DELTA_REMOVE:
        return static_cast<int64_t>(delta->delta.remove.size());
      case BR_DELTA_CHANGE:
        return static_cast<int64_t>(delta->delta.change.size());
      case BR_DELTA_KEEP:
        return static_cast<int64_t>(delta->delta.keep.size());
      default:
        return -1;
    }
  });
}

const char* br_delta_json(const br_delta_t* delta, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return delta == nullptr ? NoString(len) : Out(delta->Json(), len);
  });
}

}  // extern "C"

// --- Snapshots, check, population deltas, reconcile, expiring access -------

namespace {

const char* StaticOut(const char* s, size_t* len) {
  if (len != nullptr) *len = std::strlen(s);
  return s;
}

const std::string& EmptyString() {
  static const std::string* const empty = new std::string();
  return *empty;
}

const birthright::AppInstance* FindInstance(const BrRouting* routing,
                                            const std::string& app,
                                            const std::string& instance) {
  return routing == nullptr ? nullptr
                            : routing->index.FindInstance(app, instance);
}

// A malloc'ed copy of `bytes` for the caller (free with br_free).
char* MallocCopy(std::string_view bytes) {
  char* buf = static_cast<char*>(std::malloc(bytes.size() + 1));
  if (buf == nullptr) return nullptr;
  std::memcpy(buf, bytes.data(), bytes.size());
  buf[bytes.size()] = '\0';
  return buf;
}

br_status_t CheckThreads(int32_t threads, char** errptr) {
  if (threads > kMaxThreads) {
    return Fail(errptr, BR_INVALID_ARGUMENT,
                "threads: expected at most " + std::to_string(kMaxThreads) +
                    ", got " + std::to_string(threads));
  }
  return BR_OK;
}

absl::StatusOr<std::vector<birthright::AccessRecord>> AccessRows(
    const char* data, size_t data_len, const char* file, size_t file_len) {
  std::string_view d, f;
  if (absl::Status s = Text(data, data_len, "access", &d, /*utf8=*/false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Text(file, file_len, "file", &f); !s.ok()) return s;
  if (d.empty()) return std::vector<birthright::AccessRecord>{};
  return birthright::ImportAccessExport(d, FileName(f, "<access>"));
}

std::unique_ptr<br_deltas_t> MakeDeltas(
    std::vector<birthright::PersonDelta> deltas,
    const std::shared_ptr<const BrRouting>& routing, bool policy_change) {
  auto out = std::make_unique<br_deltas_t>();
  out->summary = birthright::Summarize(routing->index, deltas);
  out->summary_line = birthright::SummaryLine(out->summary, policy_change);
  out->deltas.reserve(deltas.size());
  for (birthright::PersonDelta& d : deltas) {
    auto one = std::make_unique<br_delta_t>();
    one->delta = std::move(d);
    one->routing = routing;
    out->deltas.push_back(std::move(one));
  }
  return out;
}

const birthright::Finding* FindingAt(const br_findings_t* f, int64_t i) {
  if (f == nullptr || i < 0 || i >= static_cast<int64_t>(f->findings.size()))
    return nullptr;
  return &f->findings[static_cast<size_t>(i)];
}

const birthright::ReconcileItem* ReconcileAt(const br_reconcile_t* r,
                                             int64_t i) {
  if (r == nullptr || i < 0 ||
      i >= static_cast<int64_t>(r->result.items.size())) {
    return nullptr;
  }
  return &r->result.items[static_cast<size_t>(i)];
}

const birthright::TimedChange* ChangeAt(const br_changes_t* c, int64_t i) {
  if (c == nullptr || i < 0 || i >= static_cast<int64_t>(c->changes.size()))
    return nullptr;
  return &c->changes[static_cast<size_t>(i)];
}

// The entitlement a timed change is about: the old one, else the new one.
const birthright::Entitlement& ChangeEntitlement(
    const birthright::TimedChange& t) {
  return t.from ? *t.from : *t.to;
}

void AppendRouteJson(std::string* out, const BrRouting& routing,
                     const std::string& app, const std::string& instance) {
  const birthright::AppInstance* inst =
      routing.index.FindInstance(app, instance);
  *out += ",\"owner\":";
  birthright::AppendJsonString(out, inst != nullptr ? inst->owner : "");
  *out += ",\"provisioning\":";
  birthright::AppendJsonString(
      out, inst != nullptr ? birthright::ProvisioningLabel(inst->provisioning)
                           : "unspecified");
  *out += ",\"monthly_cost_cents\":";
  *out += inst != nullptr && inst->monthly_cost_cents
              ? std::to_string(*inst->monthly_cost_cents)
              : "null";
}

}  // namespace

extern "C" {

// --- Delta items -------------------------------------------------------------

const char* br_delta_person(const br_delta_t* delta, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return delta == nullptr ? NoString(len) : Out(delta->delta.person_id, len);
  });
}

#define BR_DELTA_ITEM_FIELD(fn, field)                              \
  const char* fn(const br_delta_t* delta, int32_t which, int64_t j, \
                 size_t* len) {                                     \
    return GuardValue<const char*>(nullptr, [&]() -> const char* {  \
      const birthright::Entitlement* e =                            \
          delta == nullptr ? nullptr : delta->At(which, j);         \
      return e == nullptr ? NoString(len) : Out(e->field, len);     \
    });                                                             \
  }
BR_DELTA_ITEM_FIELD(br_delta_item_app, app)
BR_DELTA_ITEM_FIELD(br_delta_item_instance, instance)
BR_DELTA_ITEM_FIELD(br_delta_item_level, level)
#undef BR_DELTA_ITEM_FIELD

const char* br_delta_item_expires(const br_delta_t* delta, int32_t which,
                                  int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    if (delta == nullptr || delta->At(which, j) == nullptr)
      return NoString(len);
    return Out(delta->Expires(which, j), len);
  });
}

int64_t br_delta_item_scope_count(const br_delta_t* delta, int32_t which,
                                  int64_t j) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    return e == nullptr ? 0 : static_cast<int64_t>(e->scopes.size());
  });
}

const char* br_delta_item_scope(const br_delta_t* delta, int32_t which,
                                int64_t j, int64_t k, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    return e == nullptr ? NoString(len) : Item(e->scopes, k, len);
  });
}

int64_t br_delta_item_reason_count(const br_delta_t* delta, int32_t which,
                                   int64_t j) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    return e == nullptr ? 0 : static_cast<int64_t>(e->reasons.size());
  });
}

const char* br_delta_item_reason(const br_delta_t* delta, int32_t which,
                                 int64_t j, int64_t k, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    return e == nullptr ? NoString(len) : Item(e->reasons, k, len);
  });
}

const char* br_delta_item_owner(const br_delta_t* delta, int32_t which,
                                int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    if (e == nullptr) return NoString(len);
    const birthright::AppInstance* inst =
        FindInstance(delta->routing.get(), e->app, e->instance);
    return Out(inst != nullptr ? inst->owner : EmptyString(), len);
  });
}

const char* br_delta_item_provisioning(const br_delta_t* delta, int32_t which,
                                       int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    if (e == nullptr) return NoString(len);
    const birthright::AppInstance* inst =
        FindInstance(delta->routing.get(), e->app, e->instance);
    return StaticOut(inst != nullptr
                         ? birthright::ProvisioningLabel(inst->provisioning)
                         : "unspecified",
                     len);
  });
}

int64_t br_delta_item_monthly_cost_cents(const br_delta_t* delta, int32_t which,
                                         int64_t j) {
  return GuardValue<int64_t>(-1, [&]() -> int64_t {
    const birthright::Entitlement* e =
        delta == nullptr ? nullptr : delta->At(which, j);
    if (e == nullptr) return -1;
    const birthright::AppInstance* inst =
        FindInstance(delta->routing.get(), e->app, e->instance);
    return inst != nullptr && inst->monthly_cost_cents
               ? *inst->monthly_cost_cents
               : -1;
  });
}

// --- Snapshots ---------------------------------------------------------------

br_status_t br_snapshot_write(const br_compiled_t* compiled, char** bytes,
                              size_t* bytes_len, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (bytes == nullptr || bytes_len == nullptr) {
      if (bytes != nullptr) *bytes = nullptr;
      if (bytes_len != nullptr) *bytes_len = 0;
      return Fail(errptr, BR_INVALID_ARGUMENT, "bytes or bytes_len is NULL");
    }
    *bytes = nullptr;
    *bytes_len = 0;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    const std::string snapshot = birthright::WriteSnapshot(*compiled->compiled);
    char* buf = MallocCopy(snapshot);
    if (buf == nullptr)
      return Fail(errptr, BR_RESOURCE_EXHAUSTED, "out of memory");
    *bytes = buf;
    *bytes_len = snapshot.size();
    return BR_OK;
  });
}

br_status_t br_snapshot_load(const char* bytes, size_t bytes_len,
                             br_compiled_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    std::string_view b;
    if (absl::Status s = Text(bytes, bytes_len, "bytes", &b, /*utf8=*/false);
        !s.ok()) {
      return Fail(errptr, s);
    }
    auto loaded = birthright::LoadSnapshot(b);
    if (!loaded.ok()) return Fail(errptr, loaded.status());
    auto c = std::make_unique<br_compiled_t>();
    c->compiled = std::move(*loaded);
    c->bound = c->compiled->shared_policy();
    c->routing = std::make_shared<const BrRouting>(c->bound);
    *out = c.release();
    return BR_OK;
  });
}

// --- Check findings ----------------------------------------------------------

br_status_t br_check(const br_policy_t* policy, const br_population_t* hr,
                     const char* as_of, size_t as_of_len, br_findings_t** out,
                     char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (policy == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "policy is NULL");
    if (br_status_t st = RefuseBrokenPolicy(policy, errptr); st != BR_OK) {
      return st;
    }
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    birthright::CheckOptions options;
    options.as_of = *date;
    auto findings = birthright::Check(
        policy->policy, hr == nullptr ? nullptr : &hr->population, options);
    if (!findings.ok()) return Fail(errptr, findings.status());
    auto f = std::make_unique<br_findings_t>();
    f->findings = std::move(*findings);
    for (const birthright::Finding& finding : f->findings) {
      f->jsonl += birthright::FindingToJson(finding);
      f->jsonl += '\n';
    }
    f->sarif = birthright::FindingsToSarif(f->findings);
    *out = f.release();
    return BR_OK;
  });
}

void br_findings_destroy(br_findings_t* findings) { delete findings; }

int64_t br_findings_count(const br_findings_t* findings) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return findings == nullptr
               ? 0
               : static_cast<int64_t>(findings->findings.size());
  });
}

const char* br_findings_code(const br_findings_t* findings, int64_t i,
                             size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? NoString(len) : Out(f->code, len);
  });
}

const char* br_findings_severity(const br_findings_t* findings, int64_t i,
                                 size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    if (f == nullptr) return NoString(len);
    switch (f->severity) {
      case birthright::Severity::kError:
        return StaticOut("error", len);
      case birthright::Severity::kWarning:
        return StaticOut("warning", len);
      case birthright::Severity::kInfo:
        return StaticOut("info", len);
    }
    return StaticOut("warning", len);
  });
}

const char* br_findings_message(const br_findings_t* findings, int64_t i,
                                size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? NoString(len) : Out(f->message, len);
  });
}

int64_t br_findings_rule_count(const br_findings_t* findings, int64_t i) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? 0 : static_cast<int64_t>(f->rules.size());
  });
}

const char* br_findings_rule(const br_findings_t* findings, int64_t i,
                             int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? NoString(len) : Item(f->rules, j, len);
  });
}

int64_t br_findings_location_count(const br_findings_t* findings, int64_t i) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? 0 : static_cast<int64_t>(f->locations.size());
  });
}

const char* br_findings_location(const br_findings_t* findings, int64_t i,
                                 int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? NoString(len) : Item(f->locations, j, len);
  });
}

int64_t br_findings_witness_count(const br_findings_t* findings, int64_t i) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::Finding* f = FindingAt(findings, i);
    return f == nullptr ? 0 : static_cast<int64_t>(f->witness.size());
  });
}

const char* br_findings_witness_attribute(const br_findings_t* findings,
                                          int64_t i, int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    if (f == nullptr || j < 0 || j >= static_cast<int64_t>(f->witness.size()))
      return NoString(len);
    return Out(f->witness[static_cast<size_t>(j)].first, len);
  });
}

const char* br_findings_witness_value(const br_findings_t* findings, int64_t i,
                                      int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::Finding* f = FindingAt(findings, i);
    if (f == nullptr || j < 0 || j >= static_cast<int64_t>(f->witness.size()))
      return NoString(len);
    return Out(f->witness[static_cast<size_t>(j)].second, len);
  });
}

const char* br_findings_jsonl(const br_findings_t* findings, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return findings == nullptr ? NoString(len) : Out(findings->jsonl, len);
  });
}

const char* br_findings_sarif(const br_findings_t* findings, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return findings == nullptr ? NoString(len) : Out(findings->sarif, len);
  });
}

// --- Deltas over populations -------------------------------------------------

br_status_t br_hr_sync(const br_compiled_t* compiled,
                       const br_population_t* before,
                       const br_population_t* after, const char* as_of,
                       size_t as_of_len, const char* before_as_of,
                       size_t before_as_of_len, int32_t threads,
                       br_deltas_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (before == nullptr || after == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "before or after is NULL");
    if (br_status_t st = CheckThreads(threads, errptr); st != BR_OK) return st;
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    birthright::HrSyncOptions options;
    options.as_of = *date;
    options.threads = threads;
    if (before_as_of_len > 0) {
      absl::StatusOr<Date> b = AsOf(before_as_of, before_as_of_len);
      if (!b.ok()) {
        return Fail(errptr, CodeOf(b.status()),
                    "before_" + std::string(b.status().message().data(),
                                            b.status().message().size()));
      }
      options.before_as_of = *b;
    }
    auto deltas = birthright::HrSync(*compiled->compiled, before->population,
                                     after->population, options);
    if (!deltas.ok()) return Fail(errptr, deltas.status());
    *out = MakeDeltas(std::move(*deltas), compiled->routing,
                      /*policy_change=*/false)
               .release();
    return BR_OK;
  });
}

br_status_t br_policy_delta(const br_compiled_t* before,
                            const br_compiled_t* after,
                            const br_population_t* people, const char* as_of,
                            size_t as_of_len, int32_t threads,
                            br_deltas_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (before == nullptr || after == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "before or after is NULL");
    if (people == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "people is NULL");
    if (br_status_t st = CheckThreads(threads, errptr); st != BR_OK) return st;
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    auto deltas =
        birthright::PolicyDeltaPopulation(*before->compiled, *after->compiled,
                                          people->population, *date, threads);
    if (!deltas.ok()) return Fail(errptr, deltas.status());
    *out = MakeDeltas(std::move(*deltas), after->routing,
                      /*policy_change=*/true)
               .release();
    return BR_OK;
  });
}

void br_deltas_destroy(br_deltas_t* deltas) { delete deltas; }

int64_t br_deltas_count(const br_deltas_t* deltas) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return deltas == nullptr ? 0 : static_cast<int64_t>(deltas->deltas.size());
  });
}

const br_delta_t* br_deltas_at(const br_deltas_t* deltas, int64_t i) {
  return GuardValue<const br_delta_t*>(nullptr, [&]() -> const br_delta_t* {
    if (deltas == nullptr || i < 0 ||
        i >= static_cast<int64_t>(deltas->deltas.size())) {
      return nullptr;
    }
    return deltas->deltas[static_cast<size_t>(i)].get();
  });
}

const char* br_deltas_summary(const br_deltas_t* deltas, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return deltas == nullptr ? NoString(len) : Out(deltas->summary_line, len);
  });
}

int64_t br_deltas_stat(const br_deltas_t* deltas, int32_t which) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    if (deltas == nullptr) return 0;
    const birthright::DeltaSummary& s = deltas->summary;
    switch (which) {
      case BR_STAT_PEOPLE:
        return s.people;
      case BR_STAT_JOINERS:
        return s.joiners;
      case BR_STAT_MOVERS:
        return s.movers;
      case BR_STAT_LEAVERS:
        return s.leavers;
      case BR_STAT_UNCHANGED:
        return s.unchanged;
      case BR_STAT_ADDS:
        return s.adds;
      case BR_STAT_REMOVES:
        return s.removes;
      case BR_STAT_CHANGES:
        return s.changes;
      case BR_STAT_KEEPS:
        return s.keeps;
      case BR_STAT_AUTOMATED_TASKS:
        return s.automated_tasks;
      case BR_STAT_MANUAL_TASKS:
        return s.manual_tasks;
      case BR_STAT_LICENSE_CENTS_PER_MONTH:
        return s.license_cents_per_month;
      case BR_STAT_UNPRICED_ACTIONS:
        return s.unpriced_actions;
      default:
        return 0;
    }
  });
}

const char* br_deltas_jsonl(const br_deltas_t* deltas, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    if (deltas == nullptr) return NoString(len);
    std::call_once(deltas->jsonl_once, [deltas] {
      for (const auto& d : deltas->deltas) {
        deltas->jsonl += birthright::PersonDeltaToJson(d->delta);
        deltas->jsonl += '\n';
      }
    });
    return Out(deltas->jsonl, len);
  });
}

br_status_t br_emergency_leaver(const br_compiled_t* compiled,
                                const br_person_t* person, const char* access,
                                size_t access_len, const char* file,
                                size_t file_len, const char* as_of,
                                size_t as_of_len, br_delta_t** out,
                                char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (person == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "person is NULL");
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    auto rows = AccessRows(access, access_len, file, file_len);
    if (!rows.ok()) return Fail(errptr, rows.status());
    const std::vector<birthright::RevokeItem> items =
        birthright::EmergencyLeaver(*compiled->compiled, person->person,
                                    access_len > 0 ? &*rows : nullptr, *date);
    auto d = std::make_unique<br_delta_t>();
    d->delta = birthright::RevokeListToDelta(person->person.id, items);
    d->routing = compiled->routing;
    *out = d.release();
    return BR_OK;
  });
}

// --- Reconcile ---------------------------------------------------------------

br_status_t br_reconcile(const br_compiled_t* compiled,
                         const br_population_t* hr, const char* access,
                         size_t access_len, const char* file, size_t file_len,
                         const char* as_of, size_t as_of_len,
                         const char* const* apps, const size_t* app_lens,
                         size_t app_count, br_reconcile_t** out,
                         char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (hr == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "hr is NULL");
    if (app_count > 0 && (apps == nullptr || app_lens == nullptr)) {
      return Fail(errptr, BR_INVALID_ARGUMENT,
                  "apps or app_lens is NULL with a non-zero count");
    }
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    birthright::ReconcileOptions options;
    options.as_of = *date;
    for (size_t i = 0; i < app_count; ++i) {
      std::string_view a;
      if (absl::Status s =
              Text(apps[i], app_lens[i], "apps[" + std::to_string(i) + "]", &a);
          !s.ok()) {
        return Fail(errptr, s);
      }
      options.apps.emplace_back(a);
    }
    auto rows = AccessRows(access, access_len, file, file_len);
    if (!rows.ok()) return Fail(errptr, rows.status());
    auto result = birthright::Reconcile(*compiled->compiled, hr->population,
                                        *rows, options);
    if (!result.ok()) return Fail(errptr, result.status());
    auto r = std::make_unique<br_reconcile_t>();
    r->result = std::move(*result);
    r->routing = compiled->routing;
    for (const birthright::ReconcileItem& item : r->result.items) {
      r->desired_level.push_back(item.desired ? item.desired->level
                                              : std::string());
      r->location.push_back(
          item.kind == birthright::ReconcileKind::kMissing
              ? std::string()
              : birthright::FormatSourceLocation(item.location));
      r->lines.push_back(
          birthright::ReconcileItemToJson(item, r->routing->index));
      r->jsonl += r->lines.back();
      r->jsonl += '\n';
    }
    *out = r.release();
    return BR_OK;
  });
}

void br_reconcile_destroy(br_reconcile_t* reconcile) { delete reconcile; }

int64_t br_reconcile_count(const br_reconcile_t* reconcile) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return reconcile == nullptr
               ? 0
               : static_cast<int64_t>(reconcile->result.items.size());
  });
}

int64_t br_reconcile_stat(const br_reconcile_t* reconcile, int32_t which) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    if (reconcile == nullptr) return 0;
    switch (which) {
      case BR_RECONCILE_STAT_PEOPLE:
        return reconcile->result.people;
      case BR_RECONCILE_STAT_CONSISTENT:
        return reconcile->result.consistent;
      case BR_RECONCILE_STAT_DUPLICATES:
        return reconcile->result.duplicates;
      default:
        return 0;
    }
  });
}

int32_t br_reconcile_kind(const br_reconcile_t* reconcile, int64_t i) {
  return GuardValue<int32_t>(-1, [&]() -> int32_t {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    if (item == nullptr) return -1;
    switch (item->kind) {
      case birthright::ReconcileKind::kMissing:
        return BR_RECONCILE_MISSING;
      case birthright::ReconcileKind::kExcess:
        return BR_RECONCILE_EXCESS;
      case birthright::ReconcileKind::kLevelMismatch:
        return BR_RECONCILE_LEVEL_MISMATCH;
    }
    return -1;
  });
}

#define BR_RECONCILE_FIELD(fn, expr)                                        \
  const char* fn(const br_reconcile_t* reconcile, int64_t i, size_t* len) { \
    return GuardValue<const char*>(nullptr, [&]() -> const char* {          \
      const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);    \
      if (item == nullptr) return NoString(len);                            \
      const size_t k = static_cast<size_t>(i);                              \
      (void)k;                                                              \
      return Out(expr, len);                                                \
    });                                                                     \
  }
BR_RECONCILE_FIELD(br_reconcile_person, item->person_id)
BR_RECONCILE_FIELD(br_reconcile_app, item->app)
BR_RECONCILE_FIELD(br_reconcile_instance, item->instance)
BR_RECONCILE_FIELD(br_reconcile_desired_level, reconcile->desired_level[k])
BR_RECONCILE_FIELD(br_reconcile_actual_level, item->actual_level)
BR_RECONCILE_FIELD(br_reconcile_location, reconcile->location[k])
BR_RECONCILE_FIELD(br_reconcile_json, reconcile->lines[k])
#undef BR_RECONCILE_FIELD

const char* br_reconcile_reason(const br_reconcile_t* reconcile, int64_t i,
                                size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    if (item == nullptr) return NoString(len);
    switch (item->reason) {
      case birthright::ExcessReason::kNotGranted:
        return StaticOut("not granted", len);
      case birthright::ExcessReason::kOrphan:
        return StaticOut("orphan", len);
      case birthright::ExcessReason::kTerminated:
        return StaticOut("terminated", len);
      case birthright::ExcessReason::kUnknownApp:
        return StaticOut("unknown app", len);
      case birthright::ExcessReason::kNone:
        break;
    }
    return StaticOut("", len);
  });
}

const char* br_reconcile_owner(const br_reconcile_t* reconcile, int64_t i,
                               size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    if (item == nullptr) return NoString(len);
    const birthright::AppInstance* inst =
        FindInstance(reconcile->routing.get(), item->app, item->instance);
    return Out(inst != nullptr ? inst->owner : EmptyString(), len);
  });
}

const char* br_reconcile_provisioning(const br_reconcile_t* reconcile,
                                      int64_t i, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    if (item == nullptr) return NoString(len);
    const birthright::AppInstance* inst =
        FindInstance(reconcile->routing.get(), item->app, item->instance);
    return StaticOut(inst != nullptr
                         ? birthright::ProvisioningLabel(inst->provisioning)
                         : "unspecified",
                     len);
  });
}

int64_t br_reconcile_monthly_cost_cents(const br_reconcile_t* reconcile,
                                        int64_t i) {
  return GuardValue<int64_t>(-1, [&]() -> int64_t {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    if (item == nullptr) return -1;
    const birthright::AppInstance* inst =
        FindInstance(reconcile->routing.get(), item->app, item->instance);
    return inst != nullptr && inst->monthly_cost_cents
               ? *inst->monthly_cost_cents
               : -1;
  });
}

int64_t br_reconcile_denied_by_count(const br_reconcile_t* reconcile,
                                     int64_t i) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    return item == nullptr ? 0 : static_cast<int64_t>(item->denied_by.size());
  });
}

const char* br_reconcile_denied_by(const br_reconcile_t* reconcile, int64_t i,
                                   int64_t j, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::ReconcileItem* item = ReconcileAt(reconcile, i);
    return item == nullptr ? NoString(len) : Item(item->denied_by, j, len);
  });
}

const char* br_reconcile_jsonl(const br_reconcile_t* reconcile, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return reconcile == nullptr ? NoString(len) : Out(reconcile->jsonl, len);
  });
}

// --- Expiring access ---------------------------------------------------------

br_status_t br_expiring_within(const br_compiled_t* compiled,
                               const br_population_t* people, const char* as_of,
                               size_t as_of_len, int32_t days,
                               br_changes_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (compiled == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "compiled is NULL");
    if (people == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "people is NULL");
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    if (days < 0 || days > 36600) {
      return Fail(errptr, BR_OUT_OF_RANGE,
                  "days: expected 0..36600, got " + std::to_string(days));
    }
    std::vector<const birthright::Person*> sorted;
    for (const birthright::Person& p : people->population.people)
      sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(),
              [](const birthright::Person* a, const birthright::Person* b) {
                return a->id < b->id;
              });
    auto c = std::make_unique<br_changes_t>();
    for (const birthright::Person* p : sorted) {
      for (birthright::TimedChange& t :
           birthright::UpcomingChanges(*compiled->compiled, *p, *date, days)) {
        c->changes.push_back(std::move(t));
      }
    }
    // What lapses first comes first; people in id order within a day (as
    // `birthright delta --expiring-within`).
    std::stable_sort(
        c->changes.begin(), c->changes.end(),
        [](const birthright::TimedChange& a, const birthright::TimedChange& b) {
          return a.effective < b.effective;
        });
    c->routing = compiled->routing;
    for (const birthright::TimedChange& t : c->changes) {
      const birthright::Entitlement& e = ChangeEntitlement(t);
      c->effective.push_back(birthright::FormatIsoDate(t.effective));
      c->last_day.push_back(
          birthright::FormatIsoDate(Date{t.effective.days - 1}));
      std::string line = "{\"person\":";
      birthright::AppendJsonString(&line, t.person_id);
      line += ",\"effective\":";
      birthright::AppendJsonString(&line, c->effective.back());
      line += ",\"last_day\":";
      birthright::AppendJsonString(&line, c->last_day.back());
      line += ",\"app\":";
      birthright::AppendJsonString(&line, e.app);
      line += ",\"instance\":";
      birthright::AppendJsonString(&line, e.instance);
      line += ",\"from\":";
      line += t.from ? birthright::EntitlementToJson(*t.from) : "null";
      line += ",\"to\":";
      line += t.to ? birthright::EntitlementToJson(*t.to) : "null";
      AppendRouteJson(&line, *c->routing, e.app, e.instance);
      line += "}";
      c->jsonl += line;
      c->jsonl += '\n';
      c->lines.push_back(std::move(line));
    }
    *out = c.release();
    return BR_OK;
  });
}

void br_changes_destroy(br_changes_t* changes) { delete changes; }

int64_t br_changes_count(const br_changes_t* changes) {
  return GuardValue<int64_t>(0, [&]() -> int64_t {
    return changes == nullptr ? 0
                              : static_cast<int64_t>(changes->changes.size());
  });
}

int32_t br_changes_kind(const br_changes_t* changes, int64_t i) {
  return GuardValue<int32_t>(-1, [&]() -> int32_t {
    const birthright::TimedChange* t = ChangeAt(changes, i);
    if (t == nullptr) return -1;
    if (t->from && !t->to) return BR_CHANGE_LAPSE;
    if (!t->from) return BR_CHANGE_START;
    return BR_CHANGE_CHANGE;
  });
}

#define BR_CHANGE_FIELD(fn, expr)                                       \
  const char* fn(const br_changes_t* changes, int64_t i, size_t* len) { \
    return GuardValue<const char*>(nullptr, [&]() -> const char* {      \
      const birthright::TimedChange* t = ChangeAt(changes, i);          \
      if (t == nullptr) return NoString(len);                           \
      const size_t k = static_cast<size_t>(i);                          \
      (void)k;                                                          \
      return Out(expr, len);                                            \
    });                                                                 \
  }
BR_CHANGE_FIELD(br_changes_person, t->person_id)
BR_CHANGE_FIELD(br_changes_app, ChangeEntitlement(*t).app)
BR_CHANGE_FIELD(br_changes_instance, ChangeEntitlement(*t).instance)
BR_CHANGE_FIELD(br_changes_effective, changes->effective[k])
BR_CHANGE_FIELD(br_changes_last_day, changes->last_day[k])
BR_CHANGE_FIELD(br_changes_from_level, t->from ? t->from->level : EmptyString())
BR_CHANGE_FIELD(br_changes_to_level, t->to ? t->to->level : EmptyString())
BR_CHANGE_FIELD(br_changes_json, changes->lines[k])
#undef BR_CHANGE_FIELD

const char* br_changes_owner(const br_changes_t* changes, int64_t i,
                             size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::TimedChange* t = ChangeAt(changes, i);
    if (t == nullptr) return NoString(len);
    const birthright::Entitlement& e = ChangeEntitlement(*t);
    const birthright::AppInstance* inst =
        FindInstance(changes->routing.get(), e.app, e.instance);
    return Out(inst != nullptr ? inst->owner : EmptyString(), len);
  });
}

const char* br_changes_provisioning(const br_changes_t* changes, int64_t i,
                                    size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    const birthright::TimedChange* t = ChangeAt(changes, i);
    if (t == nullptr) return NoString(len);
    const birthright::Entitlement& e = ChangeEntitlement(*t);
    const birthright::AppInstance* inst =
        FindInstance(changes->routing.get(), e.app, e.instance);
    return StaticOut(inst != nullptr
                         ? birthright::ProvisioningLabel(inst->provisioning)
                         : "unspecified",
                     len);
  });
}

int64_t br_changes_monthly_cost_cents(const br_changes_t* changes, int64_t i) {
  return GuardValue<int64_t>(-1, [&]() -> int64_t {
    const birthright::TimedChange* t = ChangeAt(changes, i);
    if (t == nullptr) return -1;
    const birthright::Entitlement& e = ChangeEntitlement(*t);
    const birthright::AppInstance* inst =
        FindInstance(changes->routing.get(), e.app, e.instance);
    return inst != nullptr && inst->monthly_cost_cents
               ? *inst->monthly_cost_cents
               : -1;
  });
}

const char* br_changes_jsonl(const br_changes_t* changes, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return changes == nullptr ? NoString(len) : Out(changes->jsonl, len);
  });
}

// --- Policy text and diff ----------------------------------------------------

br_status_t br_policy_load_text(const char* text, size_t text_len,
                                const char* file, size_t file_len,
                                br_policy_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    std::string_view t, f;
    if (absl::Status s = Text(text, text_len, "text", &t, /*utf8=*/false);
        !s.ok()) {
      return Fail(errptr, s);
    }
    if (absl::Status s = Text(file, file_len, "file", &f); !s.ok())
      return Fail(errptr, s);
    auto parsed = birthright::ParsePolicyText(t, FileName(f, "<policy>"));
    if (!parsed.ok()) return Fail(errptr, parsed.status());
    auto p = std::make_unique<br_policy_t>();
    p->policy = std::move(*parsed);
    if (p->policy.version.empty()) p->policy.version = "unversioned";
    *out = p.release();
    return BR_OK;
  });
}

br_status_t br_policy_format_text(const br_policy_t* policy, char** text,
                                  size_t* text_len, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (text == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "text is NULL");
    *text = nullptr;
    if (text_len != nullptr) *text_len = 0;
    if (policy == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "policy is NULL");
    if (br_status_t st = RefuseBrokenPolicy(policy, errptr); st != BR_OK) {
      return st;
    }
    const std::string formatted = birthright::FormatPolicyText(policy->policy);
    char* buf = MallocCopy(formatted);
    if (buf == nullptr)
      return Fail(errptr, BR_RESOURCE_EXHAUSTED, "out of memory");
    *text = buf;
    if (text_len != nullptr) *text_len = formatted.size();
    return BR_OK;
  });
}

br_status_t br_diff(const br_policy_t* before, const br_policy_t* after,
                    const br_population_t* people, const char* as_of,
                    size_t as_of_len, br_diff_t** out, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    if (out == nullptr) return Fail(errptr, BR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (before == nullptr || after == nullptr)
      return Fail(errptr, BR_INVALID_ARGUMENT, "before or after is NULL");
    if (br_status_t st = RefuseBrokenPolicy(before, errptr); st != BR_OK) {
      return st;
    }
    if (br_status_t st = RefuseBrokenPolicy(after, errptr); st != BR_OK) {
      return st;
    }
    absl::StatusOr<Date> date = AsOf(as_of, as_of_len);
    if (!date.ok()) return Fail(errptr, date.status());
    birthright::DiffOptions options;
    options.population_as_of = *date;
    auto diff = birthright::DiffPolicies(
        before->policy, after->policy,
        people == nullptr ? nullptr : &people->population, options);
    if (!diff.ok()) return Fail(errptr, diff.status());
    auto d = std::make_unique<br_diff_t>();
    d->summary = birthright::DiffSummaryLine(*diff);
    d->json = birthright::PolicyDiffToJson(*diff);
    d->jsonl = birthright::PolicyDiffToJsonl(*diff);
    *out = d.release();
    return BR_OK;
  });
}

void br_diff_destroy(br_diff_t* diff) { delete diff; }

const char* br_diff_summary(const br_diff_t* diff, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return diff == nullptr ? NoString(len) : Out(diff->summary, len);
  });
}

const char* br_diff_json(const br_diff_t* diff, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return diff == nullptr ? NoString(len) : Out(diff->json, len);
  });
}

const char* br_diff_jsonl(const br_diff_t* diff, size_t* len) {
  return GuardValue<const char*>(nullptr, [&]() -> const char* {
    return diff == nullptr ? NoString(len) : Out(diff->jsonl, len);
  });
}

}  // extern "C"
