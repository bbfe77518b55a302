#include "write/posix_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace tblog::detail {

IoStatus IoStatus::failure(int err, const std::string& what, const std::string& path) {
  IoStatus s;
  s.error = err == 0 ? EIO : err;
  s.message = what + " '" + path + "': " + std::strerror(s.error);
  return s;
}

PosixFile::~PosixFile() { close(); }

IoStatus PosixFile::create_new(const std::string& path) {
  close();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoStatus::failure(errno, "cannot create event file", path);
  fd_ = fd;
  size_ = 0;
  path_ = path;
  return {};
}

IoStatus PosixFile::append(std::string_view data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoStatus::failure(errno, "cannot write to", path_);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
    size_ += static_cast<std::uint64_t>(n);
  }
  return {};
}

IoStatus PosixFile::sync() {
  if (::fsync(fd_) != 0) return IoStatus::failure(errno, "cannot fsync", path_);
  return {};
}

IoStatus PosixFile::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return IoStatus::failure(errno, "cannot truncate", path_);
  }
  if (::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
    return IoStatus::failure(errno, "cannot seek in", path_);
  }
  size_ = size;
  return {};
}

bool PosixFile::still_linked() const {
  struct stat st;
  return fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_nlink > 0;
}

void PosixFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

IoStatus create_directories(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return IoStatus::failure(ENOTDIR, "logdir is not a folder:", dir);
    return {};
  }
  // Create each missing parent in turn, so the error names the part that failed.
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return IoStatus::failure(errno, "cannot create folder", partial);
    }
  }
  if (::stat(dir.c_str(), &st) != 0) return IoStatus::failure(errno, "cannot create folder", dir);
  if (!S_ISDIR(st.st_mode)) return IoStatus::failure(ENOTDIR, "logdir is not a folder:", dir);
  return {};
}

}  // namespace tblog::detail
