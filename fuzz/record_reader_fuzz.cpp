// libFuzzer target: arbitrary bytes as an event file, read through RecordReader and each
// record through the Event decoders. Must never crash, hang or leak, and must report every
// problem with an offset inside the file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "read/event_scan.hpp"
#include "tblog/reader.hpp"

namespace {
int memory_file() {
  static const int fd = ::memfd_create("tblog-fuzz", 0);
  return fd;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memory_file();
  if (fd < 0 || ::ftruncate(fd, 0) != 0) std::abort();
  if (size > 0 && ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  tblog::RecordReader reader(path);
  std::string_view record;
  std::uint64_t offset = 0;
  tblog::detail::ScannedEvent scanned;
  while (reader.next(record, &offset)) {
    if (offset >= size) std::abort();
    tblog::detail::scan_event(record, scanned);
    try {
      tblog::parse_event(record);
    } catch (const tblog::Error&) {
    }
  }
  if (reader.problem() && reader.problem()->offset > size) std::abort();
  return 0;
}
