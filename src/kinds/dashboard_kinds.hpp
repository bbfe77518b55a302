#pragma once
// Factories for the payloads of the dashboard kinds (hparams, PR curves, audio, custom
// scalars, embeddings, video, mesh, boxes, tensor-form histograms). As in core_kinds.hpp,
// each validates and copies on the caller's thread, throwing tblog::Error that names the bad
// argument before anything is enqueued; encoding happens in Payload::encode_value.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kinds/payload.hpp"
#include "tblog/image.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog::detail {

// ---- hparams.cpp: tags _hparams_/experiment, _hparams_/session_start_info,
// _hparams_/session_end_info under plugin "hparams".
inline constexpr std::string_view kHparamsExperimentTag = "_hparams_/experiment";
inline constexpr std::string_view kHparamsSessionStartTag = "_hparams_/session_start_info";
inline constexpr std::string_view kHparamsSessionEndTag = "_hparams_/session_end_info";

struct HParamsPayloads {
  std::unique_ptr<Payload> experiment;     // null unless options.write_experiment
  std::unique_ptr<Payload> session_start;
  std::unique_ptr<Payload> session_end;    // its status; for running, STATUS_RUNNING
};
// `wall_time`: the session's start and end time, in seconds since the epoch.
HParamsPayloads make_hparams_payloads(const std::map<std::string, HParamValue>& hparams,
                                      const std::map<std::string, double>& metrics,
                                      const HParamsOptions& options, double wall_time);

// ---- pr_curve.cpp: plugin "pr_curves", DT_FLOAT [6, num_thresholds].
constexpr int kMaxPrThresholds = 10000;
std::unique_ptr<Payload> make_pr_curve_payload(const std::vector<std::uint8_t>& labels,
                                               const std::vector<float>& predictions,
                                               int num_thresholds,
                                               const std::vector<float>& weights);
std::unique_ptr<Payload> make_pr_curve_raw_payload(const PrCurveCounts& counts);

// ---- audio.cpp: plugin "audio", DT_STRING [1, 2] (WAV bytes, label).
// *clamped receives the number of samples outside [-1, 1].
std::unique_ptr<Payload> make_audio_payload(const AudioView& audio, double sample_rate,
                                            std::string_view label, std::size_t* clamped);
// 16-bit PCM WAV of interleaved samples in [-1, 1].
std::string encode_wav(const std::int16_t* samples, std::size_t frames, int channels,
                       std::uint32_t sample_rate);

// ---- custom_scalars.cpp: tag custom_scalars__config__, a serialized Layout.
inline constexpr std::string_view kCustomScalarsTag = "custom_scalars__config__";
std::unique_ptr<Payload> make_custom_scalars_payload(const CustomScalarLayout& layout);

// ---- embedding.cpp: projector files in the run folder, no event.
inline constexpr std::string_view kProjectorConfigFile = "projector_config.pbtxt";
std::unique_ptr<Payload> make_embedding_payload(const MatrixView& matrix,
                                                const EmbeddingMetadata& metadata,
                                                const ImageBatchView& label_images,
                                                std::string_view tag, std::int64_t step,
                                                const EmbeddingOptions& options);

// ---- projector_reader.cpp: what the projector would list for a run folder.
struct ProjectorEmbedding {
  std::string tensor_name;
  std::vector<std::uint32_t> tensor_shape;  // as the config gives it (may be empty)
  std::string tensor_path;                  // relative to the run folder
  bool tensor_found = false;
  bool has_metadata = false;
  bool has_sprite = false;
};
// Entries of `<run_dir>/projector_config.pbtxt`; none when there is no such file. Throws
// tblog::Error naming the file when it is not a projector config.
std::vector<ProjectorEmbedding> projector_embeddings(const std::string& run_dir);

// ---- video.cpp: legacy `image` field holding an animated GIF (plugin "images").
std::unique_ptr<Payload> make_video_payload(const VideoView& video, double fps);
// GIF of `frames` frames of height x width RGB pixels (frame-major), looping forever,
// `delay_cs` hundredths of a second per frame. gray: pixels are one channel, not three.
std::string encode_gif(const std::uint8_t* pixels, int frames, int height, int width, bool gray,
                       int delay_cs);

// ---- mesh.cpp: tags <tag>_VERTEX, <tag>_FACE, <tag>_COLOR in one event.
std::unique_ptr<Payload> make_mesh_payload(const std::vector<float>& vertices,
                                           const std::vector<std::int32_t>& faces,
                                           const std::vector<std::uint8_t>& colors,
                                           std::string_view config_json);
// Whether `json` is one well-formed JSON value (RFC 8259), with surrounding white space.
bool is_valid_json(std::string_view json);

// ---- dashboard_pixels.cpp: images as uint8 pixels, channels last.
struct Pixels {
  std::vector<std::uint8_t> data;  // count x height x width x channels
  std::int64_t count = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 0;
};
// Checks the view (throwing tblog::Error that names `arg`) and converts it: float pixels
// become trunc(clamp(x * 255, 0, 255)), as add_image does.
Pixels image_pixels(const ImageView& image, const std::string& arg);
Pixels batch_pixels(const ImageBatchView& batch, const std::string& arg);

// ---- image_boxes.cpp: the image with its boxes drawn in, as add_image writes it.
std::unique_ptr<Payload> make_image_with_boxes_payload(const ImageView& image,
                                                       const std::vector<BoundingBox>& boxes,
                                                       const std::vector<std::string>& labels);


}  // namespace tblog::detail
