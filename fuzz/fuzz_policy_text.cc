// Fuzz target: the policy language (docs/policy-language.md). Whatever the
// input, parsing must not crash or hang (SPEC §10); whatever parses must
// format to a fixed point that parses back to the same content hash
// (SPEC §9), comments included.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "birthright/policy.h"
#include "birthright/policy_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace birthright;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  PolicyTextLimits limits;
  limits.max_file_bytes = 1 << 20;  // Keep single runs fast.
  absl::StatusOr<ParsedPolicyText> parsed =
      ParsePolicyTextWithComments(text, "fuzz.brp", limits);
  if (!parsed.ok()) {
    // Every error names the file and a position.
    if (std::string(parsed.status().message()).rfind("fuzz.brp:", 0) != 0) {
      std::abort();
    }
    return 0;
  }
  const std::string once = FormatPolicyText(parsed->policy, &parsed->comments);
  absl::StatusOr<ParsedPolicyText> again =
      ParsePolicyTextWithComments(once, "fuzz.brp");
  if (!again.ok()) std::abort();
  if (PolicyContentHash(again->policy) != PolicyContentHash(parsed->policy)) {
    std::abort();
  }
  if (FormatPolicyText(again->policy, &again->comments) != once) std::abort();
  (void)LooksLikePolicyText(text);
  return 0;
}
