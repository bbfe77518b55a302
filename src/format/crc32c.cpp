#include "format/crc32c.hpp"

#include <isa-l/crc.h>

namespace tblog::detail {

std::uint32_t crc32c(const void* data, std::size_t n) {
  // ISA-L's crc32_iscsi takes and returns the CRC without the final inversion.
  return ~crc32_iscsi(static_cast<unsigned char*>(const_cast<void*>(data)), static_cast<int>(n),
                      0xFFFFFFFFu);
}

}  // namespace tblog::detail
