#pragma once
// A whole logdir kept in memory and kept current: the run table behind `tblog serve`.
// Each reload lists the runs again (new runs and files are picked up, removed runs dropped)
// and reads on every run's files in parallel, on a pool of hardware_concurrency threads.
// No network or protocol here: any front end (a server, a terminal view) reads the runs.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "read/problem_log.hpp"
#include "read/run_loader.hpp"
#include "read/sampling_policy.hpp"

namespace tblog::detail {

struct LogdirLoaderOptions {
  std::string logdir;
  SamplingPolicy sampling;
  unsigned threads = 0;        // 0: std::thread::hardware_concurrency()
  bool print_problems = true;  // each problem also goes to stderr, once
};

class LogdirLoader {
 public:
  explicit LogdirLoader(LogdirLoaderOptions options);

  // One pass over the logdir. A missing logdir is no error: it has no runs (yet).
  void reload();

  // The runs, sorted by name. Each stays valid while held, even if dropped meanwhile.
  std::vector<std::shared_ptr<const RunLoader>> runs() const;
  std::shared_ptr<const RunLoader> run(const std::string& name) const;

  std::vector<ReadProblem> problems() const { return problems_.all(); }
  const std::string& logdir() const { return options_.logdir; }
  // How many reloads have completed.
  std::uint64_t reloads() const { return reloads_.load(); }

 private:
  LogdirLoaderOptions options_;
  ProblemLog problems_;
  std::mutex reload_mutex_;  // one reload at a time
  mutable std::mutex runs_mutex_;
  std::vector<std::shared_ptr<RunLoader>> runs_;  // sorted by name
  std::atomic<std::uint64_t> reloads_{0};
};

}  // namespace tblog::detail
