// The data server end to end, each measurement in a fresh process: time from starting the
// server until ListScalars and ReadScalars of every tag answer with all data loaded, load
// rate (bytes/s and scalar points/s), peak RSS, ReadScalars latency, and the cost of one
// reload of an unchanged logdir. Logdirs are generated first (scalar events of one value
// each, as TensorBoard's writers write them; images as legacy Image summaries).
//
//   bench_data_server [--dir DIR] [--with-100m] [--keep]
//   bench_data_server --measure DIR POINTS scalars|images   (one measurement, on a kept logdir)
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data_provider/data_provider.grpc.pb.h"
#include "format/record_framing.hpp"
#include "format/wire_writer.hpp"
#include "bench_events.hpp"
#include "tblog/data_server.hpp"

namespace {

namespace fs = std::filesystem;
namespace wire = tblog::detail::wire;
namespace td = tensorboard::data;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string file_version_record() {
  std::string version;
  wire::append_double(version, 1, 1.7e9);
  wire::append_bytes(version, 3, "brain.Event:2");
  std::string out;
  tblog::detail::append_record(out, version);
  return out;
}

// One run folder: `tags` scalar tags, `steps` steps, one event per value.
void write_scalar_run(const fs::path& dir, int tags, int steps) {
  fs::create_directories(dir);
  std::ofstream out(dir / "events.out.tfevents.1700000000.bench", std::ios::binary);
  std::string buffer = file_version_record();
  std::vector<std::string> names;
  for (int t = 0; t < tags; ++t) names.push_back("metric/" + std::to_string(t));
  for (int step = 0; step < steps; ++step) {
    for (int t = 0; t < tags; ++t) {
      std::string value;
      wire::append_bytes(value, 1, names[t]);
      wire::append_float(value, 2, static_cast<float>(step) * 0.001f + t);
      tblog::detail::append_record(buffer, tblog::bench::summary_event(1.7e9 + step * 0.01, step, value));
    }
    if (buffer.size() > (8u << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

void write_image_run(const fs::path& dir, int images, std::size_t png_bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / "events.out.tfevents.1700000000.bench", std::ios::binary);
  std::string buffer = file_version_record();
  std::string png(png_bytes, '\0');
  for (std::size_t i = 0; i < png.size(); ++i) png[i] = static_cast<char>(i * 7 + 3);
  for (int step = 0; step < images; ++step) {
    std::string image;
    wire::append_int64(image, 1, 32);  // height
    wire::append_int64(image, 2, 32);  // width
    wire::append_int64(image, 3, 3);
    wire::append_bytes(image, 4, png);
    std::string value;
    wire::append_bytes(value, 1, "samples");
    wire::append_bytes(value, 4, image);
    tblog::detail::append_record(buffer, tblog::bench::summary_event(1.7e9 + step, step, value));
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

std::uint64_t bytes_under(const fs::path& dir) {
  std::uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// In a fresh process: serve `logdir`, wait until every scalar tag reads back, report.
int measure(const std::string& logdir, long long points, const std::string& plugin) {
  const auto start = Clock::now();
  tblog::DataServerOptions options;
  options.logdir = logdir;
  options.port = 0;
  options.reload_seconds = 3600;
  tblog::DataServer server(options);
  server.wait_loaded();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  auto stub = td::TensorBoardDataProvider::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials(), args));
  std::size_t answered = 0;
  auto read_all = [&] {
    answered = 0;
    if (plugin == "images") {
      td::ReadBlobSequencesRequest read;
      read.mutable_plugin_filter()->set_plugin_name("images");
      read.mutable_downsample()->set_num_points(10);
      td::ReadBlobSequencesResponse r;
      grpc::ClientContext c;
      if (!stub->ReadBlobSequences(&c, read, &r).ok()) std::abort();
      for (const auto& run : r.runs()) answered += static_cast<std::size_t>(run.tags_size());
      return;
    }
    td::ListScalarsRequest list;
    list.mutable_plugin_filter()->set_plugin_name("scalars");
    td::ListScalarsResponse listed;
    grpc::ClientContext c1;
    if (!stub->ListScalars(&c1, list, &listed).ok()) std::abort();
    td::ReadScalarsRequest read;
    read.mutable_plugin_filter()->set_plugin_name("scalars");
    read.mutable_downsample()->set_num_points(1000);
    td::ReadScalarsResponse r;
    grpc::ClientContext c2;
    if (!stub->ReadScalars(&c2, read, &r).ok()) std::abort();
    for (const auto& run : r.runs()) answered += static_cast<std::size_t>(run.tags_size());
  };
  read_all();
  const double total = seconds_since(start);
  const long rss = peak_rss_kib();

  std::vector<double> reads;
  for (int i = 0; i < 20; ++i) {
    const auto t = Clock::now();
    read_all();
    reads.push_back(seconds_since(t));
  }
  std::vector<double> reloads;
  for (int i = 0; i < 10; ++i) {
    const auto t = Clock::now();
    server.reload_now();
    reloads.push_back(seconds_since(t));
  }
  const double bytes = static_cast<double>(bytes_under(logdir));
  std::printf("%.3f s to serve all | %.2f GB/s | %.2f M points/s | %zu series answered | "
              "peak RSS %.1f MB | read all (median of 20) %.2f ms | unchanged reload "
              "(median of 10) %.2f ms\n",
              total, bytes / total / 1e9, static_cast<double>(points) / total / 1e6, answered,
              rss / 1024.0, median(reads) * 1e3, median(reloads) * 1e3);
  return 0;
}

void run_case(const std::string& self, const std::string& name, const fs::path& dir,
              long long points, const std::string& plugin) {
  std::printf("%-34s %7.1f MB: ", name.c_str(), static_cast<double>(bytes_under(dir)) / 1e6);
  std::fflush(stdout);
  // A fresh process, after dropping what the generator left in the page cache is not
  // possible without root; the files are read from the page cache (warm), as on a machine
  // that just wrote them.
  const std::string command = "'" + self + "' --measure '" + dir.string() + "' " +
                              std::to_string(points) + " " + plugin;
  if (std::system(command.c_str()) != 0) std::printf("failed\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--measure") {
    return measure(argv[2], std::atoll(argv[3]), argv[4]);
  }
  fs::path base = fs::temp_directory_path() / ("tblog-bench-data-server-" + std::to_string(::getpid()));
  bool with_100m = false;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--dir" && i + 1 < argc) base = argv[++i];
    if (arg == "--with-100m") with_100m = true;
    if (arg == "--keep") keep = true;
  }
  const std::string self = fs::canonical("/proc/self/exe").string();
  struct Case {
    std::string name;
    int runs, tags, steps;
    std::string plugin;
  };
  std::vector<Case> cases = {
      {"1M scalars, 20 runs x 5 tags", 20, 5, 10'000, "scalars"},
      {"10M scalars, 20 runs x 10 tags", 20, 10, 50'000, "scalars"},
      {"1,000 runs x 1,000 scalars", 1000, 1, 1'000, "scalars"},
      {"100 tags x 1,000 points, 1 run", 1, 100, 1'000, "scalars"},
      {"10,000 images (1 KiB), 10 runs", 10, 1, 1'000, "images"},
  };
  if (with_100m) cases.push_back({"100M scalars, 20 runs x 10 tags", 20, 10, 500'000, "scalars"});
  for (const Case& c : cases) {
    const fs::path dir = base / std::to_string(&c - cases.data());
    for (int r = 0; r < c.runs; ++r) {
      const fs::path run = dir / ("run" + std::to_string(r));
      if (c.plugin == "images") {
        write_image_run(run, c.steps, 1024);
      } else {
        write_scalar_run(run, c.tags, c.steps);
      }
    }
    run_case(self, c.name, dir, static_cast<long long>(c.runs) * c.tags * c.steps, c.plugin);
    if (!keep) fs::remove_all(dir);
  }
  if (!keep) fs::remove_all(base);
  return 0;
}
