#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "format/record_framing.hpp"
#include "tblog/reader.hpp"

namespace tblog {

std::string ReadProblem::to_string() const {
  if (kind == Kind::unreadable) return message;
  return file + ":" + std::to_string(offset) + ": " + message;
}

namespace {

// Large enough that one read() call covers thousands of small records, so syscalls and
// buffer shuffling stay negligible next to the CRC work.
constexpr std::size_t kChunkSize = std::size_t{4} << 20;

using detail::RecordStatus;

}  // namespace

struct RecordReader::State {
  std::string path;
  int fd = -1;
  bool eof = false;
  std::vector<char> buffer;
  std::size_t begin = 0;             // first unconsumed byte of buffer
  std::size_t end = 0;               // one past the last valid byte of buffer
  std::uint64_t buffer_offset = 0;   // file offset of buffer[0]
  std::uint64_t sound_through = 0;   // file offset just past the last sound record
  std::optional<ReadProblem> problem;

  ~State() {
    if (fd >= 0) ::close(fd);
  }

  // Moves the unconsumed bytes to the front and reads until at least `wanted` bytes are
  // buffered or the file ends.
  void fill(std::size_t wanted) {
    if (begin > 0) {
      std::memmove(buffer.data(), buffer.data() + begin, end - begin);
      buffer_offset += begin;
      end -= begin;
      begin = 0;
    }
    if (wanted > buffer.size()) buffer.resize(std::max(wanted, buffer.size() * 2));
    while (end < wanted && !eof) {
      const ssize_t n = ::read(fd, buffer.data() + end, buffer.size() - end);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error(ErrorCode::io, "cannot read '" + path + "': " + std::strerror(errno));
      }
      if (n == 0) eof = true;
      end += static_cast<std::size_t>(n);
    }
  }

  // The record at `begin` is not complete: reports it when it is corrupt or the file ends
  // inside it (false), else reads more of the file (true). Kept out of line so that the
  // per-record loop in next() stays small (and, taking a copy, keeps its record in registers).
  [[gnu::noinline]] bool read_more_or_report(detail::DecodedRecord record) {
    switch (record.status) {
      case RecordStatus::bad_length_crc:
        report(ReadProblem::Kind::corrupt, "bad length CRC (record header is corrupt)");
        return false;
      case RecordStatus::bad_data_crc:
        report(ReadProblem::Kind::corrupt,
               "bad data CRC (the " + std::to_string(record.size - detail::kRecordOverhead) +
                   "-byte record is corrupt)");
        return false;
      case RecordStatus::complete:
      case RecordStatus::truncated:
        break;
    }
    const std::size_t available = end - begin;
    if (eof) {
      if (available == 0) return false;  // clean end of file
      report(ReadProblem::Kind::truncated,
             "truncated last record: the file ends " + std::to_string(available) +
                 " bytes into a record of " +
                 (record.size_known ? std::to_string(record.size) + " bytes"
                                    : std::string("unknown size")));
      return false;
    }
    // Never grow the buffer beyond what the file could still hold: a huge length (whose
    // CRC happens to match) then reads as truncation instead of exhausting memory.
    std::uint64_t want = record.size;  // what the record takes, as far as known
    if (want > buffer.size()) {
      struct stat st {};
      if (::fstat(fd, &st) != 0) {
        throw Error(ErrorCode::io, "cannot read '" + path + "': " + std::strerror(errno));
      }
      const std::uint64_t at = buffer_offset + begin;
      const auto size = static_cast<std::uint64_t>(st.st_size);
      const std::uint64_t left = size > at ? size - at : 0;
      if (want > left) want = std::max<std::uint64_t>(left, available + 1);
    }
    // Read in chunks of the buffer's size (a whole chunk for large files).
    fill(static_cast<std::size_t>(
        std::max<std::uint64_t>(want, std::min<std::uint64_t>(kChunkSize, buffer.size()))));
    return true;
  }

  void report(ReadProblem::Kind kind, std::string message) {
    ReadProblem p;
    p.kind = kind;
    p.file = path;
    p.offset = buffer_offset + begin;
    p.message = std::move(message);
    problem = std::move(p);
  }
};

RecordReader::RecordReader(const std::string& path) : RecordReader(path, 0) {}

RecordReader::RecordReader(const std::string& path, std::uint64_t start_offset)
    : state_(std::make_unique<State>()) {
  state_->path = path;
  state_->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (state_->fd < 0) {
    throw Error(ErrorCode::io, "cannot open event file '" + path + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(state_->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    throw Error(ErrorCode::io, "cannot read event file '" + path + "': it is a folder");
  }
  if (start_offset > 0 &&
      ::lseek(state_->fd, static_cast<off_t>(start_offset), SEEK_SET) == static_cast<off_t>(-1)) {
    throw Error(ErrorCode::io, "cannot seek in event file '" + path + "' to byte " +
                                   std::to_string(start_offset) + ": " + std::strerror(errno));
  }
  state_->buffer_offset = start_offset;
  state_->sound_through = start_offset;
  ::posix_fadvise(state_->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  // Small files (most runs' files, or what a growing file gained) get a buffer their size,
  // not a whole chunk.
  const auto whole_size = static_cast<std::uint64_t>(st.st_size > 0 ? st.st_size : 0);
  const std::uint64_t file_size = whole_size > start_offset ? whole_size - start_offset : 0;
  state_->buffer.resize(static_cast<std::size_t>(
      std::min<std::uint64_t>(kChunkSize, std::max<std::uint64_t>(file_size + 1, 4096))));
}

RecordReader::~RecordReader() = default;

bool RecordReader::next(std::string_view& data, std::uint64_t* offset) {
  State& s = *state_;
  if (s.problem) return false;
  for (;;) {
    const detail::DecodedRecord record =
        detail::decode_record(std::string_view(s.buffer.data() + s.begin, s.end - s.begin));
    if (record.status == RecordStatus::complete) {
      // (Built from its parts: copying the view whole makes GCC bounce it through the stack.)
      data = std::string_view(record.data.data(), record.data.size());
      if (offset) *offset = s.buffer_offset + s.begin;
      s.begin += static_cast<std::size_t>(record.size);
      s.sound_through = s.buffer_offset + s.begin;
      return true;
    }
    if (!s.read_more_or_report(record)) return false;
  }
}

const std::optional<ReadProblem>& RecordReader::problem() const { return state_->problem; }

std::uint64_t RecordReader::bytes_read() const { return state_->sound_through; }

const std::string& RecordReader::path() const { return state_->path; }

}  // namespace tblog
