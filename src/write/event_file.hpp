#pragma once
// One run's event file: unique naming, the first record, buffered records, and recovery
// from write errors (cut back to the last complete record; the next write opens a new file).
#include <cstdint>
#include <string>
#include <unordered_set>

#include "write/posix_file.hpp"

namespace tblog::detail {

struct TagEntry;

// events.out.tfevents.<10-digit unix seconds>.<hostname>.<pid>.<per-process counter><suffix>
std::string event_file_name(std::int64_t unix_seconds, const std::string& suffix);

class EventFile {
 public:
  EventFile(std::string dir, std::string suffix);

  // Creates the folder if needed and a new event file whose first record (file_version) is
  // written at once.
  IoStatus open();
  bool is_open() const { return file_.is_open(); }
  const std::string& path() const { return file_.path(); }
  const std::string& dir() const { return dir_; }

  // Records are encoded straight into this buffer; count each event added to it.
  std::string& buffer() { return buffer_; }
  void count_buffered_event() { ++buffered_events_; }
  std::uint64_t buffered_events() const { return buffered_events_; }

  // Writes the buffer out (opening a new file first if there is none). On failure the file
  // is cut back to its last complete record and closed, and the buffered events are lost.
  // *written / *lost receive the number of events written / lost.
  IoStatus write_buffered(std::uint64_t* written, std::uint64_t* lost);
  IoStatus sync();
  // True when the open file was removed from its folder by someone else.
  bool removed() const { return file_.is_open() && !file_.still_linked(); }
  // Closes the file; metadata is repeated in the next one.
  void close() {
    file_.close();
    described.clear();
  }

  // Tags whose SummaryMetadata this file already holds.
  std::unordered_set<const TagEntry*> described;

 private:
  std::string dir_;
  std::string suffix_;
  PosixFile file_;
  std::string buffer_;
  std::uint64_t buffered_events_ = 0;
};

}  // namespace tblog::detail
