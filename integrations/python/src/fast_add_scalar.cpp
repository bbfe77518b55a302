// add_scalar, the call a training loop makes most: a METH_FASTCALL method that reads
// (str, float|int[, int|None]) straight off the argument array and calls the C++ writer,
// skipping pybind11's general dispatch (several hundred nanoseconds). Every other form of
// the call (keywords, numpy or torch values, walltime=...) goes to the Python method
// `_add_scalar_slow`, which converts and validates as PyTorch's add_scalar does.
#include "bindings.hpp"

namespace tblog::python {
namespace {

PyObject* slow_path_name = nullptr;  // interned "_add_scalar_slow"

// The WriterCore inside a _WriterCore instance (or of a Python subclass of it: a subclass
// with one pybind11 base keeps pybind11's simple layout). nullptr before __init__ ran.
WriterCore* core_of(PyObject* self) {
  auto* instance = reinterpret_cast<py::detail::instance*>(self);
  if (!instance->simple_layout) return nullptr;
  return static_cast<WriterCore*>(instance->simple_value_holder[0]);
}

PyObject* add_scalar(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (kwnames == nullptr && (nargs == 2 || nargs == 3)) {
    PyObject* tag = args[0];
    PyObject* value = args[1];
    PyObject* step = nargs == 3 ? args[2] : Py_None;
    const bool plain_value = PyFloat_CheckExact(value) || PyLong_CheckExact(value);
    if (PyUnicode_CheckExact(tag) && plain_value && (step == Py_None || PyLong_CheckExact(step))) {
      WriterCore* core = core_of(self);
      Py_ssize_t tag_size = 0;
      // The UTF-8 form is cached in the str object: free after the first call with a tag.
      const char* tag_utf8 = core ? PyUnicode_AsUTF8AndSize(tag, &tag_size) : nullptr;
      if (tag_utf8 != nullptr) {
        const double number =
            PyFloat_CheckExact(value) ? PyFloat_AS_DOUBLE(value) : PyLong_AsDouble(value);
        const long long step_value = step == Py_None ? 0 : PyLong_AsLongLong(step);
        if (PyErr_Occurred()) {
          // A huge int, or a tag with lone surrogates: the slow path says what is wrong.
          PyErr_Clear();
        } else {
          try {
            core->get().add_scalar(std::string_view(tag_utf8, static_cast<std::size_t>(tag_size)),
                                   number, Step(static_cast<std::int64_t>(step_value)));
          } catch (const Error& error) {
            set_python_error(error);
            return nullptr;
          }
          Py_RETURN_NONE;
        }
      } else {
        PyErr_Clear();
      }
    }
  }
  // self first, then the arguments as given: a vectorcall of the method by name.
  const Py_ssize_t total = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
  PyObject* small[8];
  std::unique_ptr<PyObject*[]> large;
  PyObject** call_args = small;
  if (total + 1 > 8) {
    large.reset(new PyObject*[static_cast<std::size_t>(total + 1)]);
    call_args = large.get();
  }
  call_args[0] = self;
  for (Py_ssize_t i = 0; i < total; ++i) call_args[i + 1] = args[i];
  return PyObject_VectorcallMethod(slow_path_name, call_args,
                                   static_cast<std::size_t>(nargs + 1), kwnames);
}

PyMethodDef add_scalar_def = {
    "add_scalar", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(add_scalar)),
    METH_FASTCALL | METH_KEYWORDS,
    "add_scalar($self, tag, scalar_value, global_step=None, walltime=None, new_style=False, "
    "double_precision=False)\n--\n\n"
    "Adds a scalar, as PyTorch's SummaryWriter.add_scalar.\n\n"
    "tag (str): the series' name. scalar_value: a number, a numpy scalar or one-element\n"
    "array, or a one-element torch tensor (detached and copied). global_step (int): the\n"
    "step, 0 if None. walltime (float): seconds since the epoch, now if None.\n"
    "new_style (bool): store a float32 tensor under the scalars plugin instead of\n"
    "simple_value. double_precision (bool): with new_style, a float64 tensor.\n\n"
    "Raises tblog.InvalidArgumentError (a ValueError) or tblog.InvalidTypeError (a\n"
    "TypeError) naming the bad argument; nothing is written then."};

}  // namespace

void install_fast_add_scalar(py::handle writer_core_type) {
  slow_path_name = PyUnicode_InternFromString("_add_scalar_slow");
  auto* type = reinterpret_cast<PyTypeObject*>(writer_core_type.ptr());
  PyObject* descriptor = PyDescr_NewMethod(type, &add_scalar_def);
  if (descriptor == nullptr || PyObject_SetAttrString(writer_core_type.ptr(), "add_scalar", descriptor) != 0) {
    Py_XDECREF(descriptor);
    throw py::error_already_set();
  }
  Py_DECREF(descriptor);
}

}  // namespace tblog::python
