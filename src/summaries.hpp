#pragma once
// Factories for the payload of each summary kind. Each validates its arguments and copies
// what it needs on the caller's thread (throwing tblog::Error naming the bad argument, before
// anything is enqueued); the expensive work happens in Payload::encode_value on the writer thread.
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "summary_payload.hpp"
#include "tblog/image.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog::detail {

// summary_text.cpp: plugin "text", a DT_STRING tensor of shape [1] (as PyTorch writes it).
std::unique_ptr<Payload> make_text_payload(std::string_view markdown);

// summary_histogram.cpp: legacy `histo` field (plugin "histograms" reads it).
std::unique_ptr<Payload> make_histogram_payload(const float* values, std::size_t count);
std::unique_ptr<Payload> make_histogram_payload(const double* values, std::size_t count);
std::unique_ptr<Payload> make_histogram_raw_payload(const HistogramBuckets& buckets);
// TensorFlow's default bucket right edges: ±1e-12 * 1.1^k up to 1e20, and DBL_MAX.
const std::vector<double>& default_bucket_limits();
// Buckets `count` values over the default edges. Non-finite values are skipped and counted
// in *non_finite.
HistogramBuckets bucketize(const double* values, std::size_t count, std::size_t* non_finite);

// summary_image.cpp: legacy `image` field with PNG bytes (plugin "images" reads it).
std::unique_ptr<Payload> make_image_payload(const ImageView& image);
std::unique_ptr<Payload> make_image_batch_payload(const ImageBatchView& batch);

}  // namespace tblog::detail
