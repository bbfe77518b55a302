#pragma once
// TFRecord framing, on byte buffers only (no files here):
//   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tblog::detail {

constexpr std::size_t kRecordHeaderSize = 12;  // length + its CRC
constexpr std::size_t kRecordFooterSize = 4;   // data CRC
constexpr std::size_t kRecordOverhead = kRecordHeaderSize + kRecordFooterSize;

// Appends the framed record holding `data` to `out`.
void append_record(std::string& out, std::string_view data);

// Frames data that was already written into `out` at [data_begin, out.size()): the 12-byte
// header must have been reserved before it. Lets encoders write the payload in place.
void finish_record_in_place(std::string& out, std::size_t header_begin);

enum class FrameStatus {
  ok,
  need_more,       // buf ends inside this record
  bad_length_crc,  // the length field does not match its CRC
  bad_data_crc,    // the data does not match its CRC
};

struct Frame {
  FrameStatus status = FrameStatus::need_more;
  std::string_view data;  // the record's data when ok
  std::size_t size = 0;   // bytes of buf the whole record takes (header + data + footer) when ok
  std::uint64_t length = 0;  // the data length, once the header is sound
};

// Parses the record at the start of buf.
Frame parse_record(std::string_view buf);

}  // namespace tblog::detail
