#pragma once
// CRC-32C (Castagnoli) and TFRecord's masking of it.
#include <cstddef>
#include <cstdint>

namespace tblog::detail {

// Standard CRC-32C (init and final xor 0xFFFFFFFF) of n bytes.
std::uint32_t crc32c(const void* data, std::size_t n);
// The same of the 8 bytes of a little-endian u64 (a record's length): one instruction
// where the CPU has SSE4.2.
std::uint32_t crc32c_u64(std::uint64_t little_endian_value);

inline std::uint32_t mask_crc(std::uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

inline std::uint32_t unmask_crc(std::uint32_t masked) {
  std::uint32_t rot = masked - 0xA282EAD8u;
  return (rot >> 17) | (rot << 15);
}

inline std::uint32_t masked_crc32c(const void* data, std::size_t n) {
  return mask_crc(crc32c(data, n));
}

}  // namespace tblog::detail
