#pragma once
// The `tblog` subcommands. Each returns the process exit status (see kExit*).
#include <string>
#include <vector>

namespace tblog::cli {

constexpr int kExitOk = 0;
constexpr int kExitCorrupt = 1;  // some event file is corrupt (what could be read was used)
constexpr int kExitUsage = 2;    // bad arguments, missing logdir or run, unreadable files or folders

struct InspectOptions {
  std::string logdir;
  std::vector<std::string> runs;  // only these runs; all when empty
};
int run_inspect(const InspectOptions& options);

enum class ExportFormat { csv, json };
struct ExportOptions {
  std::string logdir;
  std::vector<std::string> runs;  // only these runs; all when empty
  std::vector<std::string> tags;  // only these tags; all when empty
  ExportFormat format = ExportFormat::csv;
};
int run_export(const ExportOptions& options);

struct VerifyOptions {
  std::string logdir;
  bool verbose = false;  // a line for every file, not only for problems
};
int run_verify(const VerifyOptions& options);

struct GraphOptions {
  std::string model;   // an ONNX file
  std::string logdir;
  std::string run;     // a run folder under logdir; empty: logdir itself
};
int run_graph(const GraphOptions& options);  // tools/graph.cpp, when built with ONNX

}  // namespace tblog::cli
