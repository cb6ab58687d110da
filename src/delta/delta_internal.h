// Pieces shared by the delta stage (src/delta/): the fast per-person delta
// on compact DAG answers, slot filling, classification and a small
// parallel-for. Not part of the public API.
#ifndef BIRTHRIGHT_SRC_DELTA_DELTA_INTERNAL_H_
#define BIRTHRIGHT_SRC_DELTA_DELTA_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/policy.h"

namespace birthright::delta_internal {

// The matching key of an entitlement: app and instance, folded (SPEC §4.3).
std::string EntKey(std::string_view app, std::string_view instance);

// True when `a` and `b` need no provisioning between them: same level,
// same scope set and same expiry (names compare case-insensitively).
bool SameGrant(const Entitlement& a, const Entitlement& b);

// The SPEC §6 kind from each side's state (see DeltaKind in delta.h).
DeltaKind Classify(bool before_active, bool after_active, bool attrs_differ,
                   bool has_actions);

// Fills CompiledPolicy input slots from a Person. Unlike
// CompiledPolicy::SlotsOf, a column that is both a policy attribute and the
// termination date (a schema row `termination date`) fills both slots, as
// BindPerson does. Caches the folded lookup per column position, so one
// filler per population (and per thread) pays FoldName once per column.
// Not thread-safe; borrows `policy`.
class SlotFiller {
 public:
  explicit SlotFiller(const CompiledPolicy& policy) : policy_(&policy) {}
  // Views into `person`'s strings; `person` must outlive their use.
  void Fill(const Person& person, std::vector<std::string_view>* slots);

 private:
  struct Column {
    bool valid = false;
    std::string name;
    int32_t attr = -1;
    bool termination = false;
  };
  const CompiledPolicy* policy_;
  std::vector<Column> columns_;
};

// True when the two slot vectors differ in a typed attribute value or the
// termination date (AttributesDiffer on slots).
bool SlotsDiffer(const CompiledPolicy& policy,
                 const std::vector<std::string_view>& a,
                 const std::vector<std::string_view>& b);

// Reusable buffers for FastDelta (one per thread).
struct FastScratch {
  std::vector<std::string_view> before_slots, after_slots;
  DecisionBuffer before, after, need;
  std::vector<int32_t> position;  // Instance → index in `before`, or -1.
  std::vector<uint8_t> fast_keep, before_used;
  std::vector<int32_t> before_of, need_of_before;
};

// The delta of one person on the compiled DAG. `before_slots` /
// `after_slots` may be null (absent). Compares compact answers first and
// converts to strings only what the delta carries.
PersonDelta FastDelta(const CompiledPolicy& policy, std::string person_id,
                      const std::vector<std::string_view>* before_slots,
                      const std::vector<std::string_view>* after_slots,
                      Date before_as_of, Date as_of, FastScratch* scratch);

// Runs fn(begin, end) over [0, n) in chunks on `threads` threads (<= 0:
// hardware concurrency). Each index is processed exactly once; results
// must go to per-index slots so output order never depends on scheduling.
void ParallelFor(int64_t n, int threads,
                 const std::function<void(int64_t, int64_t)>& fn);

// InvalidArgument when two people of `pop` share an id.
absl::Status CheckUniqueIds(const Population& pop);
// The InvalidArgument naming `person` (its row, else the file) as a repeat.
absl::Status DuplicateIdError(const Population& pop, const Person& person);

}  // namespace birthright::delta_internal

#endif  // BIRTHRIGHT_SRC_DELTA_DELTA_INTERNAL_H_
