#include "util/huge_pages.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace birthright {
namespace {

// The VmFlags line of the mapping that holds `p` in /proc/self/smaps, or
// "" when there is none.
std::string VmFlagsAt(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long lo = 0, hi = 0;
    // A mapping's header: "lo-hi perms offset ...". No field line parses
    // as two hex numbers joined by '-'.
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {
      inside = lo <= at && at < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

std::vector<uint32_t> Numbered(size_t n) {
  std::vector<uint32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint32_t>(i * 2654435761u);
  return v;
}

TEST(HugePagesTest, SmallTablesStayWhereTheyAre) {
  std::vector<uint32_t> v = Numbered(1000);
  const uint32_t* before = v.data();
  MoveToHugePages(&v);
  EXPECT_EQ(v.data(), before);
  EXPECT_EQ(v, Numbered(1000));
}

TEST(HugePagesTest, BigTablesKeepTheirContents) {
  const size_t n = 5 * kHugePageBytes / sizeof(uint32_t) / 2;  // 5 MiB.
  std::vector<uint32_t> v = Numbered(n);
  const size_t capacity = v.capacity();
  MoveToHugePages(&v);
  EXPECT_EQ(v.size(), n);
  EXPECT_GE(v.capacity(), capacity);
  EXPECT_EQ(v, Numbered(n));
}

#if defined(__linux__) && defined(MADV_HUGEPAGE)
// The advice reaches the kernel: the big table's inner huge pages are
// marked "hg" (MADV_HUGEPAGE), whether or not THP then backs them.
TEST(HugePagesTest, BigTablesAreAdvisedForHugePages) {
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  }
  std::vector<uint32_t> v = Numbered(3 * kHugePageBytes / sizeof(uint32_t));
  MoveToHugePages(&v);
  const uintptr_t begin = reinterpret_cast<uintptr_t>(v.data());
  const uintptr_t inner = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::string flags = VmFlagsAt(reinterpret_cast<const void*>(inner));
  ASSERT_NE(flags, "") << "no mapping holds the table";
  EXPECT_NE((flags + " ").find(" hg "), std::string::npos) << flags;
}
#endif

}  // namespace
}  // namespace birthright
