// The one place where absl::Status codes become Python exceptions.
//
// Error (base of everything birthright raises)
//   InvalidArgumentError (ValueError): malformed input; names file:line:col
//   NotFoundError (LookupError): a file or item that does not exist
//   ResourceExhaustedError: a documented limit was hit
//   DataLossError (ValueError): corrupt bytes (snapshots)
//   FailedPreconditionError: e.g. a newer snapshot format
//   OutOfRangeError (ValueError): a value outside its range (e.g. days)
//   UnimplementedError (NotImplementedError): not supported (yet)
//   InternalError (RuntimeError): a bug in birthright
//
// Each class has a `code` attribute with the status name ("INVALID_ARGUMENT").
#include <Python.h>

#include <string>

#include "core.h"

namespace birthright::python {
namespace {

struct Exceptions {
  PyObject* error = nullptr;
  PyObject* invalid_argument = nullptr;
  PyObject* not_found = nullptr;
  PyObject* resource_exhausted = nullptr;
  PyObject* data_loss = nullptr;
  PyObject* failed_precondition = nullptr;
  PyObject* out_of_range = nullptr;
  PyObject* unimplemented = nullptr;
  PyObject* internal = nullptr;
};
// Created once at import and never freed: the module keeps them alive too.
Exceptions g_exceptions;

PyObject* Define(py::module_& m, const char* name, const char* code,
                 py::tuple bases, const char* doc) {
  const std::string qualified = std::string("birthright._core.") + name;
  PyObject* cls =
      PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (cls == nullptr) throw py::error_already_set();
  py::handle h(cls);
  h.attr("code") = code;
  h.attr("__module__") = "birthright";
  m.add_object(name, py::reinterpret_borrow<py::object>(h));
  return cls;
}

}  // namespace

void RegisterErrors(py::module_& m) {
  Exceptions& e = g_exceptions;
  py::tuple base = py::make_tuple(py::handle(PyExc_Exception));
  e.error =
      Define(m, "Error", "UNKNOWN", base, "Base class of birthright's errors.");
  py::handle err(e.error);
  auto with = [&](PyObject* builtin) {
    return py::make_tuple(err, py::handle(builtin));
  };
  e.invalid_argument = Define(
      m, "InvalidArgumentError", "INVALID_ARGUMENT", with(PyExc_ValueError),
      "Malformed input: the message names file:line:col.");
  e.not_found = Define(m, "NotFoundError", "NOT_FOUND", with(PyExc_LookupError),
                       "A file or item that does not exist.");
  e.resource_exhausted =
      Define(m, "ResourceExhaustedError", "RESOURCE_EXHAUSTED",
             py::make_tuple(err), "A documented limit was hit.");
  e.data_loss = Define(m, "DataLossError", "DATA_LOSS", with(PyExc_ValueError),
                       "Corrupt bytes.");
  e.failed_precondition =
      Define(m, "FailedPreconditionError", "FAILED_PRECONDITION",
             py::make_tuple(err), "E.g. a version mismatch.");
  e.out_of_range =
      Define(m, "OutOfRangeError", "OUT_OF_RANGE", with(PyExc_ValueError),
             "A value outside its allowed range (e.g. days).");
  e.unimplemented =
      Define(m, "UnimplementedError", "UNIMPLEMENTED",
             with(PyExc_NotImplementedError), "Not supported (yet).");
  e.internal = Define(m, "InternalError", "INTERNAL", with(PyExc_RuntimeError),
                      "A bug in birthright; please report it.");
}

void ThrowStatus(const absl::Status& status) {
  const Exceptions& e = g_exceptions;
  PyObject* cls = e.error;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      cls = e.invalid_argument;
      break;
    case absl::StatusCode::kNotFound:
      cls = e.not_found;
      break;
    case absl::StatusCode::kResourceExhausted:
      cls = e.resource_exhausted;
      break;
    case absl::StatusCode::kDataLoss:
      cls = e.data_loss;
      break;
    case absl::StatusCode::kFailedPrecondition:
      cls = e.failed_precondition;
      break;
    case absl::StatusCode::kOutOfRange:
      cls = e.out_of_range;
      break;
    case absl::StatusCode::kUnimplemented:
      cls = e.unimplemented;
      break;
    case absl::StatusCode::kInternal:
      cls = e.internal;
      break;
    default:
      break;
  }
  // Debian's absl::string_view is not std::string_view: copy at the edge.
  const std::string message(status.message().data(), status.message().size());
  PyErr_SetString(cls, message.c_str());
  throw py::error_already_set();
}

Date ParseAsOf(const std::string& text) {
  std::optional<Date> d = ParseIsoDate(text);
  if (!d)
    ThrowStatus(absl::InvalidArgumentError("as_of: expected YYYY-MM-DD, got '" +
                                           text + "'"));
  return *d;
}

}  // namespace birthright::python
