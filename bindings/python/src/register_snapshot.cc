// Snapshots (SPEC §9): a compiled policy to bytes and back, verified on
// load (snapshot.h). Both directions release the GIL.
#include <memory>
#include <string>

#include "birthright/snapshot.h"
#include "core.h"

namespace birthright::python {

void RegisterSnapshot(py::module_& m) {
  m.def(
      "write_snapshot",
      [](const Compiled& c) {
        std::string bytes;
        {
          py::gil_scoped_release release;
          bytes = WriteSnapshot(*c.compiled);
        }
        return py::bytes(bytes);
      },
      py::arg("compiled"),
      "Serializes a compiled policy (deterministic bytes).");

  m.def(
      "load_snapshot",
      [](py::bytes data) {
        // Borrow the bytes object's buffer: LoadSnapshot copies what it keeps.
        char* buf = nullptr;
        Py_ssize_t n = 0;
        if (PyBytes_AsStringAndSize(data.ptr(), &buf, &n) != 0)
          throw py::error_already_set();
        absl::StatusOr<std::unique_ptr<CompiledPolicy>> loaded;
        {
          py::gil_scoped_release release;
          loaded = LoadSnapshot(std::string_view(buf, static_cast<size_t>(n)));
        }
        Compiled out;
        out.compiled = ValueOrThrow(std::move(loaded));
        out.bound = out.compiled->shared_policy();
        return out;
      },
      py::arg("data"),
      "Verifies and loads snapshot bytes: DataLossError when corrupt, "
      "InvalidArgumentError when not a snapshot, FailedPreconditionError "
      "for a newer format.");
}

}  // namespace birthright::python
