#pragma once
// TFRecord framing, on byte buffers only (no files here): the one codec the writer and both
// readers use.
//   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "format/crc32c.hpp"

namespace tblog::detail {

constexpr std::size_t kRecordHeaderSize = 12;  // length + its CRC
constexpr std::size_t kRecordFooterSize = 4;   // data CRC
constexpr std::size_t kRecordOverhead = kRecordHeaderSize + kRecordFooterSize;

// ---- Encoding

// Appends the framed record holding `data` to `out`.
void append_record(std::string& out, std::string_view data);

// Reserves a record header at the end of `out` and returns where it starts; the caller then
// appends the data and calls finish_record_in_place. Lets encoders write the data in place.
inline std::size_t begin_record(std::string& out) {
  const std::size_t header_begin = out.size();
  out.append(kRecordHeaderSize, '\0');
  return header_begin;
}

// Frames the data written into `out` at [header_begin + kRecordHeaderSize, out.size()):
// fills in the reserved header and appends the data CRC.
void finish_record_in_place(std::string& out, std::size_t header_begin);

// Fills in the header and footer of a record whose data_length bytes of data are already at
// record + kRecordHeaderSize, with room for the footer after them.
void frame_record(char* record, std::size_t data_length);

// ---- Decoding

enum class RecordStatus {
  complete,        // a whole record with both CRCs sound
  truncated,       // the bytes end inside this record: more are needed to tell
  bad_length_crc,  // corrupt: the length field does not match its CRC
  bad_data_crc,    // corrupt: the data does not match its CRC
};

struct DecodedRecord {
  RecordStatus status = RecordStatus::truncated;
  std::string_view data;  // complete: the record's data, a view into the decoded bytes
  // Bytes the whole record takes (header + data + footer), once its header is sound (in
  // every status but bad_length_crc, and truncated with fewer than kRecordHeaderSize bytes:
  // there it is kRecordHeaderSize, the least it can take). Saturates at UINT64_MAX.
  std::uint64_t size = kRecordHeaderSize;
  bool size_known = false;  // whether `size` is the record's whole size

  bool corrupt() const {
    return status == RecordStatus::bad_length_crc || status == RecordStatus::bad_data_crc;
  }
};

namespace framing_detail {
inline std::uint64_t load_u64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);  // little-endian hosts only, like the rest of tblog
  return v;
}
inline std::uint32_t load_u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace framing_detail

// Decodes and checks the record at the start of `bytes`; the record's offset is wherever
// `bytes` starts. Inline and copy-free: the readers call it once per record.
inline DecodedRecord decode_record(std::string_view bytes) {
  DecodedRecord r;
  if (bytes.size() < kRecordHeaderSize) return r;  // truncated inside the header
  const char* p = bytes.data();
  const std::uint64_t length = framing_detail::load_u64(p);
  if (masked_crc32c(p, 8) != framing_detail::load_u32(p + 8)) {
    r.status = RecordStatus::bad_length_crc;
    return r;
  }
  r.size = length > UINT64_MAX - kRecordOverhead ? UINT64_MAX : kRecordOverhead + length;
  r.size_known = true;
  if (r.size > bytes.size()) return r;  // truncated inside the data or its CRC
  const char* data = p + kRecordHeaderSize;
  if (masked_crc32c(data, length) != framing_detail::load_u32(data + length)) {
    r.status = RecordStatus::bad_data_crc;
    return r;
  }
  r.status = RecordStatus::complete;
  r.data = std::string_view(data, length);
  return r;
}

}  // namespace tblog::detail
