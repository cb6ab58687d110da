#include "util/hash.h"

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace birthright {
namespace {

// The oracle: CRC-32C one bit at a time, straight from the definition
// (reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF). It shares
// no tables or code with the paths under test.
uint32_t NaiveCrc32c(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

struct CrcVector {
  std::string data;
  uint32_t crc;
};

// RFC 3720 appendix B.4 (iSCSI) plus the customary check value.
std::vector<CrcVector> KnownVectors() {
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  return {
      {"", 0x00000000u},
      {"123456789", 0xE3069283u},
      {std::string(32, '\0'), 0x8A9136AAu},
      {std::string(32, '\xFF'), 0x62A8AB43u},
      {ascending, 0x46DD794Eu},
      {descending, 0x113FDB5Cu},
  };
}

TEST(HashTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(HashTest, Crc32cKnownVectors) {
  // The oracle is checked too, so the comparisons below mean something.
  for (const CrcVector& v : KnownVectors()) {
    SCOPED_TRACE(testing::PrintToString(v.data));
    EXPECT_EQ(NaiveCrc32c(v.data), v.crc);
    EXPECT_EQ(Crc32c(v.data), v.crc);
    EXPECT_EQ(Crc32cPortable(v.data), v.crc);
  }
}

TEST(HashTest, Crc32cReportsItsPath) {
  // Informational: which path Crc32c took on this machine. Both are compared
  // against the oracle below either way.
  std::printf("Crc32c accelerated: %s\n", Crc32cIsAccelerated() ? "yes" : "no");
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  EXPECT_EQ(Crc32cIsAccelerated(), __builtin_cpu_supports("sse4.2") != 0);
#else
  EXPECT_FALSE(Crc32cIsAccelerated());
#endif
}

// Both CRC paths on buffer[offset, offset + len) against the bitwise oracle.
void ExpectBothPathsMatchOracle(const std::string& buffer, size_t offset,
                                size_t len) {
  const std::string_view piece(buffer.data() + offset, len);
  const uint32_t want = NaiveCrc32c(piece);
  ASSERT_EQ(Crc32cPortable(piece), want)
      << "offset " << offset << " length " << len;
  ASSERT_EQ(Crc32c(piece), want) << "offset " << offset << " length " << len;
}

TEST(HashTest, Crc32cMatchesOracleOnEveryShortLengthAndAlignment) {
  // Every tail length and start alignment of the word loops and the
  // byte-at-a-time prologue/epilogue.
  const std::string buffer = RandomBytes(300 + 16, 20261126);
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len <= 300; ++len) {
      ASSERT_NO_FATAL_FAILURE(ExpectBothPathsMatchOracle(buffer, offset, len));
    }
  }
}

TEST(HashTest, Crc32cMatchesOracleAroundInterleavedBlockSizes) {
  // The SSE4.2 path merges three interleaved streams over blocks of 3 * 256
  // and 3 * 8192 bytes (src/util/hash.cc); probe on and around those edges,
  // at odd and even alignments.
  const std::string buffer = RandomBytes(4 * 3 * 8192 + 64, 7);
  const size_t bases[] = {3 * 256, 2 * 3 * 256, 3 * 8192, 3 * 8192 + 3 * 256,
                          2 * 3 * 8192 + 5 * 3 * 256};
  for (size_t base : bases) {
    for (size_t delta = 0; delta <= 16; ++delta) {
      for (size_t offset : {0, 1, 3, 8}) {
        for (size_t len : {base - 8 + delta, base + delta}) {
          ASSERT_NO_FATAL_FAILURE(
              ExpectBothPathsMatchOracle(buffer, offset, len));
        }
      }
    }
  }
}

TEST(HashTest, Crc32cMatchesOracleOnOneMegabyte) {
  const std::string buffer = RandomBytes(1 << 20, 42);
  const uint32_t want = NaiveCrc32c(buffer);
  EXPECT_EQ(Crc32cPortable(buffer), want);
  EXPECT_EQ(Crc32c(buffer), want);
  // Unaligned start and odd length.
  const std::string_view tail(buffer.data() + 5, buffer.size() - 12);
  const uint32_t want_tail = NaiveCrc32c(tail);
  EXPECT_EQ(Crc32cPortable(tail), want_tail);
  EXPECT_EQ(Crc32c(tail), want_tail);
}

TEST(HashTest, Crc32cDetectsASingleBitFlip) {
  // What the snapshot trailer relies on: any one-bit change alters the CRC.
  std::string buffer = RandomBytes(100000, 99);
  const uint32_t original = Crc32c(buffer);
  for (size_t pos : {size_t{0}, size_t{7}, size_t{24575}, size_t{99999}}) {
    buffer[pos] ^= 0x10;
    EXPECT_NE(Crc32c(buffer), original) << "flip at " << pos;
    EXPECT_EQ(Crc32c(buffer), Crc32cPortable(buffer));
    buffer[pos] ^= 0x10;
  }
  EXPECT_EQ(Crc32c(buffer), original);
}

}  // namespace
}  // namespace birthright
