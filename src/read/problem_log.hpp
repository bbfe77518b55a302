#pragma once
// Problems a long-lived reader meets (corrupt records, unreadable files): each reported
// once, however many times the files are read again, and kept for whoever asks.
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tblog/reader.hpp"

namespace tblog::detail {

class ProblemLog {
 public:
  // With `print`, each new problem is also written to stderr as one line.
  explicit ProblemLog(bool print) : print_(print) {}

  // False when the same problem was reported before.
  bool report(const ReadProblem& problem);
  std::vector<ReadProblem> all() const;

 private:
  bool print_;
  mutable std::mutex mutex_;
  std::set<std::string> seen_;
  std::vector<ReadProblem> problems_;
};

}  // namespace tblog::detail
