// Shared declarations of the `_core` extension (bindings/python): one
// Register<Area> per register_<area>.cc, and the one place that turns an
// absl::Status into a Python exception (register_errors.cc).
#ifndef BIRTHRIGHT_BINDINGS_PYTHON_SRC_CORE_H_
#define BIRTHRIGHT_BINDINGS_PYTHON_SRC_CORE_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/date.h"
#include "birthright/policy.h"

namespace birthright::python {

namespace py = pybind11;

// The compiled policy as Python holds it: immutable, shared by every
// Decision-producing call, safe to use from many threads without the GIL.
struct Compiled {
  std::shared_ptr<const BoundPolicy> bound;
  std::shared_ptr<const CompiledPolicy> compiled;
};

void RegisterErrors(py::module_& m);
void RegisterPolicy(py::module_& m);
void RegisterCompile(py::module_& m);
void RegisterEval(py::module_& m);
void RegisterDelta(py::module_& m);
void RegisterSnapshot(py::module_& m);
void RegisterCheck(py::module_& m);
void RegisterLifecycle(py::module_& m);
void RegisterText(py::module_& m);

// Raises the Python exception for `status` (InvalidArgumentError, ...).
// REQUIRES: !status.ok(); the GIL is held.
[[noreturn]] void ThrowStatus(const absl::Status& status);
inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) ThrowStatus(status);
}
template <typename T>
T ValueOrThrow(absl::StatusOr<T> v) {
  if (!v.ok()) ThrowStatus(v.status());
  return std::move(v).value();
}

// "YYYY-MM-DD" → Date, or InvalidArgumentError.
Date ParseAsOf(const std::string& text);

// One HR value from Python: str as is; None, NaN and pandas' NaT are
// missing (""); bool → "true"/"false"; int; an integral float without its
// ".0"; date/datetime → ISO date; list/tuple/set → ';'-joined members (a set
// attribute, SPEC §8). Anything else: str(value). REQUIRES: the GIL.
std::string CellText(py::handle value);

// A person from a mapping: the key folding to "id", "personid" or
// "employeeid" (as in an HR export) is the id unless `id` is given; every
// other key is an attribute. REQUIRES: the GIL.
Person PersonFromMapping(py::handle mapping, const std::string* id);

// People from an iterable of mappings, or from columns (ids[i] with
// columns[c][i] for attribute names[c]: what a DataFrame gives).
std::vector<Person> PeopleFromRecords(py::iterable records);
std::vector<Person> PeopleFromColumns(const std::vector<std::string>& ids,
                                      const std::vector<std::string>& names,
                                      py::sequence columns);

}  // namespace birthright::python

#endif  // BIRTHRIGHT_BINDINGS_PYTHON_SRC_CORE_H_
