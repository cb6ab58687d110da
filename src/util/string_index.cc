#include "util/string_index.h"

#include <algorithm>
#include <limits>

namespace birthright {

bool StringIndex::Insert(std::string_view key, int32_t value) {
  if (value < 0 || Find(key) >= 0) return false;
  // Offsets are 32-bit: an arena past 4 GiB is refused, not wrapped.
  if (keys_.size() + key.size() > std::numeric_limits<uint32_t>::max())
    return false;
  if (2 * (size_ + 1) > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, 2 * old.size()), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.value >= 0)
        Place(s, Hash(std::string_view(keys_).substr(s.key_at, s.key_size)));
    }
  }
  Slot slot;
  slot.value = value;
  slot.key_at = static_cast<uint32_t>(keys_.size());
  slot.key_size = static_cast<uint32_t>(key.size());
  keys_.append(key);
  Place(slot, Hash(key));
  ++size_;
  return true;
}

void StringIndex::Place(const Slot& slot, uint64_t hash) {
  size_t i = hash & mask_;
  while (slots_[i].value >= 0) i = (i + 1) & mask_;
  slots_[i] = slot;
  slots_[i].tag = static_cast<uint32_t>(hash >> 32);
}

}  // namespace birthright
