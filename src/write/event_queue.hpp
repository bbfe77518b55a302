#pragma once
// The bounded queue between the callers' threads and the writer thread: a fixed ring of
// slots with per-slot sequence numbers (Vyukov's bounded MPMC design, with its one consumer,
// the writer thread, popping without a compare-and-swap), so a push is one compare-and-swap
// and a copy, with no lock and no allocation.
//
// Closing is part of the queue: close() sets a bit in the enqueue position and claims that
// position for the close marker in one atomic step. A push either got its position before
// that (and so comes before the marker, and is handled) or sees the bit and fails with
// `closed`; no add can slip in after the marker and vanish.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace tblog::detail {

// Cache line size on the x86-64 and ARM64 machines tblog targets. (C++17's
// hardware_destructive_interference_size is not in every standard library we build with.)
constexpr std::size_t kCacheLine = 64;

class Payload;
struct TagEntry;

struct QueueItem {
  enum class Kind : std::uint8_t { scalar, payload, close };
  Kind kind = Kind::scalar;
  std::uint32_t run = 0;  // 0: the writer's own logdir; others: add_scalars sub-runs
  const TagEntry* tag = nullptr;
  std::int64_t step = 0;
  double wall_time = 0;
  double value = 0;
  Payload* payload = nullptr;  // owned by the item while queued
};

class EventQueue {
 public:
  enum class Push { pushed, full, closed };

  explicit EventQueue(std::size_t capacity);  // rounded up to a power of two, at least 2
  ~EventQueue() { std::free(memory_); }
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // *position is the item's sequence number, counted from 0.
  Push try_push(const QueueItem& item, std::size_t* position) {
    std::size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      if (pos & kClosedBit) return Push::closed;
      Cell& cell = cells_[pos & mask_];
      const std::size_t seq = sequence(cell, pos);
      const std::intptr_t dif = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos);
      if (dif == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.item = item;
          set_sequence(cell, pos, pos + 1);
          *position = pos;
          return Push::pushed;
        }
      } else if (dif < 0) {
        return Push::full;
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Closes the queue to pushes and returns the position reserved for the close marker: every
  // item pushed before comes before it. Returns false if the queue was already closed.
  bool close(std::size_t* marker_position) {
    const std::size_t pos = enqueue_pos_.fetch_or(kClosedBit, std::memory_order_acq_rel);
    if (pos & kClosedBit) return false;
    *marker_position = pos;
    return true;
  }
  // Stores the close marker at the position close() reserved; false while the writer has not
  // yet freed that slot (the queue was full).
  bool try_put_marker(const QueueItem& item, std::size_t position) {
    Cell& cell = cells_[position & mask_];
    if (sequence(cell, position) != position) return false;
    cell.item = item;
    set_sequence(cell, position, position + 1);
    return true;
  }

  // False when empty. Only the writer thread pops, so its position needs no atomic
  // read-modify-write: a load, and a store once the cell is handed back.
  bool try_pop(QueueItem& item) {
    const std::size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
    Cell& cell = cells_[pos & mask_];
    if (sequence(cell, pos) != pos + 1) return false;
    item = cell.item;
    set_sequence(cell, pos, pos + mask_ + 1);
    dequeue_pos_.store(pos + 1, std::memory_order_relaxed);
    return true;
  }

  std::size_t capacity() const { return mask_ + 1; }
  // Items ever pushed (the close marker not included).
  std::size_t pushed() const {
    return enqueue_pos_.load(std::memory_order_acquire) & ~kClosedBit;
  }

 private:
  static constexpr std::size_t kClosedBit = std::size_t{1} << (std::numeric_limits<std::size_t>::digits - 1);

  // One cell per cache line: with 56-byte cells a line held the end of one item and the start
  // of the next, so a producer filling cell k+1 and the writer thread reading cell k (or two
  // producers filling neighbours) pulled the same line back and forth between cores.
  // A cell stores its sequence number minus its index, so that zeroed memory is a ready,
  // empty queue: the ring comes from calloc, and a large queue costs pages only as the
  // writer's position reaches them, not in the constructor.
  struct alignas(kCacheLine) Cell {
    std::atomic<std::size_t> seq_minus_index;
    QueueItem item;
  };
  static_assert(sizeof(Cell) == kCacheLine, "a queue cell fills exactly one cache line");

  std::size_t sequence(const Cell& cell, std::size_t pos) const {
    return cell.seq_minus_index.load(std::memory_order_acquire) + (pos & mask_);
  }
  void set_sequence(Cell& cell, std::size_t pos, std::size_t seq) {
    cell.seq_minus_index.store(seq - (pos & mask_), std::memory_order_release);
  }

  void* memory_ = nullptr;  // calloc'd; cells_ is its first cache-aligned address
  Cell* cells_ = nullptr;
  std::size_t mask_;
  alignas(kCacheLine) std::atomic<std::size_t> enqueue_pos_{0};
  alignas(kCacheLine) std::atomic<std::size_t> dequeue_pos_{0};
};

}  // namespace tblog::detail
