#pragma once
// Memory for the bytes an add_* call copies from the caller (pixels, values): blocks
// recycled through a process-wide pool. A stream of adds reuses the same warm blocks instead
// of asking malloc for fresh ones that the writer thread then frees (glibc hands the top of
// the heap back to the kernel, and the next adds page-fault it in again).
//
// The pool keeps at most kPayloadPoolCacheBytes of free blocks; what is in use is bounded per
// writer by WriterOptions::max_queue_bytes, which counts these blocks' full capacity.
#include <cstddef>

namespace tblog::detail {

inline constexpr std::size_t kPayloadPoolCacheBytes = std::size_t{32} << 20;

class PayloadBuffer {
 public:
  PayloadBuffer() = default;
  // `bytes` uninitialised bytes (none for 0). Throws std::bad_alloc.
  explicit PayloadBuffer(std::size_t bytes);
  // A copy of `bytes` bytes at `data`.
  PayloadBuffer(const void* data, std::size_t bytes);
  ~PayloadBuffer() { release(); }
  PayloadBuffer(PayloadBuffer&& other) noexcept
      : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  PayloadBuffer& operator=(PayloadBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = other.data_;
      size_ = other.size_;
      capacity_ = other.capacity_;
      other.data_ = nullptr;
      other.size_ = other.capacity_ = 0;
    }
    return *this;
  }
  PayloadBuffer(const PayloadBuffer&) = delete;
  PayloadBuffer& operator=(const PayloadBuffer&) = delete;

  unsigned char* data() { return static_cast<unsigned char*>(data_); }
  const unsigned char* data() const { return static_cast<const unsigned char*>(data_); }
  template <typename T>
  const T* as() const {
    return static_cast<const T*>(data_);
  }
  std::size_t size() const { return size_; }
  // The block's size: what it costs, and what the byte bound counts.
  std::size_t capacity() const { return capacity_; }

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace tblog::detail
