#include "blob_key.hpp"

#include <array>
#include <charconv>

namespace tblog::data_server {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) |
                            std::uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint8_t(in[i]) << 16;
    if (rest == 2) v |= std::uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<std::uint8_t>(kAlphabet[i])] = i;
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = value[static_cast<std::uint8_t>(c)];
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  // The unused low bits of the last character must be zero: one key, one spelling.
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
  return out;
}

// Reads "<length>:" then that many bytes.
bool take_string(std::string_view& in, std::string& out) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), n);
  if (ec != std::errc() || end == in.data() + in.size() || *end != ':') return false;
  in.remove_prefix(static_cast<std::size_t>(end - in.data()) + 1);
  if (n > in.size()) return false;
  out.assign(in.data(), n);
  in.remove_prefix(n);
  return true;
}

template <typename Int>
bool take_number(std::string_view& in, Int& out, char terminator) {
  const auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), out);
  if (ec != std::errc()) return false;
  in.remove_prefix(static_cast<std::size_t>(end - in.data()));
  if (terminator == '\0') return in.empty();
  if (in.empty() || in.front() != terminator) return false;
  in.remove_prefix(1);
  return true;
}

}  // namespace

std::string encode_blob_key(const BlobKey& key) {
  const std::string plain = std::to_string(key.run.size()) + ":" + key.run +
                            std::to_string(key.tag.size()) + ":" + key.tag +
                            std::to_string(key.step) + ":" + std::to_string(key.index);
  return base64url(plain);
}

std::optional<BlobKey> decode_blob_key(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::optional<std::string> plain = unbase64url(text);
  if (!plain) return std::nullopt;
  std::string_view in(*plain);
  BlobKey key;
  if (!take_string(in, key.run) || !take_string(in, key.tag) ||
      !take_number(in, key.step, ':') || !take_number(in, key.index, '\0')) {
    return std::nullopt;
  }
  return key;
}

}  // namespace tblog::data_server
