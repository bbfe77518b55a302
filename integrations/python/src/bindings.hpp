#pragma once
// Shared pieces of the `tblog._tblog` extension module: the object behind a Python
// SummaryWriter, the exception types, and the binders each source file provides.
#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>

#include "tblog/error.hpp"
#include "tblog/step.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog::python {

namespace py = pybind11;

// What a Python SummaryWriter holds: the C++ writer. Python's `tblog.SummaryWriter`
// subclasses the type bound to this, so its instances carry this object inline.
struct WriterCore {
  std::unique_ptr<SummaryWriter> writer;
  SummaryWriter& get() const;  // throws ErrorCode::closed once closed
};

// A step and optional wall time as every add_* takes them.
inline Step make_step(std::int64_t step, std::optional<double> walltime) {
  return walltime ? Step(step, *walltime) : Step(step);
}

// Sets the Python error for a tblog::Error (the subclass of tblog.Error its code maps to).
void set_python_error(const Error& error);
// The exception type raised for invalid arguments found on the C++ side.
PyObject* invalid_argument_type();

void bind_errors(py::module_& m);
void bind_writer(py::module_& m);
void install_fast_add_scalar(py::handle writer_core_type);
void bind_graph(py::module_& m);
void bind_progress(py::module_& m);
void bind_reader(py::module_& m);

}  // namespace tblog::python
