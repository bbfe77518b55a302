// Reader throughput on a file of scalar events: the record loop of `tblog verify` (both
// CRCs plus the lean well-formedness scan) in bytes/s, the scalar-extraction loop of
// `tblog export` (scan, dashboard lookup, CSV formatting) in events/s, and the full
// protobuf decoding of parse_event in events/s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>

#include "read/dashboard_of.hpp"
#include "read/event_scan.hpp"
#include "format/record_framing.hpp"
#include "tblog/reader.hpp"
#include "format/wire_writer.hpp"
#include "bench_events.hpp"
#ifdef TBLOG_BENCH_CLI
#include "commands.hpp"
#endif

namespace {

namespace wire = tblog::detail::wire;

constexpr int kEvents = 1'000'000;

// Event{wall_time=1, step=2, summary=5{value=1{tag=1, simple_value=2}}}, serialized the way
// protobuf serializes it.
std::string scalar_event(double wall_time, std::int64_t step, std::string_view tag, float value) {
  std::string value_msg;
  wire::append_bytes(value_msg, 1, tag);
  wire::append_float(value_msg, 2, value);
  return tblog::bench::summary_event(wall_time, step, value_msg);
}

// A logdir holding one file of kEvents scalar events over two tags, written once per
// process and removed at exit.
struct ScalarFile {
  std::string logdir;
  std::string path;

  ScalarFile()
      : logdir((std::filesystem::temp_directory_path() /
                ("tblog-bench-reader-" + std::to_string(::getpid())))
                   .string()),
        path(logdir + "/events.out.tfevents.1700000000.bench.1.0") {
    std::filesystem::create_directories(logdir);
    std::string bytes;
    std::string version;
    wire::append_double(version, 1, 1.7e9);
    wire::append_bytes(version, 3, "brain.Event:2");
    tblog::detail::append_record(bytes, version);
    for (int i = 0; i < kEvents; ++i) {
      tblog::detail::append_record(
          bytes, scalar_event(1.7e9 + i * 1e-3, i / 2, (i & 1) ? "train/accuracy" : "train/loss",
                              1.0f / static_cast<float>(i + 1)));
    }
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ~ScalarFile() {
    std::error_code ec;
    std::filesystem::remove_all(logdir, ec);
  }
};

const ScalarFile& scalar_logdir() {
  static const ScalarFile file;
  return file;
}
const std::string& scalar_file() { return scalar_logdir().path; }

void BM_VerifyRecords(benchmark::State& state) {
  const std::string& path = scalar_file();
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path));
  tblog::detail::ScannedEvent event;
  for (auto _ : state) {
    tblog::RecordReader records(path);
    std::string_view data;
    std::int64_t count = 0;
    while (records.next(data)) {
      if (tblog::detail::scan_event(data, event) != nullptr) state.SkipWithError("bad record");
      ++count;
    }
    if (records.problem() || count != kEvents + 1) state.SkipWithError("unexpected read result");
    benchmark::DoNotOptimize(count);
  }
  state.SetBytesProcessed(state.iterations() * size);
}
BENCHMARK(BM_VerifyRecords)->Unit(benchmark::kMillisecond);

void BM_ExportScalars(benchmark::State& state) {
  const std::string& path = scalar_file();
  tblog::detail::ScannedEvent event;
  std::string csv;
  for (auto _ : state) {
    tblog::detail::TagDashboards dashboards;
    tblog::RecordReader records(path);
    std::string_view data;
    std::int64_t rows = 0;
    csv.clear();
    while (records.next(data)) {
      if (tblog::detail::scan_event(data, event) != nullptr) state.SkipWithError("bad record");
      for (const auto& v : event.values) {
        const std::size_t id = dashboards.observe(v.tag, v.kind, v.has_metadata, v.plugin_name);
        if (dashboards.dashboard(id) != tblog::detail::kScalars) continue;
        char buf[96];
        char* p = buf;
        p = std::to_chars(p, buf + sizeof(buf), event.step).ptr;
        *p++ = ',';
        p = std::to_chars(p, buf + sizeof(buf), event.wall_time, std::chars_format::fixed).ptr;
        *p++ = ',';
        p = std::to_chars(p, buf + sizeof(buf), v.simple_value).ptr;
        *p++ = '\n';
        csv.append(v.tag.data(), v.tag.size());
        csv.push_back(',');
        csv.append(buf, p);
        if (csv.size() > (1u << 20)) csv.clear();  // stands in for writing a block out
        ++rows;
      }
    }
    if (rows != kEvents) state.SkipWithError("unexpected row count");
    benchmark::DoNotOptimize(csv.data());
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_ExportScalars)->Unit(benchmark::kMillisecond);

#ifdef TBLOG_BENCH_CLI
// `tblog export <logdir>` as the CLI runs it (tools/export.cpp: find the runs, read and
// scan, collect the points, format CSV), with stdout sent to /dev/null. Unlike the loop
// above, this includes the CLI's point collection and its buffered stdout writes.
void BM_ExportCli(benchmark::State& state) {
  const ScalarFile& file = scalar_logdir();
  tblog::cli::ExportOptions options;
  options.logdir = file.logdir;
  options.format = state.range(0) ? tblog::cli::ExportFormat::json : tblog::cli::ExportFormat::csv;
  const int null_fd = ::open("/dev/null", O_WRONLY);
  std::fflush(stdout);
  const int saved_stdout = ::dup(1);
  for (auto _ : state) {
    ::dup2(null_fd, 1);
    const int status = tblog::cli::run_export(options);
    std::fflush(stdout);
    ::dup2(saved_stdout, 1);
    if (status != tblog::cli::kExitOk) state.SkipWithError("export failed");
  }
  ::close(saved_stdout);
  ::close(null_fd);
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_ExportCli)->ArgName("json")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
#endif

// The same records through the full protobuf decoding (what inspect uses), for comparison
// with the lean scan above.
void BM_ParseEventProtobuf(benchmark::State& state) {
  const std::string& path = scalar_file();
  for (auto _ : state) {
    tblog::RecordReader records(path);
    std::string_view data;
    double sum = 0;
    while (records.next(data)) {
      const tblog::Event e = tblog::parse_event(data);
      if (!e.values.empty()) sum += e.values[0].simple_value;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_ParseEventProtobuf)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
