// Writer costs: the caller's add_scalar, end-to-end throughput, close latency, memory.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kinds/core_kinds.hpp"
#include "tblog/summary_writer.hpp"

namespace fs = std::filesystem;

// Counts heap allocations made by the measuring thread.
static thread_local std::uint64_t t_allocations = 0;
void* operator new(std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

std::string scratch_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("tblog-bench-" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

long peak_rss_kib() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The caller's cost of add_scalar for a tag seen before. Batches stay below the queue's
// capacity and are flushed outside the timed region, so this times the caller alone.
// given_wall_time: the caller passes the wall time, leaving out the clock_gettime of the
// three-argument add_scalar (the library's own share).
void add_scalar_caller_cost(benchmark::State& state, bool given_wall_time) {
  tblog::WriterOptions options;
  options.max_queue = 1 << 16;
  options.flush_secs = 3600;
  tblog::SummaryWriter writer(scratch_dir(given_wall_time ? "add_scalar_wall" : "add_scalar"),
                              options);
  writer.add_scalar("train/loss", 0.0, 0);
  writer.flush();
  constexpr int kBatch = 8192;
  std::int64_t step = 1;
  std::uint64_t allocations = 0;
  for (auto _ : state) {
    const std::uint64_t before = t_allocations;
    if (given_wall_time) {
      for (int i = 0; i < kBatch; ++i) writer.add_scalar("train/loss", 0.5, step++, 1.7e9);
    } else {
      for (int i = 0; i < kBatch; ++i) writer.add_scalar("train/loss", 0.5, step++);
    }
    allocations += t_allocations - before;
    state.PauseTiming();
    writer.flush();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["ns_per_add"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatch),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs_per_add"] =
      static_cast<double>(allocations) / static_cast<double>(state.iterations() * kBatch);
}
void BM_AddScalar_CallerThread(benchmark::State& state) { add_scalar_caller_cost(state, false); }
void BM_AddScalar_CallerThread_GivenWallTime(benchmark::State& state) {
  add_scalar_caller_cost(state, true);
}
BENCHMARK(BM_AddScalar_CallerThread)->Repetitions(9)->ReportAggregatesOnly(true)->UseRealTime();
BENCHMARK(BM_AddScalar_CallerThread_GivenWallTime)->Repetitions(9)->ReportAggregatesOnly(true)
    ->UseRealTime();

// N producer threads adding scalars into one writer: total adds/s from the first thread's
// first add to the last thread's last add. Each round adds kRound scalars in all (half the
// queue's capacity, so no producer blocks) and is flushed outside the timed region; the
// writer thread drains concurrently, as it does under a real burst, on the same cores.
void BM_AddScalar_Threads(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr int kRound = 1 << 15;
  const int per_thread = kRound / threads;
  tblog::WriterOptions options;
  options.max_queue = 1 << 16;
  options.flush_secs = 3600;
  tblog::SummaryWriter writer(scratch_dir("threads"), options);
  std::vector<std::string> tags;
  for (int t = 0; t < threads; ++t) {
    tags.push_back("thread" + std::to_string(t) + "/loss");
    writer.add_scalar(tags.back(), 0.0, 0);
  }
  writer.flush();
  using Clock = std::chrono::steady_clock;
  std::int64_t round = 0;
  for (auto _ : state) {
    std::vector<Clock::time_point> begin(threads), end(threads);
    std::atomic<bool> go{false};
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
      producers.emplace_back([&, t] {
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        const std::int64_t first_step = 1 + round * per_thread;
        begin[t] = Clock::now();
        for (int i = 0; i < per_thread; ++i) writer.add_scalar(tags[t], 0.5, first_step + i);
        end[t] = Clock::now();
      });
    }
    go.store(true, std::memory_order_release);
    for (auto& p : producers) p.join();
    const auto first = *std::min_element(begin.begin(), begin.end());
    const auto last = *std::max_element(end.begin(), end.end());
    state.SetIterationTime(std::chrono::duration<double>(last - first).count());
    writer.flush();
    ++round;
  }
  state.SetItemsProcessed(state.iterations() * per_thread * threads);
}
BENCHMARK(BM_AddScalar_Threads)->ArgName("threads")->Arg(1)->Arg(2)->Arg(4)->Arg(8)
    ->UseManualTime()->Repetitions(5)->ReportAggregatesOnly(true);

// The caller's cost of add_image for a 64x64 RGB uint8 image (validate, copy, enqueue);
// PNG encoding happens on the writer thread, outside the timed region.
void BM_AddImage64Rgb_CallerThread(benchmark::State& state) {
  tblog::WriterOptions options;
  options.flush_secs = 3600;
  tblog::SummaryWriter writer(scratch_dir("add_image"), options);
  std::vector<std::uint8_t> pixels(64 * 64 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
  const tblog::ImageView image(pixels, tblog::ImageLayout::HWC, 64, 64, 3);
  constexpr int kBatch = 64;
  std::int64_t step = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) writer.add_image("inputs/sample", image, step++);
    state.PauseTiming();
    writer.flush();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_AddImage64Rgb_CallerThread)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);

// 1,000,000 scalars added, flushed and closed, from constructing the writer to close().
// Each iteration's file is removed outside the timed region: otherwise the dirty pages of
// earlier iterations pile up and the kernel throttles later writes, timing the disk.
void million_scalars(benchmark::State& state, const std::string& dir) {
  for (auto _ : state) {
    tblog::SummaryWriter writer(dir);
    for (int i = 0; i < 1000000; ++i) writer.add_scalar("train/loss", 1.0 / (i + 1), i);
    writer.flush();
    writer.close();
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}
void BM_MillionScalars_EndToEnd_Disk(benchmark::State& state) {
  million_scalars(state, scratch_dir("million"));
}
void BM_MillionScalars_EndToEnd_Tmpfs(benchmark::State& state) {
  million_scalars(state, "/dev/shm/tblog-bench-" + std::to_string(::getpid()));
}
// The machine's limit for the two benchmarks above: the same bytes (the event file they
// write, made once outside the timed region) written with fwrite in 1 MiB pieces, the size the
// writer thread writes at, then fclose. Nothing is encoded or checksummed.
void raw_fwrite_of_million_scalars(benchmark::State& state, const std::string& dir) {
  fs::remove_all(dir);
  {
    tblog::SummaryWriter writer(dir);
    for (int i = 0; i < 1000000; ++i) writer.add_scalar("train/loss", 1.0 / (i + 1), i);
  }
  std::string bytes;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::FILE* in = std::fopen(entry.path().c_str(), "rb");
    char chunk[1 << 16];
    std::size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, in)) > 0) bytes.append(chunk, n);
    std::fclose(in);
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = dir + "/raw";
  for (auto _ : state) {
    std::FILE* out = std::fopen(path.c_str(), "wb");
    for (std::size_t at = 0; at < bytes.size(); at += std::size_t{1} << 20) {
      std::fwrite(bytes.data() + at, 1, std::min(bytes.size() - at, std::size_t{1} << 20), out);
    }
    std::fclose(out);
    state.PauseTiming();
    fs::remove(path);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  fs::remove_all(dir);
}
void BM_MillionScalars_RawFwrite_Disk(benchmark::State& state) {
  raw_fwrite_of_million_scalars(state, scratch_dir("million_raw"));
}
void BM_MillionScalars_RawFwrite_Tmpfs(benchmark::State& state) {
  raw_fwrite_of_million_scalars(state, "/dev/shm/tblog-bench-raw-" + std::to_string(::getpid()));
}
BENCHMARK(BM_MillionScalars_EndToEnd_Disk)->Unit(benchmark::kMillisecond)->UseRealTime()
    ->Iterations(10);
BENCHMARK(BM_MillionScalars_RawFwrite_Disk)->Unit(benchmark::kMillisecond)->UseRealTime()
    ->Iterations(10);
BENCHMARK(BM_MillionScalars_EndToEnd_Tmpfs)->Unit(benchmark::kMillisecond)->UseRealTime()
    ->Iterations(10);
BENCHMARK(BM_MillionScalars_RawFwrite_Tmpfs)->Unit(benchmark::kMillisecond)->UseRealTime()
    ->Iterations(10);

// add_histogram of 1,000,000 floats end to end (the caller's copy, bucketing and encoding on
// the writer thread, until flush() returns), against bucketing the same values by a binary
// search over TensorFlow's 1,551 edges, as every value cost before the O(1) index.
std::vector<float> normal_floats(std::size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> values(n);
  for (float& v : values) v = normal(rng);
  return values;
}

void BM_AddHistogram_MillionFloats_EndToEnd(benchmark::State& state) {
  const std::vector<float> values = normal_floats(1000000);
  const std::string dir = scratch_dir("histogram");
  tblog::SummaryWriter writer(dir);
  std::int64_t step = 0;
  for (auto _ : state) {
    writer.add_histogram("weights", values, step++);
    writer.flush();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
  writer.close();
  fs::remove_all(dir);
}
BENCHMARK(BM_AddHistogram_MillionFloats_EndToEnd)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Bucketize_MillionFloats_BinarySearch(benchmark::State& state) {
  const std::vector<float> values = normal_floats(1000000);
  const std::vector<double>& limits = tblog::detail::default_bucket_limits();
  std::vector<std::uint64_t> counts(limits.size());
  for (auto _ : state) {
    std::fill(counts.begin(), counts.end(), 0);
    for (float f : values) {
      const auto b = std::upper_bound(limits.begin(), limits.end(), static_cast<double>(f)) -
                     limits.begin();
      ++counts[static_cast<std::size_t>(b)];
    }
    benchmark::DoNotOptimize(counts.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_Bucketize_MillionFloats_BinarySearch)->Unit(benchmark::kMillisecond)->UseRealTime();

// The library's bucketing alone (what the writer thread runs for add_histogram), same values.
void BM_Bucketize_MillionFloats_DefaultIndex(benchmark::State& state) {
  const std::vector<float> floats = normal_floats(1000000);
  const std::vector<double> values(floats.begin(), floats.end());
  for (auto _ : state) {
    tblog::HistogramBuckets h = tblog::detail::bucketize(values.data(), values.size(), nullptr);
    benchmark::DoNotOptimize(h.bucket_counts.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_Bucketize_MillionFloats_DefaultIndex)->Unit(benchmark::kMillisecond)->UseRealTime();

// Opening and closing a writer with a large queue (arg: log2 of max_queue). The queue's ring
// is zeroed memory from calloc, touched only as items reach it: a large max_queue should
// cost little more than the default.
void BM_OpenClose_MaxQueue(benchmark::State& state) {
  const std::string dir = scratch_dir("open_close");
  tblog::WriterOptions options;
  options.max_queue = std::size_t{1} << state.range(0);
  for (auto _ : state) {
    tblog::SummaryWriter writer(dir, options);
    writer.close();
  }
}
BENCHMARK(BM_OpenClose_MaxQueue)->ArgName("log2_max_queue")->Arg(16)->Arg(20)->Arg(24)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);

// close() right after the last add: its cost beyond writing what is still queued.
void BM_Close_AfterLastAdd(benchmark::State& state) {
  const std::string dir = scratch_dir("close");
  const int queued = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    tblog::WriterOptions options;
    options.flush_secs = 3600;  // the timer is asleep: close must not wait for it
    tblog::SummaryWriter writer(dir, options);
    for (int i = 0; i < queued; ++i) writer.add_scalar("x", i, i);
    state.ResumeTiming();
    writer.close();
  }
}
BENCHMARK(BM_Close_AfterLastAdd)->Arg(0)->Arg(1)->Arg(10000)->Unit(benchmark::kMicrosecond)
    ->UseRealTime()->Iterations(20);

// flush() of 100 fresh scalars, with and without fsync_on_flush (arg 1 / 0).
void BM_Flush_100Scalars(benchmark::State& state) {
  tblog::WriterOptions options;
  options.flush_secs = 3600;
  options.fsync_on_flush = state.range(0) != 0;
  tblog::SummaryWriter writer(scratch_dir(options.fsync_on_flush ? "fsync" : "nofsync"), options);
  std::int64_t step = 0;
  for (auto _ : state) {
    for (int i = 0; i < 100; ++i) writer.add_scalar("x", 1.0, step++);
    writer.flush();
  }
}
BENCHMARK(BM_Flush_100Scalars)->ArgName("fsync")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Peak RSS before and after 10 million scalars: flat means it does not grow with events.
void BM_PeakRss_TenMillionScalars(benchmark::State& state) {
  const std::string dir = scratch_dir("rss");
  for (auto _ : state) {
    tblog::SummaryWriter writer(dir);
    for (int i = 0; i < 1000000; ++i) writer.add_scalar("a", i, i);
    writer.flush();
    const long after_1m = peak_rss_kib();
    for (int i = 1000000; i < 10000000; ++i) writer.add_scalar("a", i, i);
    writer.close();
    state.counters["peak_rss_kib_after_1M"] = static_cast<double>(after_1m);
    state.counters["peak_rss_kib_after_10M"] = static_cast<double>(peak_rss_kib());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
}
BENCHMARK(BM_PeakRss_TenMillionScalars)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
