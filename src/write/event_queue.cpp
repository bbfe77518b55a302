#include "write/event_queue.hpp"

#include <new>
#include <type_traits>

namespace tblog::detail {

namespace {
std::size_t round_up_pow2(std::size_t n) {
  std::size_t p = 2;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

EventQueue::EventQueue(std::size_t capacity) : mask_(round_up_pow2(capacity) - 1) {
  // Cells are aggregates of an atomic and plain data: they begin their lives in the zeroed
  // memory (an item is always assigned before it is read), and need no destruction.
  static_assert(std::is_aggregate_v<Cell> && std::is_trivially_destructible_v<Cell>,
                "cells live in zeroed memory without construction");
  // calloc of a large block maps fresh zero pages without touching them; one spare cell
  // leaves room to align the ring to a cache line.
  memory_ = std::calloc(mask_ + 2, sizeof(Cell));
  if (memory_ == nullptr) throw std::bad_alloc();
  const auto address = reinterpret_cast<std::uintptr_t>(memory_);
  cells_ = reinterpret_cast<Cell*>((address + kCacheLine - 1) & ~(kCacheLine - 1));
}

}  // namespace tblog::detail
