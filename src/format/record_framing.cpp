#include "format/record_framing.hpp"

#include "format/crc32c.hpp"

namespace tblog::detail {
namespace {

void store_u32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
void store_u64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

}  // namespace

void frame_record(char* record, std::size_t data_length) {
  store_u64(record, data_length);
  store_u32(record + 8, mask_crc(crc32c_u64(data_length)));  // the CRC of those 8 bytes
  store_u32(record + kRecordHeaderSize + data_length,
            masked_crc32c(record + kRecordHeaderSize, data_length));
}

void finish_record_in_place(std::string& out, std::size_t header_begin) {
  const std::size_t length = out.size() - header_begin - kRecordHeaderSize;
  out.append(kRecordFooterSize, '\0');
  frame_record(out.data() + header_begin, length);
}

void append_record(std::string& out, std::string_view data) {
  const std::size_t header_begin = begin_record(out);
  out.append(data.data(), data.size());
  finish_record_in_place(out, header_begin);
}

}  // namespace tblog::detail
