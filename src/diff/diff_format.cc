// Text summary and the JSON / JSONL forms of a PolicyDiff (docs/diff.md).
// Keys are written in a fixed order; every list is already sorted by the
// diff, so the output is byte-for-byte deterministic.
#include <string>
#include <vector>

#include "birthright/delta.h"
#include "birthright/diff.h"
#include "util/json.h"

namespace birthright {
namespace {

std::string Plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string OptString(const std::string& s) {
  return s.empty() ? "null" : JsonString(s);
}

std::string LocationJson(const SourceLocation& loc) {
  return loc.file.empty() && loc.line == 0
             ? "null"
             : JsonString(FormatSourceLocation(loc));
}

std::string FieldsJson(const std::vector<FieldChange>& fields) {
  std::string out = "[";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ",";
    out += "{\"field\":" + JsonString(fields[i].field) +
           ",\"before\":" + JsonString(fields[i].before) +
           ",\"after\":" + JsonString(fields[i].after) + "}";
  }
  return out + "]";
}

std::string RuleChangeFields(const RuleChange& c) {
  return "\"kind\":" + JsonString(ChangeKindName(c.kind)) +
         ",\"id\":" + JsonString(c.id) + ",\"before\":" + OptString(c.before) +
         ",\"after\":" + OptString(c.after) +
         ",\"before_location\":" + LocationJson(c.before_location) +
         ",\"after_location\":" + LocationJson(c.after_location) +
         ",\"fields\":" + FieldsJson(c.fields);
}

std::string ItemChangeFields(const ItemChange& c) {
  return "\"kind\":" + JsonString(ChangeKindName(c.kind)) +
         ",\"key\":" + JsonString(c.key) +
         ",\"before\":" + OptString(c.before) +
         ",\"after\":" + OptString(c.after) +
         ",\"fields\":" + FieldsJson(c.fields);
}

std::string OutcomeJson(const DiffOutcome& o) {
  std::string out = "{\"granted\":" + std::string(o.granted ? "true" : "false");
  out += ",\"level\":" + (o.granted ? JsonString(o.level) : "null");
  out += ",\"scopes\":";
  AppendJsonStringArray(&out, o.scopes);
  out += ",\"expires\":";
  if (!o.granted || o.never_expires) {
    out += "null";
  } else {
    out += "{\"date\":" +
           (o.expires_on ? JsonString(FormatIsoDate(*o.expires_on))
                         : std::string("null")) +
           ",\"attributes\":";
    AppendJsonStringArray(&out, o.expiry_attributes);
    out += "}";
  }
  return out + "}";
}

std::string RegionFields(const Region& r) {
  std::string out = "\"when\":" + JsonString(r.When()) + ",\"conditions\":[";
  for (size_t i = 0; i < r.conditions.size(); ++i) {
    if (i) out += ",";
    out += "{\"attribute\":" + JsonString(r.conditions[i].attribute) +
           ",\"text\":" + JsonString(r.conditions[i].text) + "}";
  }
  out += "],\"before\":" + OutcomeJson(r.before) +
         ",\"after\":" + OutcomeJson(r.after) +
         ",\"expiry_dependent\":" + (r.expiry_dependent ? "true" : "false");
  return out;
}

std::string VersionJson(const std::string& name, const std::string& version,
                        const std::string& hash) {
  return "{\"name\":" + JsonString(name) +
         ",\"version\":" + JsonString(version) +
         ",\"hash\":" + JsonString(hash) + "}";
}

std::string SemanticMeta(const SemanticDiff& s) {
  return "\"available\":" + std::string(s.available ? "true" : "false") +
         ",\"reason\":" + OptString(s.unavailable_reason) + ",\"as_of\":" +
         (s.as_of ? JsonString(FormatIsoDate(*s.as_of)) : std::string("null")) +
         ",\"regions\":" + std::to_string(s.regions) +
         ",\"truncated\":" + (s.truncated ? "true" : "false") +
         ",\"region_paths\":" + std::to_string(s.region_paths) +
         ",\"apps_compared\":" + std::to_string(s.apps_compared);
}

std::string PopulationMeta(const PopulationImpact& p) {
  return "\"file\":" + JsonString(p.file) +
         ",\"as_of\":" + JsonString(FormatIsoDate(p.as_of)) +
         ",\"people\":" + std::to_string(p.people) +
         ",\"gain\":" + std::to_string(p.gain) +
         ",\"lose\":" + std::to_string(p.lose) +
         ",\"change\":" + std::to_string(p.change) +
         ",\"unchanged\":" + std::to_string(p.unchanged) +
         ",\"license_cents_per_month\":" +
         std::to_string(p.license_cents_per_month) +
         ",\"unpriced_actions\":" + std::to_string(p.unpriced_actions);
}

std::string InstanceName(const std::string& app, const std::string& inst) {
  return inst.empty() ? app : app + " [" + inst + "]";
}

}  // namespace

std::string DiffSummaryLine(const PolicyDiff& d) {
  std::vector<std::string> parts;
  const RuleLevelDiff& r = d.rules;
  if (r.added + r.removed + r.modified == 0) {
    parts.push_back("no rule changes");
  } else {
    parts.push_back(std::to_string(r.added) +
                    (r.added == 1 ? " rule" : " rules") + " added, " +
                    std::to_string(r.removed) + " removed, " +
                    std::to_string(r.modified) + " modified");
  }
  std::string other;
  auto add_other = [&](size_t n, const char* one, const char* many) {
    if (n == 0) return;
    other += (other.empty() ? "" : ", ") +
             Plural(static_cast<int64_t>(n), one, many);
  };
  add_other(r.catalog.size(), "catalog row", "catalog rows");
  add_other(r.aliases.size(), "alias", "aliases");
  add_other(r.schema.size(), "schema attribute", "schema attributes");
  add_other(r.sod.size(), "SoD constraint", "SoD constraints");
  if (!other.empty()) parts.back() += " (and " + other + " changed)";
  const SemanticDiff& s = d.semantic;
  if (!s.available) {
    parts.push_back("semantic diff unavailable");
  } else if (s.regions == 0) {
    parts.push_back("no entitlement changes");
  } else {
    std::string apps;
    for (const InstanceDiff& i : s.instances)
      apps += (apps.empty() ? "" : ", ") + InstanceName(i.app, i.instance);
    parts.push_back((s.truncated ? "more than " : "") +
                    Plural(s.regions, "region changes ", "regions change ") +
                    apps);
  }
  if (d.population) {
    const PopulationImpact& p = *d.population;
    std::string t = Plural(p.gain + p.lose + p.change, "person affected",
                           "people affected");
    if (p.gain + p.lose + p.change > 0) {
      t += ": " + std::to_string(p.gain) + " gain, " + std::to_string(p.lose) +
           " lose, " + std::to_string(p.change) + " change";
    }
    parts.push_back(t);
    parts.push_back("licenses " + FormatCents(p.license_cents_per_month, true) +
                    "/month");
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string PolicyDiffToJson(const PolicyDiff& d) {
  std::string out =
      "{\"before\":" +
      VersionJson(d.name_before, d.version_before, d.rules.hash_before) +
      ",\"after\":" +
      VersionJson(d.name_after, d.version_after, d.rules.hash_after) +
      ",\"summary\":" + JsonString(DiffSummaryLine(d));
  out += ",\"rules\":[";
  for (size_t i = 0; i < d.rules.rules.size(); ++i) {
    out += (i ? ",{" : "{") + RuleChangeFields(d.rules.rules[i]) + "}";
  }
  out += "]";
  const std::pair<const char*, const std::vector<ItemChange>*> items[] = {
      {"catalog", &d.rules.catalog},
      {"aliases", &d.rules.aliases},
      {"schema", &d.rules.schema},
      {"sod", &d.rules.sod}};
  for (const auto& [name, list] : items) {
    out += ",\"" + std::string(name) + "\":[";
    for (size_t i = 0; i < list->size(); ++i)
      out += (i ? ",{" : "{") + ItemChangeFields((*list)[i]) + "}";
    out += "]";
  }
  out += ",\"semantic\":{" + SemanticMeta(d.semantic) + ",\"instances\":[";
  for (size_t i = 0; i < d.semantic.instances.size(); ++i) {
    const InstanceDiff& inst = d.semantic.instances[i];
    if (i) out += ",";
    out += "{\"app\":" + JsonString(inst.app) +
           ",\"instance\":" + JsonString(inst.instance) + ",\"regions\":[";
    for (size_t k = 0; k < inst.regions.size(); ++k)
      out += (k ? ",{" : "{") + RegionFields(inst.regions[k]) + "}";
    out += "]}";
  }
  out += "]},\"population\":";
  if (!d.population) {
    out += "null";
  } else {
    const PopulationImpact& p = *d.population;
    out += "{" + PopulationMeta(p) + ",\"by_entitlement\":[";
    for (size_t i = 0; i < p.by_entitlement.size(); ++i)
      out += (i ? "," : "") + EntitlementImpactToJson(p.by_entitlement[i]);
    out += "],\"deltas\":[";
    for (size_t i = 0; i < p.deltas.size(); ++i)
      out += (i ? "," : "") + PersonDeltaToJson(p.deltas[i]);
    out += "]}";
  }
  return out + "}";
}

std::string PolicyDiffToJsonl(const PolicyDiff& d) {
  std::string out =
      "{\"type\":\"summary\",\"before\":" +
      VersionJson(d.name_before, d.version_before, d.rules.hash_before) +
      ",\"after\":" +
      VersionJson(d.name_after, d.version_after, d.rules.hash_after) +
      ",\"summary\":" + JsonString(DiffSummaryLine(d)) + ",\"semantic\":{" +
      SemanticMeta(d.semantic) + "},\"population\":" +
      (d.population ? "{" + PopulationMeta(*d.population) + "}"
                    : std::string("null")) +
      "}\n";
  for (const RuleChange& c : d.rules.rules)
    out += "{\"type\":\"rule\"," + RuleChangeFields(c) + "}\n";
  const std::pair<const char*, const std::vector<ItemChange>*> items[] = {
      {"catalog", &d.rules.catalog},
      {"alias", &d.rules.aliases},
      {"schema", &d.rules.schema},
      {"sod", &d.rules.sod}};
  for (const auto& [name, list] : items) {
    for (const ItemChange& c : *list) {
      out += "{\"type\":\"" + std::string(name) + "\"," + ItemChangeFields(c) +
             "}\n";
    }
  }
  for (const InstanceDiff& inst : d.semantic.instances) {
    for (const Region& r : inst.regions) {
      out += "{\"type\":\"region\",\"app\":" + JsonString(inst.app) +
             ",\"instance\":" + JsonString(inst.instance) + "," +
             RegionFields(r) + "}\n";
    }
  }
  if (d.population) {
    for (const EntitlementImpact& r : d.population->by_entitlement) {
      std::string j = EntitlementImpactToJson(r);
      out += "{\"type\":\"impact\"," + j.substr(1) + "\n";
    }
    for (const PersonDelta& p : d.population->deltas) {
      std::string j = PersonDeltaToJson(p);
      out += "{\"type\":\"person\"," + j.substr(1) + "\n";
    }
  }
  return out;
}

}  // namespace birthright
