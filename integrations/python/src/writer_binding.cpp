// tblog._tblog._WriterCore: the C++ SummaryWriter under tblog.SummaryWriter. Its `_native_*`
// methods take values the Python layer has already converted to numbers, strings and
// C-contiguous numpy arrays; add_scalar is installed separately, as a fast path.
#include <pybind11/stl.h>

#include <map>

#include "arrays.hpp"
#include "bindings.hpp"
#include "tblog/graph.hpp"

namespace tblog::python {

SummaryWriter& WriterCore::get() const {
  if (!writer) throw Error(ErrorCode::closed, "the SummaryWriter is closed");
  return *writer;
}

namespace {

using OptWall = std::optional<double>;

OverflowPolicy overflow_policy(const std::string& name) {
  if (name == "block") return OverflowPolicy::block;
  if (name == "drop") return OverflowPolicy::drop;
  throw Error("overflow must be 'block' or 'drop', got '" + name + "'");
}

ImageView image_view(const py::array& pixels, const std::string& layout) {
  const std::size_t n = checked_size(pixels, "img_tensor");
  const auto shape = shape_of(pixels);
  ImageView view;
  view.size = n;
  view.data = pixels.data();
  view.pixel = pixel_type_of(pixels, "img_tensor");
  if (layout == "HW" && shape.size() == 2) {
    view.layout = ImageLayout::HW;
    view.height = shape[0];
    view.width = shape[1];
  } else if (layout == "HWC" && shape.size() == 3) {
    view.layout = ImageLayout::HWC;
    view.height = shape[0];
    view.width = shape[1];
    view.channels = shape[2];
  } else if (layout == "CHW" && shape.size() == 3) {
    view.layout = ImageLayout::CHW;
    view.channels = shape[0];
    view.height = shape[1];
    view.width = shape[2];
  } else {
    throw Error("img_tensor: layout " + layout + " does not fit an array of " +
                std::to_string(shape.size()) + " dimensions");
  }
  return view;
}

}  // namespace

ImageBatchView batch_view(const py::array& pixels, const std::string& layout, const char* what) {
  const std::size_t n = checked_size(pixels, what);
  const auto shape = shape_of(pixels);
  ImageBatchView view;
  view.size = n;
  view.data = pixels.data();
  view.pixel = pixel_type_of(pixels, what);
  if (layout == "NHW" && shape.size() == 3) {
    view.layout = BatchLayout::NHW;
    view.count = shape[0];
    view.height = shape[1];
    view.width = shape[2];
  } else if (layout == "NHWC" && shape.size() == 4) {
    view.layout = BatchLayout::NHWC;
    view.count = shape[0];
    view.height = shape[1];
    view.width = shape[2];
    view.channels = shape[3];
  } else if (layout == "NCHW" && shape.size() == 4) {
    view.layout = BatchLayout::NCHW;
    view.count = shape[0];
    view.channels = shape[1];
    view.height = shape[2];
    view.width = shape[3];
  } else {
    throw Error(std::string(what) + ": layout " + layout + " does not fit an array of " +
                std::to_string(shape.size()) + " dimensions");
  }
  return view;
}

namespace {

HParamValue hparam_value(const py::handle& value, const std::string& name) {
  if (py::isinstance<py::bool_>(value)) return HParamValue(value.cast<bool>());
  if (py::isinstance<py::str>(value)) return HParamValue(value.cast<std::string>());
  if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value)) {
    return HParamValue(value.cast<double>());
  }
  throw Error("hparam_dict['" + name + "']: must be a bool, str, int or float");
}

template <typename T>
std::vector<T> vector_of(const py::array& a, const char* what) {
  const std::size_t n = checked_size(a, what);
  const T* data = static_cast<const T*>(a.data());
  return std::vector<T>(data, data + n);
}

}  // namespace

void bind_writer(py::module_& m) {
  py::class_<WriterCore> core(m, "_WriterCore", py::dynamic_attr());
  core.def(py::init([](const std::string& logdir, std::size_t max_queue,
                       std::size_t max_queue_bytes, double flush_secs,
                       const std::string& filename_suffix, std::optional<std::int64_t> purge_step,
                       std::size_t max_open_files, std::size_t encoder_threads,
                       int png_compression_level, const std::string& overflow) {
             WriterOptions options;
             options.max_queue = max_queue;
             options.max_queue_bytes = max_queue_bytes;
             options.flush_secs = flush_secs;
             options.filename_suffix = filename_suffix;
             options.purge_step = purge_step;
             options.max_open_files = max_open_files;
             options.encoder_threads = encoder_threads;
             options.png_compression_level = png_compression_level;
             options.overflow = overflow_policy(overflow);
             auto result = std::make_unique<WriterCore>();
             py::gil_scoped_release no_gil;  // creates folders and the first file
             result->writer = std::make_unique<SummaryWriter>(logdir, std::move(options));
             return result;
           }),
           py::arg("logdir"), py::arg("max_queue"), py::arg("max_queue_bytes"),
           py::arg("flush_secs"), py::arg("filename_suffix"), py::arg("purge_step"),
           py::arg("max_open_files"), py::arg("encoder_threads"),
           py::arg("png_compression_level"), py::arg("overflow"));

  core.def("_native_add_scalar",
           [](WriterCore& self, std::string_view tag, double value, std::int64_t step,
              OptWall walltime, int format) {
             self.get().add_scalar(tag, value, make_step(step, walltime),
                                   static_cast<ScalarFormat>(format));
           });
  core.def("_native_add_scalars",
           [](WriterCore& self, std::string_view main_tag,
              const std::map<std::string, double>& values, std::int64_t step, OptWall walltime) {
             self.get().add_scalars(main_tag, values, make_step(step, walltime));
           });
  core.def("_native_add_text", [](WriterCore& self, std::string_view tag, std::string_view text,
                                  std::int64_t step, OptWall walltime) {
    self.get().add_text(tag, text, make_step(step, walltime));
  });
  core.def("_native_add_histogram", [](WriterCore& self, std::string_view tag,
                                       const py::array& values, std::int64_t step,
                                       OptWall walltime) {
    const std::size_t n = checked_size(values, "values");
    SummaryWriter& writer = self.get();
    const bool is_float = is_dtype(values, 'f', 4);
    if (!is_float && !is_dtype(values, 'f', 8)) throw Error("values: must be float32 or float64 here");
    // Bucketing a large array takes a while: other Python threads run meanwhile.
    std::optional<py::gil_scoped_release> no_gil;
    if (n * values.itemsize() >= kReleaseGilBytes) no_gil.emplace();
    if (is_float) {
      writer.add_histogram(tag, static_cast<const float*>(values.data()), n,
                           make_step(step, walltime));
    } else {
      writer.add_histogram(tag, static_cast<const double*>(values.data()), n,
                           make_step(step, walltime));
    }
  });
  core.def("_native_add_histogram_raw",
           [](WriterCore& self, std::string_view tag, double min, double max, double num,
              double sum, double sum_squares, std::vector<double> limits,
              std::vector<double> counts, std::int64_t step, OptWall walltime) {
             HistogramBuckets buckets;
             buckets.min = min;
             buckets.max = max;
             buckets.num = num;
             buckets.sum = sum;
             buckets.sum_squares = sum_squares;
             buckets.bucket_limits = std::move(limits);
             buckets.bucket_counts = std::move(counts);
             self.get().add_histogram_raw(tag, buckets, make_step(step, walltime));
           });
  core.def("_native_add_image", [](WriterCore& self, std::string_view tag, const py::array& pixels,
                                   const std::string& layout, std::int64_t step, OptWall walltime) {
    const ImageView view = image_view(pixels, layout);
    SummaryWriter& writer = self.get();
    std::optional<py::gil_scoped_release> no_gil;
    if (view.size * pixels.itemsize() >= kReleaseGilBytes) no_gil.emplace();
    writer.add_image(tag, view, make_step(step, walltime));
  });
  core.def("_native_add_images", [](WriterCore& self, std::string_view tag,
                                    const py::array& pixels, const std::string& layout,
                                    std::int64_t step, OptWall walltime) {
    const ImageBatchView view = batch_view(pixels, layout, "img_tensor");
    SummaryWriter& writer = self.get();
    std::optional<py::gil_scoped_release> no_gil;
    if (view.size * pixels.itemsize() >= kReleaseGilBytes) no_gil.emplace();
    writer.add_images(tag, view, make_step(step, walltime));
  });
  core.def("_native_add_image_with_boxes",
           [](WriterCore& self, std::string_view tag, const py::array& pixels,
              const std::string& layout, const py::array_t<double, py::array::c_style>& boxes,
              const std::vector<std::string>& labels, std::int64_t step, OptWall walltime) {
             const ImageView view = image_view(pixels, layout);
             if (boxes.ndim() != 2 || boxes.shape(1) != 4) {
               throw Error("box_tensor: must have shape (N, 4)");
             }
             std::vector<BoundingBox> list(static_cast<std::size_t>(boxes.shape(0)));
             for (std::size_t i = 0; i < list.size(); ++i) {
               list[i] = {boxes.at(i, 0), boxes.at(i, 1), boxes.at(i, 2), boxes.at(i, 3)};
             }
             self.get().add_image_with_boxes(tag, view, list, labels, make_step(step, walltime));
           });
  core.def("_native_add_video", [](WriterCore& self, std::string_view tag,
                                   const py::array& frames, double fps, std::int64_t step,
                                   OptWall walltime) {
    const std::size_t n = checked_size(frames, "vid_tensor");
    if (!is_dtype(frames, 'u', 1) || frames.ndim() != 5) {
      throw Error("vid_tensor: must be uint8 N x T x H x W x C here");
    }
    const auto s = shape_of(frames);
    const VideoView view(static_cast<const std::uint8_t*>(frames.data()), n, s[0], s[1], s[2],
                         s[3], s[4]);
    SummaryWriter& writer = self.get();
    py::gil_scoped_release no_gil;  // GIF encoding of the frames' palette runs here
    writer.add_video(tag, view, fps, make_step(step, walltime));
  });
  core.def("_native_add_audio", [](WriterCore& self, std::string_view tag,
                                   const py::array_t<float, py::array::c_style>& samples,
                                   std::int64_t channels, double sample_rate, std::int64_t step,
                                   OptWall walltime) {
    const AudioView view(samples.data(), static_cast<std::size_t>(samples.size()), channels);
    self.get().add_audio(tag, view, sample_rate, make_step(step, walltime));
  });
  core.def("_native_add_graph", [](WriterCore& self, const Graph& graph, bool strict) {
    GraphOptions options;
    options.strict = strict;
    self.get().add_graph(graph, options);
  });
  core.def("_native_add_embedding",
           [](WriterCore& self, const py::array_t<float, py::array::c_style>& matrix,
              const std::vector<std::vector<std::string>>& columns,
              const std::vector<std::string>& column_names, const std::optional<py::array>& label_img,
              const std::string& tag, std::int64_t step) {
             if (matrix.ndim() != 2) throw Error("mat: must be a 2-D matrix (N x D)");
             EmbeddingMetadata metadata;
             metadata.columns = columns;
             metadata.column_names = column_names;
             ImageBatchView images;
             if (label_img) images = batch_view(*label_img, "NCHW", "label_img");
             self.get().add_embedding(
                 MatrixView(matrix.data(), static_cast<std::size_t>(matrix.shape(0)),
                            static_cast<std::size_t>(matrix.shape(1))),
                 metadata, images, tag, step);
           });
  core.def("_native_add_pr_curve",
           [](WriterCore& self, std::string_view tag, const py::array& labels,
              const py::array_t<float, py::array::c_style>& predictions, std::int64_t step,
              OptWall walltime, int num_thresholds, const py::array_t<float, py::array::c_style>& weights) {
             if (!is_dtype(labels, 'u', 1)) throw Error("labels: must be uint8 here");
             self.get().add_pr_curve(tag, vector_of<std::uint8_t>(labels, "labels"),
                                     vector_of<float>(predictions, "predictions"),
                                     make_step(step, walltime), num_thresholds,
                                     vector_of<float>(weights, "weights"));
           });
  core.def("_native_add_pr_curve_raw",
           [](WriterCore& self, std::string_view tag, std::vector<double> tp,
              std::vector<double> fp, std::vector<double> tn, std::vector<double> fn,
              std::vector<double> precision, std::vector<double> recall, std::int64_t step,
              OptWall walltime) {
             PrCurveCounts counts;
             counts.true_positives = std::move(tp);
             counts.false_positives = std::move(fp);
             counts.true_negatives = std::move(tn);
             counts.false_negatives = std::move(fn);
             counts.precision = std::move(precision);
             counts.recall = std::move(recall);
             self.get().add_pr_curve_raw(tag, counts, make_step(step, walltime));
           });
  core.def("_native_add_mesh",
           [](WriterCore& self, std::string_view tag, const std::vector<float>& vertices,
              const std::vector<std::int32_t>& faces, const std::vector<std::uint8_t>& colors,
              std::string_view config_json, std::int64_t step, OptWall walltime) {
             self.get().add_mesh(tag, vertices, faces, colors, config_json,
                                 make_step(step, walltime));
           });
  // layout: [(category title, closed, [(chart title, "multiline"|"margin", [tags])])]; a
  // margin chart's tags come in threes (value, lower, upper).
  core.def("_native_add_custom_scalars",
           [](WriterCore& self,
              const std::vector<std::tuple<std::string, bool,
                                           std::vector<std::tuple<std::string, std::string,
                                                                  std::vector<std::string>>>>>& layout) {
             CustomScalarLayout result;
             for (const auto& [title, closed, charts] : layout) {
               CustomScalarCategory category;
               category.title = title;
               category.closed = closed;
               for (const auto& [chart_title, kind, tags] : charts) {
                 CustomScalarChart chart;
                 chart.title = chart_title;
                 if (kind == "multiline") {
                   chart.multiline_tags = tags;
                 } else if (kind == "margin") {
                   if (tags.size() % 3 != 0) {
                     throw Error("layout: margin chart '" + chart_title +
                                 "' needs [value, lower, upper] tags");
                   }
                   for (std::size_t i = 0; i < tags.size(); i += 3) {
                     chart.margin_series.push_back({tags[i], tags[i + 1], tags[i + 2]});
                   }
                 } else {
                   throw Error("layout: chart '" + chart_title + "' has unknown kind '" + kind +
                               "' (Multiline or Margin)");
                 }
                 category.charts.push_back(std::move(chart));
               }
               result.categories.push_back(std::move(category));
             }
             self.get().add_custom_scalars(result);
           });
  core.def("_native_add_hparams",
           [](WriterCore& self, const py::dict& hparams, const std::map<std::string, double>& metrics,
              const std::map<std::string, std::vector<py::object>>& discrete_domains,
              const std::string& run_name, const std::vector<std::string>& metric_tags,
              std::int64_t step) {
             std::map<std::string, HParamValue> values;
             for (const auto& [key, value] : hparams) {
               const std::string name = py::str(key);
               values.emplace(name, hparam_value(value, name));
             }
             HParamsOptions options;
             options.run_name = run_name;
             options.metric_tags = metric_tags;
             options.step = step;
             for (const auto& [name, domain_values] : discrete_domains) {
               HParamDomain domain;
               domain.name = name;
               for (const auto& v : domain_values) domain.values.push_back(hparam_value(v, name));
               options.hparam_domains.push_back(std::move(domain));
             }
             self.get().add_hparams(values, metrics, options);
           });
  core.def("_native_add_tensor",
           [](WriterCore& self, std::string_view tag, const py::array& values,
              std::int64_t step, OptWall walltime, const std::string& plugin_name,
              const py::bytes& plugin_content) {
             const std::size_t n = checked_size(values, "tensor");
             TensorView view;
             view.shape = shape_of(values);
             view.data = values.data();
             view.size = n;
             if (is_dtype(values, 'f', 4)) view.dtype = DataType::float32;
             else if (is_dtype(values, 'f', 8)) view.dtype = DataType::float64;
             else if (is_dtype(values, 'i', 4)) view.dtype = DataType::int32;
             else if (is_dtype(values, 'i', 8)) view.dtype = DataType::int64;
             else if (is_dtype(values, 'u', 1)) view.dtype = DataType::uint8;
             else if (is_dtype(values, 'b', 1)) view.dtype = DataType::boolean;
             else throw Error("tensor: dtype must be float32/64, int32/64, uint8 or bool here");
             PluginInfo plugin;
             plugin.name = plugin_name;
             plugin.content = plugin_content;
             self.get().add_tensor(tag, view, make_step(step, walltime), plugin);
           });
  core.def("_native_add_summary", [](WriterCore& self, const py::bytes& summary,
                                     std::int64_t step, OptWall walltime) {
    self.get().add_summary(std::string_view(summary), make_step(step, walltime));
  });
  core.def("flush", [](WriterCore& self) {
    SummaryWriter& writer = self.get();
    py::gil_scoped_release no_gil;
    writer.flush();
  }, "Everything added so far is on disk when this returns. Raises tblog.WriteError if events "
     "were lost to write errors since the last flush().");
  core.def("close", [](WriterCore& self) {
    if (!self.writer) return;  // closing twice is harmless, as for files
    std::unique_ptr<SummaryWriter> writer = std::move(self.writer);
    py::gil_scoped_release no_gil;
    writer->close();
  }, "Flushes, then stops the writer thread and closes the files. Later adds raise "
     "tblog.ClosedError; closing again does nothing.");
  core.def_property_readonly("closed", [](const WriterCore& self) { return !self.writer; });
  core.def("_file_path", [](const WriterCore& self) { return self.get().file_path(); });
  core.def("stats", [](const WriterCore& self) {
    const WriterStats s = self.get().stats();
    py::dict d;
    d["events_enqueued"] = s.events_enqueued;
    d["events_written"] = s.events_written;
    d["events_dropped"] = s.events_dropped;
    d["queued_bytes"] = s.queued_bytes;
    d["events_lost"] = s.events_lost;
    return d;
  }, "Counters of the writer: events enqueued, written, dropped (overflow='drop'), lost to "
     "write errors, and the bytes pending values hold now.");
  install_fast_add_scalar(core);
}

}  // namespace tblog::python
