#include "birthright/batch.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace birthright {
namespace {

// A worker's view of the columns: the last person's attribute names and
// where each goes. An HR export gives every person the same columns in the
// same order, so after the first person a column costs a comparison of
// names instead of folding and looking one up (SlotsOf's cost).
class ColumnSlots {
 public:
  explicit ColumnSlots(const CompiledPolicy& policy) : policy_(policy) {}

  // What SlotsOf(person) returns, written into `*slots`.
  void Fill(const Person& person, std::vector<std::string_view>* slots) {
    const size_t n = person.attributes.size();
    if (names_.size() != n) {
      names_.assign(n, {});
      targets_.assign(n, {});
      known_.assign(n, false);
    }
    slots->assign(static_cast<size_t>(policy_.slot_count()), {});
    for (size_t i = 0; i < n; ++i) {
      const auto& [name, value] = person.attributes[i];
      if (!known_[i] || names_[i] != name) {
        names_[i] = name;
        targets_[i] = policy_.SlotOf(name);
        known_[i] = true;
      }
      targets_[i].Place(value, *slots);
    }
  }

 private:
  const CompiledPolicy& policy_;
  std::vector<std::string> names_;
  std::vector<SlotTarget> targets_;
  std::vector<bool> known_;
};

}  // namespace

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
    ColumnSlots columns(policy);
    std::vector<std::string_view> slots;
    while (true) {
      const int64_t begin = next.fetch_add(kChunk);
      if (begin >= total) break;
      const int64_t end = std::min(total, begin + kChunk);
      for (int64_t i = begin; i < end; ++i) {
        const Person& p = people[i];
        columns.Fill(p, &slots);
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
