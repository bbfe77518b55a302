// The hand-written scalar encoder must produce exactly protobuf's bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "format/event_encoding.hpp"
#include "format/record_framing.hpp"
#include "test_support.hpp"
#include "write/tag_table.hpp"
#include "tblog/error.hpp"
#include "tblog/event.pb.h"

namespace tblog::detail {
namespace {

using test::hex;

std::string scalar_event_bytes(double wall, std::int64_t step, std::string_view tag, float v) {
  TagTable tags;
  const TagEntry* entry = tags.intern(tag, nullptr);
  std::string record;
  append_scalar_record(record, wall, step, *entry, v);
  const DecodedRecord f = decode_record(record);
  EXPECT_EQ(f.status, RecordStatus::complete);
  EXPECT_EQ(f.size, record.size());
  return std::string(f.data);
}

std::string protobuf_bytes(double wall, std::int64_t step, const std::string& tag, float v) {
  pb::Event event;
  event.set_wall_time(wall);
  event.set_step(step);
  auto* value = event.mutable_summary()->add_value();
  value->set_tag(tag);
  value->set_simple_value(v);
  return event.SerializeAsString();
}

TEST(ScalarEncoding, KnownBytes) {
  // Worked out by hand from the wire format: fixed64 wall_time, varint step, summary{value}.
  EXPECT_EQ(hex(scalar_event_bytes(1.5, 3, "loss", 0.25f)),
            "09000000000000f83f10032a0d0a0b0a046c6f7373150000803e");
  // Zero wall time and step are left out, as proto3 does.
  EXPECT_EQ(hex(scalar_event_bytes(0.0, 0, "a/b", -1.0f)), "2a0c0a0a0a03612f6215000080bf");
}

TEST(ScalarEncoding, MatchesProtobufSerializer) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::string long_tag(300, 'x');  // two-byte length varints
  const struct {
    double wall;
    std::int64_t step;
    std::string tag;
    float value;
  } cases[] = {
      {1795697411.7631438, 0, "loss", 1.0f},
      {1795697411.7631438, 1, "acc/train", 0.1f},
      {1795697411.0, 127, "t", 0.0f},
      {1795697411.0, 128, "t", -0.0f},
      {1.0, std::numeric_limits<std::int64_t>::max(), "big", 3.5f},
      {-0.0, 5, "negzero_wall", 2.0f},
      {1e9, 1 << 20, long_tag, inf},
      {1e9, 42, "nan", nan},
      {1e9, 42, "ninf", -inf},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(hex(scalar_event_bytes(c.wall, c.step, c.tag, c.value)),
              hex(protobuf_bytes(c.wall, c.step, c.tag, c.value)))
        << c.tag << " step " << c.step;
  }
}

TEST(EventEncoding, FileVersionRecordParses) {
  const std::string record = file_version_record(1795697411.25);
  const DecodedRecord f = decode_record(record);
  ASSERT_EQ(f.status, RecordStatus::complete);
  pb::Event event;
  ASSERT_TRUE(event.ParseFromArray(f.data.data(), static_cast<int>(f.data.size())));
  EXPECT_EQ(event.file_version(), "brain.Event:2");
  EXPECT_DOUBLE_EQ(event.wall_time(), 1795697411.25);
  EXPECT_EQ(event.source_metadata().writer(), "tblog");
}

TEST(EventEncoding, SummaryEnvelopeMatchesProtobuf) {
  pb::Summary::Value value;
  value.set_tag("note");
  value.mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
  value.mutable_tensor()->set_dtype(pb::DT_STRING);
  value.mutable_tensor()->add_string_val(std::string(200, 'm'));
  std::string out;
  append_event_header(out, 12.5, 7);
  append_summary_field(out, value.SerializeAsString());

  pb::Event event;
  event.set_wall_time(12.5);
  event.set_step(7);
  *event.mutable_summary()->add_value() = value;
  EXPECT_EQ(hex(out), hex(event.SerializeAsString()));
}

TEST(TagCleaning, FollowsTensorFlowsRule) {
  EXPECT_EQ(clean_tag("loss"), "loss");
  EXPECT_EQ(clean_tag("train/loss-1.2_x"), "train/loss-1.2_x");
  EXPECT_EQ(clean_tag("a b:c"), "a_b_c");
  EXPECT_EQ(clean_tag("//lead"), "lead");
  EXPECT_EQ(clean_tag("caf\xC3\xA9"), "caf\xC3\xA9");  // é is a word character
  EXPECT_EQ(clean_tag("bad\xFF"), "bad_");            // invalid UTF-8
  EXPECT_EQ(clean_tag("///"), "");
}

TEST(TagTable, InternsOnceWarnsOnceAndFindsWithoutLocking) {
  TagTable tags;
  int warnings = 0;
  auto warn = [&](const std::string&) { ++warnings; };
  EXPECT_EQ(tags.find("x y"), nullptr);
  const TagEntry* e = tags.intern("x y", warn);
  EXPECT_EQ(e->clean, "x_y");
  EXPECT_EQ(tags.intern("x y", warn), e);
  EXPECT_EQ(tags.find("x y"), e);
  EXPECT_EQ(warnings, 1);
  // Growth keeps every entry reachable.
  std::vector<const TagEntry*> entries;
  for (int i = 0; i < 5000; ++i) entries.push_back(tags.intern("tag" + std::to_string(i), warn));
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(tags.find("tag" + std::to_string(i)), entries[i]);
  EXPECT_EQ(warnings, 1);
  EXPECT_THROW(tags.intern("", warn), Error);
  EXPECT_THROW(tags.intern(std::string(kMaxTagBytes + 1, 'a'), warn), Error);
  EXPECT_THROW(tags.intern("///", warn), Error);
}

}  // namespace
}  // namespace tblog::detail
