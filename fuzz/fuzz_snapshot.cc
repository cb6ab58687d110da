// Fuzz target: snapshot bytes. Loading must reject or accept without
// crashing; anything accepted must evaluate without crashing.
//
// A mutated input almost never keeps its CRC-32C valid, so each input is
// also loaded as a FlatBuffer body with a freshly computed trailer (length,
// CRC, magic): that way mutations reach the FlatBuffers Verifier and the
// semantic validator (node code, indices, UTF-8) instead of stopping at the
// checksum.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "birthright/snapshot.h"
#include "util/hash.h"

namespace {

void LoadAndEvaluate(std::string_view bytes) {
  using namespace birthright;
  (void)InspectSnapshot(bytes);
  auto loaded = LoadSnapshot(bytes);
  if (!loaded.ok()) return;
  Person p;
  p.id = "fuzz";
  p.attributes = {{"department", "Sales"},
                  {"job title", "Engineer"},
                  {"grade", "L5"},
                  {"contract end", "2027-01-01"},
                  {"squads", "api;web"}};
  (void)(*loaded)->Evaluate(p, Date{20600});
}

void PutU32(std::string* out, uint32_t v) {
  for (int k = 0; k < 4; ++k) out->push_back(static_cast<char>(v >> (8 * k)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  LoadAndEvaluate(bytes);
  std::string_view body = bytes;
  if (body.size() >= 12 && body.substr(body.size() - 4) == "BRCK")
    body.remove_suffix(12);
  std::string fixed(body);
  PutU32(&fixed, static_cast<uint32_t>(body.size()));
  PutU32(&fixed, birthright::Crc32c(body));
  fixed.append("BRCK");
  LoadAndEvaluate(fixed);
  return 0;
}
