// A handle for hosts that hot-reload policies: readers evaluate against the
// current version while a writer swaps in a new one atomically; an old
// version lives until its last reader lets go (SPEC §9).
//
// Thread safety: every method may be called from any thread at any time.
// Current() and Swap() hold a mutex only to copy or replace one
// shared_ptr (a reference-count update); evaluation itself never locks.
// (libstdc++ 12's std::atomic<std::shared_ptr> releases its internal lock
// with relaxed ordering after a load, a data race ThreadSanitizer reports;
// the mutex is as cheap here and provably correct.)
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_HANDLE_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_HANDLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "absl/status/status.h"
#include "birthright/compiled_policy.h"
#include "birthright/snapshot.h"

namespace birthright {

class PolicyHandle {
 public:
  // REQUIRES: `initial` is not null.
  explicit PolicyHandle(std::shared_ptr<const CompiledPolicy> initial);

  PolicyHandle(const PolicyHandle&) = delete;  // Identity is the point.
  PolicyHandle& operator=(const PolicyHandle&) = delete;

  // The current version. Hold the returned pointer for the duration of a
  // request; it stays valid however many swaps happen meanwhile.
  std::shared_ptr<const CompiledPolicy> Current() const;

  // Replaces the current version. REQUIRES: `next` is not null.
  void Swap(std::shared_ptr<const CompiledPolicy> next);

  // Verifies and loads `bytes`, then swaps. On error the current version
  // stays in place and the error is returned.
  absl::Status SwapFromSnapshot(std::string_view bytes,
                                const SnapshotLimits& limits = {});

  // Number of successful swaps so far.
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const CompiledPolicy> current_;  // Guarded by mu_.
  std::atomic<uint64_t> generation_{0};
};

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_POLICY_HANDLE_H_
