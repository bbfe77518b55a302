// tblog-data-server as TensorBoard launches it: the flags it passes, the port file it polls,
// the error file it reads when the server exits early, and stdin closing when it goes away.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "data_server_client.hpp"
#include "test_support.hpp"

namespace tblog::test {
namespace {

using namespace std::chrono_literals;

// A child process with its stdin on a pipe this test holds.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[0], STDIN_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[0]);
    stdin_ = fds[1];
  }
  ~Child() {
    close_stdin();
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void terminate() { ::kill(pid_, SIGTERM); }
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  // The exit status, or -1 if it has not exited within `limit`.
  int wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool exited_ = false;
};

// TensorBoard's loop: 20 polls, 0.5 s apart, for a port file ending in a newline.
std::string poll_port_file(const std::string& path) {
  for (int i = 0; i < 20; ++i) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!text.empty() && text.back() == '\n') return text;
    std::this_thread::sleep_for(500ms);
  }
  return "";
}

TEST(Launch, ServesOnThePortItWritesAndExitsWhenStdinCloses) {
  TempDir dir;
  const std::string port_file = dir.str() + "/port";
  const std::string error_file = dir.str() + "/startup_error";
  Child server({TBLOG_DATA_SERVER_PATH, "--logdir=" + golden_dir() + "/torch", "--reload=5",
                "--samples-per-plugin=scalars=all,images=all", "--port=0",
                "--port-file=" + port_file, "--die-after-stdin", "--error-file=" + error_file,
                "--verbose", "--verbose", "--some-future-flag=1"});
  const std::string text = poll_port_file(port_file);
  ASSERT_FALSE(text.empty()) << "no port file";
  const int port = std::stoi(text);
  ASSERT_GT(port, 0);

  auto stub = td::TensorBoardDataProvider::NewStub(
      grpc::CreateChannel("localhost:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);  // TensorBoard's limit
  td::GetExperimentResponse experiment;
  const grpc::Status status = stub->GetExperiment(&context, td::GetExperimentRequest(), &experiment);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(experiment.data_location(), golden_dir() + "/torch");

  // Runs appear once loaded.
  std::vector<std::string> runs;
  for (int i = 0; i < 100 && runs.size() < 4; ++i) {
    grpc::ClientContext c;
    td::ListRunsResponse r;
    ASSERT_TRUE(stub->ListRuns(&c, td::ListRunsRequest(), &r).ok());
    runs.clear();
    for (const auto& run : r.runs()) runs.push_back(run.name());
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(runs.size(), 4u);

  server.close_stdin();
  // Promptly, although this test's client is still connected.
  EXPECT_EQ(server.wait_exit(2s), 0);
  EXPECT_FALSE(std::ifstream(error_file).good()) << "no error to report";
}

TEST(Launch, BadArgumentsGoToTheErrorFileAndExitNonZero) {
  TempDir dir;
  const std::string error_file = dir.str() + "/startup_error";
  Child server({TBLOG_DATA_SERVER_PATH, "--logdir=" + dir.str(), "--reload=soon", "--port=0",
                "--port-file=" + dir.str() + "/port", "--die-after-stdin",
                "--error-file=" + error_file});
  const int code = server.wait_exit(10s);
  EXPECT_NE(code, 0);
  EXPECT_NE(code, -1) << "still running";
  const std::string message = read_file(error_file);
  EXPECT_NE(message.find("--reload"), std::string::npos) << message;
  EXPECT_NE(message.find("soon"), std::string::npos) << message;
}

TEST(Launch, BadSamplesPerPluginIsAStartupError) {
  TempDir dir;
  const std::string error_file = dir.str() + "/startup_error";
  Child server({TBLOG_DATA_SERVER_PATH, "--logdir=" + dir.str(), "--samples-per-plugin=images",
                "--port=0", "--error-file=" + error_file});
  EXPECT_EQ(server.wait_exit(10s), 2);
  EXPECT_NE(read_file(error_file).find("images"), std::string::npos);
}

TEST(Launch, PortInUseIsAStartupError) {
  ServedLogdir taken(golden_dir() + "/torch");
  TempDir dir;
  const std::string error_file = dir.str() + "/startup_error";
  Child server({TBLOG_DATA_SERVER_PATH, "--logdir=" + dir.str(),
                "--port=" + std::to_string(taken.server->port()), "--error-file=" + error_file});
  EXPECT_EQ(server.wait_exit(10s), 2);
  EXPECT_NE(read_file(error_file).find("cannot listen"), std::string::npos);
}

TEST(Launch, MissingLogdirIsNotAStartupError) {
  TempDir dir;
  const std::string port_file = dir.str() + "/port";
  Child server({TBLOG_DATA_SERVER_PATH, "--logdir=" + dir.str() + "/absent", "--port=0",
                "--port-file=" + port_file, "--die-after-stdin", "--reload=once"});
  EXPECT_FALSE(poll_port_file(port_file).empty());
  server.close_stdin();
  EXPECT_EQ(server.wait_exit(5s), 0);
}

TEST(Launch, TblogServeServesUntilStopped) {
  const std::string cli = cli_path();
  if (cli.empty()) GTEST_SKIP() << "the tblog tool is not built";
  TempDir dir;
  // `tblog serve` has no port file; find a free port by binding one first.
  int port = 0;
  {
    ServedLogdir probe(dir.str());
    port = probe.server->port();
  }
  Child server({cli, "serve", golden_dir() + "/tbx", "--port", std::to_string(port),
                "--reload", "once", "--samples-per-plugin", "scalars=all"});
  auto stub = td::TensorBoardDataProvider::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  bool answered = false;
  for (int i = 0; i < 100 && !answered; ++i) {
    grpc::ClientContext c;
    c.set_wait_for_ready(true);  // the server may not listen yet
    c.set_deadline(std::chrono::system_clock::now() + 10s);
    td::ListRunsResponse r;
    answered = stub->ListRuns(&c, td::ListRunsRequest(), &r).ok() && r.runs_size() == 4;
    if (!answered) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(answered);
  EXPECT_EQ(server.wait_exit(200ms), -1) << "serves until stopped";
  server.terminate();
  EXPECT_EQ(server.wait_exit(5s), 0);
}

}  // namespace
}  // namespace tblog::test
