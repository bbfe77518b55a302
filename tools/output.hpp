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

#include "format/utf8.hpp"
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

// The Unicode replacement character, U+FFFD, which stands in for bytes that are not UTF-8:
// names come from folder names and from files, and either may hold any byte.
inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// `s` as well-formed UTF-8: each byte that starts no valid sequence becomes U+FFFD.
inline std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = detail::utf8_sequence_length(s, i);
    if (n == 0) {
      out += kReplacementChar;
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

// A CSV field (RFC 4180): quoted only when it holds a comma, quote or line break. Bytes that
// are not UTF-8 become U+FFFD, so the file is valid UTF-8 text.
inline std::string csv_field(std::string_view raw) {
  const std::string s = valid_utf8(raw);
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A JSON string literal. Bytes that are not UTF-8 become U+FFFD: JSON text must be UTF-8.
inline std::string json_string(std::string_view raw) {
  const std::string s = valid_utf8(raw);
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
        if (c < 0x20 || c == 0x7f) {
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

// `s` for a terminal: control bytes (C0, DEL, and the C1 range U+0080..U+009F, which some
// terminals obey too) and bytes that are not UTF-8 are written as \n, \t, \r or \xNN, so a
// tag or folder name cannot move the cursor, recolour or retitle the user's terminal.
inline std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto escape = [&out](unsigned char c) {
    static const char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 0xf];
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = detail::utf8_sequence_length(s, i);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (n == 0 || c < 0x20 || c == 0x7f) {
      escape(c);
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      escape(c);
      escape(static_cast<unsigned char>(s[i + 1]));
      i += 2;
      continue;
    } else {
      out.append(s.data() + i, n);
      i += n;
      continue;
    }
    ++i;
  }
  return out;
}

}  // namespace tblog::cli
