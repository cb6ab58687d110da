// Population deltas: HR sync over two exports and a policy change over one
// (SPEC §6). See delta.h.
#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "birthright/delta.h"
#include "delta/delta_internal.h"
#include "util/status_macros.h"

namespace birthright {
namespace {

// One person of either export: index into before / after, or -1.
struct Pair {
  std::string_view id;
  int32_t before = -1;
  int32_t after = -1;
};

absl::StatusOr<std::vector<Pair>> PairPeople(const Population& before,
                                             const Population& after) {
  // One hash map per export both pairs people and rejects duplicate ids.
  absl::flat_hash_map<std::string_view, int32_t> in_before, in_after;
  in_before.reserve(before.people.size());
  in_after.reserve(after.people.size());
  std::vector<Pair> pairs;
  pairs.reserve(std::max(before.people.size(), after.people.size()));
  for (size_t i = 0; i < before.people.size(); ++i) {
    if (!in_before.emplace(before.people[i].id, static_cast<int32_t>(i))
             .second) {
      return delta_internal::DuplicateIdError(before, before.people[i]);
    }
    pairs.push_back(Pair{before.people[i].id, static_cast<int32_t>(i), -1});
  }
  for (size_t i = 0; i < after.people.size(); ++i) {
    if (!in_after.emplace(after.people[i].id, static_cast<int32_t>(i)).second) {
      return delta_internal::DuplicateIdError(after, after.people[i]);
    }
    auto it = in_before.find(after.people[i].id);
    if (it != in_before.end()) {
      pairs[it->second].after = static_cast<int32_t>(i);
    } else {
      pairs.push_back(Pair{after.people[i].id, -1, static_cast<int32_t>(i)});
    }
  }
  // SPEC §11: ids sorted by code point. std::string_view compares bytes as
  // unsigned char, and UTF-8 byte order is code-point order.
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& a, const Pair& b) { return a.id < b.id; });
  return pairs;
}

}  // namespace

absl::StatusOr<std::vector<PersonDelta>> HrSync(const CompiledPolicy& policy,
                                                const Population& before,
                                                const Population& after,
                                                const HrSyncOptions& options) {
  BR_ASSIGN_OR_RETURN(std::vector<Pair> pairs, PairPeople(before, after));
  const Date before_as_of = options.before_as_of.value_or(options.as_of);
  std::vector<PersonDelta> out(pairs.size());
  delta_internal::ParallelFor(
      static_cast<int64_t>(pairs.size()), options.threads,
      [&](int64_t begin, int64_t end) {
        // Per chunk: one filler per export, so column lookups are cached.
        auto scratch = std::make_unique<delta_internal::FastScratch>();
        delta_internal::SlotFiller fill_before(policy), fill_after(policy);
        for (int64_t i = begin; i < end; ++i) {
          const Pair& p = pairs[i];
          const std::vector<std::string_view>* bs = nullptr;
          const std::vector<std::string_view>* as = nullptr;
          if (p.before >= 0) {
            fill_before.Fill(before.people[p.before], &scratch->before_slots);
            bs = &scratch->before_slots;
          }
          if (p.after >= 0) {
            fill_after.Fill(after.people[p.after], &scratch->after_slots);
            as = &scratch->after_slots;
          }
          out[i] = delta_internal::FastDelta(policy, std::string(p.id), bs, as,
                                             before_as_of, options.as_of,
                                             scratch.get());
        }
      });
  return out;
}

absl::StatusOr<std::vector<PersonDelta>> HrSyncReference(
    const BoundPolicy& policy, const Population& before,
    const Population& after, const HrSyncOptions& options) {
  BR_ASSIGN_OR_RETURN(std::vector<Pair> pairs, PairPeople(before, after));
  const Date before_as_of = options.before_as_of.value_or(options.as_of);
  std::vector<PersonDelta> out;
  out.reserve(pairs.size());
  for (const Pair& p : pairs) {
    out.push_back(DeltaReference(
        policy, p.before >= 0 ? &before.people[p.before] : nullptr,
        p.after >= 0 ? &after.people[p.after] : nullptr, before_as_of,
        options.as_of));
  }
  return out;
}

absl::StatusOr<std::vector<PersonDelta>> PolicyDeltaPopulation(
    const CompiledPolicy& before, const CompiledPolicy& after,
    const Population& people, Date as_of, int threads) {
  BR_RETURN_IF_ERROR(delta_internal::CheckUniqueIds(people));
  std::vector<const Person*> sorted;
  sorted.reserve(people.people.size());
  for (const Person& p : people.people) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const Person* a, const Person* b) { return a->id < b->id; });
  std::vector<PersonDelta> out(sorted.size());
  delta_internal::ParallelFor(static_cast<int64_t>(sorted.size()), threads,
                              [&](int64_t begin, int64_t end) {
                                for (int64_t i = begin; i < end; ++i) {
                                  out[i] = PolicyDelta(before, after,
                                                       *sorted[i], as_of);
                                }
                              });
  return out;
}

}  // namespace birthright
