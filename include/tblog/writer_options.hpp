#pragma once
// How a SummaryWriter behaves: queue bound, overflow policy, flushing, files; and its counters.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tblog/file_system.hpp"

namespace tblog {

// What add_* does when the queue holds max_queue pending entries or max_queue_bytes of values.
enum class OverflowPolicy {
  block,  // wait until the writer thread has made room (nothing is lost)
  drop,   // count the entry as dropped and return at once
};

// Bounds the SummaryWriter constructor enforces (tblog::Error naming the option otherwise).
// The queue allocates one 64-byte slot per entry up front: 2^24 entries is 1 GiB.
inline constexpr std::size_t kMaxQueueLimit = std::size_t{1} << 24;
inline constexpr double kMaxFlushSecs = 86400;  // one day
inline constexpr std::size_t kMaxEncoderThreads = 64;

struct WriterOptions {
  // Pending entries the queue holds before the overflow policy applies: 1..kMaxQueueLimit.
  std::size_t max_queue = 1 << 16;
  // Bytes the pending values may hold (pixels, histogram values, text, tensors) before the
  // overflow policy applies, whichever of this and max_queue is reached first: memory stays
  // bounded however fast images are added. A single value larger than this still goes
  // through, alone. At least 1.
  std::size_t max_queue_bytes = std::size_t{256} << 20;
  OverflowPolicy overflow = OverflowPolicy::block;
  // Everything added is on disk at most this long after it was added: (0, kMaxFlushSecs].
  double flush_secs = 2.0;
  // zlib level for PNG images: 0 (none) .. 9 (smallest). 1 is fast and still compresses well.
  int png_compression_level = 1;
  // Threads that encode images (PNG) and videos (GIF) beside the writer thread, for jobs that
  // log many images on a machine with cores to spare: 0 (the default) encodes on the writer
  // thread. Events stay in the order they were added. 0..kMaxEncoderThreads.
  std::size_t encoder_threads = 0;
  // fsync(2) the event file on every flush (durable across power loss; costs a disk sync).
  bool fsync_on_flush = false;
  // Resuming training from a checkpoint: TensorBoard drops every point of this logdir (and
  // of add_scalars' runs) logged before at a step >= purge_step, so curves do not zigzag.
  // Written as a SessionLog START at that step, as PyTorch's purge_step does.
  std::optional<std::int64_t> purge_step;
  // Event files the writer keeps open at once, at least 1. add_scalars makes a run (and an
  // event file) per name; beyond this many, the least recently written file is closed and
  // appended to again when it next has events, so a thousand names do not take a thousand
  // file descriptors.
  std::size_t max_open_files = 64;
  // Appended to event file names, after the per-process counter: no '/' or NUL byte.
  std::string filename_suffix;
  // Receives write errors from the writer thread and warnings (cleaned tags, ...). Called on
  // the writer thread or the caller's thread; must be thread-safe. Default: print to stderr.
  std::function<void(const std::string& message)> error_handler;
  // Where the writer's files go (event files, projector files): null means the local file
  // system (FileSystem::posix()). Used from the writer thread and the constructor.
  std::shared_ptr<FileSystem> file_system;
};

// Counters since the writer was opened.
struct WriterStats {
  std::uint64_t events_enqueued = 0;
  std::uint64_t events_written = 0;
  std::uint64_t events_dropped = 0;  // dropped by OverflowPolicy::drop
  std::uint64_t queued_bytes = 0;    // memory the pending values hold now (see max_queue_bytes)
  std::uint64_t events_lost = 0;     // lost to write errors
};

}  // namespace tblog
