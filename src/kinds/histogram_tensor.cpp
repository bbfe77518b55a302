// Histograms in TensorBoard's tensor form: a DT_DOUBLE tensor of shape [k, 3], rows (left
// edge, right edge, count), under plugin "histograms". The buckets are the legacy form's
// (default_bucket_limits, empty runs merged), turned into rows the way TensorBoard converts a
// legacy `histo` itself: the first left edge is the minimum, the last right edge the
// maximum, every other edge a bucket limit. Empty buckets before the first value and after
// the last are left out, so the edges stay ordered.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "kinds/core_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/summary.pb.h"
#include "kinds/summary_value.hpp"

namespace tblog::detail {
namespace {

std::vector<double> rows_of(const HistogramBuckets& h) {
  std::size_t first = 0, last = h.bucket_counts.size();
  while (first < last && h.bucket_counts[first] == 0) ++first;
  while (last > first && h.bucket_counts[last - 1] == 0) --last;
  std::vector<double> rows;
  rows.reserve(3 * (last - first));
  for (std::size_t i = first; i < last; ++i) {
    rows.push_back(i == first ? h.min : h.bucket_limits[i - 1]);
    rows.push_back(i + 1 == last ? h.max : h.bucket_limits[i]);
    rows.push_back(h.bucket_counts[i]);
  }
  return rows;
}

template <typename T>
class HistogramTensorPayload final : public Payload {
 public:
  HistogramTensorPayload(const T* values, std::size_t count) : values_(values, values + count) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    std::vector<double> as_double(values_.begin(), values_.end());
    std::size_t non_finite = 0;
    const HistogramBuckets h = bucketize(as_double.data(), as_double.size(), &non_finite);
    if (non_finite > 0 && ctx.warn) {
      ctx.warn("histogram '" + std::string(ctx.tag) + "': left out " +
               std::to_string(non_finite) + " of " + std::to_string(values_.size()) +
               " values that are NaN or infinite");
    }
    const std::vector<double> rows = rows_of(h);
    pb::Summary::Value value = start_value(ctx, kHistograms);
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(pb::DT_DOUBLE);
    tensor->mutable_tensor_shape()->add_dim()->set_size(static_cast<std::int64_t>(rows.size() / 3));
    tensor->mutable_tensor_shape()->add_dim()->set_size(3);
    tensor->mutable_tensor_content()->assign(reinterpret_cast<const char*>(rows.data()),
                                             rows.size() * sizeof(double));
    value.AppendToString(&out);
  }

  std::size_t memory_bytes() const override { return sizeof(*this) + heap_bytes(values_); }
 private:
  std::vector<T> values_;
};

template <typename T>
std::unique_ptr<Payload> make(const T* values, std::size_t count) {
  check_histogram_values(values, count);
  return std::make_unique<HistogramTensorPayload<T>>(values, count);
}

}  // namespace

std::unique_ptr<Payload> make_histogram_tensor_payload(const float* values, std::size_t count) {
  return make(values, count);
}

std::unique_ptr<Payload> make_histogram_tensor_payload(const double* values, std::size_t count) {
  return make(values, count);
}

}  // namespace tblog::detail
