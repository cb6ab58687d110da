// The shared `main` of the benchmark binaries: says which compiler built
// them and whether the build is optimized (figures from an unoptimized
// build are not representative), then runs Google Benchmark.
#ifndef BIRTHRIGHT_BENCH_BENCH_MAIN_H_
#define BIRTHRIGHT_BENCH_BENCH_MAIN_H_

#include <benchmark/benchmark.h>

#include <cstdio>

namespace birthright::bench {

inline int RunBenchmarks(int argc, char** argv) {
#ifdef __VERSION__
  std::printf("compiler: %s\n", __VERSION__);
#endif
#if defined(__OPTIMIZE__)
  std::printf("build: optimized\n");
#else
  std::printf("WARNING: unoptimized build; figures are not representative\n");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace birthright::bench

#endif  // BIRTHRIGHT_BENCH_BENCH_MAIN_H_
