// The `birthright._core` extension: a thin shell over the C++ core
// (STYLE.md §13). Each area registers itself from its own register_<area>.cc;
// the pure-Python package `birthright` wraps these into a pythonic API.
#include <pybind11/pybind11.h>

#include "birthright/birthright.h"
#include "core.h"

PYBIND11_MODULE(_core, m) {
  m.doc() =
      "birthright C++ core (use the `birthright` package, not this module)";
  m.attr("__version__") = BR_VERSION_STRING;
  birthright::python::RegisterErrors(m);
  birthright::python::RegisterPolicy(m);
  birthright::python::RegisterCompile(m);
  birthright::python::RegisterEval(m);
  birthright::python::RegisterDelta(m);
  birthright::python::RegisterSnapshot(m);
  birthright::python::RegisterCheck(m);
  birthright::python::RegisterLifecycle(m);
  birthright::python::RegisterText(m);
}
