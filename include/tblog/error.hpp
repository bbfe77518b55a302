#pragma once
// The one exception type tblog throws, and the codes that say what kind of failure it is.
#include <stdexcept>
#include <string>
#include <string_view>

#include "tblog/export.hpp"

namespace tblog {

enum class ErrorCode {
  invalid_argument,  // a bad argument or option; nothing was written for the call
  closed,            // the writer was closed (or is closing) when the call came
  io,                // the operating system refused a file operation (the message says which)
  events_lost,       // events were lost to write errors since the last flush()/close()
  corrupt,           // a file's bytes are not what the format allows (bad CRC, bad message)
};

// Short lower-case name of a code ("invalid argument", "closed", ...).
constexpr std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::closed: return "closed";
    case ErrorCode::io: return "I/O error";
    case ErrorCode::events_lost: return "events lost";
    case ErrorCode::corrupt: return "corrupt";
  }
  return "unknown";
}

class TBLOG_API Error : public std::runtime_error {
 public:
  // An invalid argument: by far the most common failure, so the default.
  explicit Error(const std::string& message)
      : Error(ErrorCode::invalid_argument, message) {}
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}

  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace tblog
