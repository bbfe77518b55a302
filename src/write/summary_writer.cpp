// The callers' side of SummaryWriter: validate, copy, enqueue. Nothing here encodes,
// checksums, compresses or makes a system call on the way to the queue.
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

#include "format/event_encoding.hpp"
#include "kinds/core_kinds.hpp"
#include "write/summary_writer_impl.hpp"

namespace tblog {

using detail::QueueItem;

void check_step(Step step) {
  if (step.value() < 0) throw Error("step " + std::to_string(step.value()) + " is negative");
  if (step.has_wall_time() && !(step.wall_time() >= 0 && std::isfinite(step.wall_time()))) {
    throw Error("wall_time " + std::to_string(step.wall_time()) +
                " is not a finite number of seconds since the epoch");
  }
}

double wall_time_of(Step step) {
  return step.has_wall_time() ? step.wall_time() : wall_clock_now();
}

namespace {

void default_handler(const std::string& message) {
  std::fprintf(stderr, "tblog: %s\n", message.c_str());
}

std::size_t wake_mask_for(std::size_t capacity) {
  std::size_t every = 1024;
  while (every > 1 && every * 4 > capacity) every >>= 1;
  return every - 1;
}

const std::string& checked_logdir(const std::string& logdir) {
  if (logdir.empty()) throw Error("logdir is empty");
  return logdir;
}

// Runs before any member is built from the options: the queue allocates max_queue slots and
// the writer thread converts flush_secs to a clock duration, neither of which is safe for
// every value.
WriterOptions checked_options(WriterOptions options) {
  if (options.max_queue == 0 || options.max_queue > kMaxQueueLimit) {
    throw Error("WriterOptions::max_queue " + std::to_string(options.max_queue) +
                " is outside 1.." + std::to_string(kMaxQueueLimit));
  }
  if (!(options.flush_secs > 0 && options.flush_secs <= kMaxFlushSecs)) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", options.flush_secs);
    throw Error(std::string("WriterOptions::flush_secs ") + value + " is not a number of seconds in (0, " +
                std::to_string(static_cast<long>(kMaxFlushSecs)) + "]");
  }
  if (options.encoder_threads > kMaxEncoderThreads) {
    throw Error("WriterOptions::encoder_threads " + std::to_string(options.encoder_threads) +
                " is outside 0.." + std::to_string(kMaxEncoderThreads));
  }
  if (options.max_open_files == 0) {
    throw Error("WriterOptions::max_open_files is 0; the writer needs at least one open file");
  }
  if (options.max_queue_bytes == 0) {
    throw Error("WriterOptions::max_queue_bytes is 0; it must allow at least one byte");
  }
  if (options.png_compression_level < 0 || options.png_compression_level > 9) {
    throw Error("WriterOptions::png_compression_level " +
                std::to_string(options.png_compression_level) + " is outside 0..9");
  }
  if (options.overflow != OverflowPolicy::block && options.overflow != OverflowPolicy::drop) {
    throw Error("WriterOptions::overflow " + std::to_string(static_cast<int>(options.overflow)) +
                " is not an OverflowPolicy");
  }
  // The suffix ends the event file's name: a '/' would put the file in another folder
  // (outside the logdir with "/../x"), and no file name holds a NUL.
  if (options.filename_suffix.find_first_of(std::string("/\0", 2)) != std::string::npos) {
    throw Error("WriterOptions::filename_suffix '" + options.filename_suffix +
                "' holds a '/' or a NUL byte; it must be part of a file name");
  }
  if (options.purge_step && *options.purge_step < 0) {
    throw Error("WriterOptions::purge_step " + std::to_string(*options.purge_step) +
                " is negative");
  }
  return options;
}

}  // namespace

// Every live writer of the process, so that a child forked from it can mark the writers it
// inherited: their writer threads did not come along, and waiting on them would hang.
// Never destroyed: a writer may outlive static destruction.
std::mutex& SummaryWriter::Impl::live_writers_mu() {
  static auto* mu = new std::mutex;
  return *mu;
}

std::set<SummaryWriter::Impl*>& SummaryWriter::Impl::live_writers() {
  static auto* writers = new std::set<Impl*>;
  return *writers;
}

void SummaryWriter::Impl::register_live_writer(Impl* writer) {
  static std::once_flag fork_handlers;
  std::call_once(fork_handlers, [] {
    // The lock is held across fork(), so the child sees the set whole.
    ::pthread_atfork([] { live_writers_mu().lock(); }, [] { live_writers_mu().unlock(); },
                     [] {
                       for (Impl* w : live_writers()) w->mark_inherited_across_fork();
                       live_writers_mu().unlock();
                     });
  });
  std::lock_guard<std::mutex> lock(live_writers_mu());
  live_writers().insert(writer);
}

void SummaryWriter::Impl::unregister_live_writer(Impl* writer) {
  std::lock_guard<std::mutex> lock(live_writers_mu());
  live_writers().erase(writer);
}

SummaryWriter::Impl::Impl(const std::string& logdir, WriterOptions options)
    : logdir_(checked_logdir(logdir)),
      options_(checked_options(std::move(options))),
      file_system_(options_.file_system ? options_.file_system : FileSystem::posix()),
      queue_(options_.max_queue),
      wake_mask_(wake_mask_for(queue_.capacity())),
      creator_pid_(::getpid()) {
  // The user's handler may throw: nothing it throws may end the writer thread (and with it
  // the process) or escape a destructor.
  handler_ = [user = options_.error_handler ? options_.error_handler : default_handler](
                 const std::string& message) noexcept {
    try {
      user(message);
    } catch (...) {
      std::fprintf(stderr, "tblog: the error handler threw while told: %s\n", message.c_str());
    }
  };
  warn_ = handler_;
  run_dirs_.push_back(logdir_);
  run_index_[logdir_] = 0;
  files_.push_back(new_event_file(logdir_));
  const Status st = files_[0]->open();
  if (!st.ok()) {
    throw Error(ErrorCode::io, "cannot open SummaryWriter on '" + logdir_ + "': " + st.message());
  }
  main_path_ = files_[0]->path();
  if (options_.purge_step) start_session(*files_[0]);
  if (options_.encoder_threads > 0) {
    encoders_ = std::make_unique<detail::EncoderPool>(options_.encoder_threads);
  }
  thread_ = std::thread([this] { run_writer_thread(); });
  writer_thread_id_ = thread_.get_id();
  register_live_writer(this);
}

SummaryWriter::Impl::~Impl() {
  unregister_live_writer(this);
  try {
    close();
  } catch (const std::exception& e) {
    report(e.what());
  } catch (...) {
  }
}

void SummaryWriter::Impl::enqueue_payload(const detail::TagEntry* tag, Step step,
                                          std::unique_ptr<detail::Payload> payload,
                                          std::uint32_t run) {
  const std::size_t bytes = payload->memory_bytes();
  if (!reserve_bytes(bytes)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  payload->queued_bytes = bytes;
  QueueItem item;
  item.kind = QueueItem::Kind::payload;
  item.run = run;
  item.tag = tag;
  item.step = step;
  item.wall_time = wall_time_of(step);
  item.payload = payload.release();
  enqueue(item);
}

bool SummaryWriter::Impl::reserve_bytes(std::size_t bytes) {
  const std::size_t limit = options_.max_queue_bytes;
  const auto try_reserve = [&] {
    std::size_t queued = queued_bytes_.load(std::memory_order_relaxed);
    for (;;) {
      // Nothing queued: the value goes through, however large, so that none is refused for ever.
      if (queued != 0 && bytes > limit - std::min(queued, limit)) return false;
      if (queued_bytes_.compare_exchange_weak(queued, queued + bytes, std::memory_order_relaxed)) {
        return true;
      }
    }
  };
  if (try_reserve()) return true;
  if (options_.overflow == OverflowPolicy::drop || on_writer_thread()) return false;
  // The writer thread gives bytes back as it encodes.
  const bool reserved = wait_for_writer([&] {
    if (try_reserve()) return Attempt::done;
    return closed_.load() || writer_done_ ? Attempt::give_up : Attempt::retry;
  });
  if (!reserved) throw_closed();
  return true;
}

template <typename TryOnce>
bool SummaryWriter::Impl::wait_for_writer(TryOnce try_once) {
  std::unique_lock<std::mutex> lock(mu_);
  blocked_producers_.fetch_add(1);
  Attempt attempt;
  for (;;) {
    wake_requested_ = true;
    writer_cv_.notify_one();
    attempt = try_once();
    if (attempt != Attempt::retry) break;
    // The writer wakes us when it has made room; the timeout only guards a missed wake-up.
    producer_cv_.wait_for(lock, std::chrono::milliseconds(2));
  }
  blocked_producers_.fetch_sub(1);
  // The writer may have emptied the queue and gone to sleep while we waited: what was pushed
  // here must not wait for the flush timer.
  wake_requested_ = true;
  lock.unlock();
  writer_cv_.notify_one();
  return attempt == Attempt::done;
}

void SummaryWriter::Impl::release_bytes(std::size_t bytes) {
  queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  if (blocked_producers_.load() > 0) wake_blocked_producers();
}

void SummaryWriter::Impl::discard(detail::Payload* payload) noexcept {
  if (payload == nullptr) return;
  const std::size_t bytes = payload->queued_bytes;
  delete payload;
  if (bytes != 0) release_bytes(bytes);
}

void SummaryWriter::Impl::wake_writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_requested_ = true;
  }
  writer_cv_.notify_one();
}

void SummaryWriter::Impl::enqueue_when_full(const QueueItem& item,
                                            detail::EventQueue::Push failed) {
  if (failed == detail::EventQueue::Push::closed) {
    // This add lost a race with close(): it was not enqueued, so it must not return normally.
    discard(item.payload);
    throw_closed();
  }
  if (options_.overflow == OverflowPolicy::drop) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    discard(item.payload);
    return;
  }
  enqueue_blocking(item);
}

void SummaryWriter::Impl::enqueue_blocking(const QueueItem& item) {
  std::size_t position;
  auto pushed = queue_.try_push(item, &position);
  if (pushed == detail::EventQueue::Push::pushed) {
    wake_writer();
    return;
  }
  if (pushed == detail::EventQueue::Push::closed) {
    discard(item.payload);
    throw_closed();
  }
  if (on_writer_thread()) {
    // An add from an error handler with the queue full: the writer thread cannot wait for
    // itself to make room, so the event is dropped (and counted) instead.
    dropped_.fetch_add(1, std::memory_order_relaxed);
    discard(item.payload);
    return;
  }
  const bool done = wait_for_writer([&] {
    pushed = queue_.try_push(item, &position);
    if (pushed == detail::EventQueue::Push::pushed) return Attempt::done;
    return pushed == detail::EventQueue::Push::closed || writer_done_ ? Attempt::give_up
                                                                       : Attempt::retry;
  });
  if (!done) {
    discard(item.payload);
    throw_closed();
  }
}

std::uint32_t SummaryWriter::Impl::run_index(const std::string& subdir) {
  std::lock_guard<std::mutex> lock(runs_mu_);
  auto it = run_index_.find(subdir);
  if (it != run_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(run_dirs_.size());
  run_dirs_.push_back(subdir);
  run_index_.emplace(subdir, index);
  return index;
}

void SummaryWriter::Impl::throw_if_lost() {
  std::unique_lock<std::mutex> lock(mu_);
  if (lost_unreported_ == 0) return;
  const std::string message = std::to_string(lost_unreported_) +
                              " event(s) were lost writing to '" + logdir_ + "': " + last_error_;
  lost_unreported_ = 0;
  throw Error(ErrorCode::events_lost, message);
}

void SummaryWriter::Impl::flush() {
  check_open();
  if (on_writer_thread()) {
    throw Error(ErrorCode::invalid_argument,
                "flush() called on the writer thread (from an error handler or a FileSystem): "
                "it would wait for itself");
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    const std::int64_t ticket = ++flush_tickets_;
    // Every add that returned before this call has its position below the target; later
    // flushes get later targets (both are set under mu_).
    flush_target_.store(queue_.pushed(), std::memory_order_relaxed);
    flush_pending_.store(true, std::memory_order_release);
    wake_requested_ = true;
    writer_cv_.notify_one();
    flush_cv_.wait(lock, [&] { return flushes_done_ >= ticket || writer_done_; });
  }
  throw_if_lost();
}

void SummaryWriter::Impl::throw_closed() const {
  if (inherited_across_fork()) {
    throw Error(ErrorCode::closed,
                "SummaryWriter for '" + logdir_ + "' was created in process " +
                    std::to_string(creator_pid_) +
                    " and inherited across fork(); its writer thread runs only there. Open a "
                    "new SummaryWriter in this process (pid " + std::to_string(::getpid()) + ")");
  }
  throw Error(ErrorCode::closed, "SummaryWriter for '" + logdir_ + "' is closed");
}

void SummaryWriter::Impl::close() {
  if (inherited_across_fork()) throw_closed();
  if (on_writer_thread()) {
    throw Error(ErrorCode::invalid_argument,
                "close() called on the writer thread (from an error handler or a FileSystem): "
                "it would wait for itself");
  }
  if (closed_.exchange(true)) return;
  // From here on every push fails with `closed`, and every push that succeeded before lies
  // ahead of the marker: the writer thread writes all of them before it stops.
  std::size_t marker_position;
  if (queue_.close(&marker_position)) {
    QueueItem marker;
    marker.kind = QueueItem::Kind::close;
    // A full queue: the writer makes room for the marker.
    wait_for_writer([&] {
      return queue_.try_put_marker(marker, marker_position) ? Attempt::done : Attempt::retry;
    });
  }
  if (thread_.joinable()) thread_.join();
  throw_if_lost();
}

// ---------------------------------------------------------------------------------------

SummaryWriter::SummaryWriter(const std::string& logdir, WriterOptions options)
    : impl_(std::make_unique<Impl>(logdir, std::move(options))) {}

// A writer inherited across fork() is left alone, not destroyed: its thread and the locks that
// thread may have held at the fork exist only in the parent, and the parent writes its file.
SummaryWriter::~SummaryWriter() {
  if (impl_ && impl_->inherited_across_fork()) static_cast<void>(impl_.release());
}
SummaryWriter::SummaryWriter(SummaryWriter&&) noexcept = default;
SummaryWriter& SummaryWriter::operator=(SummaryWriter&& other) noexcept {
  if (this != &other) {
    if (impl_ && impl_->inherited_across_fork()) static_cast<void>(impl_.release());
    impl_ = std::move(other.impl_);
  }
  return *this;
}

SummaryWriter::Impl& SummaryWriter::impl() const {
  if (!impl_) throw Error(ErrorCode::closed, "SummaryWriter was moved from");
  return *impl_;
}

void SummaryWriter::add_scalar(std::string_view tag, double value, Step step) {
  QueueItem item;
  item.kind = QueueItem::Kind::scalar;
  item.tag = impl().checked_tag(tag, step);
  item.step = step;
  item.wall_time = wall_time_of(step);
  item.value = value;
  impl_->enqueue(item);
}

void SummaryWriter::add_scalar(std::string_view tag, double value, Step step,
                               ScalarFormat format) {
  if (format == ScalarFormat::simple_value) return add_scalar(tag, value, step);
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl_->enqueue_payload(entry, step, detail::make_scalar_tensor_payload(value, format));
}

void SummaryWriter::add_scalars(std::string_view main_tag,
                                const std::map<std::string, double>& values, Step step) {
  QueueItem item;
  item.kind = QueueItem::Kind::scalar;
  item.tag = impl().checked_tag(main_tag, step);
  item.step = step;
  item.wall_time = wall_time_of(step);
  // PyTorch's folder for each name: <logdir>/<main_tag with '/' as '_'>_<name>.
  std::string prefix = std::string(main_tag) + "_";
  for (char& c : prefix) {
    if (c == '/') c = '_';
  }
  for (const auto& [name, value] : values) {
    if (name.empty()) throw Error("add_scalars: a name in values is empty");
    check_run_folder("add_scalars: the name '" + name + "' in values", prefix + name);
  }
  for (const auto& [name, value] : values) {
    item.run = impl().run_index(impl().logdir_ + "/" + prefix + name);
    item.value = value;
    impl().enqueue(item);
  }
}

// Each add_* below checks everything (tag included) before enqueueing, so a bad call
// writes nothing.
void SummaryWriter::add_text(std::string_view tag, std::string_view markdown, Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_text_payload(markdown));
}

void SummaryWriter::add_histogram(std::string_view tag, const float* values, std::size_t count,
                                  Step step, const HistogramOptions& options) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl_->enqueue_payload(entry, step, detail::make_histogram_payload(values, count, options));
}

void SummaryWriter::add_histogram(std::string_view tag, const double* values, std::size_t count,
                                  Step step, const HistogramOptions& options) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl_->enqueue_payload(entry, step, detail::make_histogram_payload(values, count, options));
}

void SummaryWriter::add_histogram_raw(std::string_view tag, const HistogramBuckets& buckets,
                                      Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_histogram_raw_payload(buckets));
}

void SummaryWriter::add_image(std::string_view tag, const ImageView& image, Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_image_payload(image));
}

void SummaryWriter::add_images(std::string_view tag, const ImageBatchView& batch,
                               Step step) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl().enqueue_payload(entry, step, detail::make_image_batch_payload(batch));
}

void SummaryWriter::add_tensor(std::string_view tag, const TensorView& tensor, Step step,
                               const PluginInfo& plugin) {
  const detail::TagEntry* entry = impl().checked_tag(tag, step);
  impl_->enqueue_payload(entry, step, detail::make_tensor_payload(tensor, plugin));
}

void SummaryWriter::add_summary(std::string_view serialized_summary, Step step) {
  impl().check_open();
  check_step(step);
  impl_->enqueue_payload(nullptr, step, detail::make_serialized_summary_payload(serialized_summary));
}

void SummaryWriter::flush() { impl().flush(); }

void SummaryWriter::flush_all() noexcept { Impl::flush_all_live_writers(); }

void SummaryWriter::Impl::flush_all_live_writers() noexcept {
  std::lock_guard<std::mutex> lock(live_writers_mu());
  for (Impl* writer : live_writers()) {
    try {
      writer->flush();
    } catch (const std::exception& e) {
      writer->report(e.what());
    } catch (...) {
    }
  }
}
void SummaryWriter::close() { impl().close(); }
const std::string& SummaryWriter::logdir() const { return impl().logdir_; }

std::string SummaryWriter::file_path() const {
  // Changes when the writer thread opens a new file after a write error.
  if (impl().inherited_across_fork()) impl().throw_closed();  // path_mu_ may be held for ever
  std::lock_guard<std::mutex> lock(impl().path_mu_);
  return impl().main_path_;
}

WriterStats SummaryWriter::stats() const {
  // Read in the order events move (written or lost, then enqueued), so that a snapshot
  // taken beside adds and flushes never shows more written than enqueued. Only events go
  // through the queue's positions (flushes are no items, the close marker is not counted).
  const Impl& w = impl();
  WriterStats s;
  s.events_written = w.written_.load(std::memory_order_acquire);
  s.events_lost = w.lost_.load(std::memory_order_acquire);
  s.events_dropped = w.dropped_.load(std::memory_order_acquire);
  s.events_enqueued = w.queue_.pushed();
  s.queued_bytes = w.queued_bytes_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace tblog
