// RecordReader: framed records read back, truncation told apart from corruption, and the
// CRC-32C implementation checked against the published check values.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "format/crc32c.hpp"
#include "format/record_framing.hpp"
#include "tblog/reader.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::TempDir;
using test::write_file;

struct Framed {
  std::string bytes;                    // the whole file
  std::vector<std::string> payloads;    // each record's data
  std::vector<std::uint64_t> offsets;   // each record's start
};

Framed frame(const std::vector<std::string>& payloads) {
  Framed f;
  f.payloads = payloads;
  for (const auto& p : payloads) {
    f.offsets.push_back(f.bytes.size());
    detail::append_record(f.bytes, p);
  }
  return f;
}

// Payloads of assorted sizes, including empty and ones whose length needs a 2-byte varint.
std::vector<std::string> sample_payloads() {
  std::mt19937 rng(7);
  std::vector<std::string> out;
  for (std::size_t size : {0u, 1u, 7u, 30u, 200u, 45u}) {
    std::string s(size, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    out.push_back(s);
  }
  return out;
}

struct ReadResult {
  std::vector<std::string> records;
  std::vector<std::uint64_t> offsets;
  std::optional<ReadProblem> problem;
  std::uint64_t bytes_read = 0;
};

ReadResult read_all(const std::string& path) {
  ReadResult r;
  RecordReader reader(path);
  std::string_view data;
  std::uint64_t offset = 0;
  while (reader.next(data, &offset)) {
    r.records.emplace_back(data);
    r.offsets.push_back(offset);
  }
  // Once stopped, the reader stays stopped.
  EXPECT_FALSE(reader.next(data));
  r.problem = reader.problem();
  r.bytes_read = reader.bytes_read();
  return r;
}

TEST(RecordReader, ReadsBackEveryRecordWithItsOffset) {
  TempDir dir;
  const Framed f = frame(sample_payloads());
  const std::string path = (dir.path() / "events.out.tfevents.1").string();
  write_file(path, f.bytes);

  const ReadResult r = read_all(path);
  EXPECT_FALSE(r.problem.has_value()) << r.problem->to_string();
  EXPECT_EQ(r.records, f.payloads);
  EXPECT_EQ(r.offsets, f.offsets);
  EXPECT_EQ(r.bytes_read, f.bytes.size());
}

TEST(RecordReader, EmptyFileHasNoRecordsAndNoProblem) {
  TempDir dir;
  const std::string path = (dir.path() / "empty.tfevents").string();
  write_file(path, "");
  const ReadResult r = read_all(path);
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.problem.has_value());
  EXPECT_EQ(r.bytes_read, 0u);
}

TEST(RecordReader, CutAtEveryOffsetReportsTruncationAndKeepsCompleteRecords) {
  TempDir dir;
  const Framed f = frame(sample_payloads());
  const std::string path = (dir.path() / "cut.tfevents").string();
  for (std::size_t cut = 0; cut <= f.bytes.size(); ++cut) {
    write_file(path, f.bytes.substr(0, cut));
    const ReadResult r = read_all(path);

    // Records that end at or before the cut come back; the first one that does not is
    // where the truncation is reported.
    std::size_t complete = 0;
    while (complete < f.payloads.size() &&
           f.offsets[complete] + detail::kRecordOverhead + f.payloads[complete].size() <= cut) {
      ++complete;
    }
    ASSERT_EQ(r.records.size(), complete) << "cut at " << cut;
    for (std::size_t i = 0; i < complete; ++i) EXPECT_EQ(r.records[i], f.payloads[i]);

    const bool on_boundary = complete == f.payloads.size() || f.offsets[complete] == cut;
    if (on_boundary) {
      EXPECT_FALSE(r.problem.has_value()) << "cut at " << cut << ": " << r.problem->to_string();
    } else {
      ASSERT_TRUE(r.problem.has_value()) << "cut at " << cut;
      EXPECT_EQ(r.problem->kind, ReadProblem::Kind::truncated) << r.problem->to_string();
      EXPECT_EQ(r.problem->offset, f.offsets[complete]) << "cut at " << cut;
      EXPECT_EQ(r.problem->file, path);
      EXPECT_NE(r.problem->message.find("truncated"), std::string::npos);
    }
    EXPECT_EQ(r.bytes_read, complete == 0 ? 0 : f.offsets[complete - 1] + detail::kRecordOverhead +
                                                    f.payloads[complete - 1].size());
  }
}

TEST(RecordReader, FlippedByteAnywhereIsCorruptionAtThatRecord) {
  TempDir dir;
  const Framed f = frame(sample_payloads());
  const std::string path = (dir.path() / "flip.tfevents").string();
  for (std::size_t k = 0; k < f.payloads.size(); ++k) {
    const std::size_t begin = f.offsets[k];
    const std::size_t end = begin + detail::kRecordOverhead + f.payloads[k].size();
    for (std::size_t at = begin; at < end; ++at) {
      std::string bytes = f.bytes;
      bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
      write_file(path, bytes);
      const ReadResult r = read_all(path);

      ASSERT_TRUE(r.problem.has_value()) << "flip at " << at;
      EXPECT_EQ(r.problem->kind, ReadProblem::Kind::corrupt) << "flip at " << at;
      EXPECT_EQ(r.problem->offset, begin) << "flip at " << at;
      const bool in_header = at < begin + detail::kRecordHeaderSize;
      EXPECT_NE(r.problem->message.find(in_header ? "length CRC" : "data CRC"), std::string::npos)
          << "flip at " << at << ": " << r.problem->message;
      ASSERT_EQ(r.records.size(), k);
      for (std::size_t i = 0; i < k; ++i) EXPECT_EQ(r.records[i], f.payloads[i]);
      EXPECT_EQ(r.bytes_read, begin);
    }
  }
}

TEST(RecordReader, RecordsLargerThanTheReadChunk) {
  TempDir dir;
  std::mt19937 rng(3);
  std::string big(9u << 20, '\0');  // bigger than the reader's 4 MiB chunks
  for (char& c : big) c = static_cast<char>(rng());
  const Framed f = frame({"first", big, "after"});
  const std::string path = (dir.path() / "big.tfevents").string();
  write_file(path, f.bytes);
  ReadResult r = read_all(path);
  EXPECT_FALSE(r.problem.has_value());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_TRUE(r.records[1] == big);
  EXPECT_EQ(r.records[2], "after");

  // Cut in the middle of the big record: truncation at its start.
  write_file(path, f.bytes.substr(0, f.offsets[1] + (5u << 20)));
  r = read_all(path);
  ASSERT_TRUE(r.problem.has_value());
  EXPECT_EQ(r.problem->kind, ReadProblem::Kind::truncated);
  EXPECT_EQ(r.problem->offset, f.offsets[1]);
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(RecordReader, HugeLengthWithValidCrcReadsAsTruncatedWithoutAllocating) {
  TempDir dir;
  std::string bytes;
  detail::append_record(bytes, "sound");
  const std::uint64_t offset = bytes.size();
  // A header claiming 2^60 bytes, with a matching length CRC.
  char header[12];
  const std::uint64_t length = std::uint64_t{1} << 60;
  std::memcpy(header, &length, 8);
  const std::uint32_t crc = detail::masked_crc32c(header, 8);
  std::memcpy(header + 8, &crc, 4);
  bytes.append(header, 12);
  bytes.append("some bytes");
  const std::string path = (dir.path() / "huge.tfevents").string();
  write_file(path, bytes);
  const ReadResult r = read_all(path);
  ASSERT_EQ(r.records.size(), 1u);
  ASSERT_TRUE(r.problem.has_value());
  EXPECT_EQ(r.problem->kind, ReadProblem::Kind::truncated);
  EXPECT_EQ(r.problem->offset, offset);
}

TEST(RecordReader, MissingFileThrowsNamingIt) {
  TempDir dir;
  const std::string path = (dir.path() / "no-such.tfevents").string();
  try {
    RecordReader reader(path);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_THROW(RecordReader{dir.str()}, Error);  // a folder is not an event file
}

TEST(ReadProblem, ToStringIsFileOffsetMessage) {
  ReadProblem p;
  p.kind = ReadProblem::Kind::corrupt;
  p.file = "run/events.out.tfevents.1";
  p.offset = 1234;
  p.message = "bad data CRC";
  EXPECT_EQ(p.to_string(), "run/events.out.tfevents.1:1234: bad data CRC");
}

}  // namespace
}  // namespace tblog
