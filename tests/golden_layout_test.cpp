// Our encoding of text, images and raw histograms against what PyTorch's and tensorboardX's
// SummaryWriter wrote for the same calls (the golden logdirs; see their README.md).
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "png_test_decode.hpp"
#include "format/record_framing.hpp"
#include "kinds/core_kinds.hpp"
#include "tblog/event.pb.h"
#include "tblog/summary.pb.h"
#include "test_support.hpp"

namespace tblog::detail {
namespace {

using google::protobuf::util::MessageDifferencer;
using tblog::test::decode_png;
using tblog::test::DecodedPng;

struct GoldenValue {
  std::int64_t step = 0;
  pb::Summary::Value value;
};

// Every value with this tag in the main run of one golden logdir ("torch" or "tbx").
std::vector<GoldenValue> golden_values(const std::string& writer, const std::string& tag) {
  std::vector<GoldenValue> found;
  const auto files =
      tblog::test::event_files_in(tblog::test::golden_dir() + "/" + writer + "/main");
  EXPECT_EQ(files.size(), 1u) << writer;
  for (const auto& file : files) {
    const std::string bytes = tblog::test::read_file(file);
    std::string_view rest(bytes);
    while (!rest.empty()) {
      const DecodedRecord frame = decode_record(rest);
      if (frame.status != RecordStatus::complete) {
        ADD_FAILURE() << "bad record in " << file;
        break;
      }
      pb::Event event;
      EXPECT_TRUE(event.ParseFromArray(frame.data.data(), static_cast<int>(frame.data.size())));
      for (const auto& value : event.summary().value()) {
        if (value.tag() == tag) found.push_back({event.step(), value});
      }
      rest.remove_prefix(frame.size);
    }
  }
  return found;
}

pb::Summary::Value encode(Payload& payload, const std::string& tag, bool first_in_file) {
  EncodeContext ctx;
  ctx.tag = tag;
  ctx.first_in_file = first_in_file;
  ctx.png_compression_level = 1;
  std::string out;
  payload.encode_value(ctx, out);
  pb::Summary::Value value;
  EXPECT_TRUE(value.ParseFromString(out));
  return value;
}

std::string diff(const pb::Summary::Value& a, const pb::Summary::Value& b) {
  return "ours:\n" + a.DebugString() + "golden:\n" + b.DebugString();
}

class GoldenLayout : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Writers, GoldenLayout, ::testing::Values("torch", "tbx"));

TEST_P(GoldenLayout, TextIsTheSameValue) {
  // Both writers store add_text("note", ...) under "note/text_summary"; we keep the caller's
  // tag, so encode under theirs to compare the whole value.
  const std::string tag = "note/text_summary";
  const auto golden = golden_values(GetParam(), tag);
  ASSERT_EQ(golden.size(), 2u);
  const std::vector<std::string> texts = {"hello **markdown** step0",
                                          "second | table\n---|---\na | b"};
  for (std::size_t i = 0; i < golden.size(); ++i) {
    ASSERT_EQ(golden[i].step, static_cast<std::int64_t>(i));
    // They repeat the metadata on every value; we write it with the first value of a file.
    const pb::Summary::Value ours = encode(*make_text_payload(texts[i]), tag, true);
    EXPECT_TRUE(MessageDifferencer::Equals(ours, golden[i].value)) << diff(ours, golden[i].value);
  }
}

// The golden img/single: uint8 CHW 3x16x32, red 255 in the left half, green 128 in the bottom
// half; flipped vertically at step 1.
std::vector<std::uint8_t> single_image_chw(bool flipped) {
  const int h = 16, w = 32;
  std::vector<std::uint8_t> chw(3 * h * w, 0);
  for (int y = 0; y < h; ++y) {
    const int drawn_y = flipped ? h - 1 - y : y;
    for (int x = 0; x < w; ++x) {
      if (x < w / 2) chw[(0 * h + drawn_y) * w + x] = 255;
      if (y >= h / 2) chw[(1 * h + drawn_y) * w + x] = 128;
    }
  }
  return chw;
}

void expect_same_image(const pb::Summary::Value& ours, const pb::Summary::Value& golden) {
  ASSERT_EQ(ours.value_case(), pb::Summary::Value::kImage);
  ASSERT_EQ(golden.value_case(), pb::Summary::Value::kImage);
  EXPECT_EQ(ours.image().height(), golden.image().height());
  EXPECT_EQ(ours.image().width(), golden.image().width());
  EXPECT_EQ(ours.image().colorspace(), golden.image().colorspace());
  const DecodedPng a = decode_png(ours.image().encoded_image_string());
  const DecodedPng b = decode_png(golden.image().encoded_image_string());
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.channels, b.channels);
  EXPECT_TRUE(a.pixels == b.pixels) << "decoded pixels differ";
  // PyTorch writes no metadata for images, tensorboardX plugin "images" with empty content.
  if (golden.has_metadata()) {
    ASSERT_TRUE(ours.has_metadata());
    EXPECT_EQ(ours.metadata().plugin_data().plugin_name(),
              golden.metadata().plugin_data().plugin_name());
    EXPECT_EQ(ours.metadata().plugin_data().content(), golden.metadata().plugin_data().content());
  }
}

TEST_P(GoldenLayout, SingleImageHasTheSamePixels) {
  const auto golden = golden_values(GetParam(), "img/single");
  ASSERT_EQ(golden.size(), 2u);
  for (const auto& g : golden) {
    const auto chw = single_image_chw(g.step == 1);
    auto payload = make_image_payload(ImageView(chw, ImageLayout::CHW, 16, 32, 3));
    expect_same_image(encode(*payload, "img/single", true), g.value);
  }
}

// The golden img/batch data: numpy's np.random.seed(0); np.random.rand(4, 3, 8, 12). Legacy
// numpy draws doubles from MT19937 (seeded like std::mt19937) as 53 bits from two outputs.
std::vector<float> golden_batch_pixels() {
  std::mt19937 mt(0);
  std::vector<float> v(4 * 3 * 8 * 12);
  for (float& x : v) {
    const std::uint32_t a = mt() >> 5;
    const std::uint32_t b = mt() >> 6;
    x = static_cast<float>((a * 67108864.0 + b) / 9007199254740992.0);
  }
  return v;
}

TEST_P(GoldenLayout, ImageBatchIsTheSameGrid) {
  const auto golden = golden_values(GetParam(), "img/batch");
  ASSERT_EQ(golden.size(), 1u);
  EXPECT_EQ(golden[0].value.image().width(), 48);
  EXPECT_EQ(golden[0].value.image().height(), 8);
  const auto nchw = golden_batch_pixels();
  auto payload = make_image_batch_payload(ImageBatchView(nchw, BatchLayout::NCHW, 4, 8, 12, 3));
  expect_same_image(encode(*payload, "img/batch", true), golden[0].value);
}

TEST_P(GoldenLayout, RawHistogramIsTheSameValue) {
  const auto golden = golden_values(GetParam(), "hist/raw");
  ASSERT_EQ(golden.size(), 3u);
  for (const auto& g : golden) {
    ASSERT_EQ(g.value.value_case(), pb::Summary::Value::kHisto);
    const pb::HistogramProto& h = g.value.histo();
    EXPECT_EQ(h.bucket_size(), 30);
    HistogramBuckets buckets;
    buckets.min = h.min();
    buckets.max = h.max();
    buckets.num = h.num();
    buckets.sum = h.sum();
    buckets.sum_squares = h.sum_squares();
    buckets.bucket_limits.assign(h.bucket_limit().begin(), h.bucket_limit().end());
    buckets.bucket_counts.assign(h.bucket().begin(), h.bucket().end());
    // Neither writer adds metadata to histograms; without ours (a later value) the whole value
    // must match.
    EXPECT_FALSE(g.value.has_metadata());
    const pb::Summary::Value later =
        encode(*make_histogram_raw_payload(buckets), "hist/raw", false);
    EXPECT_TRUE(MessageDifferencer::Equals(later, g.value)) << diff(later, g.value);
    const pb::Summary::Value first = encode(*make_histogram_raw_payload(buckets), "hist/raw", true);
    EXPECT_TRUE(MessageDifferencer::Equals(first.histo(), h));
    EXPECT_EQ(first.metadata().plugin_data().plugin_name(), "histograms");
  }
}

// tensorboardX's add_histogram (PyTorch's failed in the golden run) uses the same legacy
// field; its values cannot be regenerated here, so compare the layout TensorBoard reads.
TEST(GoldenLayoutTbx, HistogramUsesTheSameFieldAndConsistentBuckets) {
  const auto golden = golden_values("tbx", "hist/normal");
  ASSERT_EQ(golden.size(), 3u);
  std::vector<double> values;
  std::mt19937 rng(0);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int i = 0; i < 1000; ++i) values.push_back(normal(rng));
  const pb::Summary::Value ours =
      encode(*make_histogram_payload(values.data(), values.size()), "hist/normal", false);
  for (const auto& g : golden) {
    ASSERT_EQ(g.value.value_case(), pb::Summary::Value::kHisto);
    ASSERT_EQ(ours.value_case(), g.value.value_case());
    for (const pb::HistogramProto* h : {&g.value.histo(), &ours.histo()}) {
      EXPECT_EQ(h->num(), 1000);
      ASSERT_EQ(h->bucket_limit_size(), h->bucket_size());
      double total = 0;
      for (double c : h->bucket()) total += c;
      EXPECT_EQ(total, h->num());
      for (int i = 1; i < h->bucket_limit_size(); ++i) {
        EXPECT_LT(h->bucket_limit(i - 1), h->bucket_limit(i));
      }
      EXPECT_LE(h->min(), h->max());
    }
  }
}

}  // namespace
}  // namespace tblog::detail
