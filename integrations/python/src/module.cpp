// The extension module `tblog._tblog`: tblog's C++ core as the Python package sees it. The
// package's public API (tblog.SummaryWriter, ...) is written in Python on top of it.
#include "bindings.hpp"
#include "tblog/version.hpp"

PYBIND11_MODULE(_tblog, m) {
  using namespace tblog::python;
  m.doc() = "tblog's C++ core: event files written on a C++ thread. Use the tblog package.";
  m.attr("__version__") = TBLOG_VERSION_STRING;
  bind_errors(m);
  bind_writer(m);
  bind_graph(m);
  bind_progress(m);
  bind_reader(m);
}
