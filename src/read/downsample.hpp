#pragma once
// Which of a series' points an answer of at most k points holds: min(k, n) of them, in
// order, spread evenly, and always the last one (the latest value is what a chart ends on).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tblog::detail {

inline std::vector<std::size_t> downsample_indices(std::size_t n, std::int64_t k) {
  std::vector<std::size_t> out;
  if (k <= 0 || n == 0) return out;
  const auto wanted = static_cast<std::uint64_t>(k);
  if (wanted >= n) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = i;
    return out;
  }
  out.reserve(static_cast<std::size_t>(wanted));
  // k - 1 points spread over the first n - 1 (distinct: their spacing is above 1), then the last.
  for (std::uint64_t j = 0; j + 1 < wanted; ++j) {
    out.push_back(static_cast<std::size_t>(j * (n - 1) / (wanted - 1)));
  }
  out.push_back(n - 1);
  return out;
}

}  // namespace tblog::detail
