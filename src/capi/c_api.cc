// The C ABI (include/birthright/birthright.h): a thin shell over the C++
// core. Every extern "C" entry runs inside a catch-all so that no C++
// exception crosses into C (SPEC §5), validates its arguments (NULL handles,
// pointer+length strings, UTF-8, dates) before touching the core, and on
// failure leaves every `out` NULL: an error never grants anything.
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
#include "birthright/compiled_policy.h"
#include "birthright/date.h"
#include "birthright/decision.h"
#include "birthright/delta.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "birthright/version.h"
#include "util/json.h"
#include "util/text.h"

// --- Handles ---------------------------------------------------------------

struct br_policy_t {
  birthright::Policy policy;
};

struct br_issues_t {
  struct Row {
    std::string code, severity, rule, location, message;
  };
  std::vector<Row> rows;
  std::string jsonl;
};

struct br_compiled_t {
  std::shared_ptr<const birthright::BoundPolicy> bound;
  std::unique_ptr<birthright::CompiledPolicy> compiled;
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

struct br_delta_t {
  birthright::PersonDelta delta;
  std::string json;
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
    if (policy.FindSlot(birthright::FoldName(name)) >= 0) continue;
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
  } else {
    s = absl::UnimplementedError(name +
                                 ": this input format is not supported yet");
  }
  return s.ok() ? BR_OK : Fail(errptr, s);
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
  return Guard(errptr, [&]() -> br_status_t {
    return ImportRules(policy, data, data_len, file, file_len, format, {},
                       errptr);
  });
}

br_status_t br_policy_add_matrix(br_policy_t* policy, const char* data,
                                 size_t data_len, const char* file,
                                 size_t file_len,
                                 const char* const* app_columns,
                                 const size_t* app_column_lens,
                                 size_t app_column_count, char** errptr) {
  return Guard(errptr, [&]() -> br_status_t {
    std::vector<std::string> columns;
    if (app_column_count > 0 &&
        (app_columns == nullptr || app_column_lens == nullptr)) {
      return Fail(
          errptr, BR_INVALID_ARGUMENT,
          "app_columns or app_column_lens is NULL with a non-zero count");
    }
    for (size_t i = 0; i < app_column_count; ++i) {
      std::string_view c;
      if (absl::Status s = Text(app_columns[i], app_column_lens[i],
                                "app_columns[" + std::to_string(i) + "]", &c);
          !s.ok()) {
        return Fail(errptr, s);
      }
      columns.emplace_back(c);
    }
    return ImportRules(policy, data, data_len, file, file_len, BR_RULES_MATRIX,
                       std::move(columns), errptr);
  });
}

br_status_t br_policy_add_catalog(br_policy_t* policy, const char* data,
                                  size_t data_len, const char* file,
                                  size_t file_len, char** errptr) {
  return AddSheet(policy, data, data_len, file, file_len, Sheet::kCatalog,
                  errptr);
}

br_status_t br_policy_add_aliases(br_policy_t* policy, const char* data,
                                  size_t data_len, const char* file,
                                  size_t file_len, char** errptr) {
  return AddSheet(policy, data, data_len, file, file_len, Sheet::kAliases,
                  errptr);
}

br_status_t br_policy_add_schema(br_policy_t* policy, const char* data,
                                 size_t data_len, const char* file,
                                 size_t file_len, char** errptr) {
  return AddSheet(policy, data, data_len, file, file_len, Sheet::kSchema,
                  errptr);
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
    d->json = birthright::PersonDeltaToJson(d->delta);
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
    return delta == nullptr ? NoString(len) : Out(delta->json, len);
  });
}

}  // extern "C"
