// The snapshot trailer, shared by the writer (snapshot_writer.cc) and the
// verified loader (snapshot_reader.cc). Not part of the public API.
#ifndef BIRTHRIGHT_SRC_SNAPSHOT_SNAPSHOT_INTERNAL_H_
#define BIRTHRIGHT_SRC_SNAPSHOT_SNAPSHOT_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace birthright::snapshot_internal {

// Trailer after the FlatBuffer: u32 length, u32 CRC-32C of the FlatBuffer
// bytes, u32 magic. Little-endian.
inline constexpr size_t kTrailer = 12;
inline constexpr uint32_t kTrailerMagic = 0x4B435242;  // "BRCK"

}  // namespace birthright::snapshot_internal

#endif  // BIRTHRIGHT_SRC_SNAPSHOT_SNAPSHOT_INTERNAL_H_
