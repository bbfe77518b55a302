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

  // Returns true when the point left a replaced one behind that compact() must remove.
  bool add(Point point) {
    const std::size_t live = points_.size() - dead_count_;
    bool left_dead = false;
    if (capacity_ == 0 || live < capacity_) {
      points_.push_back(std::move(point));
      dead_.push_back(0);
    } else {
      // The new point replaces a random one with probability capacity/seen, keeping the
      // sample uniform; otherwise it replaces the last, which is always the latest. A
      // replaced point is only marked (removing it from the middle would move the rest for
      // every replacement); compact() removes the marked ones together, keeping the order.
      const std::uint64_t r = next_random() % (seen_ + 1);
      if (r < capacity_) {
        std::size_t victim;
        do {  // a uniform pick among the live points: at most half are marked
          victim = static_cast<std::size_t>(next_random() % points_.size());
        } while (dead_[victim]);
        dead_[victim] = 1;
        left_dead = dead_count_++ == 0;
        points_.push_back(std::move(point));
        dead_.push_back(0);
        if (dead_count_ >= capacity_) compact();
      } else {
        points_.back() = std::move(point);
      }
    }
    ++seen_;
    return left_dead;
  }

  // Removes the replaced points; points() is valid after it.
  void compact() {
    if (dead_count_ == 0) return;
    std::size_t out = 0;
    for (std::size_t i = 0; i < points_.size(); ++i) {
      if (dead_[i]) continue;
      if (out != i) points_[out] = std::move(points_[i]);
      ++out;
    }
    points_.resize(out);
    dead_.assign(out, 0);
    dead_count_ = 0;
  }

  // Drops the points `keep` rejects; the count of points seen shrinks in proportion, as
  // TensorBoard estimates it, so later points are sampled as if the dropped ones never were.
  template <typename Keep>
  std::size_t keep_if(Keep keep) {
    compact();
    const std::size_t before = points_.size();
    std::vector<Point> kept;
    kept.reserve(before);
    for (Point& p : points_) {
      if (keep(p)) kept.push_back(std::move(p));
    }
    points_ = std::move(kept);
    dead_.assign(points_.size(), 0);
    if (before != points_.size()) {
      const double remaining = before > 0 ? static_cast<double>(points_.size()) / before : 0.0;
      seen_ = static_cast<std::uint64_t>(std::llround(static_cast<double>(seen_) * remaining));
    }
    return before - points_.size();
  }

  // In the order they were added. Only after compact() when add() returned true.
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
  std::vector<char> dead_;  // per point: replaced, awaiting compact()
  std::size_t dead_count_ = 0;
};

}  // namespace tblog::detail
