// Batch evaluation of a population on several threads (SPEC §5): the
// output order is the input order whatever the thread count, so the same
// inputs give byte-identical output.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BATCH_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BATCH_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "birthright/compiled_policy.h"
#include "birthright/decision.h"
#include "birthright/policy.h"

namespace birthright {

struct BatchOptions {
  int threads = 1;  // <= 0 means one per hardware thread.
  // Called from worker threads with (done, total) roughly every 1% of the
  // work; must be thread-safe. May be empty.
  std::function<void(int64_t, int64_t)> progress;
};

// Evaluates every person of `people` at `as_of`; result i is people[i].
std::vector<Decision> EvaluateMany(const CompiledPolicy& policy,
                                   const std::vector<Person>& people,
                                   Date as_of,
                                   const BatchOptions& options = {});

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_BATCH_H_
