#pragma once
// tblog::SummaryWriter: writes TensorBoard event files from C++.
//
// The calling thread only validates and copies its arguments into a bounded queue; protobuf
// encoding, CRC, PNG encoding and file I/O happen on one background writer thread per writer.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "tblog/error.hpp"
#include "tblog/image.hpp"

namespace tblog {

class Graph;

// What add_* does when the queue holds max_queue pending entries.
enum class OverflowPolicy {
  block,  // wait until the writer thread has made room (nothing is lost)
  drop,   // count the entry as dropped and return at once
};

struct WriterOptions {
  // Pending entries the queue holds before the overflow policy applies.
  std::size_t max_queue = 1 << 16;
  OverflowPolicy overflow = OverflowPolicy::block;
  // Everything added is on disk at most this long after it was added.
  double flush_secs = 2.0;
  // zlib level for PNG images: 0 (none) .. 9 (smallest). 1 is fast and still compresses well.
  int png_compression_level = 1;
  // fsync(2) the event file on every flush (durable across power loss; costs a disk sync).
  bool fsync_on_flush = false;
  // Appended to event file names, after the per-process counter.
  std::string filename_suffix;
  // Receives write errors from the writer thread and warnings (cleaned tags, ...). Called on
  // the writer thread or the caller's thread; must be thread-safe. Default: print to stderr.
  std::function<void(const std::string& message)> error_handler;
};

// Raw histogram buckets: bucket_counts[i] counts values in (bucket_limits[i-1], bucket_limits[i]].
struct HistogramBuckets {
  double min = 0;
  double max = 0;
  double num = 0;
  double sum = 0;
  double sum_squares = 0;
  std::vector<double> bucket_limits;
  std::vector<double> bucket_counts;
};

// Counters since the writer was opened.
struct WriterStats {
  std::uint64_t events_enqueued = 0;
  std::uint64_t events_written = 0;
  std::uint64_t events_dropped = 0;  // dropped by OverflowPolicy::drop
  std::uint64_t events_lost = 0;     // lost to write errors
};

// ---- Arguments of the dashboard kinds: hparams, PR curves, audio, custom scalars,
// ---- embeddings, video, mesh, boxes (definitions in summary_writer_dashboards.cpp).

// An hparam's value: a string, a number or a bool. Integers are stored as numbers, as
// TensorBoard has no integer type.
struct HParamValue {
  std::variant<std::string, double, bool> value;

  HParamValue(const char* s) : value(std::string(s)) {}
  HParamValue(std::string s) : value(std::move(s)) {}
  HParamValue(std::string_view s) : value(std::string(s)) {}
  HParamValue(bool b) : value(b) {}
  template <typename T,
            std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  HParamValue(T v) : value(static_cast<double>(v)) {}
};

// The values the HParams dashboard offers as filters for one hparam: either discrete
// values (all of the hparam's kind) or, for numbers, an interval.
struct HParamDomain {
  std::string name;  // an hparam of the call
  std::string display_name;
  std::string description;
  std::vector<HParamValue> values;  // discrete domain
  bool has_interval = false;        // interval domain [min_value, max_value]
  double min_value = 0;
  double max_value = 0;
};

// How the HParams dashboard labels one metric.
struct HParamMetricInfo {
  std::string name;  // a metric of the call (a key of metrics, or one of metric_tags)
  std::string display_name;
  std::string description;
};

enum class SessionStatus { unknown, success, failure, running };

struct HParamsOptions {
  // Empty: the session is the writer's own run, so no extra run appears. Otherwise the
  // session is the sub-run `<logdir>/<run_name>` (PyTorch's layout: one run per trial).
  std::string run_name;
  // Metrics whose values are scalars logged with add_scalar under these tags in the
  // session's run; the dashboard shows their last value. Nothing is written for them.
  std::vector<std::string> metric_tags;
  std::int64_t step = 0;  // step of the metric values written as scalars
  // Sessions of one group are aggregated in the dashboard; empty: the run's name.
  std::string group_name;
  // running: no end is recorded (the dashboard shows the session as running).
  SessionStatus status = SessionStatus::success;
  // The experiment (hparam and metric lists) goes with the session. Turn off to let
  // TensorBoard gather the experiment from all sessions of the logdir.
  bool write_experiment = true;
  std::string description;                   // of the experiment
  std::vector<HParamDomain> hparam_domains;   // optional, per hparam
  std::vector<HParamMetricInfo> metric_infos; // optional, per metric
};

// Counts per threshold for add_pr_curve_raw: all six of the same length (the number of
// thresholds, at least 2); entry i is at threshold i / (length - 1).
struct PrCurveCounts {
  std::vector<double> true_positives;
  std::vector<double> false_positives;
  std::vector<double> true_negatives;
  std::vector<double> false_negatives;
  std::vector<double> precision;
  std::vector<double> recall;
};

// add_custom_scalars: a chart shows either several tags on one plot (multiline_tags, each a
// regular expression matched against tags) or series with a band (margin_series).
struct MarginSeries {
  std::string value;  // scalar tags
  std::string lower;
  std::string upper;
};
struct CustomScalarChart {
  std::string title;
  std::vector<std::string> multiline_tags;
  std::vector<MarginSeries> margin_series;
};
struct CustomScalarCategory {
  std::string title;
  std::vector<CustomScalarChart> charts;
  bool closed = false;  // shown collapsed
};
struct CustomScalarLayout {
  std::vector<CustomScalarCategory> categories;
};

// A row-major rows x cols matrix of floats (add_embedding). Not owned; copied by the call.
struct MatrixView {
  const float* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;

  MatrixView() = default;
  MatrixView(const float* d, std::size_t r, std::size_t c) : data(d), rows(r), cols(c) {}
  MatrixView(const std::vector<float>& v, std::size_t r, std::size_t c)
      : data(v.data()), rows(r), cols(c) {}
};

// Labels of an embedding's points, one value per row of the matrix in each column.
struct EmbeddingMetadata {
  std::vector<std::string> column_names;         // one name per column; unused for one column
  std::vector<std::vector<std::string>> columns;

  EmbeddingMetadata() = default;
  // One column of labels: written without a header row, as TensorBoard expects.
  EmbeddingMetadata(std::vector<std::string> labels) { columns.push_back(std::move(labels)); }
};

struct EmbeddingOptions {
  // The tensor file: binary float32 with its shape in the config loads fast in TensorBoard's
  // projector; TSV is the text form PyTorch writes.
  bool tensor_as_tsv = false;
};

// add_audio: interleaved samples in [-1, 1] (frame f, channel c at [f * channels + c]).
struct AudioView {
  const float* samples = nullptr;
  std::size_t size = 0;  // number of samples (frames x channels)
  std::int64_t channels = 1;

  AudioView() = default;
  AudioView(const float* s, std::size_t n, std::int64_t c = 1) : samples(s), size(n), channels(c) {}
  AudioView(const std::vector<float>& v, std::int64_t c = 1)
      : samples(v.data()), size(v.size()), channels(c) {}
};

// add_video: uint8 frames N x T x H x W x C (N videos of T frames; C 1, 3 or 4).
struct VideoView {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;  // number of elements in data, checked against the shape
  std::int64_t count = 1;
  std::int64_t frames = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 3;

  VideoView() = default;
  VideoView(const std::uint8_t* d, std::size_t n, std::int64_t count_, std::int64_t t,
            std::int64_t h, std::int64_t w, std::int64_t c)
      : data(d), size(n), count(count_), frames(t), height(h), width(w), channels(c) {}
  VideoView(const std::vector<std::uint8_t>& v, std::int64_t count_, std::int64_t t,
            std::int64_t h, std::int64_t w, std::int64_t c)
      : VideoView(v.data(), v.size(), count_, t, h, w, c) {}
};

// add_image_with_boxes: a box in pixel coordinates of the image (x right, y down).
struct BoundingBox {
  double x_min = 0;
  double y_min = 0;
  double x_max = 0;
  double y_max = 0;
};

struct HistogramOptions {
  // Also readable as TensorBoard's tensor form: a DT_DOUBLE tensor of [k, 3] rows (left
  // edge, right edge, count) under plugin "histograms", instead of the legacy `histo` field.
  bool tensor_form = false;
};

class TBLOG_API SummaryWriter {
 public:
  // Creates logdir (and its parents) and an event file in it, whose first record is flushed
  // before the constructor returns. Throws tblog::Error naming the path and the OS reason.
  explicit SummaryWriter(const std::string& logdir, WriterOptions options = {});
  ~SummaryWriter();  // closes; reports (never throws) errors still pending
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  // Scalars. Wall time is now (microsecond resolution) unless given, in seconds since the epoch.
  void add_scalar(std::string_view tag, double value, std::int64_t step);
  void add_scalar(std::string_view tag, double value, std::int64_t step, double wall_time);

  // PyTorch's layout: each name becomes the run `<logdir>/<main_tag>_<name>` ('/' in main_tag
  // replaced by '_'), holding the scalar under the tag main_tag.
  void add_scalars(std::string_view main_tag, const std::map<std::string, double>& values,
                   std::int64_t step);

  // Markdown text (Text dashboard).
  void add_text(std::string_view tag, std::string_view markdown, std::int64_t step);

  // Histogram of values over TensorFlow's default buckets (Histograms and Distributions).
  void add_histogram(std::string_view tag, const float* values, std::size_t count,
                     std::int64_t step);
  void add_histogram(std::string_view tag, const double* values, std::size_t count,
                     std::int64_t step);
  void add_histogram(std::string_view tag, const std::vector<float>& values, std::int64_t step) {
    add_histogram(tag, values.data(), values.size(), step);
  }
  void add_histogram(std::string_view tag, const std::vector<double>& values, std::int64_t step) {
    add_histogram(tag, values.data(), values.size(), step);
  }
  // Histogram from buckets counted by the caller.
  void add_histogram_raw(std::string_view tag, const HistogramBuckets& buckets, std::int64_t step);

  // One image, PNG-encoded on the writer thread.
  void add_image(std::string_view tag, const ImageView& image, std::int64_t step);
  // A batch laid out as one grid image (PyTorch's make_grid: up to 8 per row).
  void add_images(std::string_view tag, const ImageBatchView& batch, std::int64_t step);

  // The model graph (Graphs tab), as Event.graph_def. The graph is validated (unique names,
  // inputs that resolve) and copied on the caller's thread, serialized on the writer thread.
  void add_graph(const Graph& graph);

  // ---- Dashboards (summary_writer_dashboards.cpp). Same rules as above: arguments are
  // checked and copied on the caller's thread (a bad call throws tblog::Error and writes
  // nothing), encoding and file writing happen on the writer thread.

  // A session of the HParams dashboard: the hparams, the metrics (values written as scalars
  // at options.step, or options.metric_tags naming scalars logged with add_scalar), a
  // session start and end, and the experiment. By default in the writer's own run; a run
  // holds one session, so a second call for the same run throws.
  void add_hparams(const std::map<std::string, HParamValue>& hparams,
                   const std::map<std::string, double>& metrics,
                   const HParamsOptions& options = {});

  // PR curve of binary labels (non-zero: positive) against predictions in [0, 1], with
  // optional non-negative weights (empty: all 1), at num_thresholds thresholds (2 .. 10000).
  void add_pr_curve(std::string_view tag, const std::vector<std::uint8_t>& labels,
                    const std::vector<float>& predictions, std::int64_t step,
                    int num_thresholds = 127, const std::vector<float>& weights = {});
  void add_pr_curve_raw(std::string_view tag, const PrCurveCounts& counts, std::int64_t step);

  // A clip, encoded as 16-bit PCM WAV. Samples outside [-1, 1] are clamped (with a warning
  // once per tag); NaN or infinite samples are an error. The label is shown with the clip.
  void add_audio(std::string_view tag, const AudioView& audio, double sample_rate,
                 std::int64_t step, std::string_view label = {});

  // The Custom Scalars dashboard's layout (tag "custom_scalars__config__", step 0).
  void add_custom_scalars(const CustomScalarLayout& layout);

  // An embedding for the projector: in the run folder, projector_config.pbtxt (kept across
  // calls and rewritten atomically) and under `<step, 5 digits>/<tag>/` the tensor, the
  // metadata TSV and a sprite of the label images (one per row; empty batch: none).
  void add_embedding(const MatrixView& matrix, const EmbeddingMetadata& metadata = {},
                     const ImageBatchView& label_images = {}, std::string_view tag = "default",
                     std::int64_t step = 0, const EmbeddingOptions& options = {});

  // Videos as one animated GIF (Images dashboard); several videos are tiled as a grid.
  void add_video(std::string_view tag, const VideoView& video, double fps, std::int64_t step);

  // A 3D mesh (Mesh dashboard). config_json: three.js scene settings, a JSON object.
  void add_mesh(std::string_view tag, const std::vector<float>& vertices,
                const std::vector<std::int32_t>& faces, const std::vector<std::uint8_t>& colors,
                std::string_view config_json, std::int64_t step);

  // An image with boxes drawn into it, each with its label (labels empty, or one per box).
  void add_image_with_boxes(std::string_view tag, const ImageView& image,
                            const std::vector<BoundingBox>& boxes,
                            const std::vector<std::string>& labels, std::int64_t step);

  // add_histogram with options (HistogramOptions::tensor_form).
  void add_histogram(std::string_view tag, const float* values, std::size_t count,
                     std::int64_t step, const HistogramOptions& options);
  void add_histogram(std::string_view tag, const double* values, std::size_t count,
                     std::int64_t step, const HistogramOptions& options);

  // Returns once everything added before the call is written to the OS (and fsynced if
  // asked). Throws tblog::Error if events were lost to write errors since the last check.
  void flush();
  // flush(), then stops the writer thread and closes the files. Further adds throw.
  void close();

  const std::string& logdir() const;
  // Path of the event file of the main run currently written.
  std::string file_path() const;
  WriterStats stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tblog
