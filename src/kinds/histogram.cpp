// Histograms, in the legacy `histo` field that TensorBoard's histogram plugin converts itself.
//
// Bucketing follows TensorFlow's C++ Histogram (the one behind tf.summary.histogram): right
// edges ±1e-12 * 1.1^k below 1e20, then ±DBL_MAX, and 0; a value v lands in the first bucket
// whose limit is > v, so bucket i holds [limit[i-1], limit[i]). On encoding, each run of
// empty buckets is merged into one empty bucket ending where the run ends, which keeps every
// non-empty bucket's left edge (the previous limit) exact while writing a few dozen buckets
// instead of 1551.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kinds/core_kinds.hpp"
#include "kinds/payload_buffer.hpp"
#include "tblog/error.hpp"
#include "tblog/summary.pb.h"
#include "kinds/summary_value.hpp"

namespace tblog::detail {
namespace {

std::vector<double> make_default_bucket_limits() {
  std::vector<double> positive;
  for (double v = 1e-12; v < 1e20; v *= 1.1) positive.push_back(v);
  positive.push_back(DBL_MAX);
  std::vector<double> limits;
  limits.reserve(2 * positive.size() + 1);
  for (auto it = positive.rbegin(); it != positive.rend(); ++it) limits.push_back(-*it);
  limits.push_back(0.0);
  limits.insert(limits.end(), positive.begin(), positive.end());
  return limits;
}

// The bucket of a value in O(1): the positive edges grow by 1.1 a step, so a value's exponent
// and the top 4 bits of its mantissa (a cell 1/16 of an octave wide, narrower than an edge's
// step) give, from a table, the first edge at or above the cell's start; one or two
// comparisons with the actual edges then finish the search. The answer is the same as a
// binary search over the edges for every double (the comparisons decide, the table only
// says where to start).
class DefaultBucketIndex {
 public:
  DefaultBucketIndex() : limits_(make_default_bucket_limits()) {
    positive_count_ = (limits_.size() - 1) / 2;
    positive_ = limits_.data() + positive_count_ + 1;
    for (std::uint32_t cell = 0; cell < kCells; ++cell) {
      const double start = cell_start(cell);
      first_edge_[cell] = static_cast<std::uint16_t>(
          std::lower_bound(positive_, positive_ + positive_count_, start) - positive_);
    }
  }

  const std::vector<double>& limits() const { return limits_; }

  // Index into limits() of the first limit > v (v finite), the last one for v == DBL_MAX.
  std::size_t operator()(double v) const {
    const std::size_t zero = positive_count_;  // limits_[zero] == 0
    if (v > 0) {
      std::size_t k = first_edge(v);
      while (k < positive_count_ && positive_[k] <= v) ++k;
      return std::min(zero + 1 + k, limits_.size() - 1);
    }
    if (v < 0) {
      // The first limit > v is -positive[m] for the largest m with positive[m] < -v.
      const double a = -v;
      std::size_t k = first_edge(a);
      while (k < positive_count_ && positive_[k] < a) ++k;
      return k == 0 ? zero : zero - k;
    }
    return zero + 1;  // 0 and -0: the first limit above is 1e-12
  }

 private:
  static constexpr int kCellBits = 4;
  // Cells cover the binary exponents from 2^-41 (below 1e-12) to 2^67 (above 1e20).
  static constexpr int kLowestExponent = -41;
  static constexpr int kHighestExponent = 67;
  static constexpr std::uint32_t kCells =
      static_cast<std::uint32_t>(kHighestExponent - kLowestExponent + 1) << kCellBits;

  static double cell_start(std::uint32_t cell) {
    const int exponent = kLowestExponent + static_cast<int>(cell >> kCellBits);
    const double mantissa = 1.0 + static_cast<double>(cell & ((1u << kCellBits) - 1)) /
                                      static_cast<double>(1u << kCellBits);
    return std::ldexp(mantissa, exponent);
  }

  // The first positive edge at or above the start of a's cell (a > 0).
  std::size_t first_edge(double a) const {
    std::uint64_t bits;
    std::memcpy(&bits, &a, sizeof bits);
    const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    if (exponent < kLowestExponent) return 0;
    if (exponent > kHighestExponent) return positive_count_ - 1;
    const auto cell = (static_cast<std::uint32_t>(exponent - kLowestExponent) << kCellBits) |
                      static_cast<std::uint32_t>((bits >> (52 - kCellBits)) & ((1u << kCellBits) - 1));
    return first_edge_[cell];
  }

  std::vector<double> limits_;
  const double* positive_ = nullptr;
  std::size_t positive_count_ = 0;
  std::uint16_t first_edge_[kCells];
};

const DefaultBucketIndex& default_bucket_index() {
  static const DefaultBucketIndex index;
  return index;
}

template <typename T>
HistogramBuckets bucketize_values(const T* values, std::size_t count, std::size_t* non_finite) {
  const DefaultBucketIndex& index = default_bucket_index();
  const std::vector<double>& limits = index.limits();
  std::vector<std::uint64_t> counts(limits.size(), 0);
  HistogramBuckets h;
  double min = DBL_MAX;
  double max = -DBL_MAX;
  double sum = 0;
  double sum_squares = 0;
  std::size_t skipped = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double v = static_cast<double>(values[i]);
    if (!std::isfinite(v)) {
      ++skipped;
      continue;
    }
    ++counts[index(v)];
    min = std::min(min, v);
    max = std::max(max, v);
    sum += v;
    sum_squares += v * v;
  }
  if (non_finite != nullptr) *non_finite = skipped;
  h.num = static_cast<double>(count - skipped);
  h.sum = sum;
  h.sum_squares = sum_squares;
  h.min = h.num == 0 ? 0 : min;
  h.max = h.num == 0 ? 0 : max;

  for (std::size_t i = 0; i < counts.size();) {
    double limit = limits[i];
    const auto c = static_cast<double>(counts[i]);
    ++i;
    if (c == 0.0) {
      while (i < counts.size() && counts[i] == 0) limit = limits[i++];
    }
    h.bucket_limits.push_back(limit);
    h.bucket_counts.push_back(c);
  }
  return h;
}

void encode_histogram_value(const EncodeContext& ctx, const HistogramBuckets& h, std::string& out) {
  pb::Summary::Value value = start_value(ctx, kHistograms);
  auto* histo = value.mutable_histo();
  histo->set_min(h.min);
  histo->set_max(h.max);
  histo->set_num(h.num);
  histo->set_sum(h.sum);
  histo->set_sum_squares(h.sum_squares);
  histo->mutable_bucket_limit()->Add(h.bucket_limits.begin(), h.bucket_limits.end());
  histo->mutable_bucket()->Add(h.bucket_counts.begin(), h.bucket_counts.end());
  value.AppendToString(&out);
}

template <typename T>
class HistogramPayload final : public Payload {
 public:
  HistogramPayload(const T* values, std::size_t count)
      : values_(values, count * sizeof(T)), count_(count) {}
  std::size_t memory_bytes() const override { return sizeof(*this) + values_.capacity(); }

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    std::size_t non_finite = 0;
    const HistogramBuckets h = bucketize_values(values_.as<T>(), count_, &non_finite);
    if (non_finite > 0 && ctx.warn) {
      ctx.warn("histogram '" + std::string(ctx.tag) + "': left out " + std::to_string(non_finite) +
               " of " + std::to_string(count_) + " values that are NaN or infinite");
    }
    encode_histogram_value(ctx, h, out);
  }

 private:
  PayloadBuffer values_;  // count_ values of type T
  std::size_t count_;
};

class RawHistogramPayload final : public Payload {
 public:
  explicit RawHistogramPayload(const HistogramBuckets& buckets) : buckets_(buckets) {}
  std::size_t memory_bytes() const override {
    return sizeof(*this) + heap_bytes(buckets_.bucket_limits) + heap_bytes(buckets_.bucket_counts);
  }

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    encode_histogram_value(ctx, buckets_, out);
  }

 private:
  HistogramBuckets buckets_;
};

template <typename T>
std::unique_ptr<Payload> make_histogram(const T* values, std::size_t count) {
  check_histogram_values(values, count);
  return std::make_unique<HistogramPayload<T>>(values, count);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

const std::vector<double>& default_bucket_limits() { return default_bucket_index().limits(); }

std::size_t default_bucket_of(double v) { return default_bucket_index()(v); }

void check_histogram_values(const void* values, std::size_t count) {
  if (count == 0) throw Error("histogram: values is empty");
  if (values == nullptr) throw Error("histogram: values is null");
  if (count > kMaxHistogramValues) {
    throw Error("histogram: count " + std::to_string(count) + " is above " +
                std::to_string(kMaxHistogramValues) + " values");
  }
}

HistogramBuckets bucketize(const double* values, std::size_t count, std::size_t* non_finite) {
  return bucketize_values(values, count, non_finite);
}

std::unique_ptr<Payload> make_histogram_payload(const float* values, std::size_t count) {
  return make_histogram(values, count);
}

std::unique_ptr<Payload> make_histogram_payload(const double* values, std::size_t count) {
  return make_histogram(values, count);
}

std::unique_ptr<Payload> make_histogram_raw_payload(const HistogramBuckets& buckets) {
  const auto& limits = buckets.bucket_limits;
  const auto& counts = buckets.bucket_counts;
  if (limits.empty()) throw Error("histogram: buckets.bucket_limits is empty");
  if (counts.size() != limits.size()) {
    throw Error("histogram: buckets.bucket_counts has " + std::to_string(counts.size()) +
                " entries but buckets.bucket_limits has " + std::to_string(limits.size()) +
                "; they must be the same length");
  }
  for (std::size_t i = 0; i < limits.size(); ++i) {
    if (std::isnan(limits[i])) {
      throw Error("histogram: buckets.bucket_limits[" + std::to_string(i) + "] is NaN");
    }
    if (i > 0 && !(limits[i] > limits[i - 1])) {
      throw Error("histogram: buckets.bucket_limits must be strictly increasing, but [" +
                  std::to_string(i) + "] = " + number(limits[i]) + " follows [" +
                  std::to_string(i - 1) + "] = " + number(limits[i - 1]));
    }
    if (!(counts[i] >= 0) || std::isinf(counts[i])) {
      throw Error("histogram: buckets.bucket_counts[" + std::to_string(i) + "] is " +
                  number(counts[i]) + "; counts must be finite and >= 0");
    }
  }
  if (std::isnan(buckets.min) || std::isnan(buckets.max)) {
    throw Error("histogram: buckets.min " + number(buckets.min) + " or buckets.max " +
                number(buckets.max) + " is NaN");
  }
  if (!(buckets.num >= 0) || std::isinf(buckets.num)) {
    throw Error("histogram: buckets.num is " + number(buckets.num) +
                "; the value count must be finite and >= 0");
  }
  // An empty histogram may keep TensorFlow's empty range (min DBL_MAX, max -DBL_MAX).
  if (buckets.num > 0 && buckets.min > buckets.max) {
    throw Error("histogram: buckets.min " + number(buckets.min) + " is above buckets.max " +
                number(buckets.max));
  }
  return std::make_unique<RawHistogramPayload>(buckets);
}

}  // namespace tblog::detail
