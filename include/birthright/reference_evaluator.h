// The reference evaluator: SPEC §2–§5 written as plainly as possible.
//
// NEVER FOR PRODUCTION. It scans every rule for every person — exactly what
// a spreadsheet macro does — and exists as the oracle that every fast path
// (decision DAG, snapshots, deltas) is tested against on random inputs.
// Keep it obviously correct rather than fast.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_REFERENCE_EVALUATOR_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_REFERENCE_EVALUATOR_H_

#include "birthright/bound_policy.h"
#include "birthright/date.h"
#include "birthright/decision.h"
#include "birthright/policy.h"

namespace birthright {

// Evaluates `person` under `policy` at `as_of`. Rules marked invalid by a
// non-strict bind fail closed: an invalid grant grants nothing, an invalid
// deny applies to the targets that resolved. When `explain`, also
// lists withheld grants. Thread-safe for concurrent calls.
Decision EvaluateReference(const BoundPolicy& policy, const BoundPerson& person,
                           Date as_of, bool explain = false);
Decision EvaluateReference(const BoundPolicy& policy, const Person& person,
                           Date as_of, bool explain = false);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_REFERENCE_EVALUATOR_H_
