#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "tblog/event.pb.h"
#include "format/tensor_elements.hpp"
#include "read/event_proto.hpp"
#include "read/event_scan.hpp"
#include "tblog/reader.hpp"
#include "tblog/summary.pb.h"

namespace tblog {
namespace {

using detail::bfloat16_to_double;
using detail::half_to_double;

// TensorFlow lets the typed fields hold fewer values than the shape asks for: the last one
// then fills the rest (a zero tensor is often written as a single 0).
template <typename T, typename Convert>
std::vector<double> expand(const std::vector<T>& values, std::int64_t n, Convert convert) {
  std::vector<double> out;
  if (values.empty()) {
    out.assign(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)), 0.0);
    return out;
  }
  const std::size_t count = std::max<std::size_t>(values.size(), static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(convert(values[std::min(i, values.size() - 1)]));
  }
  return out;
}

void convert_tensor(const pb::TensorProto& in, TensorValue& out) {
  out.dtype = in.dtype();
  out.shape.clear();
  for (const auto& dim : in.tensor_shape().dim()) out.shape.push_back(dim.size());
  out.content = in.tensor_content();
  out.float_val.assign(in.float_val().begin(), in.float_val().end());
  out.double_val.assign(in.double_val().begin(), in.double_val().end());
  out.int_val.clear();
  out.int_val.insert(out.int_val.end(), in.int_val().begin(), in.int_val().end());
  out.int_val.insert(out.int_val.end(), in.int64_val().begin(), in.int64_val().end());
  out.int_val.insert(out.int_val.end(), in.half_val().begin(), in.half_val().end());
  out.string_val.assign(in.string_val().begin(), in.string_val().end());
  out.bool_val.assign(in.bool_val().begin(), in.bool_val().end());
}

void convert_value(const pb::Summary::Value& in, SummaryValue& out) {
  // TensorBoard falls back to node_name for tensors written by old TensorFlow versions.
  out.tag = in.tag().empty() ? in.node_name() : in.tag();
  out.has_metadata = in.has_metadata();
  if (in.has_metadata()) {
    const auto& m = in.metadata();
    out.plugin_name = m.plugin_data().plugin_name();
    out.plugin_content = m.plugin_data().content();
    out.display_name = m.display_name();
    out.description = m.summary_description();
    out.data_class = m.data_class();
  }
  switch (in.value_case()) {
    case pb::Summary::Value::kSimpleValue:
      out.kind = SummaryValue::Kind::simple_value;
      out.simple_value = in.simple_value();
      break;
    case pb::Summary::Value::kImage: {
      out.kind = SummaryValue::Kind::image;
      const auto& img = in.image();
      out.image.height = img.height();
      out.image.width = img.width();
      out.image.colorspace = img.colorspace();
      out.image.encoded = img.encoded_image_string();
      break;
    }
    case pb::Summary::Value::kHisto: {
      out.kind = SummaryValue::Kind::histogram;
      const auto& h = in.histo();
      out.histogram.min = h.min();
      out.histogram.max = h.max();
      out.histogram.num = h.num();
      out.histogram.sum = h.sum();
      out.histogram.sum_squares = h.sum_squares();
      out.histogram.bucket_limits.assign(h.bucket_limit().begin(), h.bucket_limit().end());
      out.histogram.bucket_counts.assign(h.bucket().begin(), h.bucket().end());
      break;
    }
    case pb::Summary::Value::kAudio: {
      out.kind = SummaryValue::Kind::audio;
      const auto& a = in.audio();
      out.audio.sample_rate = a.sample_rate();
      out.audio.num_channels = a.num_channels();
      out.audio.length_frames = a.length_frames();
      out.audio.encoded = a.encoded_audio_string();
      out.audio.content_type = a.content_type();
      break;
    }
    case pb::Summary::Value::kTensor:
      out.kind = SummaryValue::Kind::tensor;
      convert_tensor(in.tensor(), out.tensor);
      break;
    default:
      out.kind = SummaryValue::Kind::none;
      break;
  }
}

}  // namespace

std::int64_t TensorValue::num_elements() const {
  // Multiplied unsigned: a shape whose product overflows wraps instead of being undefined.
  std::uint64_t n = 1;
  for (std::int64_t d : shape) n *= d < 0 ? 0 : static_cast<std::uint64_t>(d);
  return static_cast<std::int64_t>(n);
}

std::vector<double> TensorValue::as_doubles() const {
  if (dtype == detail::kDtString) throw Error(ErrorCode::corrupt, "tensor holds strings, not numbers");
  const std::int64_t n = num_elements();
  if (!content.empty()) {
    const std::size_t size = detail::dtype_size(dtype);
    if (size == 0) throw Error(ErrorCode::corrupt, "tensor has unsupported dtype " + std::to_string(dtype));
    if (content.size() % size != 0) {
      throw Error(ErrorCode::corrupt, "tensor_content of " + std::to_string(content.size()) +
                  " bytes is not a whole number of " + std::to_string(size) + "-byte elements");
    }
    std::vector<double> out(content.size() / size);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = detail::load_element(content.data() + i * size, dtype);
    return out;
  }
  switch (dtype) {
    case detail::kDtFloat:
      return expand(float_val, n, [](float v) { return double{v}; });
    case detail::kDtDouble:
      return expand(double_val, n, [](double v) { return v; });
    case detail::kDtBool:
      return expand(bool_val, n, [](bool v) { return v ? 1.0 : 0.0; });
    case detail::kDtHalf:
      return expand(int_val, n, [](std::int64_t v) { return half_to_double(static_cast<std::uint16_t>(v)); });
    case detail::kDtBfloat16:
      return expand(int_val, n, [](std::int64_t v) { return bfloat16_to_double(static_cast<std::uint16_t>(v)); });
    case detail::kDtInt32:
    case detail::kDtUint8:
    case detail::kDtInt16:
    case detail::kDtInt8:
    case detail::kDtInt64:
    case detail::kDtUint16:
    case detail::kDtUint32:
    case detail::kDtUint64:
      return expand(int_val, n, [](std::int64_t v) { return static_cast<double>(v); });
    default:
      throw Error(ErrorCode::corrupt, "tensor has unsupported dtype " + std::to_string(dtype));
  }
}

namespace detail {

const char* parse_event_proto(std::string_view record, pb::Event& out) {
  if (record.size() > static_cast<std::size_t>(INT_MAX)) return "too large for an Event";
  // The lean scanner accepts exactly what protobuf accepts (a fuzz target checks). Asking it
  // first names what is wrong, and keeps protobuf from logging to stderr (it prints a line
  // for a string field that is not UTF-8) where a program's user would see it.
  thread_local ScannedEvent scanned;
  if (const char* why = scan_event(record, scanned)) return why;
  if (!out.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return "protobuf decoding failed";
  }
  return nullptr;
}

TensorValue tensor_value_of(const pb::TensorProto& tensor) {
  TensorValue out;
  convert_tensor(tensor, out);
  return out;
}

}  // namespace detail

Event parse_event(std::string_view record) {
  pb::Event in;
  if (const char* why = detail::parse_event_proto(record, in)) {
    throw Error(ErrorCode::corrupt, "record of " + std::to_string(record.size()) +
                                        " bytes is not a valid Event (" + why + ")");
  }
  Event out;
  out.wall_time = in.wall_time();
  out.step = in.step();
  out.source_writer = in.source_metadata().writer();
  switch (in.what_case()) {
    case pb::Event::kFileVersion:
      out.what = Event::What::file_version;
      out.file_version = in.file_version();
      break;
    case pb::Event::kGraphDef:
      out.what = Event::What::graph_def;
      out.graph_def = in.graph_def();
      break;
    case pb::Event::kSummary:
      out.what = Event::What::summary;
      out.values.resize(in.summary().value_size());
      for (int i = 0; i < in.summary().value_size(); ++i) convert_value(in.summary().value(i), out.values[i]);
      break;
    case pb::Event::kSessionLog:
      out.what = Event::What::session_log;
      out.session_status = in.session_log().status();
      out.session_message = in.session_log().msg();
      break;
    case pb::Event::kTaggedRunMetadata:
      out.what = Event::What::tagged_run_metadata;
      out.run_metadata_tag = in.tagged_run_metadata().tag();
      out.run_metadata = in.tagged_run_metadata().run_metadata();
      break;
    case pb::Event::WHAT_NOT_SET:
      out.what = Event::What::none;
      break;
    default:
      out.what = Event::What::other;
      break;
  }
  return out;
}

EventFileReader::EventFileReader(const std::string& path) : records_(path) {}

bool EventFileReader::next(Event& event, std::uint64_t* offset) {
  if (problem_) return false;
  std::string_view data;
  std::uint64_t at = 0;
  if (!records_.next(data, &at)) {
    problem_ = records_.problem();
    return false;
  }
  try {
    event = parse_event(data);
  } catch (const Error& e) {
    ReadProblem p;
    p.kind = ReadProblem::Kind::corrupt;
    p.file = records_.path();
    p.offset = at;
    p.message = e.what();
    problem_ = std::move(p);
    return false;
  }
  if (offset) *offset = at;
  return true;
}

const std::optional<ReadProblem>& EventFileReader::problem() const { return problem_; }

}  // namespace tblog
