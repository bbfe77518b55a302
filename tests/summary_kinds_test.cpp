// The payload of each summary kind, encoded and parsed back with protobuf.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kinds/png_encoder.hpp"
#include "png_test_decode.hpp"
#include "kinds/core_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/summary.pb.h"

namespace tblog::detail {
namespace {

using tblog::test::decode_png;
using tblog::test::DecodedPng;

struct Encoded {
  pb::Summary::Value value;
  std::vector<std::string> warnings;
};

// Encodes after some bytes already in the buffer, to check that encode_value appends.
Encoded encode(Payload& payload, std::string_view tag, bool first_in_file, int png_level = 1) {
  Encoded e;
  EncodeContext ctx;
  ctx.tag = tag;
  ctx.first_in_file = first_in_file;
  ctx.png_compression_level = png_level;
  ctx.warn = [&e](const std::string& message) { e.warnings.push_back(message); };
  const std::string prefix = "earlier bytes";
  std::string out = prefix;
  payload.encode_value(ctx, out);
  EXPECT_EQ(out.compare(0, prefix.size(), prefix), 0) << "encode_value must append";
  EXPECT_GT(out.size(), prefix.size());
  EXPECT_TRUE(e.value.ParseFromArray(out.data() + prefix.size(),
                                     static_cast<int>(out.size() - prefix.size())));
  return e;
}

// Runs f, which must throw tblog::Error whose message contains every one of `parts`.
template <typename F>
void expect_error(F&& f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "no tblog::Error thrown; expected one mentioning " << *parts.begin();
  } catch (const tblog::Error& e) {
    const std::string message = e.what();
    for (const char* part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message \"" << message << "\" does not mention \"" << part << "\"";
    }
  }
}

// ---------------------------------------------------------------------------------------
// Text

TEST(TextPayload, FirstValueCarriesTextPluginAndOneStringTensor) {
  const std::string markdown = "hello **markdown**\n\n| a | b |\n|---|---|\n| 1 | 2 |";
  auto payload = make_text_payload(markdown);
  Encoded e = encode(*payload, "notes/intro", true);
  EXPECT_EQ(e.value.tag(), "notes/intro");
  ASSERT_TRUE(e.value.has_metadata());
  EXPECT_EQ(e.value.metadata().plugin_data().plugin_name(), "text");
  EXPECT_EQ(e.value.metadata().plugin_data().content(), "");  // TextPluginData at version 0
  ASSERT_EQ(e.value.value_case(), pb::Summary::Value::kTensor);
  const pb::TensorProto& t = e.value.tensor();
  EXPECT_EQ(t.dtype(), pb::DT_STRING);
  ASSERT_EQ(t.tensor_shape().dim_size(), 1);
  EXPECT_EQ(t.tensor_shape().dim(0).size(), 1);
  ASSERT_EQ(t.string_val_size(), 1);
  EXPECT_EQ(t.string_val(0), markdown);
  EXPECT_TRUE(e.warnings.empty());
}

TEST(TextPayload, LaterValuesOmitMetadata) {
  auto payload = make_text_payload("again");
  Encoded e = encode(*payload, "note", false);
  EXPECT_FALSE(e.value.has_metadata());
  EXPECT_EQ(e.value.tensor().string_val(0), "again");
}

TEST(TextPayload, KeepsEveryByteOfTheText) {
  const std::string text = std::string("caf\xC3\xA9 \xE2\x9C\x93\n\ttab") + '\0' + "after nul";
  auto payload = make_text_payload(text);
  Encoded e = encode(*payload, "t", true);
  EXPECT_EQ(e.value.tensor().string_val(0), text);
}

TEST(TextPayload, CopiesTheTextBeforeReturning) {
  std::string text = "original";
  auto payload = make_text_payload(text);
  text.assign("changed!");
  EXPECT_EQ(encode(*payload, "t", true).value.tensor().string_val(0), "original");
}

TEST(TextPayload, InvalidUtf8IsRejectedNamingTheByte) {
  try {
    make_text_payload("ok \xC3\xA9 then \xFF bad");
    FAIL() << "expected tblog::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("UTF-8"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("byte 11"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(make_text_payload("caf\xC3\xA9 \xE2\x9C\x93"));
  EXPECT_THROW(make_text_payload("\xED\xA0\x80"), Error);  // a surrogate
  EXPECT_THROW(make_text_payload("\xC0\xAF"), Error);       // an overlong '/'
}

TEST(TextPayload, EmptyTextIsOneEmptyString) {
  auto payload = make_text_payload("");
  Encoded e = encode(*payload, "t", true);
  ASSERT_EQ(e.value.tensor().string_val_size(), 1);
  EXPECT_EQ(e.value.tensor().string_val(0), "");
}

// ---------------------------------------------------------------------------------------
// Histogram

// The O(1) bucket index must agree with a binary search over the edges for every value.
std::size_t bucket_by_binary_search(double v) {
  const std::vector<double>& limits = default_bucket_limits();
  const auto b = static_cast<std::size_t>(std::upper_bound(limits.begin(), limits.end(), v) -
                                          limits.begin());
  return std::min(b, limits.size() - 1);
}

TEST(DefaultBucketIndex, AgreesWithBinarySearchAtEveryEdgeAndSpecialValue) {
  std::vector<double> probes = {0.0, -0.0, DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX,
                                std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::denorm_min(),
                                static_cast<double>(std::numeric_limits<float>::denorm_min()),
                                static_cast<double>(FLT_MAX), -static_cast<double>(FLT_MAX),
                                1e-12, 1e20, -1e20, 1.0, -1.0};
  for (double edge : default_bucket_limits()) {
    for (double v : {edge, std::nextafter(edge, INFINITY), std::nextafter(edge, -INFINITY)}) {
      if (std::isfinite(v)) probes.push_back(v);
    }
  }
  for (double v : probes) {
    ASSERT_EQ(default_bucket_of(v), bucket_by_binary_search(v)) << "v = " << v;
  }
}

TEST(DefaultBucketIndex, AgreesWithBinarySearchAcrossFloatsAndDoubles) {
  // A sweep over float bit patterns (every sign, exponent and a spread of mantissas), then
  // doubles with random exponents across the whole range.
  for (std::uint64_t bits = 0; bits <= 0xffffffffu; bits += 251) {
    const auto b32 = static_cast<std::uint32_t>(bits);
    float f;
    std::memcpy(&f, &b32, sizeof f);
    if (!std::isfinite(f)) continue;
    ASSERT_EQ(default_bucket_of(f), bucket_by_binary_search(f)) << "float bits " << b32;
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000000; ++i) {
    std::uint64_t b = rng();
    double d;
    std::memcpy(&d, &b, sizeof d);
    if (!std::isfinite(d)) continue;
    ASSERT_EQ(default_bucket_of(d), bucket_by_binary_search(d)) << "double bits " << b;
  }
}

TEST(DefaultBucketIndex, AgreesWithBinarySearchAtBothEndsOfEveryCell) {
  // The index works on cells of doubles that share their top 16 bits (sign, exponent, 4
  // mantissa bits) and assumes at most one edge inside a cell: both ends of every finite
  // cell, and their neighbours inside it, must land where the binary search puts them.
  for (std::uint64_t cell = 0; cell < (1u << 16); ++cell) {
    if (((cell >> 4) & 0x7ff) == 0x7ff) continue;
    const std::uint64_t low = cell << 48;
    const std::uint64_t high = low | ((std::uint64_t{1} << 48) - 1);
    for (std::uint64_t bits : {low, low + 1, high - 1, high, low + (std::uint64_t{1} << 47)}) {
      double d;
      std::memcpy(&d, &bits, sizeof d);
      ASSERT_EQ(default_bucket_of(d), bucket_by_binary_search(d)) << "double bits " << bits;
    }
  }
}

TEST(DefaultBucketLimits, FollowTensorFlowsGeometricEdges) {
  const std::vector<double>& limits = default_bucket_limits();
  // Positive edges 1e-12 * 1.1^k for k = 0.. while below 1e20: ceil(32 ln 10 / ln 1.1) of them.
  const auto per_side = static_cast<std::size_t>(std::ceil(32 * std::log(10.0) / std::log(1.1)));
  ASSERT_EQ(limits.size(), 2 * (per_side + 1) + 1);
  const std::size_t zero = per_side + 1;
  EXPECT_EQ(limits[zero], 0.0);
  EXPECT_EQ(limits.front(), -DBL_MAX);
  EXPECT_EQ(limits.back(), DBL_MAX);
  EXPECT_EQ(limits[zero + 1], 1e-12);
  EXPECT_LT(limits[limits.size() - 2], 1e20);
  EXPECT_GE(limits[limits.size() - 2] * 1.1, 1e20);
  for (std::size_t i = 1; i < limits.size(); ++i) EXPECT_LT(limits[i - 1], limits[i]);
  for (std::size_t i = 0; i < limits.size(); ++i) {
    EXPECT_EQ(limits[i], -limits[limits.size() - 1 - i]) << "not mirrored at " << i;
  }
  for (std::size_t i = zero + 2; i + 1 < limits.size(); ++i) {
    EXPECT_NEAR(limits[i] / limits[i - 1], 1.1, 1e-12) << i;
  }
}

// Counts per default bucket by a plain scan: bucket i holds [limit[i-1], limit[i]).
std::vector<double> expected_counts(const std::vector<double>& values) {
  const std::vector<double>& limits = default_bucket_limits();
  std::vector<double> counts(limits.size(), 0.0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    for (std::size_t i = 0; i < limits.size(); ++i) {
      const bool above_left = i == 0 || v >= limits[i - 1];
      if (above_left && (v < limits[i] || i + 1 == limits.size())) {
        counts[i] += 1;
        break;
      }
    }
  }
  return counts;
}

// Checks a written histogram against full per-bucket counts: every non-empty default bucket
// is written on its own with its exact edges, and runs of empty buckets are merged.
void expect_buckets_match(const pb::HistogramProto& h, const std::vector<double>& full) {
  const std::vector<double>& limits = default_bucket_limits();
  ASSERT_EQ(h.bucket_limit_size(), h.bucket_size());
  ASSERT_GT(h.bucket_size(), 0);
  EXPECT_EQ(h.bucket_limit(h.bucket_limit_size() - 1), DBL_MAX);
  std::size_t prev_end = 0;  // default buckets [0, prev_end) are accounted for
  for (int k = 0; k < h.bucket_size(); ++k) {
    auto it = std::find(limits.begin(), limits.end(), h.bucket_limit(k));
    ASSERT_NE(it, limits.end()) << "written limit " << h.bucket_limit(k) << " is not a default";
    const auto j = static_cast<std::size_t>(it - limits.begin());
    ASSERT_GE(j, prev_end) << "limits not increasing at " << k;
    double covered = 0;
    for (std::size_t i = prev_end; i <= j; ++i) covered += full[i];
    EXPECT_EQ(h.bucket(k), covered) << "written bucket " << k;
    if (h.bucket(k) > 0) {
      EXPECT_EQ(j, prev_end) << "non-empty bucket " << k << " spans several default buckets";
    } else if (k > 0) {
      EXPECT_GT(h.bucket(k - 1), 0) << "two empty buckets in a row at " << k;
    }
    prev_end = j + 1;
  }
  EXPECT_EQ(prev_end, limits.size());
}

std::vector<double> sample_values() {
  std::mt19937 rng(42);
  std::normal_distribution<double> normal(0.5, 2.0);
  std::vector<double> v;
  for (int i = 0; i < 2000; ++i) v.push_back(normal(rng));
  const std::vector<double>& limits = default_bucket_limits();
  // Values exactly on edges, zero, tiny and huge magnitudes.
  v.insert(v.end(), {0.0, -0.0, 1e-12, -1e-12, limits[900], limits[900], limits[500], 1e-300,
                     -1e-300, 1e25, -1e30, DBL_MAX, -DBL_MAX, 3.0});
  return v;
}

TEST(HistogramPayload, StatsAndBucketsOverDefaultEdges) {
  const std::vector<double> values = sample_values();
  auto payload = make_histogram_payload(values.data(), values.size());
  Encoded e = encode(*payload, "weights", true);
  EXPECT_EQ(e.value.tag(), "weights");
  ASSERT_EQ(e.value.value_case(), pb::Summary::Value::kHisto);
  const pb::HistogramProto& h = e.value.histo();
  double sum_squares = 0;
  for (double v : values) sum_squares += v * v;
  EXPECT_EQ(h.num(), static_cast<double>(values.size()));
  EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.sum_squares(), sum_squares);  // inf here (DBL_MAX squared), as TensorFlow's
  // +DBL_MAX and -DBL_MAX cancel only in an exact sum: the total depends on the order of the
  // additions, which is the library's own (independent lanes). Without them, the sum must be
  // the exact one to within rounding.
  std::vector<double> finite_sum_values;
  long double exact_sum = 0;
  for (double v : values) {
    if (std::fabs(v) == DBL_MAX) continue;
    finite_sum_values.push_back(v);
    exact_sum += v;
  }
  auto finite_payload = make_histogram_payload(finite_sum_values.data(), finite_sum_values.size());
  const double finite_sum = encode(*finite_payload, "weights", true).value.histo().sum();
  EXPECT_NEAR(finite_sum, static_cast<double>(exact_sum), 1e-12 * std::fabs(static_cast<double>(exact_sum)));
  expect_buckets_match(h, expected_counts(values));
  EXPECT_TRUE(e.warnings.empty());
  // Empty runs are merged, so far fewer than all default buckets are written.
  EXPECT_LT(static_cast<std::size_t>(h.bucket_size()), default_bucket_limits().size() / 2);
}

TEST(HistogramPayload, ValueOnAnEdgeGoesToTheBucketThatEdgeOpens) {
  const std::vector<double>& limits = default_bucket_limits();
  const std::vector<double> values = {limits[1000]};
  auto payload = make_histogram_payload(values.data(), values.size());
  const pb::HistogramProto h = encode(*payload, "h", true).value.histo();
  // [limit[1000], limit[1001]) holds it: written as empty run up to 1000, then the bucket.
  ASSERT_EQ(h.bucket_size(), 3);
  EXPECT_EQ(h.bucket_limit(0), limits[1000]);
  EXPECT_EQ(h.bucket(0), 0);
  EXPECT_EQ(h.bucket_limit(1), limits[1001]);
  EXPECT_EQ(h.bucket(1), 1);
  EXPECT_EQ(h.bucket_limit(2), DBL_MAX);
  EXPECT_EQ(h.bucket(2), 0);
}

TEST(HistogramPayload, FloatValuesBucketAsTheirDoubleValues) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-50.f, 50.f);
  std::vector<float> floats(500);
  for (float& f : floats) f = dist(rng);
  const std::vector<double> doubles(floats.begin(), floats.end());
  auto payload = make_histogram_payload(floats.data(), floats.size());
  const pb::HistogramProto h = encode(*payload, "f", true).value.histo();
  EXPECT_EQ(h.num(), 500);
  EXPECT_EQ(h.min(), *std::min_element(doubles.begin(), doubles.end()));
  EXPECT_EQ(h.max(), *std::max_element(doubles.begin(), doubles.end()));
  expect_buckets_match(h, expected_counts(doubles));
}

TEST(HistogramPayload, MetadataOnlyOnFirstValue) {
  const double v[] = {1.0, 2.0};
  auto payload = make_histogram_payload(v, 2);
  Encoded first = encode(*payload, "h", true);
  ASSERT_TRUE(first.value.has_metadata());
  EXPECT_EQ(first.value.metadata().plugin_data().plugin_name(), "histograms");
  EXPECT_EQ(first.value.metadata().plugin_data().content(), "");
  EXPECT_FALSE(encode(*payload, "h", false).value.has_metadata());
}

TEST(HistogramPayload, NonFiniteValuesAreLeftOutWithOneWarning) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values = {1.5, nan, -inf, 2.5, inf, nan, -4.0};
  auto payload = make_histogram_payload(values.data(), values.size());
  Encoded e = encode(*payload, "grads", true);
  const pb::HistogramProto& h = e.value.histo();
  EXPECT_EQ(h.num(), 3);
  EXPECT_EQ(h.min(), -4.0);
  EXPECT_EQ(h.max(), 2.5);
  EXPECT_EQ(h.sum(), 0.0);
  EXPECT_EQ(h.sum_squares(), 1.5 * 1.5 + 2.5 * 2.5 + 16.0);
  expect_buckets_match(h, expected_counts({1.5, 2.5, -4.0}));
  ASSERT_EQ(e.warnings.size(), 1u);
  EXPECT_NE(e.warnings[0].find("grads"), std::string::npos) << e.warnings[0];
  EXPECT_NE(e.warnings[0].find("4 of 7"), std::string::npos) << e.warnings[0];
}

TEST(HistogramPayload, FloatNaNIsLeftOutToo) {
  const std::vector<float> values = {std::numeric_limits<float>::quiet_NaN(), 0.25f};
  auto payload = make_histogram_payload(values.data(), values.size());
  Encoded e = encode(*payload, "h", true);
  EXPECT_EQ(e.value.histo().num(), 1);
  EXPECT_EQ(e.warnings.size(), 1u);
}

TEST(HistogramPayload, OnlyNonFiniteValuesGiveAnEmptyHistogram) {
  const std::vector<double> values = {std::numeric_limits<double>::quiet_NaN()};
  auto payload = make_histogram_payload(values.data(), values.size());
  Encoded e = encode(*payload, "h", true);
  const pb::HistogramProto& h = e.value.histo();
  EXPECT_EQ(h.num(), 0);
  ASSERT_EQ(h.bucket_size(), 1);
  EXPECT_EQ(h.bucket(0), 0);
  EXPECT_EQ(h.bucket_limit(0), DBL_MAX);
  EXPECT_EQ(e.warnings.size(), 1u);
}

TEST(HistogramPayload, WorksWithoutAWarningCallback) {
  const std::vector<double> values = {std::numeric_limits<double>::infinity(), 1.0};
  auto payload = make_histogram_payload(values.data(), values.size());
  EncodeContext ctx;
  ctx.tag = "h";
  std::string out;
  payload->encode_value(ctx, out);
  pb::Summary::Value v;
  ASSERT_TRUE(v.ParseFromString(out));
  EXPECT_EQ(v.histo().num(), 1);
}

TEST(HistogramPayload, CopiesValuesBeforeReturning) {
  std::vector<double> values = {1.0, 2.0, 3.0};
  auto payload = make_histogram_payload(values.data(), values.size());
  std::fill(values.begin(), values.end(), 100.0);
  const pb::HistogramProto h = encode(*payload, "h", true).value.histo();
  EXPECT_EQ(h.max(), 3.0);
  EXPECT_EQ(h.sum(), 6.0);
}

TEST(HistogramPayload, EmptyValuesAreRejected) {
  const double one = 1.0;
  expect_error([&] { make_histogram_payload(&one, 0); }, {"values", "empty"});
  expect_error([&] { make_histogram_payload(static_cast<const float*>(nullptr), 0); },
               {"values", "empty"});
  expect_error([&] { make_histogram_payload(static_cast<const double*>(nullptr), 3); },
               {"values", "null"});
}

TEST(Bucketize, ReportsNonFiniteCountAndTotals) {
  const std::vector<double> values = {-1.0, 0.5, std::numeric_limits<double>::quiet_NaN(), 8.0};
  std::size_t non_finite = 99;
  const HistogramBuckets h = bucketize(values.data(), values.size(), &non_finite);
  EXPECT_EQ(non_finite, 1u);
  EXPECT_EQ(h.num, 3);
  EXPECT_EQ(h.sum, 7.5);
  EXPECT_EQ(h.sum_squares, 1.0 + 0.25 + 64.0);
  EXPECT_EQ(h.min, -1.0);
  EXPECT_EQ(h.max, 8.0);
  ASSERT_EQ(h.bucket_limits.size(), h.bucket_counts.size());
  double total = 0;
  for (double c : h.bucket_counts) total += c;
  EXPECT_EQ(total, 3);
  // Three separated values: empty, value, empty, value, empty, value, empty.
  EXPECT_EQ(h.bucket_counts.size(), 7u);
}

HistogramBuckets raw_buckets() {
  HistogramBuckets b;
  b.min = -1.5;
  b.max = 2.5;
  b.num = 10;
  b.sum = 4.25;
  b.sum_squares = 12.5;
  b.bucket_limits = {-1.0, 0.0, 1.0, 2.5};
  b.bucket_counts = {1, 4, 0, 5};
  return b;
}

TEST(HistogramRawPayload, WritesTheBucketsAsGiven) {
  const HistogramBuckets b = raw_buckets();
  auto payload = make_histogram_raw_payload(b);
  Encoded e = encode(*payload, "raw", true);
  EXPECT_EQ(e.value.tag(), "raw");
  EXPECT_EQ(e.value.metadata().plugin_data().plugin_name(), "histograms");
  const pb::HistogramProto& h = e.value.histo();
  EXPECT_EQ(h.min(), -1.5);
  EXPECT_EQ(h.max(), 2.5);
  EXPECT_EQ(h.num(), 10);
  EXPECT_EQ(h.sum(), 4.25);
  EXPECT_EQ(h.sum_squares(), 12.5);
  EXPECT_EQ(std::vector<double>(h.bucket_limit().begin(), h.bucket_limit().end()), b.bucket_limits);
  EXPECT_EQ(std::vector<double>(h.bucket().begin(), h.bucket().end()), b.bucket_counts);
  EXPECT_FALSE(encode(*payload, "raw", false).value.has_metadata());
}

TEST(HistogramRawPayload, RejectsBadBuckets) {
  HistogramBuckets b = raw_buckets();
  b.bucket_limits.clear();
  b.bucket_counts.clear();
  expect_error([&] { make_histogram_raw_payload(b); }, {"bucket_limits", "empty"});

  b = raw_buckets();
  b.bucket_counts.pop_back();
  expect_error([&] { make_histogram_raw_payload(b); },
               {"bucket_counts", "bucket_limits", "3", "4"});

  b = raw_buckets();
  b.bucket_limits[2] = 0.0;  // equal to the one before
  expect_error([&] { make_histogram_raw_payload(b); }, {"bucket_limits", "increasing", "[2]"});

  b = raw_buckets();
  b.bucket_limits[3] = -5.0;
  expect_error([&] { make_histogram_raw_payload(b); }, {"bucket_limits", "increasing", "[3]"});

  b = raw_buckets();
  b.bucket_limits = {std::numeric_limits<double>::quiet_NaN()};
  b.bucket_counts = {1};
  expect_error([&] { make_histogram_raw_payload(b); }, {"bucket_limits[0]", "NaN"});

  b = raw_buckets();
  b.bucket_counts[1] = -1;
  expect_error([&] { make_histogram_raw_payload(b); }, {"bucket_counts[1]", ">= 0"});

  b = raw_buckets();
  b.bucket_counts[0] = std::numeric_limits<double>::quiet_NaN();
  expect_error([&] { make_histogram_raw_payload(b); }, {"bucket_counts[0]"});
}

TEST(HistogramRawPayload, RejectsBadSummaryFields) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  HistogramBuckets b = raw_buckets();
  b.min = nan;
  expect_error([&] { make_histogram_raw_payload(b); }, {"buckets.min", "NaN"});
  b = raw_buckets();
  b.max = nan;
  expect_error([&] { make_histogram_raw_payload(b); }, {"buckets.max", "NaN"});
  for (double num : {-1.0, nan, std::numeric_limits<double>::infinity()}) {
    b = raw_buckets();
    b.num = num;
    expect_error([&] { make_histogram_raw_payload(b); }, {"buckets.num"});
  }
  b = raw_buckets();
  b.min = 3.0;
  b.max = 2.0;
  expect_error([&] { make_histogram_raw_payload(b); }, {"buckets.min", "buckets.max"});
  b.num = 0;  // an empty histogram may keep an empty range
  EXPECT_NO_THROW(make_histogram_raw_payload(b));
}

// ---------------------------------------------------------------------------------------
// Images

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng() & 0xFF);
  return v;
}

struct ImageResult {
  pb::Summary::Image image;
  DecodedPng png;
  bool has_metadata = false;
};

ImageResult encode_image(Payload& payload, bool first_in_file = true, int level = 1) {
  Encoded e = encode(payload, "img", first_in_file, level);
  ImageResult r;
  EXPECT_EQ(e.value.value_case(), pb::Summary::Value::kImage);
  r.image = e.value.image();
  r.has_metadata = e.value.has_metadata();
  if (r.has_metadata) {
    EXPECT_EQ(e.value.metadata().plugin_data().plugin_name(), "images");
    EXPECT_EQ(e.value.metadata().plugin_data().content(), "");
  }
  r.png = decode_png(r.image.encoded_image_string());
  EXPECT_TRUE(r.png.ok) << r.png.error;
  EXPECT_EQ(r.png.width, r.image.width());
  EXPECT_EQ(r.png.height, r.image.height());
  EXPECT_EQ(r.png.channels, r.image.colorspace());
  return r;
}

TEST(ImagePayload, Uint8HwcRoundTripsForEachChannelCount) {
  for (int channels : {1, 3, 4}) {
    const int h = 13, w = 17;
    const auto pixels = random_bytes(static_cast<std::size_t>(h * w * channels), channels);
    auto payload = make_image_payload(ImageView(pixels, ImageLayout::HWC, h, w, channels));
    ImageResult r = encode_image(*payload);
    EXPECT_EQ(r.image.height(), h);
    EXPECT_EQ(r.image.width(), w);
    EXPECT_EQ(r.image.colorspace(), channels);
    EXPECT_EQ(r.png.pixels, pixels) << channels << " channels";
  }
}

TEST(ImagePayload, Uint8ChwIsTransposedToChannelsLast) {
  for (int channels : {1, 3, 4}) {
    const int h = 6, w = 9;
    const auto chw = random_bytes(static_cast<std::size_t>(h * w * channels), 10 + channels);
    auto payload = make_image_payload(ImageView(chw, ImageLayout::CHW, h, w, channels));
    ImageResult r = encode_image(*payload);
    ASSERT_EQ(r.png.channels, channels);
    for (int c = 0; c < channels; ++c)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          ASSERT_EQ(r.png.at(y, x, c), chw[(c * h + y) * w + x]) << c << "," << y << "," << x;
  }
}

TEST(ImagePayload, HwIsGrayAndIgnoresChannels) {
  const int h = 5, w = 4;
  const auto gray = random_bytes(h * w, 3);
  ImageView view(gray, ImageLayout::HW, h, w, /*c=*/3);  // channels ignored for HW
  ImageResult r = encode_image(*make_image_payload(view));
  EXPECT_EQ(r.image.colorspace(), 1);
  EXPECT_EQ(r.png.pixels, gray);
}

TEST(ImagePayload, MetadataOnlyOnFirstValue) {
  const auto px = random_bytes(2 * 2 * 3, 1);
  auto payload = make_image_payload(ImageView(px, ImageLayout::HWC, 2, 2, 3));
  EXPECT_TRUE(encode_image(*payload, true).has_metadata);
  EXPECT_FALSE(encode_image(*payload, false).has_metadata);
}

TEST(ImagePayload, FloatPixelsAreScaledClampedAndTruncated) {
  // Hand-computed: x * 255 truncated toward zero, clamped to [0, 255]; NaN gives 0.
  const std::vector<float> in = {-1.0f,   0.0f,  0.5f,
                                 0.999f,  1.0f,  2.0f,
                                 0.1234f, 0.75f, std::numeric_limits<float>::quiet_NaN(),
                                 0.004f};
  const std::vector<std::uint8_t> want = {0, 0, 127, 254, 255, 255, 31, 191, 0, 1};
  auto payload = make_image_payload(ImageView(in, ImageLayout::HW, 2, 5));
  ImageResult r = encode_image(*payload);
  EXPECT_EQ(r.png.pixels, want);
}

TEST(ImagePayload, FloatChwMatchesTheTruncationRule) {
  const int h = 7, w = 5, channels = 3;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-0.2f, 1.2f);
  std::vector<float> chw(h * w * channels);
  for (float& f : chw) f = dist(rng);
  ImageResult r = encode_image(*make_image_payload(ImageView(chw, ImageLayout::CHW, h, w, 3)));
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const float scaled = chw[(c * h + y) * w + x] * 255.0f;
        const int want = static_cast<int>(std::floor(std::min(255.0f, std::max(0.0f, scaled))));
        ASSERT_EQ(r.png.at(y, x, c), want) << c << "," << y << "," << x;
      }
}

TEST(ImagePayload, EveryCompressionLevelDecodesToThePixels) {
  const int h = 40, w = 30;
  std::vector<std::uint8_t> px(h * w * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        px[(y * w + x) * 3 + c] = static_cast<std::uint8_t>(x * 4 + c * 50);
  auto payload = make_image_payload(ImageView(px, ImageLayout::HWC, h, w, 3));
  std::size_t stored_size = 0, best_size = 0;
  for (int level = 0; level <= 9; ++level) {
    ImageResult r = encode_image(*payload, true, level);
    EXPECT_EQ(r.png.pixels, px) << "level " << level;
    if (level == 0) stored_size = r.image.encoded_image_string().size();
    if (level == 9) best_size = r.image.encoded_image_string().size();
  }
  EXPECT_GT(stored_size, px.size());  // level 0 stores the bytes uncompressed
  EXPECT_LT(best_size, px.size() / 4);
}

TEST(ImagePayload, CopiesPixelsBeforeReturning) {
  std::vector<std::uint8_t> px(4 * 4 * 3, 200);
  auto payload = make_image_payload(ImageView(px, ImageLayout::HWC, 4, 4, 3));
  std::fill(px.begin(), px.end(), 7);
  ImageResult r = encode_image(*payload);
  EXPECT_EQ(r.png.pixels, std::vector<std::uint8_t>(4 * 4 * 3, 200));
}

TEST(ImagePayload, RejectsBadArgumentsNamingThem) {
  const std::vector<std::uint8_t> px(16 * 32 * 3);
  expect_error(
      [] {
        make_image_payload(
            ImageView(static_cast<const std::uint8_t*>(nullptr), 3, ImageLayout::HW, 1, 3));
      },
      {"image.data", "null"});
  expect_error([&] { make_image_payload(ImageView(px, ImageLayout::HWC, 0, 32, 3)); },
               {"image.height", "0"});
  expect_error([&] { make_image_payload(ImageView(px, ImageLayout::HWC, 16, -4, 3)); },
               {"image.width", "-4"});
  expect_error([&] { make_image_payload(ImageView(px, ImageLayout::HWC, 16, 32, 2)); },
               {"image.channels", "1, 3 or 4", "2"});
  expect_error([&] { make_image_payload(ImageView(px, ImageLayout::CHW, 16, 32, 5)); },
               {"image.channels", "5"});
  expect_error([&] { make_image_payload(ImageView(px, ImageLayout::HWC, 16, 32, 4)); },
               {"image.size", "1536", "2048", "16 x 32 x 4"});
  expect_error([&] { make_image_payload(ImageView(px, ImageLayout::HW, 16, 16)); },
               {"image.size", "1536", "256"});
  expect_error(
      [&] { make_image_payload(ImageView(px, ImageLayout::HWC, 1, std::int64_t{1} << 31, 1)); },
      {"image.width", "2147483648"});
  expect_error(
      [&] {
        make_image_payload(
            ImageView(px, ImageLayout::HWC, std::int64_t{1} << 40, std::int64_t{1} << 30, 4));
      },
      {"image.height"});
  // Sizes near 2^64 are too large, not a wrap-around.
  expect_error(
      [&] { make_image_payload(ImageView(px, ImageLayout::HWC, 0x7FFFFFFF, 0x7FFFFFFF, 4)); },
      {"image", "2147483647 x 2147483647 x 4", "elements"});
}

TEST(ImagePayload, AbsurdSizesAreErrorsNotAllocationFailures) {
  // The check comes before any pixel is read: a small buffer stands in for the claimed size.
  const std::vector<std::uint8_t> px(16);
  expect_error(
      [&] {
        make_image_payload(ImageView(px.data(), std::size_t{100000} * 100000, ImageLayout::HW,
                                     100000, 100000));
      },
      {"image", "100000 x 100000 x 1", "10000000000", "elements"});
  expect_error(
      [&] {
        make_image_batch_payload(ImageBatchView(px.data(), std::size_t{3} << 30,
                                                BatchLayout::NHWC, 3 << 10, 1024, 1024, 1));
      },
      {"3072 x 1024 x 1024 x 1", "elements"});
}

TEST(HistogramPayload, AbsurdCountsAreErrorsNotAllocationFailures) {
  const std::vector<float> values(16);
  const std::size_t count = 1000000000000;  // 10^12: nothing is read past the check
  expect_error([&] { make_histogram_payload(values.data(), count); },
               {"count", "1000000000000"});
  expect_error([&] { make_histogram_tensor_payload(values.data(), count); },
               {"count", "1000000000000"});
}

TEST(ImageBatchPayload, LaysImagesSideBySideUpToEightPerRow) {
  const int n = 3, h = 2, w = 3, channels = 3;
  const auto nchw = random_bytes(n * channels * h * w, 21);
  auto payload =
      make_image_batch_payload(ImageBatchView(nchw, BatchLayout::NCHW, n, h, w, channels));
  ImageResult r = encode_image(*payload);
  ASSERT_EQ(r.image.width(), n * w);
  ASSERT_EQ(r.image.height(), h);
  ASSERT_EQ(r.image.colorspace(), 3);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < channels; ++c)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          ASSERT_EQ(r.png.at(y, i * w + x, c), nchw[((i * channels + c) * h + y) * w + x]);
}

TEST(ImageBatchPayload, WrapsAfterEightAndLeavesUnusedCellsZero) {
  const int n = 10, h = 3, w = 2, channels = 4;
  auto nhwc = random_bytes(n * h * w * channels, 22);
  for (std::size_t i = 3; i < nhwc.size(); i += 4) nhwc[i] |= 1;  // no pixel fully transparent
  auto payload =
      make_image_batch_payload(ImageBatchView(nhwc, BatchLayout::NHWC, n, h, w, channels));
  ImageResult r = encode_image(*payload);
  ASSERT_EQ(r.image.width(), 8 * w);
  ASSERT_EQ(r.image.height(), 2 * h);
  ASSERT_EQ(r.image.colorspace(), 4);
  for (int row = 0; row < 2; ++row)
    for (int col = 0; col < 8; ++col) {
      const int i = row * 8 + col;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int c = 0; c < channels; ++c) {
            const int got = r.png.at(row * h + y, col * w + x, c);
            const int want = i < n ? nhwc[((i * h + y) * w + x) * channels + c] : 0;
            ASSERT_EQ(got, want) << "image " << i << " y " << y << " x " << x << " c " << c;
          }
    }
}

TEST(ImageBatchPayload, GrayBatchStaysGray) {
  const int n = 2, h = 4, w = 4;
  const auto nhw = random_bytes(n * h * w, 23);
  auto payload = make_image_batch_payload(ImageBatchView(nhw, BatchLayout::NHW, n, h, w, 3));
  ImageResult r = encode_image(*payload);
  ASSERT_EQ(r.image.colorspace(), 1);
  ASSERT_EQ(r.image.width(), 8);
  for (int i = 0; i < n; ++i)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) ASSERT_EQ(r.png.at(y, i * w + x, 0), nhw[(i * h + y) * w + x]);
}

TEST(ImageBatchPayload, FloatBatchUsesTheTruncationRule) {
  const int n = 9, h = 2, w = 2, channels = 1;
  std::vector<float> nchw(n * h * w);
  for (std::size_t i = 0; i < nchw.size(); ++i) nchw[i] = static_cast<float>(i) / 40.0f;
  auto payload =
      make_image_batch_payload(ImageBatchView(nchw, BatchLayout::NCHW, n, h, w, channels));
  ImageResult r = encode_image(*payload);
  ASSERT_EQ(r.image.width(), 8 * w);
  ASSERT_EQ(r.image.height(), 2 * h);
  for (int i = 0; i < n; ++i)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const float v = nchw[(i * h + y) * w + x];
        const int want = static_cast<int>(std::floor(v * 255.0f));
        ASSERT_EQ(r.png.at((i / 8) * h + y, (i % 8) * w + x, 0), want) << i;
      }
}

TEST(ImageBatchPayload, OneImageBatchIsThatImage) {
  const auto px = random_bytes(5 * 6 * 3, 24);
  auto payload = make_image_batch_payload(ImageBatchView(px, BatchLayout::NHWC, 1, 5, 6, 3));
  ImageResult r = encode_image(*payload);
  EXPECT_EQ(r.image.width(), 6);
  EXPECT_EQ(r.image.height(), 5);
  EXPECT_EQ(r.png.pixels, px);
}

TEST(ImageBatchPayload, RejectsBadArgumentsNamingThem) {
  const std::vector<float> px(4 * 3 * 8 * 12);
  expect_error(
      [] {
        make_image_batch_payload(
            ImageBatchView(static_cast<const float*>(nullptr), 10, BatchLayout::NHW, 1, 2, 5));
      },
      {"batch.data", "null"});
  expect_error(
      [&] { make_image_batch_payload(ImageBatchView(px, BatchLayout::NCHW, 0, 8, 12, 3)); },
      {"batch.count", "0"});
  expect_error(
      [&] { make_image_batch_payload(ImageBatchView(px, BatchLayout::NCHW, 4, -8, 12, 3)); },
      {"batch.height", "-8"});
  expect_error([&] { make_image_batch_payload(ImageBatchView(px, BatchLayout::NCHW, 4, 8, 0, 3)); },
               {"batch.width"});
  expect_error(
      [&] { make_image_batch_payload(ImageBatchView(px, BatchLayout::NHWC, 4, 8, 12, 2)); },
      {"batch.channels", "2"});
  expect_error(
      [&] { make_image_batch_payload(ImageBatchView(px, BatchLayout::NCHW, 5, 8, 12, 3)); },
      {"batch.size", "1152", "1440", "5 x 8 x 12 x 3"});
  // Nine images of height 2^30 make a grid two images tall: more than PNG's 2^31-1 rows.
  expect_error(
      [&] {
        make_image_batch_payload(ImageBatchView(px, BatchLayout::NHW, 9, std::int64_t{1} << 30, 1));
      },
      {"batch.height", "2147483647"});
  // Eight images of width 2^28 make a row 2^31 wide.
  expect_error(
      [&] {
        make_image_batch_payload(ImageBatchView(px, BatchLayout::NHW, 8, 1, std::int64_t{1} << 28));
      },
      {"batch.width"});
}

// ---------------------------------------------------------------------------------------
// PNG encoder

// At the default level the encoder picks its zlib strategy per image: Huffman-only for noisy,
// photo-like pixels, run-length coding for flat ones. Both decode to the same pixels, and a
// flat image stays tiny.
TEST(EncodePng, DefaultLevelPicksTheStrategyPerImageAndRoundTrips) {
  const int h = 224;
  const int w = 224;
  std::vector<std::uint8_t> flat(static_cast<std::size_t>(h) * w * 3, 40);
  for (int x = 0; x < w; ++x) flat[(100 * w + x) * 3] = 255;  // one red line
  const std::vector<std::uint8_t> noisy = random_bytes(flat.size(), 7);
  const std::vector<std::uint8_t>* images[] = {&flat, &noisy};
  for (const std::vector<std::uint8_t>* pixels : images) {
    const std::string png = encode_png(pixels->data(), h, w, 3, 1);
    const DecodedPng d = decode_png(png);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.pixels, *pixels);
    if (pixels == &flat) {
      // Run-length coding: a few hundred bytes (Huffman-only would need at least a bit a byte,
      // 18 KB).
      EXPECT_LT(png.size(), 2000u);
    }
  }
}

TEST(EncodePng, GrayAlphaRoundTrips) {
  const auto px = random_bytes(7 * 3 * 2, 31);
  const DecodedPng d = decode_png(encode_png(px.data(), 7, 3, 2, 1));
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.channels, 2);
  EXPECT_EQ(d.height, 7);
  EXPECT_EQ(d.width, 3);
  EXPECT_EQ(d.pixels, px);
}

TEST(EncodePng, RejectsBadArguments) {
  const std::vector<std::uint8_t> px(12);
  expect_error([&] { encode_png(nullptr, 2, 2, 3, 1); }, {"pixels"});
  expect_error([&] { encode_png(px.data(), 0, 2, 3, 1); }, {"height"});
  expect_error([&] { encode_png(px.data(), 2, 2, 5, 1); }, {"channels", "5"});
  expect_error([&] { encode_png(px.data(), 2, 2, 3, 10); }, {"level", "10"});
  expect_error([&] { encode_png(px.data(), 2, 2, 3, -1); }, {"level", "-1"});
}

}  // namespace
}  // namespace tblog::detail
