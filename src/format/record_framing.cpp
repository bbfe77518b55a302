#include "format/record_framing.hpp"

#include <cstring>

#include "format/crc32c.hpp"

namespace tblog::detail {
namespace {

void store_u32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
void store_u64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
std::uint32_t load_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint64_t load_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

void finish_record_in_place(std::string& out, std::size_t header_begin) {
  const std::size_t data_begin = header_begin + kRecordHeaderSize;
  const std::uint64_t length = out.size() - data_begin;
  char* header = out.data() + header_begin;
  store_u64(header, length);
  store_u32(header + 8, masked_crc32c(header, 8));
  char footer[4];
  store_u32(footer, masked_crc32c(out.data() + data_begin, length));
  out.append(footer, 4);
}

void append_record(std::string& out, std::string_view data) {
  const std::size_t header_begin = out.size();
  out.append(kRecordHeaderSize, '\0');
  out.append(data.data(), data.size());
  finish_record_in_place(out, header_begin);
}

Frame parse_record(std::string_view buf) {
  Frame f;
  if (buf.size() < kRecordHeaderSize) return f;  // need_more
  const std::uint64_t length = load_u64(buf.data());
  if (masked_crc32c(buf.data(), 8) != load_u32(buf.data() + 8)) {
    f.status = FrameStatus::bad_length_crc;
    return f;
  }
  f.length = length;
  if (buf.size() - kRecordHeaderSize < kRecordFooterSize ||
      length > buf.size() - kRecordHeaderSize - kRecordFooterSize) {
    return f;  // need_more
  }
  const char* data = buf.data() + kRecordHeaderSize;
  if (masked_crc32c(data, length) != load_u32(data + length)) {
    f.status = FrameStatus::bad_data_crc;
    return f;
  }
  f.status = FrameStatus::ok;
  f.data = std::string_view(data, length);
  f.size = kRecordOverhead + length;
  return f;
}

}  // namespace tblog::detail
