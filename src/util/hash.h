// Checksums and digests with fixed, documented output (never std::hash or
// absl::Hash, whose values may change between builds).
#ifndef BIRTHRIGHT_SRC_UTIL_HASH_H_
#define BIRTHRIGHT_SRC_UTIL_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace birthright {

// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and
// final XOR 0xFFFFFFFF), as LevelDB uses per block and iSCSI (RFC 3720)
// defines: Crc32c("123456789") == 0xE3069283, Crc32c("") == 0.
// On x86-64 CPUs with SSE4.2 (checked once, at the first call) this uses the
// crc32 instruction over three interleaved streams; elsewhere it is
// Crc32cPortable. Both give identical results. Thread-safe.
uint32_t Crc32c(std::string_view data);

// The same CRC-32C in portable C++: slicing-by-8 tables built at compile time
// on little-endian hosts, one byte at a time on big-endian ones. This is
// Crc32c's fallback, exposed so tests and benchmarks can compare the paths.
// Thread-safe.
uint32_t Crc32cPortable(std::string_view data);

// True when Crc32c uses the SSE4.2 crc32 instruction on this machine (for
// benchmark and diagnostic output; results never depend on it).
bool Crc32cIsAccelerated();

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4).
std::string Sha256Hex(std::string_view data);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_HASH_H_
