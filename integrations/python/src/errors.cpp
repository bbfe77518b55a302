// tblog's exceptions in Python. Each subclasses tblog.Error and the builtin a Python user
// would already catch for that failure: ValueError for bad values, TypeError for values of
// the wrong type, ValueError for a closed writer (as for a closed file), OSError for the disk.
#include "bindings.hpp"

namespace tblog::python {
namespace {

struct ErrorTypes {
  PyObject* base = nullptr;
  PyObject* invalid_argument = nullptr;
  PyObject* invalid_type = nullptr;
  PyObject* closed = nullptr;
  PyObject* write = nullptr;
  PyObject* corrupt = nullptr;
};
ErrorTypes types;  // created once, kept for the life of the process

PyObject* new_type(py::module_& m, const char* name, const char* doc, PyObject* builtin) {
  py::tuple bases = builtin ? py::make_tuple(py::handle(types.base), py::handle(builtin))
                            : py::make_tuple(py::handle(PyExc_Exception));
  const std::string qualified = std::string("tblog.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));  // the module holds a reference; so do we
  Py_INCREF(type);
  return type;
}

}  // namespace

PyObject* invalid_argument_type() { return types.invalid_argument; }

void set_python_error(const Error& error) {
  PyObject* type = types.base;
  switch (error.code()) {
    case ErrorCode::invalid_argument: type = types.invalid_argument; break;
    case ErrorCode::closed: type = types.closed; break;
    case ErrorCode::io:
    case ErrorCode::events_lost: type = types.write; break;
    case ErrorCode::corrupt: type = types.corrupt; break;
  }
  PyErr_SetString(type, error.what());
}

void bind_errors(py::module_& m) {
  types.base = new_type(m, "Error", "Base of every exception tblog raises.", nullptr);
  types.invalid_argument = new_type(m, "InvalidArgumentError",
      "An argument's value is not allowed; the message names the argument. Nothing was "
      "written for the call. Also a ValueError.", PyExc_ValueError);
  types.invalid_type = new_type(m, "InvalidTypeError",
      "An argument's type is not accepted; the message names the argument. Nothing was "
      "written for the call. Also a TypeError.", PyExc_TypeError);
  types.closed = new_type(m, "ClosedError",
      "The writer was closed before the call. Also a ValueError, as for a closed file.",
      PyExc_ValueError);
  types.write = new_type(m, "WriteError",
      "The operating system refused a file operation, or events were lost to such errors "
      "since the last flush() or close(). Also an OSError.", PyExc_OSError);
  types.corrupt = new_type(m, "CorruptFileError",
      "A file's bytes are not what the format allows. Also a ValueError.", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const Error& error) {
      set_python_error(error);
    }
  });
}

}  // namespace tblog::python
