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

std::vector<Run> find_runs(const std::string& logdir) {
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

  // Directory symlinks are not followed, so a link cycle cannot loop forever.
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw Error(ErrorCode::io, "cannot list logdir '" + logdir + "': " + ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) throw Error(ErrorCode::io, "cannot list logdir '" + logdir + "': " + ec.message());
    if (is_event_file(*it)) add_file(it->path().parent_path(), it->path());
  }
  if (ec) throw Error(ErrorCode::io, "cannot list logdir '" + logdir + "': " + ec.message());

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
