#pragma once
// One run's event file: unique naming, the first record, buffered records, and recovery
// from write errors (cut back to the last complete record; the next write opens a new file).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "tblog/file_system.hpp"

namespace tblog::detail {

struct TagEntry;

// events.out.tfevents.<10-digit unix seconds>.<hostname>.<pid>.<per-process counter><suffix>
std::string event_file_name(std::int64_t unix_seconds, const std::string& suffix);

class EventFile {
 public:
  using Clock = std::chrono::steady_clock;

  // After a failed write, automatic writes wait `first_retry`, then twice that, and so on up
  // to `max_retry` before they touch the file system again.
  EventFile(std::shared_ptr<FileSystem> file_system, std::string dir, std::string suffix,
            Clock::duration first_retry = std::chrono::seconds(2),
            Clock::duration max_retry = std::chrono::minutes(5));

  // Creates the folder if needed and a new event file whose first record (file_version) is
  // written at once.
  Status open();
  bool is_open() const { return file_ != nullptr; }
  // Closes the descriptor but keeps the file as this run's: the next write appends to it, or
  // starts a new file if it is gone. Bounds a writer's open descriptors when it has many runs
  // (add_scalars). Its tags are described again after it (values are encoded before the
  // write finds out whether the file is still there). `sync` first when flushes must be
  // durable.
  Status suspend(bool sync);
  // When the writer last wrote this file, in its own count of writes: the least recent is
  // suspended first.
  std::uint64_t last_write = 0;
  // The current (or last) file's path; empty before the first open.
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

  // Records are encoded straight into this buffer; count each event added to it.
  std::string& buffer() { return buffer_; }
  void count_buffered_event() { ++buffered_events_; }
  // Back to an earlier buffer size and count: drops a record left half-encoded.
  void cut_back(std::size_t size, std::uint64_t events) {
    if (size < buffer_.size()) buffer_.resize(size);
    buffered_events_ = events;
  }
  // Drops the buffer (its tags must be described again); returns the events it held.
  std::uint64_t discard_buffer() {
    const std::uint64_t events = buffered_events_;
    buffer_.clear();
    buffered_events_ = 0;
    described.clear();
    return events;
  }
  std::uint64_t buffered_events() const { return buffered_events_; }

  // Writes the buffer out (opening a new file first if there is none). On failure the file
  // is cut back to its last complete record and the buffered events are lost. The first
  // failure of an outage closes the file, so that the retry goes to a new one; that new file
  // is kept through later failures of the same outage (one outage, at most one new file).
  // During an outage a write that is not `retry_now` (flush(), close()) and comes before the
  // backoff has passed loses the buffer without touching the file system.
  // *written / *lost receive the number of events written / lost.
  Status write_buffered(std::uint64_t* written, std::uint64_t* lost, bool retry_now);
  // True from a failed write until one succeeds.
  bool failing() const { return failing_; }
  Status sync();
  // True when the open file was removed from its folder by someone else.
  bool removed() const { return file_ != nullptr && !file_->still_linked(); }
  // Closes the file; metadata is repeated in the next one. Close errors are returned but
  // lose nothing: every record was written (and checked) by append.
  Status close();

  // Tags whose SummaryMetadata this file already holds.
  std::unordered_set<const TagEntry*> described;

 private:
  std::shared_ptr<FileSystem> file_system_;
  std::string dir_;
  std::string suffix_;
  std::unique_ptr<WritableFile> file_;
  std::string path_;
  std::string buffer_;
  std::uint64_t buffered_events_ = 0;
  bool suspended_ = false;

  // Reopens a suspended file for appending; a new file when it is gone.
  Status resume();

  const Clock::duration first_retry_;
  const Clock::duration max_retry_;
  bool failing_ = false;
  Status last_error_;  // the failure that began or continued the outage
  Clock::duration retry_delay_{};
  Clock::time_point retry_at_{};
};

}  // namespace tblog::detail
