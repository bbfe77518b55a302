// Costs that only a fresh process shows: each measurement runs in a child forked before
// anything was allocated, so no earlier benchmark has warmed the heap for it.
//  - add_image of a 64x64x3 image on the caller's thread, against copying its bytes into a
//    new buffer (the least any writer that does not encode on the caller can do);
//  - peak resident memory while images are added far faster than PNG encoding goes, for a
//    few values of WriterOptions::max_queue_bytes.
// Usage: bench_fresh_process [scratch folder]   (default: the system temp folder)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tblog/summary_writer.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Runs body in a forked child and returns what it printed to the pipe (one number).
double in_fresh_child(const std::function<double()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) std::exit(1);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const double result = body();
    if (::write(fds[1], &result, sizeof result) != sizeof result) ::_exit(1);
    ::_exit(0);
  }
  ::close(fds[1]);
  double result = -1;
  if (::read(fds[0], &result, sizeof result) != sizeof result) result = -1;
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return result;
}

std::vector<std::uint8_t> noise(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::mt19937 rng(1);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

constexpr int kBatches = 2000;
constexpr int kBatch = 64;

// Median nanoseconds per call over kBatches batches of kBatch calls; `between` runs after each
// batch, untimed. The first batches (cold) count like the others.
double median_ns_per_call(const std::function<void()>& call,
                          const std::function<void()>& between = [] {}) {
  std::vector<double> per_call(kBatches);
  for (int b = 0; b < kBatches; ++b) {
    const auto start = Clock::now();
    for (int i = 0; i < kBatch; ++i) call();
    per_call[b] = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / kBatch;
    between();
  }
  std::nth_element(per_call.begin(), per_call.begin() + kBatches / 2, per_call.end());
  return per_call[kBatches / 2];
}

long status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(status, line)) {
    if (line.compare(0, n, field) == 0) return std::atol(line.c_str() + n);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path scratch =
      fs::path(argc > 1 ? argv[1] : fs::temp_directory_path().string()) /
      ("tblog-bench-fresh-" + std::to_string(::getpid()));

  std::printf("add_image 64x64x3 on the caller, median of %d batches of %d (the writer thread "
              "encodes each batch before the next), fresh process each\n", kBatches, kBatch);
  std::vector<std::uint8_t> pixels(64 * 64 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
  const double copy_ns = in_fresh_child([&] {
    return median_ns_per_call([&] {
      std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[pixels.size()]);
      std::memcpy(copy.get(), pixels.data(), pixels.size());
      asm volatile("" : : "r"(copy.get()) : "memory");  // the copy is not optimised away
    });
  });
  const double add_ns = in_fresh_child([&] {
    tblog::WriterOptions options;
    options.flush_secs = 3600;
    tblog::SummaryWriter writer((scratch / "add_image").string(), options);
    const tblog::ImageView image(pixels, tblog::ImageLayout::HWC, 64, 64, 3);
    std::int64_t step = 0;
    return median_ns_per_call([&] { writer.add_image("inputs/sample", image, step++); },
                              [&] { writer.flush(); });
  });
  std::printf("  copy into a new buffer  %8.0f ns\n  add_image               %8.0f ns   ratio %.2f\n",
              copy_ns, add_ns, add_ns / copy_ns);

  std::printf("\npeak resident growth while 800 noise images of 256x256x3 are added as fast as "
              "possible (PNG level 1)\n");
  for (std::size_t mib : {16, 64, 256}) {
    const double growth_mib = in_fresh_child([&] {
      const auto noise_pixels = noise(256 * 256 * 3);
      tblog::WriterOptions options;
      options.max_queue_bytes = mib << 20;
      tblog::SummaryWriter writer((scratch / ("flood" + std::to_string(mib))).string(), options);
      const long before = status_kib("VmRSS:");
      const tblog::ImageView image(noise_pixels, tblog::ImageLayout::HWC, 256, 256, 3);
      for (int i = 0; i < 800; ++i) writer.add_image("noise", image, i);
      writer.close();
      return (status_kib("VmHWM:") - before) / 1024.0;
    });
    std::printf("  max_queue_bytes %4zu MiB: peak grew by %6.1f MiB\n", mib, growth_mib);
  }
  fs::remove_all(scratch);
  return 0;
}
