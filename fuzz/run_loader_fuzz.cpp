// libFuzzer target: arbitrary bytes as a run's event file, loaded by the data server's loader
// in two reloads (a prefix first, as a file still being written, then the whole), with small
// reservoirs so that sampling and purges run too. Must never crash, hang or leak; every kept
// point must respect its series' bounds. With the first byte's high bit set, the rest is
// read as length-prefixed chunks, each framed as a record with sound CRCs, so that mutations
// reach the Event decoding instead of stopping at the CRC checks.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "format/record_framing.hpp"
#include "read/downsample.hpp"
#include "read/run_loader.hpp"

namespace {

int memory_file() {
  static const int fd = ::memfd_create("tblog-fuzz", 0);
  return fd;
}

void write_prefix(const std::uint8_t* data, std::size_t size) {
  const int fd = memory_file();
  if (fd < 0 || ::ftruncate(fd, 0) != 0) std::abort();
  if (size > 0 && ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
}

template <typename Points>
void check(const tblog::detail::TimeSeries& series, const Points& points) {
  for (const auto& p : points) {
    if (p.step > series.max_step() || p.wall_time > series.max_wall_time()) std::abort();
  }
  for (std::int64_t k : {0, 1, 2, 5}) {
    const auto indices = tblog::detail::downsample_indices(points.size(), k);
    if (!indices.empty() && indices.back() != points.size() - 1) std::abort();
    for (std::size_t i = 1; i < indices.size(); ++i) {
      if (indices[i] <= indices[i - 1]) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tblog::detail::SamplingPolicy sampling = [] {
    tblog::detail::SamplingPolicy s;
    s.scalars = 3;
    s.tensors = 2;
    s.blob_sequences = 2;
    return s;
  }();
  std::string framed;
  if (size > 0 && (data[0] & 0x80) != 0) {
    // [length byte][that many bytes]... each becomes one record.
    for (std::size_t at = 1; at < size;) {
      const std::size_t n = std::min<std::size_t>(data[at], size - at - 1);
      tblog::detail::append_record(framed, std::string_view(reinterpret_cast<const char*>(data) + at + 1, n));
      at += 1 + n;
    }
    framed.insert(framed.begin(), static_cast<char>(data[0]));
    data = reinterpret_cast<const std::uint8_t*>(framed.data());
    size = framed.size();
  }
  const std::string path = "/proc/self/fd/" + std::to_string(memory_file());
  tblog::detail::ProblemLog problems(false);
  tblog::detail::RunLoader run("run", "/proc/self/fd", sampling);
  // The first byte says where the first reload sees the file end.
  const std::size_t prefix = size == 0 ? 0 : (size - 1) * (data[0] & 0x7f) / 127;
  write_prefix(data, prefix);
  run.load({path}, problems);
  write_prefix(data, size);
  run.load({path}, problems);

  const auto lock = run.lock_shared();
  for (const auto& [tag, series] : run.series()) {
    if (series.scalars().size() > 3 || series.tensors().size() > 2 ||
        series.blob_sequences().size() > 2) {
      std::abort();
    }
    check(series, series.scalars());
    check(series, series.tensors());
    check(series, series.blob_sequences());
  }
  for (const auto& p : problems.all()) {
    if (p.offset > size) std::abort();
  }
  return 0;
}
