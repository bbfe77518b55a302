#pragma once
// TensorBoard's data server (component tblog::data_server, built when gRPC is found): a logdir
// served over TensorBoard's gRPC data provider protocol, so that
// `tensorboard --grpc_data_provider=localhost:PORT` shows it, or TensorBoard launches it
// itself (TENSORBOARD_DATA_SERVER_BINARY=tblog-data-server ... --load_fast=true).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tblog/reader.hpp"

namespace tblog {

struct DataServerOptions {
  std::string logdir;
  std::string host = "127.0.0.1";
  int port = 6806;              // 0: any free port (port() tells which)
  double reload_seconds = 5;    // between reloads; 0 or less: load once
  // Points kept per time series, by plugin: "scalars=1000,images=all". Unnamed plugins keep
  // 1000 points (scalars), 100 (tensors) or 10 (blob sequences).
  std::string samples_per_plugin;
  std::string port_file;        // written with the port and a newline once serving
  unsigned threads = 0;         // loader threads; 0: hardware_concurrency
  int verbosity = 0;            // 1: a line per reload on stderr
};

// A running server. The port is bound and answering before the first load finishes: runs
// appear as they are read.
class DataServer {
 public:
  // Binds, starts serving and starts loading. Throws tblog::Error naming what failed (a bad
  // --samples-per-plugin entry, an address that cannot be bound, an unwritable port file).
  explicit DataServer(DataServerOptions options);
  ~DataServer();  // shutdown()
  DataServer(const DataServer&) = delete;
  DataServer& operator=(const DataServer&) = delete;

  int port() const;
  // Blocks until the first load of the logdir has finished.
  void wait_loaded() const;
  // Loads once more now, whatever the reload interval (tests and benchmarks).
  void reload_now();
  std::uint64_t reloads() const;
  // Corrupt and unreadable files met so far, each once.
  std::vector<ReadProblem> problems() const;
  // Stops serving (answers still in flight after 200 ms are cancelled) and stops loading.
  // Idempotent.
  void shutdown();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The whole life of a server process: serves until SIGINT or SIGTERM (or, with
// `die_after_stdin`, until stdin closes). Returns the exit status: 0 after a clean stop,
// 2 when the server cannot start (the reason goes to stderr and, if given, to error_file).
int run_data_server(const DataServerOptions& options, bool die_after_stdin,
                    const std::string& error_file);

}  // namespace tblog
