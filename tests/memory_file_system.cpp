#include "memory_file_system.hpp"

#include <new>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace tblog::test {
namespace {

struct Node {
  std::string data;
  std::uint64_t created = 0;  // creation order, for files_in
};

// "a//b/./c/" -> "a/b/c"; "/" stays "/"; "" and "." are the current folder "".
std::string normalise(const std::string& path) {
  std::string out = !path.empty() && path[0] == '/' ? "/" : "";
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(begin, end - begin);
    if (!part.empty() && part != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += part;
    }
    begin = end + 1;
  }
  return out;
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

struct MemoryFileSystem::State {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<Node>> files;
  std::set<std::string> dirs;
  std::uint64_t created = 0;
  std::uint64_t appends = 0;
  std::uint64_t fail_append_at = 0;  // 0: none
  std::size_t fail_append_bytes = 0;
  int fail_append_error = EIO;
  std::uint64_t throw_append_at = 0;  // 0: none
  std::optional<std::uint64_t> capacity;
  int rename_error = 0;
  int make_directories_error = 0;

  bool dir_exists(const std::string& p) const { return p.empty() || p == "/" || dirs.count(p); }

  std::uint64_t used() const {
    std::uint64_t n = 0;
    for (const auto& [path, node] : files) n += node->data.size();
    return n;
  }

  // Opens (creating if missing) the file at normalised `p`; callers hold mu.
  Status open(const std::string& p, bool exclusive, bool empty_it,
              std::shared_ptr<Node>* node) {
    if (!dir_exists(parent_of(p))) return Status::from_errno(ENOENT, "cannot create", p);
    if (dir_exists(p)) return Status::from_errno(exclusive ? EEXIST : EISDIR, "cannot create", p);
    auto it = files.find(p);
    if (it != files.end()) {
      if (exclusive) return Status::from_errno(EEXIST, "cannot create", p);
      if (empty_it) it->second->data.clear();
      *node = it->second;
      return {};
    }
    *node = std::make_shared<Node>();
    (*node)->created = ++created;
    files[p] = *node;
    return {};
  }
};

namespace {

class MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(std::shared_ptr<MemoryFileSystem::State> state, std::shared_ptr<Node> node,
                     std::string path)
      : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)) {
    size_ = node_->data.size();
  }

  Status append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (closed_) return Status::from_errno(EBADF, "cannot write to", path_);
    ++state_->appends;
    if (state_->throw_append_at != 0 && state_->appends == state_->throw_append_at) {
      state_->throw_append_at = 0;
      throw std::bad_alloc();
    }
    std::size_t keep = data.size();
    int error = 0;
    if (state_->fail_append_at != 0 && state_->appends == state_->fail_append_at) {
      state_->fail_append_at = 0;
      keep = std::min(keep, state_->fail_append_bytes);
      error = state_->fail_append_error;
    }
    if (state_->capacity) {
      const std::uint64_t used = state_->used();
      const std::uint64_t room = *state_->capacity > used ? *state_->capacity - used : 0;
      if (keep > room) {
        keep = static_cast<std::size_t>(room);
        error = ENOSPC;
      }
    }
    node_->data.resize(size_);
    node_->data.append(data.substr(0, keep));
    size_ += keep;
    if (error != 0) return Status::from_errno(error, "cannot write to", path_);
    return {};
  }

  Status flush() override { return {}; }
  Status sync() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (closed_) return Status::from_errno(EBADF, "cannot fsync", path_);
    return {};
  }
  Status close() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    closed_ = true;
    return {};
  }
  Status truncate(std::uint64_t size) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (closed_) return Status::from_errno(EBADF, "cannot truncate", path_);
    node_->data.resize(static_cast<std::size_t>(size));
    size_ = size;
    return {};
  }
  std::uint64_t size() const override { return size_; }
  bool still_linked() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    auto it = state_->files.find(path_);
    return it != state_->files.end() && it->second == node_;
  }
  const std::string& path() const override { return path_; }

 private:
  std::shared_ptr<MemoryFileSystem::State> state_;
  std::shared_ptr<Node> node_;
  std::string path_;  // normalised
  std::uint64_t size_ = 0;
  bool closed_ = false;
};

}  // namespace

MemoryFileSystem::MemoryFileSystem() : state_(std::make_shared<State>()) {}

Status MemoryFileSystem::create_new(const std::string& path, std::unique_ptr<WritableFile>* file) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  std::shared_ptr<Node> node;
  Status st = state_->open(p, true, false, &node);
  if (st.ok()) *file = std::make_unique<MemoryWritableFile>(state_, node, p);
  return st;
}

Status MemoryFileSystem::open_overwrite(const std::string& path,
                                        std::unique_ptr<WritableFile>* file) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  std::shared_ptr<Node> node;
  Status st = state_->open(p, false, true, &node);
  if (st.ok()) *file = std::make_unique<MemoryWritableFile>(state_, node, p);
  return st;
}

Status MemoryFileSystem::open_append(const std::string& path, std::unique_ptr<WritableFile>* file) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  std::shared_ptr<Node> node;
  Status st = state_->open(p, false, false, &node);
  if (st.ok()) *file = std::make_unique<MemoryWritableFile>(state_, node, p);
  return st;
}

Status MemoryFileSystem::read_file(const std::string& path, std::string* contents) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->files.find(p);
  if (it == state_->files.end()) {
    return Status::from_errno(state_->dir_exists(p) ? EISDIR : ENOENT, "cannot read", p);
  }
  *contents = it->second->data;
  return {};
}

Status MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  const std::string f = normalise(from);
  const std::string t = normalise(to);
  std::lock_guard<std::mutex> lock(state_->mu);
  const std::string what = "cannot rename '" + f + "' to";
  if (state_->rename_error != 0) return Status::from_errno(state_->rename_error, what, t);
  auto it = state_->files.find(f);
  if (it == state_->files.end() || !state_->dir_exists(parent_of(t))) {
    return Status::from_errno(ENOENT, what, t);
  }
  if (state_->dir_exists(t)) return Status::from_errno(EISDIR, what, t);
  std::shared_ptr<Node> node = it->second;
  state_->files.erase(it);
  state_->files[t] = node;
  return {};
}

Status MemoryFileSystem::make_directories(const std::string& path) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->make_directories_error != 0) {
    return Status::from_errno(state_->make_directories_error, "cannot create folder", p);
  }
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = p.find('/', pos + 1);
    const std::string partial = p.substr(0, pos);
    if (partial.empty() || partial == "/") continue;
    if (state_->files.count(partial)) return Status::from_errno(ENOTDIR, "not a folder:", partial);
    state_->dirs.insert(partial);
  }
  return {};
}

Status MemoryFileSystem::remove(const std::string& path) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->files.erase(p) == 0) {
    return Status::from_errno(state_->dir_exists(p) ? EISDIR : ENOENT, "cannot remove", p);
  }
  return {};
}

Status MemoryFileSystem::list(const std::string& path, std::vector<std::string>* names) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  names->clear();
  if (!state_->dir_exists(p)) {
    return Status::from_errno(state_->files.count(p) ? ENOTDIR : ENOENT, "cannot list folder", p);
  }
  for (const auto& [f, node] : state_->files) {
    if (parent_of(f) == p) names->push_back(name_of(f));
  }
  for (const auto& d : state_->dirs) {
    if (parent_of(d) == p) names->push_back(name_of(d));
  }
  return {};
}

Status MemoryFileSystem::stat(const std::string& path, FileInfo* info) {
  const std::string p = normalise(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  *info = FileInfo{};
  if (state_->dir_exists(p)) {
    info->exists = true;
    info->is_directory = true;
  } else if (auto it = state_->files.find(p); it != state_->files.end()) {
    info->exists = true;
    info->size = it->second->data.size();
  }
  return {};
}

std::optional<std::string> MemoryFileSystem::contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->files.find(normalise(path));
  if (it == state_->files.end()) return std::nullopt;
  return it->second->data;
}

std::vector<std::string> MemoryFileSystem::files_in(const std::string& dir,
                                                    const std::string& part) const {
  const std::string d = normalise(dir);
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<std::pair<std::uint64_t, std::string>> found;
  for (const auto& [f, node] : state_->files) {
    if (parent_of(f) == d && name_of(f).find(part) != std::string::npos) {
      found.emplace_back(node->created, f);
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& entry : found) out.push_back(std::move(entry.second));
  return out;
}

bool MemoryFileSystem::is_directory(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->dir_exists(normalise(path));
}

std::uint64_t MemoryFileSystem::appends() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->appends;
}

void MemoryFileSystem::fail_append(std::uint64_t nth, std::size_t bytes_written, int error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->fail_append_at = nth == 0 ? 0 : state_->appends + nth;
  state_->fail_append_bytes = bytes_written;
  state_->fail_append_error = error;
}

void MemoryFileSystem::throw_on_append(std::uint64_t nth) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->throw_append_at = state_->appends + nth;
}

void MemoryFileSystem::set_capacity(std::optional<std::uint64_t> bytes) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->capacity = bytes;
}

void MemoryFileSystem::fail_renames(int error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->rename_error = error;
}

void MemoryFileSystem::fail_make_directories(int error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->make_directories_error = error;
}

void MemoryFileSystem::vanish(const std::string& path) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->files.erase(normalise(path));
}

}  // namespace tblog::test
