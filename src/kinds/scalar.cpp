// Scalars: the one summary kind written without protobuf. A scalar event is a handful of
// fixed fields, so encoding it by hand (byte-identical to protobuf's serializer, checked by
// event_encoding_test) keeps the writer thread at tens of nanoseconds per scalar.
#include <cmath>
#include <cstring>

#include "format/event_encoding.hpp"
#include "format/record_framing.hpp"
#include "write/tag_table.hpp"
#include "format/wire_writer.hpp"

namespace tblog::detail {

void append_scalar_record(std::string& out, double wall_time, std::int64_t step,
                          const TagEntry& tag, float value) {
  const std::size_t record_begin = out.size();
  const std::string& prefix = tag.scalar_value_prefix;  // Value.tag, already encoded
  const std::size_t value_size = prefix.size() + 5;     // + simple_value: key and 4 bytes
  const std::size_t summary_size = 1 + wire::varint_size(value_size) + value_size;
  const bool has_wall_time = wall_time != 0.0 || std::signbit(wall_time);
  const std::size_t data_size =
      (has_wall_time ? 9 : 0) +
      (step != 0 ? 1 + wire::varint_size(static_cast<std::uint64_t>(step)) : 0) + 1 +
      wire::varint_size(summary_size) + summary_size;

  // One resize to the record's exact size, then the fields through a raw pointer and the
  // framing in place: no per-field append calls.
  out.resize(record_begin + kRecordOverhead + data_size);
  char* const record = out.data() + record_begin;
  char* p = record + kRecordHeaderSize;
  if (has_wall_time) {
    *p++ = 0x09;  // field 1, fixed64
    std::memcpy(p, &wall_time, 8);
    p += 8;
  }
  if (step != 0) {
    *p++ = 0x10;  // field 2, varint
    p = wire::put_varint(p, static_cast<std::uint64_t>(step));
  }
  *p++ = 0x2A;  // field 5 (summary), length-delimited
  p = wire::put_varint(p, summary_size);
  *p++ = 0x0A;  // Summary.value (1)
  p = wire::put_varint(p, value_size);
  std::memcpy(p, prefix.data(), prefix.size());
  p += prefix.size();
  *p++ = 0x15;  // Value.simple_value (2), fixed32
  std::memcpy(p, &value, 4);
  frame_record(record, data_size);
}

}  // namespace tblog::detail
