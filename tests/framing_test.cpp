// CRC-32C, its masking, and TFRecord framing against known values.
#include <gtest/gtest.h>

#include <string>

#include "format/crc32c.hpp"
#include "format/record_framing.hpp"
#include "test_support.hpp"

namespace tblog::detail {
namespace {

TEST(Crc32c, CheckValuesFromTheFormat) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  std::string ones(32, '\xFF');
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending.data(), ascending.size()), 0x46DD794Eu);
  EXPECT_EQ(crc32c("", 0), 0u);
}

TEST(Crc32c, MaskMatchesTheFormulaAndUnmasks) {
  for (std::uint32_t c : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu, 0x12345678u}) {
    const std::uint32_t expected =
        static_cast<std::uint32_t>(((c >> 15) | (c << 17)) + 0xA282EAD8ull);
    EXPECT_EQ(mask_crc(c), expected);
    EXPECT_EQ(unmask_crc(mask_crc(c)), c);
  }
}

std::uint32_t le32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

TEST(Framing, RecordLayoutIsLengthCrcDataCrc) {
  std::string out;
  append_record(out, "hello");
  ASSERT_EQ(out.size(), kRecordOverhead + 5);
  EXPECT_EQ(out.substr(0, 8), std::string("\x05\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(le32(out, 8), mask_crc(crc32c(out.data(), 8)));
  EXPECT_EQ(out.substr(12, 5), "hello");
  EXPECT_EQ(le32(out, 17), mask_crc(crc32c("hello", 5)));
}

using test::hex;

TEST(Framing, KnownRecordBytes) {
  // Computed with an independent bit-by-bit CRC-32C.
  std::string empty;
  append_record(empty, "");
  EXPECT_EQ(hex(empty), "000000000000000029039807d8ea82a2");
  std::string hello;
  append_record(hello, "hello");
  EXPECT_EQ(hex(hello), "0500000000000000eab2043e68656c6c6fbb1f1c19");
}

TEST(Framing, DecodeRoundTripAndStatuses) {
  std::string buf;
  append_record(buf, "first");
  append_record(buf, std::string(1000, 'x'));
  DecodedRecord f = decode_record(buf);
  ASSERT_EQ(f.status, RecordStatus::complete);
  EXPECT_EQ(f.data, "first");
  EXPECT_EQ(f.size, kRecordOverhead + 5);
  DecodedRecord g = decode_record(std::string_view(buf).substr(f.size));
  ASSERT_EQ(g.status, RecordStatus::complete);
  EXPECT_EQ(g.data.size(), 1000u);

  // Cut inside the header: the size is not known yet, the header's at least.
  const DecodedRecord in_header = decode_record(std::string_view(buf).substr(0, 11));
  EXPECT_EQ(in_header.status, RecordStatus::truncated);
  EXPECT_FALSE(in_header.size_known);
  EXPECT_EQ(in_header.size, kRecordHeaderSize);
  // Cut after a sound header: the whole record's size is known.
  for (std::size_t cut : {kRecordHeaderSize, f.size - 1}) {
    const DecodedRecord in_data = decode_record(std::string_view(buf).substr(0, cut));
    EXPECT_EQ(in_data.status, RecordStatus::truncated) << cut;
    EXPECT_TRUE(in_data.size_known) << cut;
    EXPECT_EQ(in_data.size, f.size) << cut;
  }
  EXPECT_EQ(decode_record(std::string_view()).status, RecordStatus::truncated);

  std::string bad_len = buf;
  bad_len[0] ^= 1;
  EXPECT_EQ(decode_record(bad_len).status, RecordStatus::bad_length_crc);
  EXPECT_TRUE(decode_record(bad_len).corrupt());
  std::string bad_data = buf;
  bad_data[13] ^= 1;
  const DecodedRecord bad = decode_record(bad_data);
  EXPECT_EQ(bad.status, RecordStatus::bad_data_crc);
  EXPECT_TRUE(bad.corrupt());
  EXPECT_EQ(bad.size, f.size);
}

TEST(Framing, HugeLengthSaturatesAndReadsAsTruncated) {
  std::string header(8, '\xFF');  // length 2^64 - 1, with a matching CRC
  const std::uint32_t crc = masked_crc32c(header.data(), 8);
  for (int i = 0; i < 4; ++i) header.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  header.append(100, 'x');
  const DecodedRecord r = decode_record(header);
  EXPECT_EQ(r.status, RecordStatus::truncated);
  EXPECT_EQ(r.size, UINT64_MAX);
}

TEST(Framing, FinishInPlaceEqualsAppend) {
  std::string a;
  append_record(a, "payload bytes");
  std::string b = "prefix";
  const std::size_t header = begin_record(b);
  EXPECT_EQ(header, 6u);
  b.append("payload bytes");
  finish_record_in_place(b, header);
  EXPECT_EQ(b.substr(header), a);
}

}  // namespace
}  // namespace tblog::detail
