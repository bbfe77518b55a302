// FileSystem::posix(): the local file system through open(2), write(2), rename(2), ...
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "tblog/file_system.hpp"

namespace tblog {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, std::uint64_t size)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status append(std::string_view data) override {
    if (fd_ < 0) return closed("cannot write to");
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::from_errno(errno, "cannot write to", path_);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
      size_ += static_cast<std::uint64_t>(n);
    }
    return {};
  }

  Status flush() override { return {}; }  // append writes through

  Status sync() override {
    if (fd_ < 0) return closed("cannot fsync");
    if (::fsync(fd_) != 0) return Status::from_errno(errno, "cannot fsync", path_);
    return {};
  }

  Status close() override {
    if (fd_ < 0) return {};
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 && errno != EINTR) return Status::from_errno(errno, "cannot close", path_);
    return {};
  }

  Status truncate(std::uint64_t size) override {
    if (fd_ < 0) return closed("cannot truncate");
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Status::from_errno(errno, "cannot truncate", path_);
    }
    // Files opened for append (O_APPEND) write at the end anyway; the others need the seek.
    if (::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
      return Status::from_errno(errno, "cannot seek in", path_);
    }
    size_ = size;
    return {};
  }

  std::uint64_t size() const override { return size_; }

  bool still_linked() const override {
    struct stat st;
    return fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_nlink > 0;
  }

  const std::string& path() const override { return path_; }

 private:
  Status closed(const char* what) const { return Status::from_errno(EBADF, what, path_); }

  int fd_;
  std::uint64_t size_;
  std::string path_;
};

Status open_file(const std::string& path, int flags, const char* what,
                 std::unique_ptr<WritableFile>* file) {
  const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::from_errno(errno, what, path);
  std::uint64_t size = 0;
  if (flags & O_APPEND) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const Status s = Status::from_errno(errno, "cannot stat", path);
      ::close(fd);
      return s;
    }
    size = static_cast<std::uint64_t>(st.st_size);
  }
  *file = std::make_unique<PosixWritableFile>(fd, path, size);
  return {};
}

class PosixFileSystem final : public FileSystem {
 public:
  Status create_new(const std::string& path, std::unique_ptr<WritableFile>* file) override {
    return open_file(path, O_EXCL, "cannot create", file);
  }

  Status open_overwrite(const std::string& path, std::unique_ptr<WritableFile>* file) override {
    return open_file(path, O_TRUNC, "cannot create", file);
  }

  Status open_append(const std::string& path, std::unique_ptr<WritableFile>* file) override {
    return open_file(path, O_APPEND, "cannot open", file);
  }

  Status read_file(const std::string& path, std::string* contents) override {
    contents->clear();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::from_errno(errno, "cannot read", path);
    char buf[1 << 14];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const Status s = Status::from_errno(errno, "cannot read", path);
        ::close(fd);
        return s;
      }
      if (n == 0) break;
      contents->append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return {};
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::from_errno(errno, "cannot rename '" + from + "' to", to);
    }
    return {};
  }

  Status make_directories(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return Status::from_errno(ENOTDIR, "not a folder:", path);
      return {};
    }
    // Create each missing parent in turn, so the error names the part that failed.
    std::size_t pos = 0;
    while (pos != std::string::npos) {
      pos = path.find('/', pos + 1);
      const std::string partial = path.substr(0, pos);
      if (partial.empty()) continue;
      if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::from_errno(errno, "cannot create folder", partial);
      }
    }
    if (::stat(path.c_str(), &st) != 0) return Status::from_errno(errno, "cannot create folder", path);
    if (!S_ISDIR(st.st_mode)) return Status::from_errno(ENOTDIR, "not a folder:", path);
    return {};
  }

  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::from_errno(errno, "cannot remove", path);
    return {};
  }

  Status list(const std::string& path, std::vector<std::string>* names) override {
    names->clear();
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return Status::from_errno(errno, "cannot list folder", path);
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string_view name(entry->d_name);
      if (name != "." && name != "..") names->emplace_back(name);
      errno = 0;
    }
    const int err = errno;
    ::closedir(dir);
    if (err != 0) return Status::from_errno(err, "cannot list folder", path);
    return {};
  }

  Status stat(const std::string& path, FileInfo* info) override {
    *info = FileInfo{};
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return {};
      return Status::from_errno(errno, "cannot stat", path);
    }
    info->exists = true;
    info->is_directory = S_ISDIR(st.st_mode);
    info->size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
    return {};
  }
};

}  // namespace

std::shared_ptr<FileSystem> FileSystem::posix() {
  static const std::shared_ptr<FileSystem> instance = std::make_shared<PosixFileSystem>();
  return instance;
}

}  // namespace tblog
