#pragma once
// Reading side of the protobuf wire format, for the hot paths that cannot afford a full
// protobuf parse per record (`tblog export`, `tblog verify`). Every read is bounds-checked;
// malformed input turns the reader bad and later reads return zeros.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "format/wire_writer.hpp"

namespace tblog::detail::wire {

class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }
  const char* error() const { return error_; }

  // Reads the next field's key. False at the end of the message or on a malformed key.
  bool next_field(std::uint32_t& field, std::uint32_t& type) {
    if (p_ == end_ || !ok_) return false;
    const std::uint32_t key = tag();
    if (!ok_) return false;
    field = key >> 3;
    type = key & 7;
    if (field == 0) return fail("invalid field number");
    if (type > kFixed32 || (type == 4)) {
      // Wire type 4 (end group) is only valid while skipping a group; 6 and 7 do not exist.
      return fail("invalid wire type");
    }
    return true;
  }

  // A field's key, read as protobuf reads it: a varint of at most 5 bytes, whose bits past
  // the 32nd are dropped.
  std::uint32_t tag() {
    std::uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (p_ == end_) return fail("message ends inside a key"), 0;
      const unsigned char b = static_cast<unsigned char>(*p_++);
      v |= static_cast<std::uint32_t>(b & 0x7F) << shift;  // (shift 28: high bits drop)
      if (b < 0x80) return v;
    }
    return fail("key longer than 5 bytes"), 0;
  }

  std::uint64_t varint() {
    if (p_ < end_ && static_cast<unsigned char>(*p_) < 0x80) {
      return static_cast<unsigned char>(*p_++);
    }
    std::uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return fail("message ends inside a varint"), 0;
      const unsigned char b = static_cast<unsigned char>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
    return fail("varint longer than 10 bytes"), 0;
  }

  std::uint64_t fixed64() {
    if (end_ - p_ < 8) return fail("message ends inside a fixed64"), 0;
    std::uint64_t v;
    std::memcpy(&v, p_, 8);  // little-endian hosts only, like the rest of tblog
    p_ += 8;
    return v;
  }

  std::uint32_t fixed32() {
    if (end_ - p_ < 4) return fail("message ends inside a fixed32"), 0;
    std::uint32_t v;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    return v;
  }

  double as_double() {
    const std::uint64_t bits = fixed64();
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }

  float as_float() {
    const std::uint32_t bits = fixed32();
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }

  // A length-delimited field's bytes.
  std::string_view bytes() {
    const std::uint64_t n = varint();
    if (!ok_) return {};
    if (n > static_cast<std::uint64_t>(end_ - p_)) return fail("length runs past the message end"), std::string_view();
    std::string_view out(p_, n);
    p_ += n;
    return out;
  }

  // Skips the value of a field of the given wire type (groups included, as protobuf's
  // own parser keeps them as unknown fields).
  bool skip(std::uint32_t type, std::uint32_t field = 0, int depth = 0) {
    switch (type) {
      case kVarint:
        varint();
        break;
      case kFixed64:
        fixed64();
        break;
      case kLengthDelimited:
        bytes();
        break;
      case kFixed32:
        fixed32();
        break;
      case 3: {  // start group: skip fields up to the matching end group
        if (depth > 64) return fail("groups nested too deeply");
        for (;;) {
          if (p_ == end_) return fail("message ends inside a group");
          const std::uint32_t key = tag();
          if (!ok_) return false;
          const auto inner_field = static_cast<std::uint32_t>(key >> 3);
          const auto inner_type = static_cast<std::uint32_t>(key & 7);
          if (inner_type == 4) {
            if (inner_field != field) return fail("mismatched end of group");
            break;
          }
          if (inner_field == 0 || inner_type > kFixed32) return fail("invalid key inside a group");
          if (!skip(inner_type, inner_field, depth + 1)) return false;
        }
        break;
      }
      default:
        return fail("invalid wire type");
    }
    return ok_;
  }

  bool fail(const char* why) {
    if (ok_) error_ = why;
    ok_ = false;
    p_ = end_;
    return false;
  }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
  const char* error_ = nullptr;
};

}  // namespace tblog::detail::wire
