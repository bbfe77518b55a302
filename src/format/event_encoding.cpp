#include "format/event_encoding.hpp"

#include <cmath>

#include "format/record_framing.hpp"
#include "format/wire_writer.hpp"

namespace tblog::detail {

void append_event_header(std::string& out, double wall_time, std::int64_t step) {
  // proto3 leaves out fields holding their default, and so do we: bytes match protobuf's.
  if (wall_time != 0.0 || std::signbit(wall_time)) wire::append_double(out, 1, wall_time);
  if (step != 0) wire::append_int64(out, 2, step);
}

void append_summary_field(std::string& out, std::string_view value_bytes) {
  // Summary{value = 1: Value}
  const std::size_t value_field_size =
      1 + wire::varint_size(value_bytes.size()) + value_bytes.size();
  wire::append_key(out, 5, wire::kLengthDelimited);
  wire::append_varint(out, value_field_size);
  wire::append_bytes(out, 1, value_bytes);
}

std::string file_version_record(double wall_time) {
  std::string event;
  append_event_header(event, wall_time, 0);
  wire::append_bytes(event, 3, "brain.Event:2");
  std::string source;  // SourceMetadata{writer = 1}
  wire::append_bytes(source, 1, "tblog");
  wire::append_bytes(event, 10, source);
  std::string record;
  append_record(record, event);
  return record;
}

void append_session_start_record(std::string& out, double wall_time, std::int64_t step) {
  std::string event;
  append_event_header(event, wall_time, step);
  std::string session_log;
  wire::append_int64(session_log, 1, 1);  // SessionLog.status = START
  wire::append_bytes(event, 7, session_log);
  append_record(out, event);
}

}  // namespace tblog::detail
