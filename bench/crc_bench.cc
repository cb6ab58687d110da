// CRC-32C throughput (the snapshot trailer check,
// src/snapshot/snapshot_reader.cc).
// Three implementations measured in the same run:
//   ByteAtATime — the original 256-entry table loop, one byte per step; the
//                 baseline.
//   Portable    — Crc32cPortable: slicing-by-8.
//   Crc32c      — the public entry: SSE4.2 crc32 over three interleaved
//                 streams when the CPU has it, else Portable.
// Sizes: 64 B, 4 KiB, 64 KiB and 28 MiB (a 10k-rule snapshot is 28.7 MB).
// Every benchmark first checks its answer against the bitwise definition.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <string_view>

#include "bench_main.h"
#include "util/hash.h"

namespace birthright::bench {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;

constexpr std::array<uint32_t, 256> MakeByteTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kByteTable = MakeByteTable();

// The implementation Crc32c had before slicing-by-8 and SSE4.2.
uint32_t ByteAtATimeCrc32c(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) crc = kByteTable[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// The definition, one bit at a time: the oracle.
uint32_t BitwiseCrc32c(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (kPoly & (0u - (crc & 1u)));
    }
  }
  return crc ^ 0xFFFFFFFFu;
}

struct Buffer {
  std::string bytes;
  uint32_t expected = 0;
};

const Buffer& Get(int64_t size) {
  static std::map<int64_t, Buffer> cache;
  Buffer& b = cache[size];
  if (b.bytes.empty() && size > 0) {
    std::mt19937_64 rng(size);
    b.bytes.resize(static_cast<size_t>(size));
    for (char& c : b.bytes) c = static_cast<char>(rng() & 0xFF);
    b.expected = BitwiseCrc32c(b.bytes);
  }
  return b;
}

template <uint32_t (*Fn)(std::string_view)>
void BM_Crc(benchmark::State& state) {
  const Buffer& b = Get(state.range(0));
  if (Fn(b.bytes) != b.expected) {
    state.SkipWithError("CRC disagrees with the bitwise definition");
    return;
  }
  for (auto _ : state) {
    uint32_t crc = Fn(b.bytes);
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(b.bytes.size()));
}

void Sizes(benchmark::internal::Benchmark* b) {
  b->Arg(64)->Arg(4 << 10)->Arg(64 << 10)->Arg(28 << 20);
}

BENCHMARK_TEMPLATE(BM_Crc, ByteAtATimeCrc32c)
    ->Name("ByteAtATime")
    ->Apply(Sizes);
BENCHMARK_TEMPLATE(BM_Crc, Crc32cPortable)->Name("Portable")->Apply(Sizes);
BENCHMARK_TEMPLATE(BM_Crc, Crc32c)->Name("Crc32c")->Apply(Sizes);

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) {
  std::printf("Crc32c uses SSE4.2: %s\n",
              birthright::Crc32cIsAccelerated() ? "yes" : "no");
  return birthright::bench::RunBenchmarks(argc, argv);
}
