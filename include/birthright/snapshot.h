// Compiled-policy snapshots: a FlatBuffers file a host loads without
// recompiling (SPEC §9). Layout and compatibility: docs/snapshot-format.md.
//
// Loading never trusts the bytes: a CRC-32C over the whole buffer, the
// FlatBuffers Verifier with explicit limits, then a semantic check (indices
// in range, the DAG acyclic, strings valid UTF-8) before anything is used.
// Corrupt or truncated bytes fail with DataLoss, foreign bytes with
// InvalidArgument, a newer format with FailedPrecondition: never a crash,
// never a grant.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_SNAPSHOT_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "birthright/compiled_policy.h"

namespace birthright {

// The format this library writes and the newest it reads.
inline constexpr uint32_t kSnapshotFormatVersion = 6;

struct SnapshotLimits {
  int64_t max_bytes = int64_t{1} << 30;  // 1 GiB.
  uint32_t max_depth = 64;               // FlatBuffers nesting.
  uint32_t max_tables = 50'000'000;      // FlatBuffers tables/vectors.
};

struct SnapshotInfo {
  uint32_t format_version = 0;
  std::string library_version;
  std::string policy_name;
  std::string policy_version;
  std::string policy_hash;
  int64_t bytes = 0;
};

// Serializes `compiled`. Deterministic: the same policy gives the same bytes.
std::string WriteSnapshot(const CompiledPolicy& compiled);

// Verifies and decodes `bytes` (copied; the argument need not outlive the
// result). The result evaluates exactly like the compiled original; it has
// no rule conditions, so the reference evaluator cannot run on it.
absl::StatusOr<std::unique_ptr<CompiledPolicy>> LoadSnapshot(
    std::string_view bytes, const SnapshotLimits& limits = {});

// Memory-maps `path` read-only and loads it.
absl::StatusOr<std::unique_ptr<CompiledPolicy>> LoadSnapshotFile(
    const std::string& path, const SnapshotLimits& limits = {});

// Checks integrity and reads the header fields only.
absl::StatusOr<SnapshotInfo> InspectSnapshot(std::string_view bytes,
                                             const SnapshotLimits& limits = {});

// True when `bytes` starts like a snapshot (cheap; for format detection).
bool LooksLikeSnapshot(std::string_view bytes);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_SNAPSHOT_H_
