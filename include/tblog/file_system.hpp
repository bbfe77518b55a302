#pragma once
// The storage tblog writes through: every event file, projector file and log file is opened,
// written, renamed and removed through a tblog::FileSystem. FileSystem::posix() is the
// default; WriterOptions::file_system plugs in another (an object store, an in-memory fake).
//
// Errors come back as tblog::Status values, never as exceptions: the writer thread reports
// and carries on. Only the calls whose contract already throws turn a Status into a
// tblog::Error (Status::throw_if_error).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/error.hpp"
#include "tblog/export.hpp"

namespace tblog {

// The outcome of one file operation: ok, or a code, the OS error number where there is one,
// and a message naming the operation, the path and the reason. Not synchronised: share
// copies, not one object, between threads.
class TBLOG_API Status {
 public:
  Status() = default;  // ok

  // A failure; os_error 0 when the OS gave no number.
  static Status error(ErrorCode code, int os_error, std::string message);
  // An I/O failure from errno `os_error`: "<what> '<path>': <strerror(os_error)>".
  // os_error 0 is taken as EIO.
  static Status from_errno(int os_error, std::string_view what, std::string_view path);

  bool ok() const { return ok_; }
  ErrorCode code() const { return code_; }     // meaningful when !ok()
  int os_error() const { return os_error_; }   // errno, 0 when ok or none
  const std::string& message() const { return message_; }
  // The path exists already (EEXIST): FileSystem::create_new's caller picks another name.
  bool already_exists() const;
  // Throws tblog::Error(code(), message()) when not ok.
  void throw_if_error() const;

 private:
  bool ok_ = true;
  ErrorCode code_ = ErrorCode::io;
  int os_error_ = 0;
  std::string message_;
};

// One open file being written at its end. Used by one thread at a time (not synchronised).
// Its destructor closes it, ignoring errors: call close() to see them.
class TBLOG_API WritableFile {
 public:
  virtual ~WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  // Writes all of data at the end. On failure the file may hold part of it (size() counts
  // it): truncate() back to the size before the call to leave only whole records.
  virtual Status append(std::string_view data) = 0;
  // Hands data buffered in this object to the storage (a no-op where append writes through).
  virtual Status flush() = 0;
  // Makes everything appended durable (fsync).
  virtual Status sync() = 0;
  // Flushes and closes; later calls other than close() fail. Closing twice is ok.
  virtual Status close() = 0;
  // Cuts the file back to `size` bytes (at most size()); the next append goes there. The
  // event file's recovery: after a failed append it ends at its last complete record.
  virtual Status truncate(std::uint64_t size) = 0;
  // Bytes in the file as this handle wrote them (including part of a failed append).
  virtual std::uint64_t size() const = 0;
  // False once the file has been removed from its folder by someone else, so the writer
  // starts a successor, as TensorFlow's does. Storage that cannot tell says true.
  virtual bool still_linked() const { return true; }
  virtual const std::string& path() const = 0;

 protected:
  WritableFile() = default;
};

// What stat() finds at a path.
struct FileInfo {
  bool exists = false;
  bool is_directory = false;
  std::uint64_t size = 0;  // of a file
};

// Files and folders by path ('/'-separated). Implementations must allow calls from any
// number of threads at once (several writers may share one); the POSIX one holds no state.
class TBLOG_API FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The local file system through POSIX calls: one shared instance.
  static std::shared_ptr<FileSystem> posix();

  // Creates `path`, which must not exist yet (O_EXCL semantics): a Status with
  // already_exists() (Status::from_errno(EEXIST, ...)) tells the caller to pick another
  // name. The folder must exist.
  virtual Status create_new(const std::string& path, std::unique_ptr<WritableFile>* file) = 0;
  // Creates `path` or empties it if it exists (for temporary files renamed into place).
  virtual Status open_overwrite(const std::string& path, std::unique_ptr<WritableFile>* file) = 0;
  // Opens `path` to write at its end, creating it if missing (log files).
  virtual Status open_append(const std::string& path, std::unique_ptr<WritableFile>* file) = 0;
  // The whole contents of a file.
  virtual Status read_file(const std::string& path, std::string* contents) = 0;
  // Moves `from` to `to`, replacing `to` atomically: readers see the old or the new file.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Creates `path` and any missing parents; ok if it is a folder already, an error if it
  // (or a parent) is something else.
  virtual Status make_directories(const std::string& path) = 0;
  // Removes a file.
  virtual Status remove(const std::string& path) = 0;
  // The names (not paths) of the entries directly in folder `path`, in no set order.
  virtual Status list(const std::string& path, std::vector<std::string>* names) = 0;
  // What is at `path`. A missing path is ok with info->exists false.
  virtual Status stat(const std::string& path, FileInfo* info) = 0;
};

}  // namespace tblog
