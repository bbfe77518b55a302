#pragma once
// Protobuf wire-format primitives, for the few messages tblog encodes by hand on the hot
// path (scalar events, the Event envelope). Output is byte-identical to protobuf's own
// serializer for the same message: fields in number order, proto3 defaults omitted.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// Doubles, floats and fixed-width integers are copied as they lie in memory: the wire format
// is little-endian, and so must the host be.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "tblog writes the wire format on little-endian hosts only");

namespace tblog::detail::wire {

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* put_varint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline void append_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  out.append(buf, put_varint(buf, v) - buf);
}

inline void append_key(std::string& out, std::uint32_t field, WireType type) {
  append_varint(out, (static_cast<std::uint64_t>(field) << 3) | type);
}

inline void append_double(std::string& out, std::uint32_t field, double v) {
  append_key(out, field, kFixed64);
  char buf[8];
  std::memcpy(buf, &v, 8);  // little-endian: see the static_assert above
  out.append(buf, 8);
}

inline void append_float(std::string& out, std::uint32_t field, float v) {
  append_key(out, field, kFixed32);
  char buf[4];
  std::memcpy(buf, &v, 4);
  out.append(buf, 4);
}

inline void append_int64(std::string& out, std::uint32_t field, std::int64_t v) {
  append_key(out, field, kVarint);
  append_varint(out, static_cast<std::uint64_t>(v));
}

inline void append_bytes(std::string& out, std::uint32_t field, std::string_view bytes) {
  append_key(out, field, kLengthDelimited);
  append_varint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

}  // namespace tblog::detail::wire
