#include "util/string_index.h"

#include <map>
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace birthright {
namespace {

TEST(StringIndexTest, EmptyFindsNothing) {
  StringIndex index;
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.Find(""), -1);
  EXPECT_EQ(index.Find("sales"), -1);
}

TEST(StringIndexTest, FindsWhatWasInsertedAndRefusesRepeats) {
  StringIndex index;
  EXPECT_TRUE(index.Insert("sales", 2));
  EXPECT_TRUE(index.Insert("", 3));  // The empty key is a key.
  EXPECT_TRUE(index.Insert("sales engineer", 4));
  EXPECT_FALSE(index.Insert("sales", 9));  // Already there: unchanged.
  EXPECT_FALSE(index.Insert("new", -1));   // Values are >= 0.
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.Find("sales"), 2);
  EXPECT_EQ(index.Find(""), 3);
  EXPECT_EQ(index.Find("sales engineer"), 4);
  EXPECT_EQ(index.Find("new"), -1);
  EXPECT_EQ(index.Find("Sales"), -1);  // Bytes, not normalized text.
  EXPECT_EQ(index.Find("sale"), -1);
  EXPECT_EQ(index.Find("saless"), -1);
  EXPECT_EQ(index.Find(std::string_view("sales\0", 6)), -1);
}

// Keys that share their first and last eight bytes, and differ only in the
// middle, are told apart.
TEST(StringIndexTest, LongKeysCompareEveryByte) {
  StringIndex index;
  const std::string a = "vice president, platform engineering";
  std::string b = a;
  b[a.size() / 2] = 'X';
  ASSERT_TRUE(index.Insert(a, 7));
  EXPECT_EQ(index.Find(a), 7);
  EXPECT_EQ(index.Find(b), -1);
  ASSERT_TRUE(index.Insert(b, 8));
  EXPECT_EQ(index.Find(a), 7);
  EXPECT_EQ(index.Find(b), 8);
}

// Against std::map on random keys of every length class (0..40 bytes over
// a small alphabet, so near misses and shared prefixes are common, NUL
// bytes included), through several growths, with lookups of absent keys.
TEST(StringIndexTest, AgreesWithStdMapOnRandomKeys) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    auto random_key = [&] {
      std::string k(rng() % 41, ' ');
      for (char& c : k) c = "ab\0 z"[rng() % 5];
      return k;
    };
    StringIndex index;
    std::map<std::string, int32_t> want;
    const int n = 1 + static_cast<int>(rng() % 3000);
    for (int i = 0; i < n; ++i) {
      const std::string k = random_key();
      const int32_t v = static_cast<int32_t>(rng() % 1000000);
      const bool fresh = want.emplace(k, v).second;
      ASSERT_EQ(index.Insert(k, v), fresh) << "seed " << seed;
    }
    ASSERT_EQ(index.size(), want.size()) << "seed " << seed;
    for (const auto& [k, v] : want) ASSERT_EQ(index.Find(k), v) << seed;
    for (int i = 0; i < 5000; ++i) {
      const std::string k = random_key();
      auto it = want.find(k);
      ASSERT_EQ(index.Find(k), it == want.end() ? -1 : it->second)
          << "seed " << seed;
    }
  }
}

// The compare behind a matching hash: every length a key can take up to 40
// bytes, equal, and different in each single byte.
TEST(StringIndexTest, SameBytesComparesEveryByte) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string x(n, ' ');
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<char>('a' + i % 26);
    std::string y = x;
    ASSERT_TRUE(StringIndex::SameBytes(x.data(), y.data(), n)) << n;
    for (size_t i = 0; i < n; ++i) {
      y[i] ^= 0x20;
      EXPECT_FALSE(StringIndex::SameBytes(x.data(), y.data(), n))
          << "length " << n << ", byte " << i;
      y[i] ^= 0x20;
    }
  }
}

// The hash is a pure function of the bytes (no per-process seed), and keys
// that differ in a digit or two land apart.
TEST(StringIndexTest, HashIsDeterministicAndSpreadsNearKeys) {
  EXPECT_EQ(StringIndex::Hash("engineer"), StringIndex::Hash("engineer"));
  std::map<uint64_t, int> buckets;
  for (int i = 0; i < 4096; ++i) {
    ++buckets[StringIndex::Hash("title " + std::to_string(i)) & 1023];
  }
  // 4,096 keys over 1,024 buckets: a fair hash fills nearly all of them.
  EXPECT_GT(buckets.size(), 950u);
}

}  // namespace
}  // namespace birthright
