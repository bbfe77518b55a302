#pragma once
// Factories for the payload of each summary kind. Each validates its arguments and copies
// what it needs on the caller's thread (throwing tblog::Error naming the bad argument, before
// anything is enqueued); the expensive work happens in Payload::encode_value on the writer thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kinds/payload.hpp"
#include "tblog/image.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog {
class Graph;
}

namespace tblog::detail {

// graph.cpp: Graph::validate's checks. With allow_dangling, inputs that name no node are
// counted instead of thrown, and the first is described in *first_dangling.
std::size_t check_graph(const Graph& graph, bool allow_dangling, std::string* first_dangling);

// text.cpp: plugin "text", a DT_STRING tensor of shape [1] (as PyTorch writes it).
std::unique_ptr<Payload> make_text_payload(std::string_view markdown);

// histogram.cpp: legacy `histo` field (plugin "histograms" reads it).
std::unique_ptr<Payload> make_histogram_payload(const float* values, std::size_t count);
std::unique_ptr<Payload> make_histogram_payload(const double* values, std::size_t count);
std::unique_ptr<Payload> make_histogram_raw_payload(const HistogramBuckets& buckets);
// histogram_tensor.cpp: plugin "histograms", DT_DOUBLE [k, 3].
std::unique_ptr<Payload> make_histogram_tensor_payload(const float* values, std::size_t count);
std::unique_ptr<Payload> make_histogram_tensor_payload(const double* values, std::size_t count);
// The checks of add_histogram's values, either form: present, not empty, not absurdly many.
void check_histogram_values(const void* values, std::size_t count);
// add_histogram's choice between the two forms.
template <typename T>
std::unique_ptr<Payload> make_histogram_payload(const T* values, std::size_t count,
                                                const HistogramOptions& options) {
  return options.tensor_form ? make_histogram_tensor_payload(values, count)
                             : make_histogram_payload(values, count);
}
// TensorFlow's default bucket right edges: ±1e-12 * 1.1^k up to 1e20, and DBL_MAX.
const std::vector<double>& default_bucket_limits();
// Index into default_bucket_limits() of a finite value's bucket: the first limit > v (the
// last bucket for DBL_MAX), found in O(1).
std::size_t default_bucket_of(double v);
// Buckets `count` values over the default edges. Non-finite values are skipped and counted
// in *non_finite.
HistogramBuckets bucketize(const double* values, std::size_t count, std::size_t* non_finite);

// image.cpp: legacy `image` field with PNG bytes (plugin "images" reads it).
std::unique_ptr<Payload> make_image_payload(const ImageView& image);
std::unique_ptr<Payload> make_image_batch_payload(const ImageBatchView& batch);
// Checks an image (or a batch: count images) as the caller described it: data present,
// positive sides, a grid_rows x grid_columns layout of them within max_side pixels a side,
// 1/3/4 channels when has_channels, and `size` elements matching the shape. Throws
// tblog::Error naming `arg` (e.g. "image.size is ...").
void check_image_shape(const std::string& arg, const void* data, std::size_t size,
                       std::int64_t count, std::int64_t height, std::int64_t width,
                       std::int64_t channels, bool has_channels, bool is_batch,
                       std::int64_t grid_rows, std::int64_t grid_columns, std::int64_t max_side);
// Appends a Summary.Value holding an encoded image (PNG or GIF) in the legacy `image` field,
// with the "images" plugin metadata when ctx.first_in_file. Shared by every image-like kind.
void append_image_value(const EncodeContext& ctx, std::int64_t height, std::int64_t width,
                        int colorspace, std::string encoded, std::string& out);

// The pixel rule of every image kind: uint8 as is; float in [0, 1] scaled by 255 and
// truncated, as PyTorch does (clamped; NaN gives 0).
inline std::uint8_t pixel_to_uint8(std::uint8_t v) { return v; }
inline std::uint8_t pixel_to_uint8(float v) {
  if (v >= 1.0f) return 255;
  if (v > 0.0f) return static_cast<std::uint8_t>(v * 255.0f);
  return 0;
}

// tensor.cpp: add_tensor's value (validated and copied here), and add_scalar's tensor forms.
std::unique_ptr<Payload> make_tensor_payload(const TensorView& tensor, const PluginInfo& plugin);
std::unique_ptr<Payload> make_scalar_tensor_payload(double value, ScalarFormat format);

// serialized_summary.cpp: add_summary's bytes as Event.summary (checked to parse here).
std::unique_ptr<Payload> make_serialized_summary_payload(std::string_view bytes);

}  // namespace tblog::detail
