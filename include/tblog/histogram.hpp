#pragma once
// Arguments of add_histogram_raw and add_histogram's options; the reader returns
// histograms as HistogramBuckets too.
#include <cstddef>
#include <vector>

namespace tblog {

// add_histogram copies its values before returning: a larger count is a tblog::Error naming
// count (2^31 doubles are 16 GiB), not an allocation failure.
inline constexpr std::size_t kMaxHistogramValues = std::size_t{1} << 31;

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

// add_histogram options.
struct HistogramOptions {
  // Also readable as TensorBoard's tensor form: a DT_DOUBLE tensor of [k, 3] rows (left
  // edge, right edge, count) under plugin "histograms", instead of the legacy `histo` field.
  bool tensor_form = false;
};

}  // namespace tblog
