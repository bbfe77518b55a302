#pragma once
// SummaryWriter's state, shared by the callers' side (summary_writer.cpp: validate, copy,
// enqueue) and the writer thread (writer_thread.cpp: encode, frame, write, flush).
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <deque>

#include "write/encoder_pool.hpp"
#include "write/event_file.hpp"
#include "write/event_queue.hpp"
#include "write/tag_table.hpp"
#include "write/wall_clock.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog {

namespace detail {
class Payload;
}

// Throws tblog::Error for a negative step, or a wall time that is NaN, infinite or negative.
void check_step(Step step);

// Throws tblog::Error, starting with `what` (the call and argument), unless `folder` is a
// relative path that stays inside the logdir: no NUL, no empty, '.' or '..' component.
// add_hparams' run_name and add_scalars' names make sub-run folders: both go through it.
void check_run_folder(const std::string& what, const std::string& folder);

// Seconds since the epoch: the step's wall time when it has one, else now.
double wall_time_of(Step step);


class SummaryWriter::Impl {
 public:
  Impl(const std::string& logdir, WriterOptions options);
  ~Impl();

  // ---- callers' side (summary_writer.cpp)
  const detail::TagEntry* tag(std::string_view name) {
    if (const detail::TagEntry* e = tags_.find(name)) return e;
    return tags_.intern(name, warn_);
  }
  void check_open() const {
    if (closed_.load(std::memory_order_relaxed)) throw_closed();
  }
  [[noreturn]] void throw_closed() const;
  // True in a child process that inherited this writer across fork(): its writer thread
  // exists only in the parent. Set (with closed_) by the fork handler in the child.
  bool inherited_across_fork() const { return inherited_across_fork_.load(std::memory_order_relaxed); }
  void mark_inherited_across_fork() {
    inherited_across_fork_.store(true, std::memory_order_relaxed);
    closed_.store(true, std::memory_order_relaxed);
  }
  // The checks every add_* makes before anything else: the writer is open, the step is
  // not negative, the tag is valid. Returns the interned tag.
  const detail::TagEntry* checked_tag(std::string_view name, Step step) {
    check_open();
    check_step(step);
    return tag(name);
  }
  // Enqueues under the overflow policy; the item's payload is owned by the queue afterwards.
  void enqueue(const detail::QueueItem& item) {
    std::size_t position;
    const auto pushed = queue_.try_push(item, &position);
    if (pushed == detail::EventQueue::Push::pushed) {
      // Wake a sleeping writer thread now and then, so a steady trickle is not held back
      // to the flush interval and a burst gets drained before the queue fills.
      if ((position & wake_mask_) == 0 && writer_sleeping_.load(std::memory_order_relaxed)) {
        wake_writer();
      }
      return;
    }
    enqueue_when_full(item, pushed);
  }
  // Counts `bytes` against max_queue_bytes: true when they fit (or nothing else is queued);
  // else waits under OverflowPolicy::block, or returns false (drop). Throws when closed.
  bool reserve_bytes(std::size_t bytes);
  // The writer thread is done with a payload's bytes; wakes callers waiting for room.
  void release_bytes(std::size_t bytes);
  // Deletes a payload that will not be written, giving back its bytes.
  void discard(detail::Payload* payload) noexcept;
  // Enqueues the payload of one add_* call (tag may be null for untagged events) for run
  // `run` (0: the writer's own; others from run_index).
  void enqueue_payload(const detail::TagEntry* tag, Step step,
                       std::unique_ptr<detail::Payload> payload, std::uint32_t run = 0);
  std::uint32_t run_index(const std::string& subdir);  // add_scalars' sub-runs
  void flush();
  void close();
  // handler_ and warn_ catch whatever the user's handler throws: they never throw.
  static void flush_all_live_writers() noexcept;  // SummaryWriter::flush_all
  void report(const std::string& message) const { handler_(message); }
  // True on the writer thread (in an error handler or a FileSystem it calls), where waiting
  // for the writer thread would wait for ever.
  bool on_writer_thread() const { return std::this_thread::get_id() == writer_thread_id_; }

  // ---- writer thread (writer_thread.cpp)
  void run_writer_thread();

  const std::string logdir_;
  const WriterOptions options_;
  // options_.file_system, or the POSIX one: every file of this writer goes through it.
  const std::shared_ptr<FileSystem> file_system_;
  std::function<void(const std::string&)> handler_;
  std::function<void(const std::string&)> warn_;
  detail::TagTable tags_;
  detail::EventQueue queue_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> lost_{0};
  std::atomic<std::size_t> queued_bytes_{0};  // memory_bytes() of the queued payloads
  mutable std::mutex path_mu_;
  std::string main_path_;  // the main run's current event file

  // Callers' side state of the dashboard kinds (summary_writer_dashboards.cpp).
  std::mutex dashboards_mu_;
  std::set<std::uint32_t> hparams_runs_;         // runs that hold an hparams session
  std::set<std::string> audio_clamp_warned_;     // tags already warned about clamped audio

 private:
  // After a push that failed: full (the overflow policy applies) or closed (throws).
  void enqueue_when_full(const detail::QueueItem& item, detail::EventQueue::Push failed);
  void enqueue_blocking(const detail::QueueItem& item);
  // Waits for the writer thread to make room: calls try_once under mu_, waking the writer,
  // until it returns done (true) or give_up (false).
  enum class Attempt { done, retry, give_up };
  template <typename TryOnce>
  bool wait_for_writer(TryOnce try_once);
  void wake_writer();
  void throw_if_lost();

  // writer-thread helpers
  // Handles one item; whatever it throws (a FileSystem, no memory) loses that event only.
  void handle_safely(detail::QueueItem& item);
  // An event that waits for an encoder thread, or for an earlier one that does.
  struct PendingEvent {
    detail::QueueItem item;
    std::unique_ptr<detail::Payload> payload;
    std::shared_ptr<detail::EncodeJob> job;  // null: encoded (if at all) when written
  };
  void defer(const detail::QueueItem& item, std::unique_ptr<detail::Payload> payload);
  // Writes the pending events in order, up to the first whose encoding is not done (or all,
  // waiting, when wait_all; or when too many wait).
  void finish_pending(bool wait_all);
  // Encodes (unless `job` did), frames into the run's buffer and gives back the bytes.
  void write_item(detail::QueueItem& item, std::unique_ptr<detail::Payload> payload,
                  detail::EncodeJob* job);
  void write_item_to_buffer(detail::QueueItem& item, detail::Payload* payload,
                            detail::EncodeJob* job) noexcept;
  void handle(detail::EventFile& file, detail::QueueItem& item, detail::Payload* payload,
              detail::EncodeJob* job);
  // Serves the flush()es asked for once the items pushed before them are handled: writes
  // every buffer out and wakes their callers. `popped`: items the writer thread has taken.
  void serve_flushes(std::uint64_t popped);
  detail::EventFile& run_file(std::uint32_t run);
  // WriterOptions::purge_step: the SessionLog START that begins each run's first file.
  void start_session(detail::EventFile& file);
  // `asked`: for flush() or close(), which retry a failing file at once; automatic writes
  // (the timer, a large buffer) wait for the file's backoff.
  void write_out(detail::EventFile& file, bool asked);
  void write_all(bool sync, bool check_removed, bool asked);
  std::unique_ptr<detail::EventFile> new_event_file(const std::string& dir) const;
  void close_file(detail::EventFile& file);
  // The file was removed with records still buffered for it, some encoded without their
  // tag's metadata because the old file held it. Puts the metadata into the first buffered
  // value of each such tag, so that the successor describes it; returns the tags the buffer
  // now describes.
  std::unordered_set<const detail::TagEntry*> describe_buffer_again(detail::EventFile& file);
  // Remembers a tag's metadata from its first encoded value (`value`: a Summary.Value).
  void remember_metadata(const detail::TagEntry* tag, const std::string& value);
  // Before `file` opens: suspends the least recently written open files until fewer than
  // max_open_files are open.
  void make_room_to_open(const detail::EventFile& file);
  void record_loss(const std::string& what, std::uint64_t lost) noexcept;
  void wake_blocked_producers();

  // Read by every add and written once (close): a cache line of their own, so that the
  // writer thread's writes below (at every sleep and wake-up) do not evict it from the
  // callers' cores.
  alignas(detail::kCacheLine) const std::size_t wake_mask_;
  std::atomic<bool> closed_{false};

  // Written by the writer thread at each sleep and wake-up, read by every 1024th add.
  alignas(detail::kCacheLine) std::atomic<bool> writer_sleeping_{false};
  std::atomic<int> blocked_producers_{0};

  // Guards the fields below and the condition variables' predicates.
  alignas(detail::kCacheLine) std::mutex mu_;
  std::condition_variable writer_cv_;    // wakes the writer thread
  std::condition_variable producer_cv_;  // wakes callers blocked on a full queue
  std::condition_variable flush_cv_;     // wakes callers waiting for a flush
  bool wake_requested_ = false;
  std::int64_t flush_tickets_ = 0;   // flushes asked for
  std::int64_t flushes_done_ = 0;    // flushes completed, in order
  // A flush is no queue item: it asks the writer to write out once it has taken the items
  // pushed before it (flush_target_ of them), so that stats() counts only events.
  std::atomic<std::uint64_t> flush_target_{0};
  std::atomic<bool> flush_pending_{false};
  bool writer_done_ = false;
  std::uint64_t lost_unreported_ = 0;  // lost to write errors since flush() last threw
  std::string last_error_;
  bool error_streak_ = false;  // an error was reported and no write has succeeded since

  std::mutex runs_mu_;  // guards run_dirs_ / run_index_ (callers add, the writer reads)
  std::vector<std::string> run_dirs_;
  std::map<std::string, std::uint32_t> run_index_;

  // Owned by the writer thread.
  std::vector<std::unique_ptr<detail::EventFile>> files_;
  std::string scratch_;
  // Each tag's SummaryMetadata, serialized (empty: its values carry none), by cleaned tag.
  struct TagMetadata {
    const detail::TagEntry* tag = nullptr;
    std::string metadata;
  };
  std::unordered_map<std::string, TagMetadata> tag_metadata_;
  std::unique_ptr<detail::EncoderPool> encoders_;  // null without WriterOptions::encoder_threads
  std::deque<PendingEvent> pending_;
  std::uint64_t write_clock_ = 0;  // counts write_out calls; stamps EventFile::last_write
  std::thread thread_;
  std::thread::id writer_thread_id_;  // set once, before any item is handled
  // fork(): the live writers of the process, marked in a child by a pthread_atfork handler.
  static std::mutex& live_writers_mu();
  static std::set<Impl*>& live_writers();
  static void register_live_writer(Impl* writer);
  static void unregister_live_writer(Impl* writer);
  std::atomic<bool> inherited_across_fork_{false};
  const pid_t creator_pid_;
};

}  // namespace tblog
