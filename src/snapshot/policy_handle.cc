#include "birthright/policy_handle.h"

#include <utility>

namespace birthright {

PolicyHandle::PolicyHandle(std::shared_ptr<const CompiledPolicy> initial)
    : current_(std::move(initial)) {}

std::shared_ptr<const CompiledPolicy> PolicyHandle::Current() const {
  return current_.load(std::memory_order_acquire);
}

void PolicyHandle::Swap(std::shared_ptr<const CompiledPolicy> next) {
  current_.store(std::move(next), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

absl::Status PolicyHandle::SwapFromSnapshot(std::string_view bytes,
                                            const SnapshotLimits& limits) {
  auto loaded = LoadSnapshot(bytes, limits);
  if (!loaded.ok()) return loaded.status();
  Swap(std::shared_ptr<const CompiledPolicy>(std::move(*loaded)));
  return absl::OkStatus();
}

}  // namespace birthright
