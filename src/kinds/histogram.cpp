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
#include <limits>
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

// The bucket of a value in O(1). The positive edges grow by 1.1 a step; a cell of doubles
// that share their sign, exponent and the top 4 bits of the mantissa spans at most 17/16, so
// no cell holds more than one edge. A table over the top 16 bits of a double gives each
// cell's first limit above the cell's lowest value, and one comparison with that limit
// finishes: the bucket is the table's or the next one. Non-finite values (exponent all ones)
// map to an extra slot past the last bucket. The answer equals a binary search over the
// limits for every double; the tests check every cell at both ends.
class DefaultBucketIndex {
 public:
  static constexpr unsigned kCellShift = 48;  // sign, 11 exponent bits, 4 mantissa bits
  static constexpr std::size_t kCells = std::size_t{1} << 16;

  DefaultBucketIndex() : limits_(make_default_bucket_limits()) {
    // The comparison values: limits_, except that nothing is above the last bucket (v ==
    // DBL_MAX stays in it, as in TensorFlow) and the non-finite slot never moves on.
    compare_.assign(limits_.begin(), limits_.end());
    compare_.back() = std::numeric_limits<double>::infinity();
    compare_.push_back(std::numeric_limits<double>::quiet_NaN());
    for (std::size_t cell = 0; cell < kCells; ++cell) {
      const std::uint64_t exponent = (cell >> 4) & 0x7ff;
      if (exponent == 0x7ff) {
        first_limit_[cell] = static_cast<std::uint16_t>(non_finite_slot());
        continue;
      }
      const double lowest = lowest_in_cell(cell);
      first_limit_[cell] = static_cast<std::uint16_t>(
          std::upper_bound(limits_.begin(), limits_.end(), lowest) - limits_.begin());
    }
  }

  const std::vector<double>& limits() const { return limits_; }
  std::size_t non_finite_slot() const { return limits_.size(); }

  // Index into limits() of the first limit > v, the last one for v == DBL_MAX, and
  // non_finite_slot() for NaN and ±inf.
  std::size_t operator()(double v) const {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const std::size_t first = first_limit_[bits >> kCellShift];
    return first + static_cast<std::size_t>(compare_[first] <= v);
  }

 private:
  // The lowest double of a cell (for a negative cell, the one of largest magnitude).
  static double lowest_in_cell(std::size_t cell) {
    const bool negative = (cell >> 15) != 0;
    std::uint64_t bits = static_cast<std::uint64_t>(cell) << kCellShift;
    if (negative) bits |= (std::uint64_t{1} << kCellShift) - 1;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }

  std::vector<double> limits_;
  std::vector<double> compare_;
  std::uint16_t first_limit_[kCells];
};

const DefaultBucketIndex& default_bucket_index() {
  static const DefaultBucketIndex index;
  return index;
}

// Running min, max, sum and sum of squares in four independent lanes, so that consecutive
// values do not wait on each other's additions.
struct MomentLanes {
  double min[4] = {DBL_MAX, DBL_MAX, DBL_MAX, DBL_MAX};
  double max[4] = {-DBL_MAX, -DBL_MAX, -DBL_MAX, -DBL_MAX};
  double sum[4] = {0, 0, 0, 0};
  double sum_squares[4] = {0, 0, 0, 0};

  void add(int lane, double v) {
    min[lane] = v < min[lane] ? v : min[lane];
    max[lane] = v > max[lane] ? v : max[lane];
    sum[lane] += v;
    sum_squares[lane] += v * v;
  }
};

template <typename T>
HistogramBuckets bucketize_values(const T* values, std::size_t count, std::size_t* non_finite) {
  const DefaultBucketIndex& index = default_bucket_index();
  const std::vector<double>& limits = index.limits();
  const std::size_t slots = index.non_finite_slot() + 1;
  // Two count arrays, alternating, so that runs of values in one bucket do not serialise on
  // one counter. Counts fit 32 bits: a histogram holds at most 2^31 values.
  std::vector<std::uint32_t> counts(2 * slots, 0);
  std::uint32_t* const even = counts.data();
  std::uint32_t* const odd = counts.data() + slots;
  MomentLanes lanes;
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const double v0 = static_cast<double>(values[i]);
    const double v1 = static_cast<double>(values[i + 1]);
    const double v2 = static_cast<double>(values[i + 2]);
    const double v3 = static_cast<double>(values[i + 3]);
    ++even[index(v0)];
    ++odd[index(v1)];
    ++even[index(v2)];
    ++odd[index(v3)];
    lanes.add(0, v0);
    lanes.add(1, v1);
    lanes.add(2, v2);
    lanes.add(3, v3);
  }
  for (; i < count; ++i) {
    const double v = static_cast<double>(values[i]);
    ++even[index(v)];
    lanes.add(0, v);
  }
  const std::size_t skipped = even[slots - 1] + odd[slots - 1];
  if (skipped > 0) {
    // Rare: NaN or ±inf poisoned the lanes; redo the moments over the finite values only.
    lanes = MomentLanes();
    for (std::size_t k = 0; k < count; ++k) {
      const double v = static_cast<double>(values[k]);
      if (std::isfinite(v)) lanes.add(0, v);
    }
  }
  if (non_finite != nullptr) *non_finite = skipped;

  HistogramBuckets h;
  h.num = static_cast<double>(count - skipped);
  h.sum = (lanes.sum[0] + lanes.sum[1]) + (lanes.sum[2] + lanes.sum[3]);
  h.sum_squares = (lanes.sum_squares[0] + lanes.sum_squares[1]) +
                  (lanes.sum_squares[2] + lanes.sum_squares[3]);
  const double min = std::min(std::min(lanes.min[0], lanes.min[1]), std::min(lanes.min[2], lanes.min[3]));
  const double max = std::max(std::max(lanes.max[0], lanes.max[1]), std::max(lanes.max[2], lanes.max[3]));
  h.min = h.num == 0 ? 0 : min;
  h.max = h.num == 0 ? 0 : max;

  const std::size_t buckets = limits.size();
  auto count_of = [&](std::size_t b) { return static_cast<double>(even[b]) + static_cast<double>(odd[b]); };
  for (std::size_t b = 0; b < buckets;) {
    double limit = limits[b];
    const double c = count_of(b);
    ++b;
    if (c == 0.0) {
      while (b < buckets && count_of(b) == 0.0) limit = limits[b++];
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
