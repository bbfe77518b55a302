#pragma once
// The bounded queue between the callers' threads and the writer thread: a fixed ring of
// slots with per-slot sequence numbers (Vyukov's bounded MPMC design), so a push is one
// compare-and-swap and a copy, with no lock and no allocation.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tblog::detail {

// Cache line size on the x86-64 and ARM64 machines tblog targets. (C++17's
// hardware_destructive_interference_size is not in every standard library we build with.)
constexpr std::size_t kCacheLine = 64;

class Payload;
struct TagEntry;

struct QueueItem {
  enum class Kind : std::uint8_t { scalar, payload, flush, close };
  Kind kind = Kind::scalar;
  std::uint32_t run = 0;  // 0: the writer's own logdir; others: add_scalars sub-runs
  const TagEntry* tag = nullptr;
  std::int64_t step = 0;  // for flush: the ticket
  double wall_time = 0;
  double value = 0;
  Payload* payload = nullptr;  // owned by the item while queued
};

class EventQueue {
 public:
  explicit EventQueue(std::size_t capacity);  // rounded up to a power of two, at least 2
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // False when full. *position is the item's sequence number, counted from 0.
  bool try_push(const QueueItem& item, std::size_t* position) {
    std::size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const std::size_t seq = cell.seq.load(std::memory_order_acquire);
      const std::intptr_t dif = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos);
      if (dif == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.item = item;
          cell.seq.store(pos + 1, std::memory_order_release);
          *position = pos;
          return true;
        }
      } else if (dif < 0) {
        return false;
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // False when empty.
  bool try_pop(QueueItem& item) {
    std::size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const std::size_t seq = cell.seq.load(std::memory_order_acquire);
      const std::intptr_t dif =
          static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos + 1);
      if (dif == 0) {
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          item = cell.item;
          cell.seq.store(pos + mask_ + 1, std::memory_order_release);
          return true;
        }
      } else if (dif < 0) {
        return false;
      } else {
        pos = dequeue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  std::size_t capacity() const { return mask_ + 1; }
  // Items ever pushed.
  std::size_t pushed() const { return enqueue_pos_.load(std::memory_order_relaxed); }

 private:
  // One cell per cache line: with 56-byte cells a line held the end of one item and the start
  // of the next, so a producer filling cell k+1 and the writer thread reading cell k (or two
  // producers filling neighbours) pulled the same line back and forth between cores.
  struct alignas(kCacheLine) Cell {
    std::atomic<std::size_t> seq;
    QueueItem item;
  };
  static_assert(sizeof(Cell) == kCacheLine, "a queue cell fills exactly one cache line");
  std::unique_ptr<Cell[]> cells_;
  std::size_t mask_;
  alignas(kCacheLine) std::atomic<std::size_t> enqueue_pos_{0};
  alignas(kCacheLine) std::atomic<std::size_t> dequeue_pos_{0};
};

}  // namespace tblog::detail
