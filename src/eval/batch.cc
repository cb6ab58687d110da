#include "birthright/batch.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace birthright {

std::vector<Decision> EvaluateMany(const CompiledPolicy& policy,
                                   const std::vector<Person>& people,
                                   Date as_of, const BatchOptions& options) {
  const int64_t total = static_cast<int64_t>(people.size());
  std::vector<Decision> out(people.size());
  int threads = options.threads;
  if (threads <= 0)
    threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(
      std::min<int64_t>(threads, std::max<int64_t>(1, total / 64)));
  // Work is handed out in fixed chunks through one atomic counter; each
  // result lands in its own slot, so order never depends on scheduling.
  constexpr int64_t kChunk = 256;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  const int64_t step = std::max<int64_t>(1, total / 100);
  auto worker = [&] {
    DecisionBuffer buf;
    while (true) {
      const int64_t begin = next.fetch_add(kChunk);
      if (begin >= total) break;
      const int64_t end = std::min(total, begin + kChunk);
      for (int64_t i = begin; i < end; ++i) {
        const Person& p = people[i];
        const std::vector<std::string_view> slots = policy.SlotsOf(p);
        policy.Evaluate(slots, as_of, &buf);
        out[i] = policy.ToDecision(p.id, buf);
      }
      const int64_t before = done.fetch_add(end - begin);
      if (options.progress &&
          (before + (end - begin)) / step != before / step) {
        options.progress(before + (end - begin), total);
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
  }
  return out;
}

}  // namespace birthright
