#pragma once
// A tblog::FileSystem held in memory, for tests: files in a map, folders in a set, and
// deterministic faults (the n-th append fails, a short write, a full disk, a file removed
// behind the writer's back, renames or folder creation that fail). Every method may be
// called from any thread: one mutex guards the whole state.
#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tblog/file_system.hpp"

namespace tblog::test {

class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem();

  // ---- FileSystem
  Status create_new(const std::string& path, std::unique_ptr<WritableFile>* file) override;
  Status open_overwrite(const std::string& path, std::unique_ptr<WritableFile>* file) override;
  Status open_append(const std::string& path, std::unique_ptr<WritableFile>* file) override;
  Status read_file(const std::string& path, std::string* contents) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status make_directories(const std::string& path) override;
  Status remove(const std::string& path) override;
  Status list(const std::string& path, std::vector<std::string>* names) override;
  Status stat(const std::string& path, FileInfo* info) override;

  // ---- What the tests look at. Paths are normalised ("a//b/./c/" is "a/b/c").
  // A file's bytes; nullopt when there is no such file.
  std::optional<std::string> contents(const std::string& path) const;
  // Paths of the files directly in `dir` whose name contains `part`, oldest first.
  std::vector<std::string> files_in(const std::string& dir, const std::string& part = "") const;
  bool is_directory(const std::string& path) const;
  std::uint64_t appends() const;  // append calls so far, failed ones included

  // ---- Faults. Each holds until it fires or is cleared; all files share them.
  // The n-th append from now (1: the next) writes its first `bytes_written` bytes (capped
  // at its size) and fails with `error`: 0 bytes is a plain failure, more a short write.
  void fail_append(std::uint64_t nth, std::size_t bytes_written = 0, int error = EIO);
  // The n-th append from now throws std::bad_alloc (as a FileSystem out of memory would)
  // before writing anything.
  void throw_on_append(std::uint64_t nth);
  // A disk of `bytes` (all files together): an append that does not fit writes what does
  // and fails with ENOSPC. nullopt: unlimited again (the disk was cleared).
  void set_capacity(std::optional<std::uint64_t> bytes);
  // Every rename / make_directories fails with `error` until called again with 0.
  void fail_renames(int error);
  void fail_make_directories(int error);
  // Removes a file behind its writers' backs: open handles write on to the unlinked file
  // and say so through still_linked().
  void vanish(const std::string& path);

  struct State;  // shared with the open files, which may outlive a call

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tblog::test
