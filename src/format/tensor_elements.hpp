#pragma once
// Element sizes and little-endian element decoding for TensorFlow DataTypes, shared by the
// full Event conversion and the lean scanner.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tblog::detail {

enum DType : int {
  kDtFloat = 1,
  kDtDouble = 2,
  kDtInt32 = 3,
  kDtUint8 = 4,
  kDtInt16 = 5,
  kDtInt8 = 6,
  kDtString = 7,
  kDtInt64 = 9,
  kDtBool = 10,
  kDtBfloat16 = 14,
  kDtUint16 = 17,
  kDtHalf = 19,
  kDtUint32 = 22,
  kDtUint64 = 23,
};

// Bytes per element in tensor_content; 0 for types without a fixed-size encoding.
inline std::size_t dtype_size(int dtype) {
  switch (dtype) {
    case kDtUint8:
    case kDtInt8:
    case kDtBool:
      return 1;
    case kDtInt16:
    case kDtUint16:
    case kDtHalf:
    case kDtBfloat16:
      return 2;
    case kDtFloat:
    case kDtInt32:
    case kDtUint32:
      return 4;
    case kDtDouble:
    case kDtInt64:
    case kDtUint64:
      return 8;
    default:
      return 0;
  }
}

inline double half_to_double(std::uint16_t bits) {
  const double sign = (bits >> 15) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1F;
  const int mantissa = bits & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

inline double bfloat16_to_double(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

// The element at p (dtype_size(dtype) bytes, little-endian) as a double.
inline double load_element(const char* p, int dtype) {
  auto load = [p](auto value) {
    std::memcpy(&value, p, sizeof(value));  // little-endian hosts only, like the rest of tblog
    return value;
  };
  switch (dtype) {
    case kDtFloat:
      return load(float{});
    case kDtDouble:
      return load(double{});
    case kDtInt32:
      return load(std::int32_t{});
    case kDtUint8:
      return load(std::uint8_t{});
    case kDtInt16:
      return load(std::int16_t{});
    case kDtInt8:
      return load(std::int8_t{});
    case kDtInt64:
      return static_cast<double>(load(std::int64_t{}));
    case kDtBool:
      return load(std::uint8_t{}) != 0;
    case kDtBfloat16:
      return bfloat16_to_double(load(std::uint16_t{}));
    case kDtUint16:
      return load(std::uint16_t{});
    case kDtHalf:
      return half_to_double(load(std::uint16_t{}));
    case kDtUint32:
      return load(std::uint32_t{});
    case kDtUint64:
      return static_cast<double>(load(std::uint64_t{}));
    default:
      return 0;
  }
}

}  // namespace tblog::detail
