#include "read/problem_log.hpp"

#include <cstdio>

namespace tblog::detail {

bool ProblemLog::report(const ReadProblem& problem) {
  const std::string line = problem.to_string();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!seen_.insert(line).second) return false;
  problems_.push_back(problem);
  if (print_) std::fprintf(stderr, "tblog: %s\n", line.c_str());
  return true;
}

std::vector<ReadProblem> ProblemLog::all() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return problems_;
}

}  // namespace tblog::detail
