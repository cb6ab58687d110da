// Fuzz target: snapshot bytes. Loading must reject or accept without
// crashing; anything accepted must evaluate without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "birthright/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace birthright;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)InspectSnapshot(bytes);
  auto loaded = LoadSnapshot(bytes);
  if (!loaded.ok()) return 0;
  Person p;
  p.id = "fuzz";
  p.attributes = {{"department", "Sales"},
                  {"job title", "Engineer"},
                  {"grade", "L5"},
                  {"contract end", "2027-01-01"},
                  {"squads", "api;web"}};
  (void)(*loaded)->Evaluate(p, Date{20600});
  return 0;
}
