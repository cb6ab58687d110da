// Checksums and digests with fixed, documented output (never std::hash or
// absl::Hash, whose values may change between builds).
#ifndef BIRTHRIGHT_SRC_UTIL_HASH_H_
#define BIRTHRIGHT_SRC_UTIL_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace birthright {

// CRC-32C (Castagnoli), as LevelDB uses per block.
uint32_t Crc32c(std::string_view data);

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4).
std::string Sha256Hex(std::string_view data);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_HASH_H_
