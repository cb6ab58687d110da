// Big evaluation tables on transparent huge pages, where the system offers
// them (Linux with THP set to "madvise" or "always").
//
// A walk over a policy of 100k rules touches a new page on most steps: with
// 4 KiB pages its 18 MB of DAG code span ~4,500 pages, more than the TLB
// holds, so most steps wait on a page walk as well as on memory. With 2 MiB
// pages they span 9 (docs/performance.md, "Big policies").
#ifndef BIRTHRIGHT_SRC_UTIL_HUGE_PAGES_H_
#define BIRTHRIGHT_SRC_UTIL_HUGE_PAGES_H_

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace birthright {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// Moves `*v` into fresh memory advised for huge pages before it is first
// touched, when it holds at least two huge pages' worth; otherwise, or
// where there is no such advice, leaves it as it is. Contents and size are
// unchanged, and the capacity is at least what it was. The advice is a
// hint: when the system declines it, the copy is an ordinary one.
template <typename T>
void MoveToHugePages(std::vector<T>* v) {
  static_assert(std::is_trivially_copyable_v<T>);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (v->size() * sizeof(T) < 2 * kHugePageBytes) return;
  std::vector<T> fresh;
  fresh.reserve(v->capacity());
  // Only whole huge pages inside the allocation can be advised.
  const uintptr_t begin = reinterpret_cast<uintptr_t>(fresh.data());
  const uintptr_t end = begin + fresh.capacity() * sizeof(T);
  const uintptr_t first = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t last = end & ~(kHugePageBytes - 1);
  if (last > first) {
    madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
  fresh.assign(v->begin(), v->end());
  v->swap(fresh);
#else
  (void)v;
#endif
}

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_HUGE_PAGES_H_
