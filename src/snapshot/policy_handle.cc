#include "birthright/policy_handle.h"

#include <utility>

namespace birthright {

PolicyHandle::PolicyHandle(std::shared_ptr<const CompiledPolicy> initial)
    : current_(std::move(initial)) {}

std::shared_ptr<const CompiledPolicy> PolicyHandle::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void PolicyHandle::Swap(std::shared_ptr<const CompiledPolicy> next) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(next);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  // `next` now holds the old version: if this was its last reference, it
  // is destroyed here, outside the lock.
}

absl::Status PolicyHandle::SwapFromSnapshot(std::string_view bytes,
                                            const SnapshotLimits& limits) {
  auto loaded = LoadSnapshot(bytes, limits);
  if (!loaded.ok()) return loaded.status();
  Swap(std::shared_ptr<const CompiledPolicy>(std::move(*loaded)));
  return absl::OkStatus();
}

}  // namespace birthright
