#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "tblog/reader.hpp"

namespace tblog {

namespace fs = std::filesystem;

namespace {

bool is_event_file(const fs::directory_entry& entry) {
  std::error_code ec;
  // Follows symlinks: a linked event file counts, as it does for TensorBoard.
  return entry.path().filename().string().find("tfevents") != std::string::npos &&
         entry.is_regular_file(ec);
}

std::string run_name(const fs::path& logdir, const fs::path& folder) {
  const fs::path rel = folder.lexically_relative(logdir);
  const std::string name = rel.generic_string();
  return name.empty() ? "." : name;
}

}  // namespace

std::vector<Run> find_runs(const std::string& logdir) { return find_runs(logdir, nullptr); }

std::vector<Run> find_runs(const std::string& logdir, std::vector<ReadProblem>* unreadable) {
  std::error_code ec;
  const fs::file_status status = fs::status(logdir, ec);
  if (!fs::exists(status)) throw Error(ErrorCode::io, "logdir '" + logdir + "' does not exist");
  if (!fs::is_directory(status)) throw Error("logdir '" + logdir + "' is not a folder");

  fs::path root = fs::path(logdir).lexically_normal();
  // "logs/" would otherwise keep an empty last component that spoils relative run names.
  if (!root.has_filename() && root.has_parent_path() && root != root.root_path()) {
    root = root.parent_path();
  }
  std::map<std::string, Run> runs;
  auto add_file = [&](const fs::path& folder, const fs::path& file) {
    const std::string name = run_name(root, folder);
    Run& run = runs[name];
    if (run.files.empty()) {
      run.name = name;
      run.path = folder.string();
    }
    run.files.push_back(file.string());
  };

  // Folder by folder rather than with recursive_directory_iterator, which can only skip a
  // folder it cannot open silently or stop at it: here such a folder is reported and the
  // rest is still read. Directory symlinks are not followed, so a link cycle cannot loop.
  std::vector<fs::path> folders = {root};
  while (!folders.empty()) {
    const fs::path folder = std::move(folders.back());
    folders.pop_back();
    fs::directory_iterator it(folder, ec);
    if (ec) {
      if (folder == root) {
        throw Error(ErrorCode::io, "cannot list logdir '" + logdir + "': " + ec.message());
      }
      if (unreadable) {
        ReadProblem p;
        p.kind = ReadProblem::Kind::unreadable;
        p.file = folder.string();
        p.message = "cannot list folder '" + folder.string() + "': " + ec.message();
        unreadable->push_back(std::move(p));
      }
      ec.clear();
      continue;
    }
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
      if (ec) break;
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        folders.push_back(it->path());
      } else if (is_event_file(*it)) {
        add_file(folder, it->path());
      }
    }
    if (ec) throw Error(ErrorCode::io, "cannot list folder '" + folder.string() + "': " + ec.message());
  }
  if (unreadable) {
    std::sort(unreadable->begin(), unreadable->end(),
              [](const ReadProblem& a, const ReadProblem& b) { return a.file < b.file; });
  }

  std::vector<Run> out;
  out.reserve(runs.size());
  for (auto& [name, run] : runs) {
    // TensorBoard reads a run's files in lexicographic order of file name.
    std::sort(run.files.begin(), run.files.end(), [](const std::string& a, const std::string& b) {
      return fs::path(a).filename().string() < fs::path(b).filename().string();
    });
    out.push_back(std::move(run));
  }
  return out;
}

}  // namespace tblog
