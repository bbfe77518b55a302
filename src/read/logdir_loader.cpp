#include "read/logdir_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "tblog/error.hpp"

namespace tblog::detail {

LogdirLoader::LogdirLoader(LogdirLoaderOptions options)
    : options_(std::move(options)), problems_(options_.print_problems) {}

void LogdirLoader::reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  std::vector<Run> found;
  std::vector<ReadProblem> unreadable;
  std::error_code ec;
  if (std::filesystem::exists(options_.logdir, ec)) {
    try {
      found = find_runs(options_.logdir, &unreadable);
    } catch (const Error& e) {
      ReadProblem p;
      p.kind = ReadProblem::Kind::unreadable;
      p.file = options_.logdir;
      p.message = e.what();
      unreadable.push_back(std::move(p));
    }
  }
  for (const ReadProblem& p : unreadable) problems_.report(p);

  // The new run table: known runs kept (with what they read), new ones added, the rest dropped.
  std::vector<std::shared_ptr<RunLoader>> next;
  next.reserve(found.size());
  {
    std::lock_guard<std::mutex> lock(runs_mutex_);
    auto old = runs_.begin();
    for (const Run& run : found) {
      while (old != runs_.end() && (*old)->name() < run.name) ++old;
      if (old != runs_.end() && (*old)->name() == run.name) {
        next.push_back(*old);
      } else {
        next.push_back(std::make_shared<RunLoader>(run.name, run.path, options_.sampling));
      }
    }
    // New runs are listed at once; they fill in as they load.
    runs_ = next;
  }

  unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(found.size())));
  std::atomic<std::size_t> next_run{0};
  auto work = [&] {
    for (std::size_t i; (i = next_run.fetch_add(1)) < found.size();) {
      try {
        next[i]->load(found[i].files, problems_);
      } catch (const std::exception& e) {
        ReadProblem p;
        p.kind = ReadProblem::Kind::unreadable;
        p.file = found[i].path;
        p.message = "cannot read run '" + found[i].name + "': " + e.what();
        problems_.report(p);
      }
    }
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }
  ++reloads_;
}

std::vector<std::shared_ptr<const RunLoader>> LogdirLoader::runs() const {
  std::lock_guard<std::mutex> lock(runs_mutex_);
  return {runs_.begin(), runs_.end()};
}

std::shared_ptr<const RunLoader> LogdirLoader::run(const std::string& name) const {
  std::lock_guard<std::mutex> lock(runs_mutex_);
  const auto it = std::lower_bound(runs_.begin(), runs_.end(), name,
                                   [](const auto& r, const std::string& n) { return r->name() < n; });
  if (it == runs_.end() || (*it)->name() != name) return nullptr;
  return *it;
}

}  // namespace tblog::detail
