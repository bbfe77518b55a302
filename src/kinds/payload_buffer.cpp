#include "kinds/payload_buffer.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace tblog::detail {
namespace {

// Blocks come in powers of two from 256 B to 16 MiB; larger ones go straight to malloc and
// back (a few large adds a second cost little next to their copy).
constexpr int kSmallestClass = 8;
constexpr int kLargestClass = 24;

int size_class(std::size_t bytes) {
  int c = kSmallestClass;
  while ((std::size_t{1} << c) < bytes) ++c;
  return c;
}

class Pool {
 public:
  void* take(std::size_t bytes, std::size_t* capacity) {
    if (bytes > (std::size_t{1} << kLargestClass)) {
      *capacity = bytes;
      return allocate(bytes);
    }
    const int c = size_class(bytes);
    *capacity = std::size_t{1} << c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::vector<void*>& blocks = free_[c - kSmallestClass];
      if (!blocks.empty()) {
        void* block = blocks.back();
        blocks.pop_back();
        cached_ -= *capacity;
        return block;
      }
    }
    return allocate(*capacity);
  }

  void give_back(void* block, std::size_t capacity) noexcept {
    const int c = size_class(capacity);
    if (c <= kLargestClass && (std::size_t{1} << c) == capacity) {
      std::lock_guard<std::mutex> lock(mu_);
      std::vector<void*>& blocks = free_[c - kSmallestClass];
      if (cached_ + capacity <= kPayloadPoolCacheBytes && blocks.size() < blocks.capacity()) {
        blocks.push_back(block);
        cached_ += capacity;
        return;
      }
    }
    std::free(block);
  }

  Pool() {
    // Room reserved up front, so that give_back never allocates (it runs in destructors).
    for (int c = kSmallestClass; c <= kLargestClass; ++c) {
      free_[c - kSmallestClass].reserve(std::min<std::size_t>(kPayloadPoolCacheBytes >> c, 4096));
    }
  }

 private:
  static void* allocate(std::size_t bytes) {
    void* block = std::malloc(bytes);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }

  std::mutex mu_;
  std::vector<void*> free_[kLargestClass - kSmallestClass + 1];
  std::size_t cached_ = 0;
};

// Never destroyed: payloads may be freed by a writer thread during static destruction.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

PayloadBuffer::PayloadBuffer(std::size_t bytes) : size_(bytes) {
  if (bytes != 0) data_ = pool().take(bytes, &capacity_);
}

PayloadBuffer::PayloadBuffer(const void* data, std::size_t bytes) : PayloadBuffer(bytes) {
  if (bytes != 0) std::memcpy(data_, data, bytes);
}

void PayloadBuffer::release() noexcept {
  if (data_ != nullptr) pool().give_back(data_, capacity_);
  data_ = nullptr;
}

}  // namespace tblog::detail
