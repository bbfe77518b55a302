#include "write/event_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "format/event_encoding.hpp"

namespace tblog::detail {
namespace {

std::atomic<unsigned> g_file_counter{0};

double now_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

std::string event_file_name(std::int64_t unix_seconds, const std::string& suffix) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%010lld", static_cast<long long>(unix_seconds));
  return std::string("events.out.tfevents.") + seconds + "." + host_name() + "." +
         std::to_string(::getpid()) + "." + std::to_string(g_file_counter++) + suffix;
}

EventFile::EventFile(std::shared_ptr<FileSystem> file_system, std::string dir, std::string suffix,
                     Clock::duration first_retry, Clock::duration max_retry)
    : file_system_(std::move(file_system)),
      dir_(std::move(dir)),
      suffix_(std::move(suffix)),
      first_retry_(first_retry),
      max_retry_(std::max(first_retry, max_retry)) {}

Status EventFile::open() {
  // Not close(): events buffered since the last close already count on `described`.
  if (file_ != nullptr) file_->close();
  file_.reset();
  Status st = file_system_->make_directories(dir_);
  if (!st.ok()) return st;
  const double now = now_seconds();
  // The counter makes names unique within the process and O_EXCL across processes that
  // share a pid namespace and second; retry on the rare collision with a foreign file.
  std::unique_ptr<WritableFile> file;
  for (int attempt = 0;; ++attempt) {
    st = file_system_->create_new(
        dir_ + "/" + event_file_name(static_cast<std::int64_t>(now), suffix_), &file);
    if (st.ok() || !st.already_exists() || attempt == 100) break;
  }
  if (!st.ok()) return st;
  st = file->append(file_version_record(now));
  if (st.ok()) st = file->flush();
  if (!st.ok()) {
    // A file without its first record is no event file: leave none behind.
    file->close();
    file_system_->remove(file->path());
    return st;
  }
  path_ = file->path();
  file_ = std::move(file);
  return {};
}

Status EventFile::suspend(bool sync) {
  if (file_ == nullptr) return {};
  Status st = sync ? file_->sync() : Status();
  const Status closed = file_->close();
  if (st.ok()) st = closed;
  file_.reset();
  suspended_ = true;
  described.clear();
  return st;
}

Status EventFile::resume() {
  suspended_ = false;
  FileInfo info;
  Status st = file_system_->stat(path_, &info);
  // Removed while suspended: a successor, as when removed() sees it.
  if (!st.ok() || !info.exists) return open();
  std::unique_ptr<WritableFile> file;
  st = file_system_->open_append(path_, &file);
  if (!st.ok()) return st;
  file_ = std::move(file);
  return {};
}

Status EventFile::close() {
  suspended_ = false;
  described.clear();
  if (file_ == nullptr) return {};
  const Status st = file_->close();
  file_.reset();
  return st;
}

Status EventFile::write_buffered(std::uint64_t* written, std::uint64_t* lost, bool retry_now) {
  *written = 0;
  *lost = 0;
  if (buffer_.empty()) return {};
  Status st;
  const bool waiting = failing_ && !retry_now && Clock::now() < retry_at_;
  if (waiting) {
    // A full disk must not be hammered with an open and a write per megabyte of events.
    st = last_error_;
  } else {
    if (file_ == nullptr) st = suspended_ ? resume() : open();
    if (st.ok()) {
      const std::uint64_t good_size = file_->size();
      st = file_->append(buffer_);
      if (st.ok()) st = file_->flush();
      if (!st.ok()) {
        // Leave the file ending at its last complete record. The first failure moves on to
        // a new file; a file that is already the retry of this outage is kept for the next
        // one, unless it could not be cut back.
        const Status cut = file_->truncate(good_size);
        if (!failing_ || !cut.ok()) close();
      }
    }
  }
  if (st.ok()) {
    *written = buffered_events_;
    failing_ = false;
  } else {
    *lost = buffered_events_;
    // The lost records may have been the ones that described their tags: whichever file
    // comes next (this one or a successor, on every path above) describes them again.
    described.clear();
    if (!waiting) {
      retry_delay_ = failing_ ? std::min(retry_delay_ * 2, max_retry_) : first_retry_;
      retry_at_ = Clock::now() + retry_delay_;
      failing_ = true;
      last_error_ = st;
    }
  }
  buffer_.clear();
  buffered_events_ = 0;
  return st;
}

Status EventFile::sync() {
  if (file_ == nullptr) return {};
  return file_->sync();
}

}  // namespace tblog::detail
