// See include/birthright/sod.h.
#include "birthright/sod.h"

#include <string>
#include <vector>

#include "util/json.h"
#include "util/text.h"

namespace birthright {
namespace {

std::string Describe(const AppInstance& inst, const std::string& level) {
  return inst.app + (inst.instance.empty() ? "" : " [" + inst.instance + "]") +
         ": " + level;
}

// The first entitlement of `d` meeting `side`, described; "" when none.
std::string Held(const BoundPolicy& policy, const BoundSodSide& side,
                 const Decision& d) {
  for (const Entitlement& e : d.entitlements) {
    for (const BoundSodSide::Part& part : side.parts) {
      const AppInstance& inst = policy.instances()[part.instance];
      if (!EqualsIgnoreCase(inst.app, e.app) ||
          !EqualsIgnoreCase(inst.instance, e.instance))
        continue;
      for (size_t l = 0; l < inst.levels.size(); ++l) {
        if (EqualsIgnoreCase(inst.levels[l], e.level) &&
            static_cast<int32_t>(l) >= part.min_level)
          return Describe(inst, inst.levels[l]);
      }
    }
  }
  return "";
}

}  // namespace

std::vector<SodViolation> SodViolations(const BoundPolicy& policy,
                                        const Decision& d) {
  std::vector<SodViolation> out;
  if (d.leaver) return out;
  for (const BoundSod& s : policy.sod()) {
    if (!s.valid) continue;
    std::string first = Held(policy, s.first, d);
    if (first.empty()) continue;
    std::string second = Held(policy, s.second, d);
    if (second.empty()) continue;
    out.push_back(
        SodViolation{s.id, s.message, std::move(first), std::move(second)});
  }
  return out;
}

std::string SodViolationToJson(const SodViolation& v) {
  std::string out = "{\"id\":";
  AppendJsonString(&out, v.id);
  out += ",\"message\":";
  AppendJsonString(&out, v.message);
  out += ",\"first\":";
  AppendJsonString(&out, v.first);
  out += ",\"second\":";
  AppendJsonString(&out, v.second);
  return out + "}";
}

}  // namespace birthright
