#include "format/crc32c.hpp"

#include <cstring>

#include <isa-l/crc.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define TBLOG_CRC32C_SSE42 1
#endif

namespace tblog::detail {

#ifdef TBLOG_CRC32C_SSE42
namespace {

// The CRC32 instruction a word at a time. ISA-L's folding code is faster on long buffers,
// but its setup dominates on the short records of scalar events (a record header is 8
// bytes, a scalar event about 50), where this is several times faster.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_short(const unsigned char* p, std::size_t n) {
  std::uint64_t crc = 0xFFFFFFFFu;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; n > 0; ++p, --n) crc32 = _mm_crc32_u8(crc32, *p);
  return ~crc32;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_u64_sse42(std::uint64_t v) {
  return ~static_cast<std::uint32_t>(_mm_crc32_u64(0xFFFFFFFFu, v));
}

bool has_sse42() {
  // Function-local, so that it is known even for a CRC computed during static initialization.
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return has;
}

}  // namespace
#endif

std::uint32_t crc32c(const void* data, std::size_t n) {
#ifdef TBLOG_CRC32C_SSE42
  constexpr std::size_t kShort = 256;
  if (n < kShort && has_sse42()) return crc32c_short(static_cast<const unsigned char*>(data), n);
#endif
  // ISA-L's crc32_iscsi takes and returns the CRC without the final inversion.
  return ~crc32_iscsi(static_cast<unsigned char*>(const_cast<void*>(data)), static_cast<int>(n),
                      0xFFFFFFFFu);
}

std::uint32_t crc32c_u64(std::uint64_t little_endian_value) {
#ifdef TBLOG_CRC32C_SSE42
  if (has_sse42()) return crc32c_u64_sse42(little_endian_value);
#endif
  return crc32c(&little_endian_value, 8);
}

}  // namespace tblog::detail
