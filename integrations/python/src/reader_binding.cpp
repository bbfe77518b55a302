// Reading logdirs back from Python: runs, events and their values as tblog's reader decodes
// them (both CRCs checked, SessionLog START purges applied). tblog.read builds on this.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "tblog/reader.hpp"

namespace tblog::python {
namespace {

py::bytes bytes_of(const std::string& s) { return py::bytes(s); }

// A tensor's elements as a numpy array of its shape (float64 for numbers, object for strings).
py::object tensor_array(const TensorValue& t) {
  if (t.dtype == 7) {
    py::list strings;
    for (const auto& s : t.string_val) strings.append(py::bytes(s));
    return py::module_::import("numpy").attr("array")(strings, "object").attr("reshape")(t.shape);
  }
  const std::vector<double> values = t.as_doubles();
  py::array_t<double> result(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), result.mutable_data());
  return result.attr("reshape")(t.shape);
}

}  // namespace

void bind_reader(py::module_& m) {
  py::class_<ReadProblem>(m, "ReadProblem")
      .def_property_readonly("kind", [](const ReadProblem& p) {
        switch (p.kind) {
          case ReadProblem::Kind::truncated: return "truncated";
          case ReadProblem::Kind::corrupt: return "corrupt";
          case ReadProblem::Kind::unreadable: return "unreadable";
        }
        return "unknown";
      })
      .def_readonly("file", &ReadProblem::file)
      .def_readonly("offset", &ReadProblem::offset)
      .def_readonly("message", &ReadProblem::message)
      .def("__str__", &ReadProblem::to_string)
      .def("__repr__", [](const ReadProblem& p) { return "<ReadProblem " + p.to_string() + ">"; });

  py::class_<HistogramBuckets>(m, "Histogram")
      .def_readonly("min", &HistogramBuckets::min)
      .def_readonly("max", &HistogramBuckets::max)
      .def_readonly("num", &HistogramBuckets::num)
      .def_readonly("sum", &HistogramBuckets::sum)
      .def_readonly("sum_squares", &HistogramBuckets::sum_squares)
      .def_readonly("bucket_limits", &HistogramBuckets::bucket_limits)
      .def_readonly("bucket_counts", &HistogramBuckets::bucket_counts);

  py::class_<ImageValue>(m, "Image")
      .def_readonly("height", &ImageValue::height)
      .def_readonly("width", &ImageValue::width)
      .def_readonly("colorspace", &ImageValue::colorspace)
      .def_property_readonly("encoded", [](const ImageValue& v) { return bytes_of(v.encoded); });

  py::class_<AudioValue>(m, "Audio")
      .def_readonly("sample_rate", &AudioValue::sample_rate)
      .def_readonly("num_channels", &AudioValue::num_channels)
      .def_readonly("length_frames", &AudioValue::length_frames)
      .def_readonly("content_type", &AudioValue::content_type)
      .def_property_readonly("encoded", [](const AudioValue& v) { return bytes_of(v.encoded); });

  py::class_<TensorValue>(m, "Tensor")
      .def_readonly("dtype", &TensorValue::dtype, "TensorFlow's DataType code (1 float32, 2 float64, ...)")
      .def_readonly("shape", &TensorValue::shape)
      .def("numpy", &tensor_array, "The elements as a numpy array of the tensor's shape.");

  py::class_<SummaryValue>(m, "Value")
      .def_readonly("tag", &SummaryValue::tag)
      .def_property_readonly("kind", [](const SummaryValue& v) {
        switch (v.kind) {
          case SummaryValue::Kind::simple_value: return "simple_value";
          case SummaryValue::Kind::image: return "image";
          case SummaryValue::Kind::histogram: return "histogram";
          case SummaryValue::Kind::audio: return "audio";
          case SummaryValue::Kind::tensor: return "tensor";
          case SummaryValue::Kind::none: break;
        }
        return "none";
      })
      .def_readonly("has_metadata", &SummaryValue::has_metadata)
      .def_readonly("plugin_name", &SummaryValue::plugin_name)
      .def_property_readonly("plugin_content",
                             [](const SummaryValue& v) { return bytes_of(v.plugin_content); })
      .def_readonly("display_name", &SummaryValue::display_name)
      .def_readonly("description", &SummaryValue::description)
      .def_readonly("data_class", &SummaryValue::data_class)
      .def_readonly("simple_value", &SummaryValue::simple_value)
      .def_readonly("image", &SummaryValue::image)
      .def_readonly("histogram", &SummaryValue::histogram)
      .def_readonly("audio", &SummaryValue::audio)
      .def_readonly("tensor", &SummaryValue::tensor);

  py::class_<Event>(m, "Event")
      .def_readonly("wall_time", &Event::wall_time)
      .def_readonly("step", &Event::step)
      .def_property_readonly("what", [](const Event& e) {
        switch (e.what) {
          case Event::What::file_version: return "file_version";
          case Event::What::graph_def: return "graph_def";
          case Event::What::summary: return "summary";
          case Event::What::session_log: return "session_log";
          case Event::What::tagged_run_metadata: return "tagged_run_metadata";
          case Event::What::other: return "other";
          case Event::What::none: break;
        }
        return "none";
      })
      .def_readonly("file_version", &Event::file_version)
      .def_property_readonly("graph_def", [](const Event& e) { return bytes_of(e.graph_def); })
      .def_readonly("values", &Event::values)
      .def_readonly("session_status", &Event::session_status)
      .def_readonly("run_metadata_tag", &Event::run_metadata_tag)
      .def_property_readonly("run_metadata", [](const Event& e) { return bytes_of(e.run_metadata); });

  py::class_<Run>(m, "_Run")
      .def_readonly("name", &Run::name)
      .def_readonly("path", &Run::path)
      .def_readonly("files", &Run::files);

  m.def("_find_runs", [](const std::string& logdir) {
    std::vector<ReadProblem> unreadable;
    std::vector<Run> runs;
    {
      py::gil_scoped_release no_gil;
      runs = find_runs(logdir, &unreadable);
    }
    return py::make_tuple(runs, unreadable);
  }, py::arg("logdir"));
  m.def("_read_run", [](const Run& run) {
    RunEvents events;
    {
      py::gil_scoped_release no_gil;
      events = read_run(run);
    }
    return py::make_tuple(std::move(events.events), std::move(events.problems));
  }, py::arg("run"));
}

}  // namespace tblog::python
