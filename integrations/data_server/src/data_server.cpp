// DataServer: the gRPC server, the reload thread, and the launch protocol's files.
#include "tblog/data_server.hpp"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "data_provider_service.hpp"
#include "read/logdir_loader.hpp"
#include "tblog/error.hpp"

namespace tblog {

namespace {

// What TensorBoard's client accepts per message.
constexpr int kMaxMessageBytes = 256 << 20;

detail::LogdirLoaderOptions loader_options(const DataServerOptions& options) {
  detail::LogdirLoaderOptions out;
  out.logdir = options.logdir;
  out.sampling.apply(options.samples_per_plugin);
  out.threads = options.threads;
  return out;
}

// Written whole under a temporary name, then renamed: a reader polling the file never sees
// the port without its newline.
void write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) throw Error(ErrorCode::io, "cannot write port file '" + path + "'");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw Error(ErrorCode::io, "cannot write port file '" + path + "': " + std::strerror(errno));
  }
}

}  // namespace

struct DataServer::State {
  DataServerOptions options;
  detail::LogdirLoader loader;
  data_server::DataProviderService service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;

  std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;
  bool loaded = false;
  std::thread reloader;

  explicit State(DataServerOptions o)
      : options(std::move(o)), loader(loader_options(options)), service(loader) {}

  // Reload requests: reload_now() asks for number `requested`, and returns once a reload
  // that started after the request (so saw the files as they were) has set `served` to it.
  std::uint64_t requested = 0;
  std::uint64_t served = 0;

  void reload_loop() {
    for (bool first = true;; first = false) {
      std::uint64_t serving = 0;
      {
        std::lock_guard<std::mutex> lock(mutex);
        serving = requested;
      }
      const auto started = std::chrono::steady_clock::now();
      loader.reload();
      if (options.verbosity > 0) {
        const double ms = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - started)
                              .count();
        std::fprintf(stderr, "tblog-data-server: %s '%s' in %.1f ms (%zu runs)\n",
                     first ? "loaded" : "reloaded", options.logdir.c_str(), ms,
                     loader.runs().size());
      }
      std::unique_lock<std::mutex> lock(mutex);
      loaded = true;
      served = serving;
      changed.notify_all();
      const auto pred = [&] { return stopping || requested > served; };
      if (options.reload_seconds <= 0) {
        changed.wait(lock, pred);
      } else {
        changed.wait_for(lock, std::chrono::duration<double>(options.reload_seconds), pred);
      }
      if (stopping) return;
    }
  }
};

DataServer::DataServer(DataServerOptions options)
    : state_(std::make_unique<State>(std::move(options))) {
  State& s = *state_;
  grpc::ServerBuilder builder;
  const std::string address = s.options.host + ":" + std::to_string(s.options.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &s.port);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // Without this, gRPC shares a port another process already serves on (SO_REUSEPORT), and
  // clients would reach either server.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&s.service);
  s.server = builder.BuildAndStart();
  if (!s.server || s.port == 0) {
    throw Error(ErrorCode::io, "cannot listen on " + address +
                                   " (address in use, or not an address of this machine)");
  }
  // Bound and answering: the port goes out before loading starts, so a client can connect
  // at once and see runs appear as they load.
  if (!s.options.port_file.empty()) {
    try {
      write_port_file(s.options.port_file, s.port);
    } catch (...) {
      s.server->Shutdown();
      throw;
    }
  }
  s.reloader = std::thread([&s] { s.reload_loop(); });
}

DataServer::~DataServer() { shutdown(); }

int DataServer::port() const { return state_->port; }

void DataServer::wait_loaded() const {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->changed.wait(lock, [&] { return state_->loaded || state_->stopping; });
}

void DataServer::reload_now() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  const std::uint64_t request = ++s.requested;
  s.changed.notify_all();
  s.changed.wait(lock, [&] { return s.served >= request || s.stopping; });
}

std::uint64_t DataServer::reloads() const { return state_->loader.reloads(); }

std::vector<ReadProblem> DataServer::problems() const { return state_->loader.problems(); }

void DataServer::shutdown() {
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.stopping) return;
    s.stopping = true;
    s.changed.notify_all();
  }
  // gRPC waits for connected clients until the deadline, answering or not: a short grace
  // for answers in flight, then they are cancelled (a client still connected, such as a
  // TensorBoard, would otherwise hold up every stop for the whole deadline).
  s.server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  if (s.reloader.joinable()) s.reloader.join();
}

int run_data_server(const DataServerOptions& options, bool die_after_stdin,
                    const std::string& error_file) {
  // SIGINT and SIGTERM are taken by sigwait below, on this thread; blocked before any other
  // thread starts, so that none of them is interrupted instead.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<DataServer> server;
  try {
    server = std::make_unique<DataServer>(options);
  } catch (const std::exception& e) {
    const std::string message = std::string("tblog data server: cannot start: ") + e.what();
    std::cerr << message << "\n";
    if (!error_file.empty()) std::ofstream(error_file, std::ios::trunc) << message << "\n";
    return 2;
  }
  std::cerr << "tblog: serving '" << options.logdir << "' on " << options.host << ":"
            << server->port() << " (TensorBoard: --grpc_data_provider=localhost:"
            << server->port() << ")\n";
  if (die_after_stdin) {
    // The parent (TensorBoard) holds our stdin: when it closes, the parent is gone.
    std::thread([] {
      char buffer[256];
      while (true) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
      }
      ::kill(::getpid(), SIGTERM);
    }).detach();
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->shutdown();
  return 0;
}

}  // namespace tblog
