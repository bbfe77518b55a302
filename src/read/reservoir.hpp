#pragma once
// A bounded, uniform sample of a time series that always holds its most recent point:
// TensorBoard's reservoir (what its Python loader keeps per tag), so that memory stays
// bounded however long a run grows while the latest value is always shown.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tblog::detail {

template <typename Point>
class Reservoir {
 public:
  // capacity 0 keeps every point.
  explicit Reservoir(std::size_t capacity = 0, std::uint64_t seed = 0)
      : capacity_(capacity), random_state_(seed + 0x9E3779B97F4A7C15ull) {}

  void add(Point point) {
    if (capacity_ == 0 || points_.size() < capacity_) {
      points_.push_back(std::move(point));
    } else {
      // The new point replaces a random one with probability capacity/seen, keeping the
      // sample uniform; otherwise it replaces the last, which is always the latest.
      const std::uint64_t r = next_random() % (seen_ + 1);
      if (r < capacity_) {
        points_.erase(points_.begin() + static_cast<std::ptrdiff_t>(r));
        points_.push_back(std::move(point));
      } else {
        points_.back() = std::move(point);
      }
    }
    ++seen_;
  }

  // Drops the points `keep` rejects; the count of points seen shrinks in proportion, as
  // TensorBoard estimates it, so later points are sampled as if the dropped ones never were.
  template <typename Keep>
  std::size_t keep_if(Keep keep) {
    const std::size_t before = points_.size();
    std::vector<Point> kept;
    kept.reserve(before);
    for (Point& p : points_) {
      if (keep(p)) kept.push_back(std::move(p));
    }
    points_ = std::move(kept);
    if (before != points_.size()) {
      const double remaining = before > 0 ? static_cast<double>(points_.size()) / before : 0.0;
      seen_ = static_cast<std::uint64_t>(std::llround(static_cast<double>(seen_) * remaining));
    }
    return before - points_.size();
  }

  const std::vector<Point>& points() const { return points_; }
  std::uint64_t seen() const { return seen_; }
  std::size_t capacity() const { return capacity_; }

 private:
  // splitmix64: cheap, and deterministic per series (the same logdir samples the same way).
  std::uint64_t next_random() {
    std::uint64_t z = (random_state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  std::size_t capacity_;
  std::uint64_t random_state_;
  std::uint64_t seen_ = 0;
  std::vector<Point> points_;
};

}  // namespace tblog::detail
