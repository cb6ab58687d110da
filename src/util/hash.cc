#include "util/hash.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdio>
#include <cstring>

// The SSE4.2 path is compiled with a per-function target attribute and chosen
// at run time, because the library itself is built for baseline x86-64.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BIRTHRIGHT_CRC32C_SSE42 1
#include <nmmintrin.h>
#endif

namespace birthright {
namespace {

// ---------------------------------------------------------------------------
// CRC-32C. Every routine below works on the raw CRC register: the caller
// applies the initial and final XOR with 0xFFFFFFFF exactly once. Without
// those XORs the register update is linear over GF(2) in (register, data),
// which is what lets the SSE4.2 path compute streams separately and merge
// them (see Crc32cSse42).

constexpr uint32_t kCrc32cPoly = 0x82F63B78u;  // 0x1EDC6F41, bit-reflected.

using CrcTable = std::array<uint32_t, 256>;

// Slicing-by-8 (Kounavis & Berry). kCrcTables[0] is the classic byte table;
// kCrcTables[k][b] is the register after byte b is followed by k zero bytes,
// so eight bytes fold into the register with eight independent lookups.
constexpr std::array<CrcTable, 8> MakeCrcTables() {
  std::array<CrcTable, 8> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCrc32cPoly : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) {
      t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    }
  }
  return t;
}
constexpr std::array<CrcTable, 8> kCrcTables = MakeCrcTables();

inline uint32_t CrcBytes(uint32_t crc, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    crc = kCrcTables[0][(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  }
  return crc;
}

// Reads 8 bytes as a little-endian word; memcpy keeps unaligned reads defined.
inline uint64_t LoadLe64(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

uint32_t CrcSlice8(uint32_t crc, const unsigned char* p, size_t n) {
  if constexpr (std::endian::native != std::endian::little) {
    // The word trick below assumes byte 0 lands in the low bits.
    return CrcBytes(crc, p, n);
  } else {
    const auto& t = kCrcTables;
    while (n >= 8) {
      const uint64_t word = LoadLe64(p);
      const uint32_t lo = static_cast<uint32_t>(word) ^ crc;
      const uint32_t hi = static_cast<uint32_t>(word >> 32);
      crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^
            t[4][lo >> 24] ^ t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^
            t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
      p += 8;
      n -= 8;
    }
    return CrcBytes(crc, p, n);
  }
}

#ifdef BIRTHRIGHT_CRC32C_SSE42

// The linear map "feed `bytes` zero bytes into the register", as four byte
// tables: Apply(x) = t[0][x & 0xFF] ^ t[1][(x >> 8) & 0xFF] ^ ...
struct ZeroShift {
  std::array<CrcTable, 4> t{};

  constexpr uint32_t Apply(uint32_t x) const {
    return t[0][x & 0xFF] ^ t[1][(x >> 8) & 0xFF] ^ t[2][(x >> 16) & 0xFF] ^
           t[3][x >> 24];
  }
};

// A linear map on the 32-bit register as a GF(2) matrix: column b is the
// image of the register with only bit b set.
using Gf2Matrix = std::array<uint32_t, 32>;

constexpr uint32_t Gf2Times(const Gf2Matrix& m, uint32_t x) {
  uint32_t image = 0;
  for (int b = 0; b < 32; ++b) {
    if ((x >> b) & 1) image ^= m[b];
  }
  return image;
}

constexpr Gf2Matrix Gf2Compose(const Gf2Matrix& outer, const Gf2Matrix& inner) {
  Gf2Matrix m{};
  for (int b = 0; b < 32; ++b) m[b] = Gf2Times(outer, inner[b]);
  return m;
}

// Feeding `bytes` zeros is the one-zero-byte map raised to that power, built
// by repeated squaring (O(log bytes) products) so that compile-time
// evaluation stays far below compilers' constexpr step limits.
constexpr ZeroShift MakeZeroShift(size_t bytes) {
  Gf2Matrix power{};
  Gf2Matrix result{};
  for (int b = 0; b < 32; ++b) {
    const uint32_t bit = uint32_t{1} << b;
    power[b] = kCrcTables[0][bit & 0xFF] ^ (bit >> 8);
    result[b] = bit;
  }
  for (; bytes != 0; bytes >>= 1) {
    if (bytes & 1) result = Gf2Compose(power, result);
    power = Gf2Compose(power, power);
  }
  ZeroShift shift;
  for (int k = 0; k < 4; ++k) {
    for (uint32_t v = 0; v < 256; ++v) {
      shift.t[k][v] = Gf2Times(result, v << (8 * k));
    }
  }
  return shift;
}

// One crc32 instruction has a latency of ~3 cycles but a throughput of one
// per cycle, so a single dependent stream runs at a third of the possible
// speed. Large inputs are cut into three adjacent blocks of kBlock bytes,
// run as three independent streams (the 2nd and 3rd from register 0), and
// merged by linearity:
//   crc(s, A|B|C) = Shift(Shift(crc(s, A)) ^ crc(0, B)) ^ crc(0, C)
// where Shift feeds kBlock zero bytes. Two tiers keep the merge cost (eight
// table lookups) small relative to the block for both large and mid-sized
// inputs.
constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;
constexpr ZeroShift kLongShift = MakeZeroShift(kLongBlock);
constexpr ZeroShift kShortShift = MakeZeroShift(kShortBlock);

template <size_t kBlock>
__attribute__((target("sse4.2"))) inline uint32_t CrcThreeWay(
    uint32_t crc, const unsigned char** p, size_t* n, const ZeroShift& shift) {
  static_assert(kBlock % 8 == 0);
  const unsigned char* q = *p;
  size_t left = *n;
  while (left >= 3 * kBlock) {
    uint64_t a = crc, b = 0, c = 0;
    for (size_t i = 0; i < kBlock; i += 8) {
      a = _mm_crc32_u64(a, LoadLe64(q + i));
      b = _mm_crc32_u64(b, LoadLe64(q + kBlock + i));
      c = _mm_crc32_u64(c, LoadLe64(q + 2 * kBlock + i));
    }
    crc = shift.Apply(shift.Apply(static_cast<uint32_t>(a)) ^
                      static_cast<uint32_t>(b)) ^
          static_cast<uint32_t>(c);
    q += 3 * kBlock;
    left -= 3 * kBlock;
  }
  *p = q;
  *n = left;
  return crc;
}

__attribute__((target("sse4.2"))) uint32_t CrcSse42(uint32_t crc,
                                                    const unsigned char* p,
                                                    size_t n) {
  // Align to 8 so no word load straddles a cache line.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = _mm_crc32_u8(crc, *p++);
    --n;
  }
  crc = CrcThreeWay<kLongBlock>(crc, &p, &n, kLongShift);
  crc = CrcThreeWay<kShortBlock>(crc, &p, &n, kShortShift);
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, LoadLe64(p));
  crc = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) crc = _mm_crc32_u8(crc, *p);
  return crc;
}

#endif  // BIRTHRIGHT_CRC32C_SSE42

using CrcFn = uint32_t (*)(uint32_t, const unsigned char*, size_t);

CrcFn ChooseCrc() {
#ifdef BIRTHRIGHT_CRC32C_SSE42
  __builtin_cpu_init();  // Required if we run before static constructors.
  if (__builtin_cpu_supports("sse4.2")) return CrcSse42;
#endif
  return CrcSlice8;
}

// Chosen once; a function-local static is initialised thread-safely and also
// works when called from another translation unit's static initialiser.
CrcFn SelectedCrc() {
  static const CrcFn fn = ChooseCrc();
  return fn;
}

inline uint32_t RunCrc(CrcFn fn, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  return fn(0xFFFFFFFFu, p, data.size()) ^ 0xFFFFFFFFu;
}

constexpr uint32_t kSha[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void ShaBlock(uint32_t h[8], const unsigned char* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = uint32_t{p[4 * i]} << 24 | uint32_t{p[4 * i + 1]} << 16 |
           uint32_t{p[4 * i + 2]} << 8 | uint32_t{p[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    const uint32_t s0 =
        Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const uint32_t s1 =
        Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
           k = h[7];
  for (int i = 0; i < 64; ++i) {
    const uint32_t t1 = k + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) +
                        ((e & f) ^ (~e & g)) + kSha[i] + w[i];
    const uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) +
                        ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

}  // namespace

uint32_t Crc32c(std::string_view data) { return RunCrc(SelectedCrc(), data); }

uint32_t Crc32cPortable(std::string_view data) {
  return RunCrc(CrcSlice8, data);
}

bool Crc32cIsAccelerated() { return SelectedCrc() != CrcSlice8; }

std::string Sha256Hex(std::string_view data) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  while (n >= 64) {
    ShaBlock(h, p);
    p += 64;
    n -= 64;
  }
  unsigned char tail[128] = {0};
  for (size_t i = 0; i < n; ++i) tail[i] = p[i];
  tail[n] = 0x80;
  const size_t blocks = n + 9 <= 64 ? 1 : 2;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) {
    tail[blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  }
  for (size_t b = 0; b < blocks; ++b) ShaBlock(h, tail + 64 * b);
  char out[65];
  for (int i = 0; i < 8; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return std::string(out, 64);
}

}  // namespace birthright
