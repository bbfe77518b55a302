#pragma once
// tblog::SummaryWriter: writes TensorBoard event files from C++.
//
// The calling thread only validates and copies its arguments into a bounded queue; protobuf
// encoding, CRC, PNG encoding and file I/O happen on one background writer thread per writer.
//
// Names and argument order follow PyTorch's torch.utils.tensorboard.SummaryWriter, with these
// differences, chosen for C++:
//  - every add_* takes a tblog::Step, which carries the optional wall time (PyTorch's
//    `walltime=`): `{step, wall_time}`;
//  - add_audio(tag, audio, sample_rate, step): the sample rate comes with the samples (PyTorch:
//    add_audio(tag, snd_tensor, global_step, sample_rate));
//  - add_video(tag, video, fps, step): likewise (PyTorch: add_video(tag, vid_tensor,
//    global_step, fps));
//  - add_mesh(tag, vertices, faces, colors, config_json, step): the data first, then the step
//    (PyTorch: add_mesh(tag, vertices, colors, faces, config_dict, global_step)): the faces
//    define the mesh, the colours only paint it;
//  - add_embedding(matrix, metadata, label_images, tag, step): as PyTorch, with tag before
//    step (PyTorch: global_step before tag).
// tblog's Python package follows PyTorch exactly.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/audio.hpp"
#include "tblog/custom_scalars.hpp"
#include "tblog/embedding.hpp"
#include "tblog/error.hpp"
#include "tblog/histogram.hpp"
#include "tblog/hparams.hpp"
#include "tblog/image.hpp"
#include "tblog/pr_curve.hpp"
#include "tblog/step.hpp"
#include "tblog/tensor.hpp"
#include "tblog/video.hpp"
#include "tblog/writer_options.hpp"

namespace tblog {

class Graph;
struct GraphOptions;

// How add_scalar stores a value. TensorBoard shows all three on the Scalars dashboard.
enum class ScalarFormat {
  simple_value,   // Summary.Value.simple_value, a float32 (what PyTorch writes by default)
  float_tensor,   // a DT_FLOAT scalar tensor under plugin "scalars" (PyTorch's new_style)
  double_tensor,  // a DT_DOUBLE scalar tensor (PyTorch's double_precision): no rounding
};

// Thread safety: every member function may be called from any number of threads at once,
// including flush() and close() beside adds; an add that loses the race with close() throws
// ErrorCode::closed. A moved-from writer throws ErrorCode::closed from every call.
class TBLOG_API SummaryWriter {
 public:
  // Creates logdir (and its parents) and an event file in it, whose first record is flushed
  // before the constructor returns. Throws tblog::Error naming the path and the OS reason.
  explicit SummaryWriter(const std::string& logdir, WriterOptions options = {});
  ~SummaryWriter();  // closes; reports (never throws) errors still pending
  SummaryWriter(SummaryWriter&&) noexcept;
  SummaryWriter& operator=(SummaryWriter&&) noexcept;  // closes the writer it replaces
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  // Scalars. Wall time is now (microsecond resolution) unless given, in seconds since the epoch.
  void add_scalar(std::string_view tag, double value, Step step);
  void add_scalar(std::string_view tag, double value, Step step, double wall_time) {
    add_scalar(tag, value, Step(step.value(), wall_time));
  }
  void add_scalar(std::string_view tag, double value, Step step, ScalarFormat format);

  // PyTorch's layout: each name becomes the run `<logdir>/<main_tag>_<name>` ('/' in main_tag
  // replaced by '_'), holding the scalar under the tag main_tag.
  void add_scalars(std::string_view main_tag, const std::map<std::string, double>& values,
                   Step step);

  // Markdown text (Text dashboard).
  void add_text(std::string_view tag, std::string_view markdown, Step step);

  // Histogram of values over TensorFlow's default buckets (Histograms and Distributions).
  void add_histogram(std::string_view tag, const float* values, std::size_t count, Step step,
                     const HistogramOptions& options = {});
  void add_histogram(std::string_view tag, const double* values, std::size_t count, Step step,
                     const HistogramOptions& options = {});
  void add_histogram(std::string_view tag, const std::vector<float>& values, Step step,
                     const HistogramOptions& options = {}) {
    add_histogram(tag, values.data(), values.size(), step, options);
  }
  void add_histogram(std::string_view tag, const std::vector<double>& values, Step step,
                     const HistogramOptions& options = {}) {
    add_histogram(tag, values.data(), values.size(), step, options);
  }
  // Histogram from buckets counted by the caller.
  void add_histogram_raw(std::string_view tag, const HistogramBuckets& buckets, Step step);

  // One image, PNG-encoded on the writer thread.
  void add_image(std::string_view tag, const ImageView& image, Step step);
  // A batch laid out as one grid image (PyTorch's make_grid: up to 8 per row).
  void add_images(std::string_view tag, const ImageBatchView& batch, Step step);

  // The model graph (Graphs tab), as Event.graph_def. The graph is validated (unique names;
  // inputs that name no node are a warning, or an error with options.strict) and copied on
  // the caller's thread, serialized on the writer thread.
  void add_graph(const Graph& graph);  // with GraphOptions{}
  void add_graph(const Graph& graph, const GraphOptions& options);

  // ---- Dashboards. Same rules as above: arguments are checked and copied on the caller's
  // thread (a bad call throws tblog::Error and writes nothing), encoding and file writing
  // happen on the writer thread.

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
                    const std::vector<float>& predictions, Step step,
                    int num_thresholds = 127, const std::vector<float>& weights = {});
  void add_pr_curve_raw(std::string_view tag, const PrCurveCounts& counts, Step step);

  // A clip, encoded as 16-bit PCM WAV. Samples outside [-1, 1] are clamped (with a warning
  // once per tag); NaN or infinite samples are an error. The label is shown with the clip.
  void add_audio(std::string_view tag, const AudioView& audio, double sample_rate, Step step,
                 std::string_view label = {});

  // The Custom Scalars dashboard's layout (tag "custom_scalars__config__", step 0).
  void add_custom_scalars(const CustomScalarLayout& layout);

  // An embedding for the projector: in the run folder, projector_config.pbtxt (kept across
  // calls and rewritten atomically) and under `<step, 5 digits>/<tag>/` the tensor, the
  // metadata TSV and a sprite of the label images (one per row; empty batch: none).
  void add_embedding(const MatrixView& matrix, const EmbeddingMetadata& metadata = {},
                     const ImageBatchView& label_images = {}, std::string_view tag = "default",
                     Step step = 0, const EmbeddingOptions& options = {});

  // Videos as one animated GIF (Images dashboard); several videos are tiled as a grid.
  void add_video(std::string_view tag, const VideoView& video, double fps, Step step);

  // A 3D mesh (Mesh dashboard). config_json: three.js scene settings, a JSON object.
  void add_mesh(std::string_view tag, const std::vector<float>& vertices,
                const std::vector<std::int32_t>& faces, const std::vector<std::uint8_t>& colors,
                std::string_view config_json, Step step);

  // An image with boxes drawn into it, each with its label (labels empty, or one per box).
  void add_image_with_boxes(std::string_view tag, const ImageView& image,
                            const std::vector<BoundingBox>& boxes,
                            const std::vector<std::string>& labels, Step step);

  // ---- Anything else TensorBoard or a plugin reads.

  // A tensor under a plugin tblog has no call for (TensorFlow's tf.summary.write): the
  // plugin's metadata goes with the tag's first value in each file, as for every kind.
  void add_tensor(std::string_view tag, const TensorView& tensor, Step step,
                  const PluginInfo& plugin = {});
  // A serialized tensorboard Summary message, written as Event.summary unchanged (PyTorch's
  // add_summary, TensorFlow's WriteSerializedEvent). It is parsed once on the caller's thread:
  // bytes that are not a Summary throw. Its metadata is written as given.
  void add_summary(std::string_view serialized_summary, Step step);

  // Returns once everything added before the call is written to the OS (and fsynced if
  // asked). Throws tblog::Error (ErrorCode::events_lost) if events were lost to write errors
  // since the last check.
  void flush();
  // flush() of every open writer of the process, for shutdown paths (see tblog/signals.hpp).
  // Never throws: what a writer's flush() would throw goes to that writer's error handler.
  static void flush_all() noexcept;
  // flush(), then stops the writer thread and closes the files. Further adds throw.
  void close();

  const std::string& logdir() const;
  // Path of the event file of the main run currently written.
  std::string file_path() const;
  WriterStats stats() const;

 private:
  class Impl;
  Impl& impl() const;  // throws ErrorCode::closed when moved from
  std::unique_ptr<Impl> impl_;
};

}  // namespace tblog
