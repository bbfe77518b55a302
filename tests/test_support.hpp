#pragma once
// Helpers shared by the tests: scratch folders, reading a whole logdir back.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/reader.hpp"

namespace tblog::test {

// A fresh, empty folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Every event of every file of one run folder, in TensorBoard's order. Fails the test on
// any read problem.
std::vector<Event> read_run_events(const std::string& run_dir);

// The event files directly in a folder, sorted.
std::vector<std::string> event_files_in(const std::string& dir);

std::string golden_dir();  // tests/data/golden
std::string cli_path();    // the built `tblog` tool

std::string read_file(const std::string& path);
// Lower-case hex of bytes, for comparing encodings.
std::string hex(std::string_view bytes);
void write_file(const std::string& path, const std::string& bytes);

// Runs a shell command; its exit status, stdout, and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout
  std::string errors;  // stderr
  std::string all() const { return output + errors; }
};
CommandResult run_command(const std::string& command);
// `s` quoted for the shell.
std::string shell_quote(const std::string& s);

}  // namespace tblog::test
