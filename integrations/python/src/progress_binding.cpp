// CNTK's progress layer: ProgressWriter and its two writers, the configuration keys of
// command-line runs and make_progress_writers. The Python package adds value conversion
// (write_image of torch tensors, ...) and the Trainer on top.
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "tblog/config.hpp"
#include "tblog/graph.hpp"
#include "tblog/progress.hpp"

namespace tblog::python {

void bind_progress(py::module_& m) {
  m.def("rank_from_environment", &rank_from_environment,
        "The rank of this process in a distributed job: the first of OMPI_COMM_WORLD_RANK, "
        "PMIX_RANK, PMI_RANK, SLURM_PROCID, RANK that is set; 0 when none is.");

  py::class_<ProgressWriter> base(m, "ProgressWriter", R"doc(Base of the progress writers.

A training loop reports each minibatch's sample count and the sums of loss and metric over
its samples; each writer decides when to record averages.)doc");
  base.def("update_training", &ProgressWriter::update_training, py::arg("samples"),
           py::arg("loss_sum"), py::arg("metric_sum") = 0.0,
           "After each training minibatch: its sample count and the sums of loss and metric over "
           "its samples (so averages weigh samples).");
  base.def("summarize_training_progress", &ProgressWriter::summarize_training_progress,
           "Records the averages over everything since the last training summary (an epoch).");
  base.def("update_test", &ProgressWriter::update_test, py::arg("samples"), py::arg("metric_sum"));
  base.def("summarize_test_progress", &ProgressWriter::summarize_test_progress);
  base.def("write_value", &ProgressWriter::write_value, py::arg("tag"), py::arg("value"),
           py::arg("step"), "A scalar at a step of the caller's choosing.");
  base.def("_native_write_image", [](ProgressWriter& self, std::string_view tag,
                                     const py::array& pixels, const std::string& layout,
                                     std::int64_t step) {
    self.write_image(tag, batch_view(pixels, layout, "image"), step);
  });
  base.def("write", &ProgressWriter::write, py::arg("key"), py::arg("value"),
           "A learner setting (learning rate, ...), recorded as a scalar at the current "
           "training step.");
  base.def_property_readonly("active", &ProgressWriter::active,
                             "False on a non-zero rank: the writer records nothing.");
  base.def_property_readonly("rank", &ProgressWriter::rank);
  base.def_property_readonly("total_updates", &ProgressWriter::total_updates);
  base.def_property_readonly("training_summaries", &ProgressWriter::training_summaries);
  base.def_property_readonly("test_summaries", &ProgressWriter::test_summaries);

  py::class_<TensorBoardProgressWriter, ProgressWriter> tensorboard(m, "_TensorBoardProgressWriter");
  tensorboard.def(py::init([](std::optional<std::int64_t> freq, const std::string& log_dir,
                              std::optional<int> rank, const Graph* model) {
                    return std::make_unique<TensorBoardProgressWriter>(freq, log_dir, rank, model);
                  }),
                  py::arg("freq"), py::arg("log_dir"), py::arg("rank"), py::arg("model"));
  tensorboard.def("flush", [](TensorBoardProgressWriter& self) {
    py::gil_scoped_release no_gil;
    self.flush();
  }, "Everything recorded so far is on disk when this returns.");
  tensorboard.def("_native_add_graph", [](TensorBoardProgressWriter& self, const Graph& graph) {
    if (SummaryWriter* writer = self.summary_writer()) writer->add_graph(graph);
  });
  tensorboard.def("_native_close", [](TensorBoardProgressWriter& self) {
    if (SummaryWriter* writer = self.summary_writer()) {
      py::gil_scoped_release no_gil;
      writer->close();
    }
  });

  py::class_<ProgressPrinter, ProgressWriter> printer(m, "_ProgressPrinter");
  printer.def(py::init([](std::optional<std::int64_t> freq, std::int64_t first,
                          const std::string& tag, const std::string& log_to_file,
                          std::optional<int> rank, std::int64_t num_epochs, bool metric_is_pct) {
                return std::make_unique<ProgressPrinter>(freq, first, tag, log_to_file, rank,
                                                         num_epochs, metric_is_pct);
              }),
              py::arg("freq"), py::arg("first"), py::arg("tag"), py::arg("log_to_file"),
              py::arg("rank"), py::arg("num_epochs"), py::arg("metric_is_pct"));
  printer.def("set_epoch_size", &ProgressPrinter::set_epoch_size, py::arg("samples"),
              "Samples in one epoch, for the progress bar.");

  py::class_<Config> config(m, "Config", R"doc(Configuration of command-line runs, as CNTK's.

`key=value` arguments (parse_args) and `configFile=PATH` files of `key = value` lines
(parse_file); later settings override earlier ones. Every key is defined first, with its
type and default, so a misspelt key or a value of the wrong type is an error naming it.)doc");
  config.def(py::init<>());
  config.def("define", [](Config& self, const std::string& key, const Config::Value& default_value,
                          const std::string& help) -> Config& {
    return self.define(key, default_value, help);
  }, py::arg("key"), py::arg("default"), py::arg("help") = "", py::return_value_policy::reference_internal);
  config.def("define_optional", [](Config& self, const std::string& key,
                                   const Config::Value& type_example, const std::string& help) -> Config& {
    return self.define_optional(key, type_example, help);
  }, py::arg("key"), py::arg("type_example"), py::arg("help") = "",
     py::return_value_policy::reference_internal);
  config.def("parse_args", py::overload_cast<const std::vector<std::string>&>(&Config::parse_args),
             py::arg("args"), "Applies `key=value` arguments in order (sys.argv[1:], say).");
  config.def("parse_file", &Config::parse_file, py::arg("path"));
  config.def("set", &Config::set, py::arg("key"), py::arg("text"), py::arg("where") = "");
  config.def("is_set", &Config::is_set, py::arg("key"));
  config.def("get_int", &Config::get_int, py::arg("key"));
  config.def("get_float", &Config::get_double, py::arg("key"));
  config.def("get_bool", &Config::get_bool, py::arg("key"));
  config.def("get_str", &Config::get_string, py::arg("key"));
  config.def("describe", &Config::describe, "`key = value  # help` lines of every key.");

  m.def("define_progress_keys", &define_progress_keys, py::arg("config"),
        "Defines tensorBoardLogDir, tensorBoardNumMBsToLogResult, numMBsToShowResult and "
        "firstMBsToShowResult.");
  m.def("make_progress_writers",
        [](const Config& config, std::optional<int> rank, std::int64_t num_epochs,
           const std::string& tag, const Graph* model) {
          return make_progress_writers(config, rank, num_epochs, tag, model);
        },
        py::arg("config"), py::arg("rank") = py::none(), py::arg("num_epochs") = 0,
        py::arg("tag") = "Training", py::arg("model") = nullptr,
        "The writers a configured run feeds: a ProgressPrinter, and a "
        "TensorBoardProgressWriter (recording model's graph when given) when "
        "tensorBoardLogDir is set. Only rank 0 writes.");
}

}  // namespace tblog::python
