// The writer thread: drains the queue, encodes and frames events into each run's buffer,
// and writes the buffers out every flush_secs, when they grow large, and on flush/close.
#include <algorithm>
#include <chrono>

#include "format/event_encoding.hpp"
#include "format/record_framing.hpp"
#include "kinds/payload.hpp"
#include "tblog/event.pb.h"
#include "write/summary_writer_impl.hpp"

namespace tblog {

using detail::QueueItem;

namespace {
// A buffer this large is written out without waiting for the flush interval.
constexpr std::size_t kWriteThreshold = 1 << 20;

// Whether an encoder thread (when the writer has some) encodes this payload.
bool for_encoder_thread(const detail::Payload* payload) {
  return payload != nullptr && payload->encodes_slowly() &&
         payload->output() == detail::Payload::Output::summary_value;
}

// What the exception in flight says. Called in a catch block.
std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}
}  // namespace

void SummaryWriter::Impl::run_writer_thread() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.flush_secs));
  auto next_flush = Clock::now() + interval;
  const std::size_t wake_producers_every = std::max<std::size_t>(1, queue_.capacity() / 8);
  std::size_t since_producer_wake = 0;
  QueueItem item;
  std::uint64_t popped = 0;

  for (;;) {
    detail::sync_wall_clock();
    std::size_t handled = 0;
    bool closing = false;
    while (queue_.try_pop(item)) {
      if (item.kind == QueueItem::Kind::close) {
        closing = true;
        break;
      }
      // Scalars, most items, carry no payload and never wait for an encoder thread unless
      // an earlier item does: straight to the buffer.
      if (item.kind == QueueItem::Kind::scalar && pending_.empty()) {
        write_item_to_buffer(item, nullptr, nullptr);
      } else {
        handle_safely(item);
      }
      ++handled;
      ++popped;
      if (flush_pending_.load(std::memory_order_acquire)) serve_flushes(popped);
      if (++since_producer_wake >= wake_producers_every) {
        since_producer_wake = 0;
        if (blocked_producers_.load() > 0) wake_blocked_producers();
      }
      // Under a steady stream the queue never empties: still write out on time, and keep
      // the callers' clock calibrated.
      if ((handled & 4095) == 0) {
        detail::sync_wall_clock();
        if (Clock::now() >= next_flush) break;
      }
    }
    if (!pending_.empty()) finish_pending(true);  // the queue is drained: wait for the encoders
    if (closing) {
      write_all(options_.fsync_on_flush, true, true);  // a removed file gets its successor here too
      encoders_.reset();
      for (auto& file : files_) close_file(*file);
      {
        std::lock_guard<std::mutex> lock(mu_);
        writer_done_ = true;
        flushes_done_ = flush_tickets_;
      }
      flush_cv_.notify_all();
      producer_cv_.notify_all();
      return;
    }
    if (blocked_producers_.load() > 0) wake_blocked_producers();
    if (flush_pending_.load(std::memory_order_acquire)) {
      serve_flushes(popped);
      if (flush_pending_.load(std::memory_order_acquire)) {
        // A producer has its position but is still storing its item: it takes moments.
        std::this_thread::yield();
        continue;
      }
    }
    const auto now = Clock::now();
    if (now >= next_flush) {
      write_all(false, true, false);
      next_flush = now + interval;
      continue;
    }
    if (handled != 0) continue;

    // Sleep until the next flush is due or someone wakes us (a flush, a close, a full
    // queue, or every so many adds): close() never waits on a sleeping timer.
    std::unique_lock<std::mutex> lock(mu_);
    writer_sleeping_.store(true);
    writer_cv_.wait_until(lock, next_flush, [&] { return wake_requested_; });
    wake_requested_ = false;
    writer_sleeping_.store(false, std::memory_order_relaxed);
  }
}

void SummaryWriter::Impl::wake_blocked_producers() {
  { std::lock_guard<std::mutex> lock(mu_); }
  producer_cv_.notify_all();
}

detail::EventFile& SummaryWriter::Impl::run_file(std::uint32_t run) {
  if (run >= files_.size()) {
    std::lock_guard<std::mutex> lock(runs_mu_);
    while (files_.size() < run_dirs_.size()) {
      files_.push_back(new_event_file(run_dirs_[files_.size()]));
      if (options_.purge_step) start_session(*files_.back());
    }
  }
  return *files_[run];
}

std::unique_ptr<detail::EventFile> SummaryWriter::Impl::new_event_file(
    const std::string& dir) const {
  // Retries after a write error start at the flush interval and double up to five minutes.
  const auto interval = std::chrono::duration_cast<detail::EventFile::Clock::duration>(
      std::chrono::duration<double>(options_.flush_secs));
  return std::make_unique<detail::EventFile>(file_system_, dir, options_.filename_suffix,
                                             interval, std::chrono::minutes(5));
}

void SummaryWriter::Impl::start_session(detail::EventFile& file) {
  detail::append_session_start_record(file.buffer(), wall_clock_now(), *options_.purge_step);
}

void SummaryWriter::Impl::handle_safely(QueueItem& item) {
  // Owned here from the start, so that nothing below can leak it.
  std::unique_ptr<detail::Payload> payload(item.payload);
  item.payload = nullptr;
  // With encoder threads, a slow payload is encoded beside this thread, and every event after
  // it waits its turn, so that the file keeps the order of the adds.
  if (encoders_ != nullptr && (!pending_.empty() || for_encoder_thread(payload.get()))) {
    return defer(item, std::move(payload));
  }
  write_item(item, std::move(payload), nullptr);
}

void SummaryWriter::Impl::defer(const QueueItem& item, std::unique_ptr<detail::Payload> payload) {
  try {
    PendingEvent event;
    event.item = item;
    if (for_encoder_thread(payload.get())) {
      auto job = std::make_shared<detail::EncodeJob>();
      detail::EventFile& file = run_file(item.run);
      job->payload = payload.get();
      job->tag = item.tag ? item.tag->clean : std::string();
      job->run_dir = file.dir();
      job->ctx.tag = job->tag;
      job->ctx.run_dir = job->run_dir;
      job->ctx.file_system = file_system_.get();
      // Decided now, in the adds' order, as the writer thread would when encoding.
      job->ctx.first_in_file = item.tag == nullptr || file.described.count(item.tag) == 0;
      if (job->ctx.first_in_file && item.tag) file.described.insert(item.tag);
      job->ctx.png_compression_level = options_.png_compression_level;
      job->ctx.warn = warn_;
      event.job = job;
      encoders_->submit(std::move(job));
    }
    event.payload = std::move(payload);
    pending_.push_back(std::move(event));
  } catch (...) {
    // No memory for the job: this event is lost, the others go on.
    const std::size_t bytes = payload ? payload->queued_bytes : 0;
    payload.reset();
    if (bytes != 0) release_bytes(bytes);
    record_loss("cannot write '" + (item.tag ? item.tag->clean : std::string("event")) +
                    "': " + current_exception_text(),
                1);
    return;
  }
  finish_pending(false);
}

void SummaryWriter::Impl::finish_pending(bool wait_all) {
  // Bounds what waits here, scalars included: the queue's bounds count only what is queued.
  constexpr std::size_t kMaxPending = 4096;
  while (!pending_.empty()) {
    PendingEvent& first = pending_.front();
    if (first.job && !encoders_->done(*first.job)) {
      if (!wait_all && pending_.size() <= kMaxPending) return;
      encoders_->wait(*first.job);
    }
    PendingEvent event = std::move(first);
    pending_.pop_front();
    write_item(event.item, std::move(event.payload), event.job.get());
  }
}

void SummaryWriter::Impl::write_item(QueueItem& item, std::unique_ptr<detail::Payload> payload,
                                     detail::EncodeJob* job) {
  const std::size_t bytes = payload ? payload->queued_bytes : 0;
  write_item_to_buffer(item, payload.get(), job);
  payload.reset();
  // Given back once the payload is gone, so that waiting adds find the memory free.
  if (bytes != 0) release_bytes(bytes);
}

void SummaryWriter::Impl::write_item_to_buffer(QueueItem& item, detail::Payload* payload,
                                               detail::EncodeJob* job) noexcept {
  detail::EventFile* file = nullptr;
  std::size_t size_before = 0;
  std::uint64_t events_before = 0;
  try {
    file = &run_file(item.run);
    size_before = file->buffer().size();
    events_before = file->buffered_events();
    handle(*file, item, payload, job);
  } catch (...) {
    // No half-encoded record may reach the file.
    if (file != nullptr) file->cut_back(size_before, events_before);
    std::string what;
    try {
      what = "cannot write '" + (item.tag ? item.tag->clean : std::string("event")) +
             "': " + current_exception_text();
    } catch (...) {
      what = "out of memory";  // fits the string's inline buffer: no allocation
    }
    record_loss(what, 1);
    return;
  }
  if (file->buffer().size() >= kWriteThreshold) write_out(*file, false);
}

void SummaryWriter::Impl::serve_flushes(std::uint64_t popped) {
  std::int64_t ticket;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (popped < flush_target_.load(std::memory_order_relaxed)) return;
    ticket = flush_tickets_;  // every flush asked so far: their targets are all reached
    flush_pending_.store(false, std::memory_order_relaxed);
  }
  write_all(options_.fsync_on_flush, true, true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    flushes_done_ = std::max(flushes_done_, ticket);
  }
  flush_cv_.notify_all();
}

void SummaryWriter::Impl::handle(detail::EventFile& file, QueueItem& item,
                                 detail::Payload* payload, detail::EncodeJob* job) {
  switch (item.kind) {
    case QueueItem::Kind::scalar:
      detail::append_scalar_record(file.buffer(), item.wall_time, item.step, *item.tag,
                                   static_cast<float>(item.value));
      file.count_buffered_event();
      break;
    case QueueItem::Kind::payload: {
      const std::string tag = item.tag ? item.tag->clean : std::string();
      detail::EncodeContext ctx;
      ctx.tag = tag;
      ctx.run_dir = file.dir();
      ctx.file_system = file_system_.get();
      ctx.first_in_file = item.tag == nullptr || file.described.count(item.tag) == 0;
      ctx.png_compression_level = options_.png_compression_level;
      ctx.warn = warn_;
      scratch_.clear();
      bool failed = false;
      std::string failure;  // why encoding failed
      if (job != nullptr) {
        // Encoded on an encoder thread; its metadata decision was made when it was handed over.
        if (job->failed) {
          if (item.tag) file.described.erase(item.tag);  // the next value describes the tag
          failed = true;
          failure = job->error.empty() ? std::string("encoding failed") : job->error;
        }
        ctx.first_in_file = false;  // (already recorded in `described`)
        scratch_.swap(job->out);
      } else {
        try {
          payload->encode_value(ctx, scratch_);
        } catch (const std::exception& e) {
          failed = true;
          failure = e.what();
        }
      }
      if (failed) {
        record_loss("cannot write '" + (tag.empty() ? std::string("event") : tag) + "': " + failure, 1);
        return;
      }
      const detail::Payload::Output output = payload->output();
      if (output == detail::Payload::Output::none) {
        // Its files (an embedding's projector files) are written: count it.
        written_.fetch_add(1, std::memory_order_release);
        break;
      }
      std::string& out = file.buffer();
      const std::size_t header_begin = detail::begin_record(out);
      detail::append_event_header(out, item.wall_time, item.step);
      if (output == detail::Payload::Output::summary_value) {
        detail::append_summary_field(out, scratch_);
      } else {
        out.append(scratch_);
      }
      detail::finish_record_in_place(out, header_begin);
      file.count_buffered_event();
      if (item.tag && output == detail::Payload::Output::summary_value &&
          tag_metadata_.count(item.tag->clean) == 0) {
        remember_metadata(item.tag, scratch_);
      }
      if (ctx.first_in_file && item.tag) file.described.insert(item.tag);
      break;
    }
    case QueueItem::Kind::close:
      break;
  }
}

void SummaryWriter::Impl::write_out(detail::EventFile& file, bool asked) {
  std::uint64_t written = 0;
  std::uint64_t lost = 0;
  Status st;
  file.last_write = ++write_clock_;
  try {
    if (!file.is_open() && !file.buffer().empty()) make_room_to_open(file);
    st = file.write_buffered(&written, &lost, asked);
  } catch (...) {
    // A FileSystem that throws (or no memory): the buffer is lost, the writer goes on, and
    // the next write starts a new file.
    lost = file.discard_buffer();
    try {
      file.close();
    } catch (...) {
    }
    try {
      st = Status::error(ErrorCode::io, 0,
                         "cannot write to '" + file.path() + "': " + current_exception_text());
    } catch (...) {
      st = Status::error(ErrorCode::io, 0, "out of memory");
    }
  }
  written_.fetch_add(written, std::memory_order_release);
  if (!st.ok()) {
    record_loss(st.message(), lost);
  } else if (written > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    error_streak_ = false;
  }
  if (&file == files_[0].get()) {
    std::lock_guard<std::mutex> lock(path_mu_);
    try {
      if (main_path_ != file.path() && !file.path().empty()) main_path_ = file.path();
    } catch (...) {
    }
  }
}

void SummaryWriter::Impl::write_all(bool sync, bool check_removed, bool asked) {
  // What encoder threads still hold was added before this write: it goes in first.
  finish_pending(true);
  for (auto& file : files_) {
    try {
      // A file someone removed gets a successor, as TensorFlow's writer does.
      if (check_removed && file->removed()) {
        auto described = describe_buffer_again(*file);
        close_file(*file);
        file->described = std::move(described);
      }
      write_out(*file, asked);
      if (sync) {
        const Status st = file->sync();
        if (!st.ok()) report(st.message());
      }
    } catch (...) {
      // A FileSystem that throws from removed() or sync(): say so and go on to the next run.
      try {
        report("cannot write to '" + file->path() + "': " + current_exception_text());
      } catch (...) {
      }
    }
  }
}

void SummaryWriter::Impl::remember_metadata(const detail::TagEntry* tag, const std::string& value) {
  pb::Summary::Value parsed;
  TagMetadata& entry = tag_metadata_[tag->clean];
  entry.tag = tag;
  if (parsed.ParseFromString(value) && parsed.has_metadata()) {
    entry.metadata = parsed.metadata().SerializeAsString();
  }
}

std::unordered_set<const detail::TagEntry*> SummaryWriter::Impl::describe_buffer_again(
    detail::EventFile& file) {
  std::unordered_set<const detail::TagEntry*> described;
  std::string_view rest = file.buffer();
  std::string patched;
  patched.reserve(rest.size() + 4096);
  pb::Event event;
  while (!rest.empty()) {
    const detail::DecodedRecord record = detail::decode_record(rest);
    if (record.status != detail::RecordStatus::complete) return {};  // ours: cannot happen
    const auto size = static_cast<std::size_t>(record.size);
    bool changed = false;
    if (event.ParseFromArray(record.data.data(), static_cast<int>(record.data.size())) &&
        event.has_summary()) {
      for (auto& value : *event.mutable_summary()->mutable_value()) {
        const auto it = tag_metadata_.find(value.tag());
        if (it == tag_metadata_.end() || it->second.metadata.empty() ||
            !described.insert(it->second.tag).second) {
          continue;  // no metadata to give, or already given in this buffer
        }
        if (!value.has_metadata()) {
          changed = value.mutable_metadata()->ParseFromString(it->second.metadata) || changed;
        }
      }
    }
    if (changed) {
      detail::append_record(patched, event.SerializeAsString());
    } else {
      patched.append(rest.substr(0, size));
    }
    rest.remove_prefix(size);
  }
  file.buffer().swap(patched);
  return described;
}

void SummaryWriter::Impl::make_room_to_open(const detail::EventFile& file) {
  std::size_t open = 0;
  for (const auto& f : files_) open += f->is_open() ? 1 : 0;
  while (open >= options_.max_open_files) {
    detail::EventFile* least_recent = nullptr;
    for (const auto& f : files_) {
      if (f.get() != &file && f->is_open() &&
          (least_recent == nullptr || f->last_write < least_recent->last_write)) {
        least_recent = f.get();
      }
    }
    if (least_recent == nullptr) return;
    // What it wrote is complete and what it buffers stays buffered: a failure to sync or
    // close is told, and loses nothing.
    const Status st = least_recent->suspend(options_.fsync_on_flush);
    if (!st.ok()) report(st.message());
    --open;
  }
}

void SummaryWriter::Impl::close_file(detail::EventFile& file) {
  // Every record was appended and flushed already; storage that commits on close (an object
  // store) says here that it could not, and the user hears of it.
  try {
    const Status st = file.close();
    if (!st.ok()) report(st.message());
  } catch (...) {
    try {
      report("cannot close '" + file.path() + "': " + current_exception_text());
    } catch (...) {
    }
  }
}

void SummaryWriter::Impl::record_loss(const std::string& what, std::uint64_t lost) noexcept {
  lost_.fetch_add(lost, std::memory_order_release);
  bool first_of_streak;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lost_unreported_ += lost;
    try {
      last_error_ = what;
    } catch (...) {
    }
    first_of_streak = !error_streak_;
    error_streak_ = true;
  }
  // Once per streak of failures: a full disk must not flood stderr from a training loop.
  if (first_of_streak) {
    try {
      report(what + "; " + std::to_string(lost) +
             " event(s) lost. Later losses are counted until a write succeeds; flush() and "
             "close() throw with the total.");
    } catch (...) {
      report(what);
    }
  }
}

}  // namespace tblog
