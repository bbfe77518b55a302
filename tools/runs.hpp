#pragma once
// The runs a subcommand reads: every run of the logdir, or those named with --run.
#include <algorithm>
#include <string>
#include <vector>

#include "output.hpp"
#include "tblog/error.hpp"
#include "tblog/reader.hpp"

namespace tblog::cli {

// Runs of `logdir` in name order, only those in `names` unless it is empty. A name that
// matches no run is an error (a misspelt --run would otherwise look like an empty run).
// Folders that cannot be listed go to `unreadable`.
inline std::vector<Run> select_runs(const std::string& logdir, const std::vector<std::string>& names,
                                    std::vector<ReadProblem>& unreadable) {
  std::vector<Run> runs = find_runs(logdir, &unreadable);
  if (names.empty()) return runs;
  for (const std::string& name : names) {
    const bool found = std::any_of(runs.begin(), runs.end(), [&](const Run& r) { return r.name == name; });
    if (!found) throw Error("no run '" + printable(name) + "' under logdir '" + printable(logdir) + "'");
  }
  runs.erase(std::remove_if(runs.begin(), runs.end(),
                            [&](const Run& r) {
                              return std::find(names.begin(), names.end(), r.name) == names.end();
                            }),
             runs.end());
  return runs;
}

// A problem for a file that could not be opened or read: reported as unreadable (permission
// denied, vanished), not as corrupt, since its bytes were never seen.
inline ReadProblem unreadable_file(const std::string& file, const Error& e) {
  ReadProblem p;
  p.kind = ReadProblem::Kind::unreadable;
  p.file = file;
  p.message = e.what();
  return p;
}

}  // namespace tblog::cli
