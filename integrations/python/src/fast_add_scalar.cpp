// add_scalar, the call a training loop makes most: a METH_FASTCALL method that reads its
// arguments straight off the argument array and calls the C++ writer, skipping pybind11's
// general dispatch (several hundred nanoseconds). It takes a str tag; a value with
// __float__ (float, int, numpy scalar, one-element tensor); a step that is None or has
// __index__; a float walltime; global_step= and walltime= as keywords. Every other form of
// the call goes to the Python method `_add_scalar_slow`, which converts and validates as
// PyTorch's add_scalar does and names what is wrong.
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

// The keywords the fast path reads; any other keyword goes to the slow path.
PyObject* global_step_name = nullptr;
PyObject* walltime_name = nullptr;

// A number from a float, an int, or anything with __float__ but a str, bytes or a
// container (a numpy scalar, a one-element tensor). False, with no error set, where the
// slow path must decide.
bool number_of(PyObject* value, double* out) {
  if (PyFloat_CheckExact(value)) {
    *out = PyFloat_AS_DOUBLE(value);
    return true;
  }
  PyNumberMethods* number = Py_TYPE(value)->tp_as_number;
  if (number == nullptr || number->nb_float == nullptr || PyUnicode_Check(value) ||
      PyBytes_Check(value)) {
    return false;
  }
  PyObject* as_float = PyNumber_Float(value);  // a tensor's item(), numpy's float()
  if (as_float == nullptr) {
    PyErr_Clear();
    return false;
  }
  *out = PyFloat_AS_DOUBLE(as_float);
  Py_DECREF(as_float);
  return true;
}

// A step from None, an int, or anything with __index__ (numpy ints, integer tensors); a
// float step goes to the slow path, which refuses a fractional one.
bool step_of(PyObject* value, long long* out) {
  if (value == Py_None) {
    *out = 0;
    return true;
  }
  if (PyFloat_Check(value) || PyBool_Check(value)) return false;
  PyObject* index = PyLong_CheckExact(value) ? (Py_INCREF(value), value) : PyNumber_Index(value);
  if (index == nullptr) {
    PyErr_Clear();
    return false;
  }
  *out = PyLong_AsLongLong(index);
  Py_DECREF(index);
  if (*out == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    return false;
  }
  return true;
}

PyObject* add_scalar(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  // add_scalar(tag, value[, global_step[, walltime]]), global_step= and walltime= also as
  // keywords: everything else (new_style, tags given by keyword, ...) is the slow path's.
  PyObject* step = Py_None;
  PyObject* walltime = Py_None;
  bool fast = nargs >= 2 && nargs <= 4;
  if (fast && nargs >= 3) step = args[2];
  if (fast && nargs == 4) walltime = args[3];
  const Py_ssize_t keywords = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t k = 0; fast && k < keywords; ++k) {
    PyObject* name = PyTuple_GET_ITEM(kwnames, k);
    if (name == global_step_name && nargs < 3) {
      step = args[nargs + k];
    } else if (name == walltime_name && nargs < 4) {
      walltime = args[nargs + k];
    } else {
      fast = false;  // (keyword names are interned, so identity is the common match)
    }
  }
  WriterCore* core = fast ? core_of(self) : nullptr;
  if (core != nullptr && PyUnicode_CheckExact(args[0]) &&
      (walltime == Py_None || PyFloat_CheckExact(walltime))) {
    Py_ssize_t tag_size = 0;
    // The UTF-8 form is cached in the str object: free after the first call with a tag.
    const char* tag_utf8 = PyUnicode_AsUTF8AndSize(args[0], &tag_size);
    double number = 0;
    long long step_value = 0;
    if (tag_utf8 == nullptr) {
      PyErr_Clear();  // lone surrogates: the slow path says what is wrong
    } else if (number_of(args[1], &number) && step_of(step, &step_value)) {
      try {
        const std::string_view tag(tag_utf8, static_cast<std::size_t>(tag_size));
        if (walltime == Py_None) {
          core->get().add_scalar(tag, number, Step(static_cast<std::int64_t>(step_value)));
        } else {
          core->get().add_scalar(tag, number, Step(static_cast<std::int64_t>(step_value),
                                                    PyFloat_AS_DOUBLE(walltime)));
        }
      } catch (const Error& error) {
        set_python_error(error);
        return nullptr;
      }
      Py_RETURN_NONE;
    }
  }
  // self first, then the arguments as given: a vectorcall of the method by name.
  const Py_ssize_t total = nargs + keywords;
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
  global_step_name = PyUnicode_InternFromString("global_step");
  walltime_name = PyUnicode_InternFromString("walltime");
  auto* type = reinterpret_cast<PyTypeObject*>(writer_core_type.ptr());
  PyObject* descriptor = PyDescr_NewMethod(type, &add_scalar_def);
  if (descriptor == nullptr || PyObject_SetAttrString(writer_core_type.ptr(), "add_scalar", descriptor) != 0) {
    Py_XDECREF(descriptor);
    throw py::error_already_set();
  }
  Py_DECREF(descriptor);
}

}  // namespace tblog::python
