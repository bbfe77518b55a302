#pragma once
// Buffered stdout and the number/string formatting the subcommands share.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "tblog/error.hpp"

namespace tblog::cli {

// Collects output and hands it to stdout in large blocks: export writes millions of short
// lines, and a stdio call per field would dominate its run time.
class Output {
 public:
  explicit Output(std::FILE* stream = stdout) : stream_(stream), buf_(kBlock + kMaxClaim, '\0') {}
  ~Output() {
    try {
      flush();
    } catch (const Error&) {
      // Destructors must not throw; explicit flush() calls report write errors.
    }
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // Room for n <= kMaxClaim bytes to be written at the returned pointer, then commit()ted.
  char* claim(std::size_t n) {
    if (size_ + n > buf_.size()) flush();
    return buf_.data() + size_;
  }
  void commit(char* end) {
    size_ = static_cast<std::size_t>(end - buf_.data());
    if (size_ >= kBlock) flush();
  }

  Output& operator<<(std::string_view s) {
    if (s.size() > kMaxClaim) {
      flush();
      write(s.data(), s.size());
      return *this;
    }
    char* p = claim(s.size());
    std::memcpy(p, s.data(), s.size());
    commit(p + s.size());
    return *this;
  }
  Output& operator<<(char c) {
    char* p = claim(1);
    *p = c;
    commit(p + 1);
    return *this;
  }
  template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int> &&
                                                     !std::is_same_v<Int, char> &&
                                                     !std::is_same_v<Int, bool>>>
  Output& operator<<(Int v) {
    char* p = claim(24);
    commit(std::to_chars(p, p + 24, v).ptr);
    return *this;
  }

  void flush() {
    const std::size_t size = size_;
    size_ = 0;
    write(buf_.data(), size);
  }

  static constexpr std::size_t kMaxClaim = 4096;

 private:
  void write(const char* data, std::size_t n) {
    if (n == 0) return;
    if (std::fwrite(data, 1, n, stream_) != n || std::fflush(stream_) != 0) {
      throw Error(ErrorCode::io, "cannot write the output");
    }
  }

  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::FILE* stream_;
  std::string buf_;
  std::size_t size_ = 0;
};

// Longest text put_number and put_wall_time write.
constexpr std::size_t kMaxNumberChars = 330;

// Writes the shortest text that reads back as exactly the same number ("0.1" for 0.1f,
// not "0.100000001"); "nan", "inf", "-inf" for non-finite values.
inline char* put_number(char* p, double v) { return std::to_chars(p, p + kMaxNumberChars, v).ptr; }
inline char* put_number(char* p, float v) { return std::to_chars(p, p + kMaxNumberChars, v).ptr; }

// Like put_number, but never in exponent form: wall times read better as plain seconds
// ("1700000000.5", not "1.7000000005e+09").
inline char* put_wall_time(char* p, double v) {
  return std::to_chars(p, p + kMaxNumberChars, v, std::chars_format::fixed).ptr;
}

inline std::string_view format_number(char (&buf)[kMaxNumberChars], double v) {
  return std::string_view(buf, static_cast<std::size_t>(put_number(buf, v) - buf));
}
inline std::string_view format_number(char (&buf)[kMaxNumberChars], float v) {
  return std::string_view(buf, static_cast<std::size_t>(put_number(buf, v) - buf));
}

// A CSV field (RFC 4180): quoted only when it holds a comma, quote or line break.
inline std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A JSON string literal. Bytes that are not valid UTF-8 pass through unchanged; tags are
// UTF-8 by the format's rules.
inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char tmp[8];
          std::snprintf(tmp, sizeof(tmp), "\\u%04x", c);
          out += tmp;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace tblog::cli
