#include "write/event_queue.hpp"

namespace tblog::detail {

namespace {
std::size_t round_up_pow2(std::size_t n) {
  std::size_t p = 2;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

EventQueue::EventQueue(std::size_t capacity)
    : cells_(new Cell[round_up_pow2(capacity)]), mask_(round_up_pow2(capacity) - 1) {
  for (std::size_t i = 0; i <= mask_; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
}

}  // namespace tblog::detail
