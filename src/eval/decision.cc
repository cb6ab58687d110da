#include "birthright/decision.h"

#include "util/json.h"

namespace birthright {

std::string EntitlementToJson(const Entitlement& e) {
  std::string out = "{\"app\":";
  AppendJsonString(&out, e.app);
  out += ",\"instance\":";
  AppendJsonString(&out, e.instance);
  out += ",\"level\":";
  AppendJsonString(&out, e.level);
  out += ",\"scopes\":";
  AppendJsonStringArray(&out, e.scopes);
  out += ",\"expires\":";
  if (e.expires) {
    AppendJsonString(&out, FormatIsoDate(*e.expires));
  } else {
    out += "null";
  }
  out += ",\"reasons\":";
  AppendJsonStringArray(&out, e.reasons);
  out += "}";
  return out;
}

std::string DecisionToJson(const Decision& d) {
  std::string out = "{\"person\":";
  AppendJsonString(&out, d.person_id);
  out += ",\"entitlements\":[";
  for (size_t i = 0; i < d.entitlements.size(); ++i) {
    if (i > 0) out += ",";
    out += EntitlementToJson(d.entitlements[i]);
  }
  out += "],\"missing\":";
  AppendJsonStringArray(&out, d.missing);
  out += "}";
  return out;
}

}  // namespace birthright
