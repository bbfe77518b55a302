// SummaryWriter's dashboard kinds on the callers' side: check, copy, enqueue. As in
// summary_writer.cpp, every argument (tags included) is checked before anything is enqueued,
// so a bad call writes nothing and the writer stays usable.
#include <time.h>

#include <mutex>
#include <string>
#include <utility>

#include "kinds/dashboard_kinds.hpp"
#include "kinds/payload.hpp"
#include "write/summary_writer_impl.hpp"

namespace tblog {

void check_run_folder(const std::string& what, const std::string& folder) {
  if (folder.find('\0') != std::string::npos) {
    throw Error(what + " holds a NUL byte, which no file name can");
  }
  if (folder.empty() || folder.front() == '/') {
    throw Error(what + " makes the run folder '" + folder +
                "', which is not relative; give a folder inside the logdir");
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = folder.find('/', start);
    const std::string part =
        folder.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      throw Error(what + " makes the run folder '" + folder +
                  "', which has an empty, '.' or '..' path component; give a folder inside "
                  "the logdir");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

namespace {

using detail::QueueItem;

}  // namespace

void SummaryWriter::add_hparams(const std::map<std::string, HParamValue>& hparams,
                                const std::map<std::string, double>& metrics,
                                const HParamsOptions& options) {
  impl().check_open();
  check_step(options.step);  // hparams are written now; the step only places the metrics
  if (!options.run_name.empty()) {
    check_run_folder("add_hparams: options.run_name '" + options.run_name + "'", options.run_name);
  }
  const double wall_time = wall_clock_now();
  detail::HParamsPayloads payloads =
      detail::make_hparams_payloads(hparams, metrics, options, wall_time);
  const detail::TagEntry* experiment_tag = impl().tag(detail::kHparamsExperimentTag);
  const detail::TagEntry* start_tag = impl().tag(detail::kHparamsSessionStartTag);
  const detail::TagEntry* end_tag = impl().tag(detail::kHparamsSessionEndTag);
  std::vector<const detail::TagEntry*> metric_tags;
  for (const auto& [name, value] : metrics) metric_tags.push_back(impl().tag(name));

  const std::string run_dir =
      options.run_name.empty() ? impl().logdir_ : impl().logdir_ + "/" + options.run_name;
  {
    std::lock_guard<std::mutex> lock(impl().dashboards_mu_);
    // Only the run's first session reaches the dashboard: the hparams plugin keeps the
    // first metadata of each tag in a run.
    const std::uint32_t run = impl().run_index(run_dir);
    if (!impl().hparams_runs_.insert(run).second) {
      throw Error("add_hparams: run '" + run_dir +
                  "' already holds an hparams session, and TensorBoard shows only the first; "
                  "give each trial its own options.run_name (or its own writer)");
    }
    if (payloads.experiment) {
      impl().enqueue_payload(experiment_tag, 0, std::move(payloads.experiment), run);
    }
    impl().enqueue_payload(start_tag, 0, std::move(payloads.session_start), run);
    QueueItem item;
    item.kind = QueueItem::Kind::scalar;
    item.run = run;
    item.step = options.step;
    item.wall_time = wall_time;
    std::size_t i = 0;
    for (const auto& [name, value] : metrics) {
      item.tag = metric_tags[i++];
      item.value = value;
      impl().enqueue(item);
    }
    if (payloads.session_end) {
      impl().enqueue_payload(end_tag, 0, std::move(payloads.session_end), run);
    }
  }
}

void SummaryWriter::add_pr_curve(std::string_view tag, const std::vector<std::uint8_t>& labels,
                                 const std::vector<float>& predictions, Step step,
                                 int num_thresholds, const std::vector<float>& weights) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(
      entry, step, detail::make_pr_curve_payload(labels, predictions, num_thresholds, weights));
}

void SummaryWriter::add_pr_curve_raw(std::string_view tag, const PrCurveCounts& counts,
                                     Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_pr_curve_raw_payload(counts));
}

void SummaryWriter::add_audio(std::string_view tag, const AudioView& audio, double sample_rate,
                              Step step, std::string_view label) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  std::size_t clamped = 0;
  auto payload = detail::make_audio_payload(audio, sample_rate, label, &clamped);
  if (clamped > 0) {
    bool first;
    {
      std::lock_guard<std::mutex> lock(impl().dashboards_mu_);
      first = impl().audio_clamp_warned_.insert(entry->clean).second;
    }
    if (first) {
      impl().warn_("audio '" + entry->clean + "': clamped " + std::to_string(clamped) + " of " +
                   std::to_string(audio.size) +
                   " samples outside [-1, 1] (reported once per tag)");
    }
  }
  impl().enqueue_payload(entry, step, std::move(payload));
}

void SummaryWriter::add_custom_scalars(const CustomScalarLayout& layout) {
  impl().check_open();
  const detail::TagEntry* entry = impl().tag(detail::kCustomScalarsTag);
  impl().enqueue_payload(entry, 0, detail::make_custom_scalars_payload(layout));
}

void SummaryWriter::add_embedding(const MatrixView& matrix, const EmbeddingMetadata& metadata,
                                  const ImageBatchView& label_images, std::string_view tag,
                                  Step step, const EmbeddingOptions& options) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step,
                         detail::make_embedding_payload(matrix, metadata, label_images,
                                                        entry->clean, step, options));
}

void SummaryWriter::add_video(std::string_view tag, const VideoView& video, double fps,
                              Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_video_payload(video, fps));
}

void SummaryWriter::add_mesh(std::string_view tag, const std::vector<float>& vertices,
                             const std::vector<std::int32_t>& faces,
                             const std::vector<std::uint8_t>& colors,
                             std::string_view config_json, Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step,
                         detail::make_mesh_payload(vertices, faces, colors, config_json));
}

void SummaryWriter::add_image_with_boxes(std::string_view tag, const ImageView& image,
                                         const std::vector<BoundingBox>& boxes,
                                         const std::vector<std::string>& labels,
                                         Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_image_with_boxes_payload(image, boxes, labels));
}

}  // namespace tblog
