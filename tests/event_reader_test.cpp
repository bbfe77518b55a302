// parse_event's conversion of every Event kind, the lean scanner's agreement with it, and
// EventFileReader's handling of records that are framed soundly but are not Events.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "read/event_scan.hpp"
#include "format/record_framing.hpp"
#include "tblog/event.pb.h"
#include "tblog/reader.hpp"
#include "tblog/summary.pb.h"
#include "pb_events.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::scalar_event;
using test::file_version_event;

std::string serialize(const pb::Event& e) {
  std::string out;
  EXPECT_TRUE(e.SerializeToString(&out));
  return out;
}

pb::Event tensor_scalar_event(std::int64_t step, const std::string& tag, float v, bool metadata) {
  pb::Event e;
  e.set_wall_time(100.5);
  e.set_step(step);
  auto* value = e.mutable_summary()->add_value();
  value->set_tag(tag);
  if (metadata) {
    value->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
    value->mutable_metadata()->mutable_plugin_data()->set_content(std::string("\x08\x01", 2));
    value->mutable_metadata()->set_data_class(pb::DATA_CLASS_SCALAR);
  }
  auto* t = value->mutable_tensor();
  t->set_dtype(pb::DT_FLOAT);
  t->mutable_tensor_shape();
  t->add_float_val(v);
  return e;
}

TEST(ParseEvent, ScalarAndHeaderFields) {
  pb::Event in = scalar_event(1700000000.25, 42, "loss", 0.125f);
  in.mutable_source_metadata()->set_writer("tblog-test");
  const Event e = parse_event(serialize(in));
  EXPECT_EQ(e.wall_time, in.wall_time());
  EXPECT_EQ(e.step, 42);
  EXPECT_EQ(e.what, Event::What::summary);
  EXPECT_EQ(e.source_writer, "tblog-test");
  ASSERT_EQ(e.values.size(), 1u);
  EXPECT_EQ(e.values[0].tag, "loss");
  EXPECT_EQ(e.values[0].kind, SummaryValue::Kind::simple_value);
  EXPECT_EQ(e.values[0].simple_value, 0.125f);
  EXPECT_FALSE(e.values[0].has_metadata);
}

TEST(ParseEvent, FileVersionGraphSessionLogRunMetadata) {
  pb::Event in;
  in.set_wall_time(5);
  in.set_file_version("brain.Event:2");
  Event e = parse_event(serialize(in));
  EXPECT_EQ(e.what, Event::What::file_version);
  EXPECT_EQ(e.file_version, "brain.Event:2");

  in.set_graph_def(std::string("\x0a\x03\x0a\x01x", 5));
  e = parse_event(serialize(in));
  EXPECT_EQ(e.what, Event::What::graph_def);
  EXPECT_EQ(e.graph_def, in.graph_def());

  in.mutable_session_log()->set_status(pb::SessionLog::START);
  in.mutable_session_log()->set_msg("restarted");
  in.set_step(17);
  e = parse_event(serialize(in));
  EXPECT_EQ(e.what, Event::What::session_log);
  EXPECT_EQ(e.session_status, 1);
  EXPECT_EQ(e.session_message, "restarted");
  EXPECT_EQ(e.step, 17);

  in.mutable_tagged_run_metadata()->set_tag("step1");
  in.mutable_tagged_run_metadata()->set_run_metadata("opaque");
  e = parse_event(serialize(in));
  EXPECT_EQ(e.what, Event::What::tagged_run_metadata);
  EXPECT_EQ(e.run_metadata_tag, "step1");
  EXPECT_EQ(e.run_metadata, "opaque");

  pb::Event empty;
  EXPECT_EQ(parse_event(serialize(empty)).what, Event::What::none);
}

TEST(ParseEvent, ImageHistogramAudioAndMetadata) {
  pb::Event in;
  auto* summary = in.mutable_summary();
  auto* img = summary->add_value();
  img->set_tag("img");
  img->mutable_image()->set_height(16);
  img->mutable_image()->set_width(32);
  img->mutable_image()->set_colorspace(3);
  img->mutable_image()->set_encoded_image_string("\x89PNG-bytes");
  auto* hist = summary->add_value();
  hist->set_tag("hist");
  auto* h = hist->mutable_histo();
  h->set_min(-1);
  h->set_max(2);
  h->set_num(6);
  h->set_sum(3);
  h->set_sum_squares(9);
  for (double limit : {0.0, 1.0, 2.0}) h->add_bucket_limit(limit);
  for (double count : {1.0, 3.0, 2.0}) h->add_bucket(count);
  auto* audio = summary->add_value();
  audio->set_tag("tone");
  audio->mutable_audio()->set_sample_rate(8000);
  audio->mutable_audio()->set_num_channels(1);
  audio->mutable_audio()->set_length_frames(2000);
  audio->mutable_audio()->set_encoded_audio_string("RIFF....");
  audio->mutable_audio()->set_content_type("audio/wav");
  auto* meta = audio->mutable_metadata();
  meta->mutable_plugin_data()->set_plugin_name("audio");
  meta->mutable_plugin_data()->set_content("content");
  meta->set_display_name("Tone");
  meta->set_summary_description("a sine");
  meta->set_data_class(pb::DATA_CLASS_BLOB_SEQUENCE);

  const Event e = parse_event(serialize(in));
  ASSERT_EQ(e.values.size(), 3u);
  const SummaryValue& vi = e.values[0];
  EXPECT_EQ(vi.kind, SummaryValue::Kind::image);
  EXPECT_EQ(vi.image.height, 16);
  EXPECT_EQ(vi.image.width, 32);
  EXPECT_EQ(vi.image.colorspace, 3);
  EXPECT_EQ(vi.image.encoded, img->image().encoded_image_string());
  const SummaryValue& vh = e.values[1];
  EXPECT_EQ(vh.kind, SummaryValue::Kind::histogram);
  EXPECT_EQ(vh.histogram.min, -1);
  EXPECT_EQ(vh.histogram.max, 2);
  EXPECT_EQ(vh.histogram.num, 6);
  EXPECT_EQ(vh.histogram.sum, 3);
  EXPECT_EQ(vh.histogram.sum_squares, 9);
  EXPECT_EQ(vh.histogram.bucket_limits, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(vh.histogram.bucket_counts, (std::vector<double>{1, 3, 2}));
  const SummaryValue& va = e.values[2];
  EXPECT_EQ(va.kind, SummaryValue::Kind::audio);
  EXPECT_EQ(va.audio.sample_rate, 8000);
  EXPECT_EQ(va.audio.num_channels, 1);
  EXPECT_EQ(va.audio.length_frames, 2000);
  EXPECT_EQ(va.audio.encoded, "RIFF....");
  EXPECT_EQ(va.audio.content_type, "audio/wav");
  EXPECT_TRUE(va.has_metadata);
  EXPECT_EQ(va.plugin_name, "audio");
  EXPECT_EQ(va.plugin_content, "content");
  EXPECT_EQ(va.display_name, "Tone");
  EXPECT_EQ(va.description, "a sine");
  EXPECT_EQ(va.data_class, 3);
}

TEST(ParseEvent, TensorsOfEveryStorage) {
  pb::Event in;
  auto* summary = in.mutable_summary();
  // tensor_content: a 2x3 float tensor in raw bytes.
  auto* raw = summary->add_value();
  raw->set_tag("raw");
  auto* t = raw->mutable_tensor();
  t->set_dtype(pb::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(2);
  t->mutable_tensor_shape()->add_dim()->set_size(3);
  const float floats[6] = {1.5f, -2, 3, 4, 5, 6.25f};
  t->set_tensor_content(std::string(reinterpret_cast<const char*>(floats), sizeof(floats)));
  // Strings.
  auto* text = summary->add_value();
  text->set_tag("text");
  text->mutable_tensor()->set_dtype(pb::DT_STRING);
  text->mutable_tensor()->add_string_val("hello **markdown**");
  text->mutable_tensor()->add_string_val(std::string("a\0b", 3));
  // int64 and int32 typed fields; one value filling a [4] shape.
  auto* ints = summary->add_value();
  ints->set_tag("ints");
  ints->mutable_tensor()->set_dtype(pb::DT_INT64);
  ints->mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(4);
  ints->mutable_tensor()->add_int64_val(7);
  // Doubles.
  auto* doubles = summary->add_value();
  doubles->set_tag("doubles");
  doubles->mutable_tensor()->set_dtype(pb::DT_DOUBLE);
  doubles->mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(2);
  doubles->mutable_tensor()->add_double_val(0.1);
  doubles->mutable_tensor()->add_double_val(-1e300);

  const Event e = parse_event(serialize(in));
  ASSERT_EQ(e.values.size(), 4u);
  const TensorValue& tr = e.values[0].tensor;
  EXPECT_EQ(e.values[0].kind, SummaryValue::Kind::tensor);
  EXPECT_EQ(tr.dtype, 1);
  EXPECT_EQ(tr.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(tr.num_elements(), 6);
  EXPECT_EQ(tr.as_doubles(), (std::vector<double>{1.5, -2, 3, 4, 5, 6.25}));

  const TensorValue& ts = e.values[1].tensor;
  EXPECT_EQ(ts.dtype, 7);
  EXPECT_EQ(ts.string_val, (std::vector<std::string>{"hello **markdown**", std::string("a\0b", 3)}));
  EXPECT_EQ(ts.num_elements(), 1);  // rank 0 by its (absent) shape
  EXPECT_THROW(ts.as_doubles(), Error);

  const TensorValue& ti = e.values[2].tensor;
  EXPECT_EQ(ti.int_val, (std::vector<std::int64_t>{7}));
  EXPECT_EQ(ti.as_doubles(), (std::vector<double>{7, 7, 7, 7}));

  EXPECT_EQ(e.values[3].tensor.as_doubles(), (std::vector<double>{0.1, -1e300}));
}

TEST(TensorValue, ContentThatIsNotWholeElementsThrows) {
  TensorValue t;
  t.dtype = 2;  // double
  t.shape = {1};
  t.content = std::string(12, '\0');
  try {
    t.as_doubles();
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("12 bytes"), std::string::npos) << e.what();
  }
}

TEST(ParseEvent, RejectsBytesThatAreNotAnEvent) {
  const std::string good = serialize(scalar_event(1, 2, "loss", 3));
  // Cut inside the summary: the embedded length runs past the end.
  EXPECT_THROW(parse_event(good.substr(0, good.size() - 2)), Error);
  EXPECT_THROW(parse_event(std::string("\xff\xff\xff", 3)), Error);   // unterminated varint
  EXPECT_THROW(parse_event(std::string("\x0f", 1)), Error);           // wire type 7
  EXPECT_THROW(parse_event(std::string("\x2a\x05\x0a", 3)), Error);   // length past the end
  try {
    parse_event(std::string("\x00\x01", 2));  // field number 0
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid Event"), std::string::npos) << e.what();
  }
}

// The lean scanner must say the same as the protobuf path, on the canonical scalar
// layout (its fast path) and on everything else (its general walk).
void expect_scan_matches_parse(const std::string& record) {
  detail::ScannedEvent scanned;
  ASSERT_EQ(detail::scan_event(record, scanned), nullptr);
  const Event parsed = parse_event(record);
  EXPECT_EQ(scanned.wall_time, parsed.wall_time);
  EXPECT_EQ(scanned.step, parsed.step);
  EXPECT_EQ(scanned.what, parsed.what);
  EXPECT_EQ(scanned.session_status, parsed.session_status);
  EXPECT_EQ(scanned.run_metadata_tag, parsed.run_metadata_tag);
  ASSERT_EQ(scanned.values.size(), parsed.values.size());
  for (std::size_t i = 0; i < parsed.values.size(); ++i) {
    const detail::ScannedValue& s = scanned.values[i];
    const SummaryValue& p = parsed.values[i];
    EXPECT_EQ(s.tag, p.tag);
    EXPECT_EQ(s.kind, p.kind);
    EXPECT_EQ(s.has_metadata, p.has_metadata);
    EXPECT_EQ(s.plugin_name, p.plugin_name);
    if (p.kind == SummaryValue::Kind::simple_value) {
      EXPECT_TRUE(s.simple_value == p.simple_value ||
                  (std::isnan(s.simple_value) && std::isnan(p.simple_value)));
    }
    if (p.kind == SummaryValue::Kind::tensor) {
      EXPECT_EQ(s.tensor_dtype, p.tensor.dtype);
      // One number as `tblog inspect` reads it: one element, and one value to read.
      const bool number = p.tensor.dtype != 7 && p.tensor.num_elements() == 1 &&
                          p.tensor.as_doubles().size() == 1;
      EXPECT_EQ(s.tensor_is_number, number);
      if (number) {
        const double expected = p.tensor.as_doubles().at(0);
        EXPECT_TRUE(s.tensor_number == expected ||
                    (std::isnan(s.tensor_number) && std::isnan(expected)));
      }
    }
  }
}

TEST(ScanEvent, AgreesWithParseEvent) {
  expect_scan_matches_parse(serialize(scalar_event(1.5, 0, "a", 1)));
  expect_scan_matches_parse(serialize(scalar_event(1700000000.123456, 123456789012, "train/loss", -0.5f)));
  expect_scan_matches_parse(serialize(scalar_event(2, -3, std::string(127, 't'), NAN)));
  expect_scan_matches_parse(serialize(scalar_event(2, 5, std::string(300, 't'), INFINITY)));
  expect_scan_matches_parse(serialize(tensor_scalar_event(3, "t", 2.5f, true)));
  expect_scan_matches_parse(serialize(tensor_scalar_event(4, "t", -7.25f, false)));

  pb::Event two = scalar_event(9, 9, "x", 1);
  auto* second = two.mutable_summary()->add_value();
  second->set_tag("y");
  second->set_simple_value(2);
  expect_scan_matches_parse(serialize(two));

  pb::Event tensor = tensor_scalar_event(1, "d", 0, true);
  auto* t = tensor.mutable_summary()->mutable_value(0)->mutable_tensor();
  t->Clear();
  t->set_dtype(pb::DT_DOUBLE);
  const double d = 0.1;
  t->set_tensor_content(std::string(reinterpret_cast<const char*>(&d), 8));
  expect_scan_matches_parse(serialize(tensor));
  t->Clear();
  t->set_dtype(pb::DT_INT32);
  t->add_int_val(-5);
  expect_scan_matches_parse(serialize(tensor));
  t->Clear();
  t->set_dtype(pb::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(0);  // hparams' empty tensors
  expect_scan_matches_parse(serialize(tensor));
  t->Clear();
  t->set_dtype(pb::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(2);
  t->add_float_val(1);
  t->add_float_val(2);
  expect_scan_matches_parse(serialize(tensor));

  pb::Event other;
  other.set_file_version("brain.Event:2");
  other.mutable_source_metadata()->set_writer("w");
  expect_scan_matches_parse(serialize(other));
  other.mutable_session_log()->set_status(pb::SessionLog::START);
  expect_scan_matches_parse(serialize(other));
  other.mutable_tagged_run_metadata()->set_tag("profile");
  expect_scan_matches_parse(serialize(other));
  other.set_graph_def("graph");
  expect_scan_matches_parse(serialize(other));

  // Fields in an unusual order still decode, through the general walk.
  std::string reordered = serialize(scalar_event(0, 0, "q", 4));
  reordered += std::string("\x10\x07", 2);  // step after the summary
  reordered += std::string("\x09", 1) + std::string(8, '\0');  // wall_time 0 again
  expect_scan_matches_parse(reordered);
}

TEST(ScanEvent, RejectsMalformedRecordsLikeParseEvent) {
  const std::string good = serialize(scalar_event(1, 2, "loss", 3));
  std::vector<std::string> bad = {
      good.substr(0, good.size() - 1),
      good.substr(0, 5),
      std::string("\xff\xff\xff", 3),
      std::string("\x0f", 1),
      std::string("\x00\x01", 2),
      std::string("\x2a\x05\x0a", 3),
  };
  // Every proper prefix of a scalar event that cuts a field is malformed.
  for (std::size_t n = 1; n < good.size(); ++n) {
    std::string prefix = good.substr(0, n);
    bool parses = true;
    try {
      parse_event(prefix);
    } catch (const Error&) {
      parses = false;
    }
    if (!parses) bad.push_back(prefix);
  }
  detail::ScannedEvent scanned;
  for (const auto& b : bad) {
    EXPECT_NE(detail::scan_event(b, scanned), nullptr) << "accepted " << b.size() << " bytes";
    EXPECT_THROW(parse_event(b), Error);
  }
}

// Cases where the two decoders once disagreed (found by event_decoders_agree_fuzz).
TEST(ScanEvent, RejectsStringsThatAreNotUtf8LikeParseEvent) {
  detail::ScannedEvent scanned;
  const std::string bad_tag = serialize(scalar_event(1, 2, "lo\xffss", 3));  // fast path
  EXPECT_THROW(parse_event(bad_tag), Error);
  EXPECT_NE(detail::scan_event(bad_tag, scanned), nullptr);
  pb::Event plugin = tensor_scalar_event(1, "t", 2.5f, true);
  plugin.mutable_summary()->mutable_value(0)->mutable_metadata()->mutable_plugin_data()->set_plugin_name(
      "\xc0\x80");  // overlong
  const std::string bad_plugin = serialize(plugin);
  EXPECT_THROW(parse_event(bad_plugin), Error);
  EXPECT_NE(detail::scan_event(bad_plugin, scanned), nullptr);
  pb::Event other;
  other.mutable_session_log()->set_msg("\xed\xa0\x80");  // a surrogate
  EXPECT_THROW(parse_event(serialize(other)), Error);
  EXPECT_NE(detail::scan_event(serialize(other), scanned), nullptr);
  // UTF-8 that is well-formed is fine.
  expect_scan_matches_parse(serialize(scalar_event(1, 2, "verlust/\xc3\xa4", 3)));
}

TEST(ScanEvent, ReadsKeysAsProtobufDoes) {
  // A key is a varint of at most 5 bytes whose bits past the 32nd protobuf drops: this one
  // is field 0x10003871, varint, an unknown field to skip.
  const std::string five_byte_key("\x88\x87\x87\x80\x78\x01", 6);
  expect_scan_matches_parse(five_byte_key + serialize(scalar_event(1, 2, "t", 3)));
  // Six bytes is too long for a key.
  const std::string six_byte_key("\x88\x87\x87\x80\x80\x01\x01", 7);
  detail::ScannedEvent scanned;
  EXPECT_THROW(parse_event(six_byte_key), Error);
  EXPECT_NE(detail::scan_event(six_byte_key, scanned), nullptr);
}

TEST(ScanEvent, MergesATensorGivenTwiceLikeParseEvent) {
  pb::TensorProto first;
  first.set_dtype(pb::DT_FLOAT);
  first.add_float_val(4);
  pb::TensorProto second;  // no dtype: the merged tensor keeps the first one's
  second.add_float_val(5);
  std::string value;
  value += std::string("\x0a\x01t", 3);
  const std::string a = first.SerializeAsString(), b = second.SerializeAsString();
  value += "\x42" + std::string(1, static_cast<char>(a.size())) + a;
  value += "\x42" + std::string(1, static_cast<char>(b.size())) + b;  // two float values: no number
  const std::string summary = "\x0a" + std::string(1, static_cast<char>(value.size())) + value;
  const std::string record = "\x2a" + std::string(1, static_cast<char>(summary.size())) + summary;
  expect_scan_matches_parse(record);
  detail::ScannedEvent scanned;
  ASSERT_EQ(detail::scan_event(record, scanned), nullptr);
  EXPECT_EQ(scanned.values.at(0).tensor_dtype, pb::DT_FLOAT);
  EXPECT_FALSE(scanned.values.at(0).tensor_is_number);
}

TEST(ScanEvent, ReadsIntegerAndHalfTensorsLikeParseEvent) {
  pb::Event event = tensor_scalar_event(1, "t", 0, true);
  auto* t = event.mutable_summary()->mutable_value(0)->mutable_tensor();
  t->Clear();
  t->set_dtype(pb::DT_HALF);
  t->add_half_val(-1);  // int32 -1: bits 0xFFFF, a NaN
  expect_scan_matches_parse(serialize(event));
  t->Clear();
  t->set_dtype(pb::DT_HALF);
  t->add_int_val(0x3C00);  // 1.0, from int_val as TensorValue reads it
  expect_scan_matches_parse(serialize(event));
  t->Clear();
  t->set_dtype(pb::DT_INT64);
  t->add_half_val(7);
  expect_scan_matches_parse(serialize(event));
  t->add_int64_val(8);  // two values: not one number
  expect_scan_matches_parse(serialize(event));
}

TEST(EventFileReader, RecordThatIsNotAnEventIsCorruptionAtItsOffset) {
  test::TempDir dir;
  std::string bytes;
  detail::append_record(bytes, serialize(scalar_event(1, 0, "loss", 1)));
  detail::append_record(bytes, serialize(scalar_event(2, 1, "loss", 0.5f)));
  const std::uint64_t bad_offset = bytes.size();
  detail::append_record(bytes, std::string("\x2a\x05\x0a", 3));  // sound CRCs, not an Event
  detail::append_record(bytes, serialize(scalar_event(3, 2, "loss", 0.25f)));
  const std::string path = (dir.path() / "events.out.tfevents.1").string();
  test::write_file(path, bytes);

  EventFileReader reader(path);
  Event e;
  std::vector<std::int64_t> steps;
  std::uint64_t offset = 0;
  while (reader.next(e, &offset)) steps.push_back(e.step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{0, 1}));
  ASSERT_TRUE(reader.problem().has_value());
  EXPECT_EQ(reader.problem()->kind, ReadProblem::Kind::corrupt);
  EXPECT_EQ(reader.problem()->offset, bad_offset);
  EXPECT_EQ(reader.problem()->file, path);
}

}  // namespace
}  // namespace tblog
