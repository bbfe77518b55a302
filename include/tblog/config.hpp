#pragma once
// Configuration of command-line runs, as CNTK's: `key=value` arguments and
// `configFile=PATH` files of `key = value` lines (`#` starts a comment, except inside a
// value quoted with "..." or '...', whose quotes are removed). Later settings
// override earlier ones. Every key must be defined first, with its type and default, so a
// misspelt key or a value of the wrong type is an error naming it.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tblog/export.hpp"

namespace tblog {

class Graph;
class ProgressWriter;  // tblog/progress.hpp

// Thread safety: define and parse on one thread; after that, const reads from any thread.
class TBLOG_API Config {
 public:
  using Value = std::variant<std::int64_t, double, bool, std::string>;

  // Defines a key with its type (that of default_value) and default. Redefining throws.
  Config& define(const std::string& key, Value default_value, std::string help = "");
  // A key with no default: get() of it throws until it is set; is_set() tells.
  Config& define_optional(const std::string& key, Value type_example, std::string help = "");

  // Applies argv[first..argc) in order. Throws tblog::Error naming the bad argument.
  void parse_args(int argc, const char* const* argv, int first = 1);
  void parse_args(const std::vector<std::string>& args);
  // Applies a `key = value` file. Throws tblog::Error naming the path (and line), also for a
  // folder or a file that cannot be read to its end.
  void parse_file(const std::string& path);
  // Sets one key from its text form.
  void set(const std::string& key, const std::string& text, const std::string& where = "");

  bool is_set(const std::string& key) const;
  std::int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;

  // "key = value  # help" lines of every key, for --help texts.
  std::string describe() const;

 private:
  struct Entry {
    Value value;
    bool has_value = false;
    bool set_by_user = false;
    std::string help;
  };
  const Entry& entry(const std::string& key) const;
  std::map<std::string, Entry> entries_;
};

// Defines the progress-writer keys:
//   tensorBoardLogDir (string, "": no TensorBoard output),
//   tensorBoardNumMBsToLogResult (int, defaults to numMBsToShowResult; 0: per-epoch records only),
//   numMBsToShowResult (int, 10), firstMBsToShowResult (int, 0).
TBLOG_API void define_progress_keys(Config& config);

// The writers a configured run feeds: a ProgressPrinter, and a TensorBoardProgressWriter
// (recording `model`'s graph when given) when tensorBoardLogDir is set. Only rank 0 writes
// (rank: see ProgressWriter).
TBLOG_API std::vector<std::unique_ptr<ProgressWriter>> make_progress_writers(
    const Config& config, std::optional<int> rank = std::nullopt, std::int64_t num_epochs = 0,
    const std::string& tag = "Training", const Graph* model = nullptr);

}  // namespace tblog
