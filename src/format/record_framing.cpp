#include "format/record_framing.hpp"

namespace tblog::detail {
namespace {

void store_u32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
void store_u64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
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
  const std::size_t header_begin = begin_record(out);
  out.append(data.data(), data.size());
  finish_record_in_place(out, header_begin);
}

}  // namespace tblog::detail
