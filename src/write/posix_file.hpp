#pragma once
// The few file operations an event file needs, with errors returned as values (the writer
// thread must never throw on I/O: it reports and carries on).
#include <cstdint>
#include <string>
#include <string_view>

namespace tblog::detail {

struct IoStatus {
  int error = 0;        // errno; 0 when ok
  std::string message;  // what failed, with the path and the OS reason
  bool ok() const { return error == 0; }
  static IoStatus failure(int err, const std::string& what, const std::string& path);
};

class PosixFile {
 public:
  PosixFile() = default;
  ~PosixFile();
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  // Creates a file that must not exist yet (O_EXCL): EEXIST tells the caller to pick another name.
  IoStatus create_new(const std::string& path);
  // Writes all of data at the end. On failure the file may hold part of it: see truncate().
  IoStatus append(std::string_view data);
  IoStatus sync();
  IoStatus truncate(std::uint64_t size);
  // False once the file has been removed from its folder (its link count dropped to 0).
  bool still_linked() const;
  void close();

  bool is_open() const { return fd_ >= 0; }
  std::uint64_t size() const { return size_; }  // bytes written successfully
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string path_;
};

// Creates dir and its parents. Fails (with the reason) if it cannot, or if dir is not a folder.
IoStatus create_directories(const std::string& dir);

}  // namespace tblog::detail
