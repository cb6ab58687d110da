// An immutable-after-build map from strings to non-negative int32 values,
// for lookups on the evaluation path (a person's normalized value to its
// class): one inline hash over the bytes, linear probing over 16-byte
// slots at most half full, and one compare against a key arena.
//
// absl::flat_hash_map<std::string, int32_t> did the same job through an
// out-of-line hash and a libc memcmp; this is the shape the hot path wants,
// with nothing else. Hash values are internal: they may differ between
// builds and hosts, and nothing observable depends on them (Find returns
// the value stored, whatever the layout).
#ifndef BIRTHRIGHT_SRC_UTIL_STRING_INDEX_H_
#define BIRTHRIGHT_SRC_UTIL_STRING_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace birthright {

class StringIndex {
 public:
  // Adds `key` with `value` (>= 0). Returns false, changing nothing, when
  // `key` is already present, `value` is negative or the keys would pass
  // 4 GiB in all.
  bool Insert(std::string_view key, int32_t value);

  // The value of `key`, or -1 when it is absent.
  int32_t Find(std::string_view key) const {
    if (size_ == 0) return -1;
    const uint64_t h = Hash(key);
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    const Slot* slots = slots_.data();
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots[i];
      if (s.value < 0) return -1;
      if (s.tag == tag && s.key_size == key.size() &&
          SameBytes(keys_.data() + s.key_at, key.data(), key.size())) {
        return s.value;
      }
    }
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Heap bytes held (slots and key arena), for memory statistics.
  size_t MemoryBytes() const {
    return slots_.capacity() * sizeof(Slot) + keys_.capacity();
  }

  // Whether the `n` bytes at `x` and `y` are equal, as Find compares a key
  // (exposed for tests: a colliding hash is what makes Find rely on it).
  // Keys are short, so mostly two overlapping loads.
  static bool SameBytes(const char* x, const char* y, size_t n) {
    if (n > 16) return std::memcmp(x, y, n) == 0;
    if (n >= 8) {
      return Load8(x) == Load8(y) && Load8(x + n - 8) == Load8(y + n - 8);
    }
    if (n >= 4) {
      return Load4(x) == Load4(y) && Load4(x + n - 4) == Load4(y + n - 4);
    }
    for (size_t i = 0; i < n; ++i) {
      if (x[i] != y[i]) return false;
    }
    return true;
  }

  // The hash Find uses (exposed for tests): a 64x64->128-bit multiply
  // folded, over at most two loads for keys up to 16 bytes.
  static uint64_t Hash(std::string_view key) {
    const char* p = key.data();
    const size_t n = key.size();
    uint64_t a = 0, b = 0;
    if (n > 16) {
      uint64_t h = kSeed;
      size_t i = 0;
      for (; i + 16 < n; i += 16)
        h = Mix(Load8(p + i) ^ kSeed, Load8(p + i + 8) ^ h);
      a = Load8(p + n - 16) ^ h;
      b = Load8(p + n - 8);
    } else if (n >= 8) {
      a = Load8(p);
      b = Load8(p + n - 8);
    } else if (n >= 4) {
      a = Load4(p);
      b = Load4(p + n - 4);
    } else if (n > 0) {
      const auto* u = reinterpret_cast<const unsigned char*>(p);
      a = uint64_t{u[0]} << 16 | uint64_t{u[n >> 1]} << 8 | u[n - 1];
    }
    return Mix(a ^ kSeed, b ^ kOther ^ n);
  }

 private:
  static constexpr uint64_t kSeed = 0x9e3779b97f4a7c15u;
  static constexpr uint64_t kOther = 0xd6e8feb86659fd93u;

  struct Slot {
    uint32_t tag = 0;    // Hash bits 32..63.
    int32_t value = -1;  // -1: empty.
    uint32_t key_at = 0, key_size = 0;
  };

  static uint64_t Mix(uint64_t a, uint64_t b) {
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
  }
  static uint64_t Load8(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t Load4(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  void Place(const Slot& slot, uint64_t hash);

  std::vector<Slot> slots_;  // A power of two, at most half full.
  size_t mask_ = 0;
  size_t size_ = 0;
  std::string keys_;  // Every key's bytes, back to back.
};

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_STRING_INDEX_H_
