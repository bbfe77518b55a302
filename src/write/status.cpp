#include <cerrno>
#include <cstring>

#include "tblog/file_system.hpp"

namespace tblog {

Status Status::error(ErrorCode code, int os_error, std::string message) {
  Status s;
  s.ok_ = false;
  s.code_ = code;
  s.os_error_ = os_error;
  s.message_ = std::move(message);
  return s;
}

Status Status::from_errno(int os_error, std::string_view what, std::string_view path) {
  const int err = os_error == 0 ? EIO : os_error;
  std::string message(what);
  message += " '";
  message += path;
  message += "': ";
  message += std::strerror(err);
  return error(ErrorCode::io, err, std::move(message));
}

bool Status::already_exists() const { return !ok_ && os_error_ == EEXIST; }

void Status::throw_if_error() const {
  if (!ok_) throw Error(code_, message_);
}

}  // namespace tblog
