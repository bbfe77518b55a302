#pragma once
// tblog::Step: the step a value is recorded at, and optionally its wall time. Every add_*
// takes one, so each of them accepts a wall time as PyTorch's `walltime=` does:
//   writer.add_text("notes", text, 5);                 // step 5, wall time now
//   writer.add_text("notes", text, {5, 1.7e9});        // step 5 at that wall time
// A floating-point step does not compile: add_scalar("x", 1.5, 2.7) is almost always a
// mix-up of value and step, so it must be converted explicitly.
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "tblog/error.hpp"

namespace tblog {

class Step {
 public:
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  constexpr Step(T step) : step_(checked(step)) {}  // NOLINT: implicit on purpose
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Step(T) = delete;  // a fractional step: convert explicitly
  Step(bool) = delete;

  // wall_time: seconds since the Unix epoch (finite, not negative; checked by add_*).
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  constexpr Step(T step, double wall_time)
      : step_(checked(step)), wall_time_(wall_time), has_wall_time_(true) {}

  constexpr std::int64_t value() const { return step_; }
  constexpr operator std::int64_t() const { return step_; }  // NOLINT: reads as a number
  constexpr bool has_wall_time() const { return has_wall_time_; }
  constexpr double wall_time() const { return wall_time_; }

 private:
  template <typename T>
  static constexpr std::int64_t checked(T step) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (step > static_cast<T>(std::numeric_limits<std::int64_t>::max())) too_large(step);
    }
    return static_cast<std::int64_t>(step);
  }

  [[noreturn]] static void too_large(unsigned long long step) {
    throw Error("step " + std::to_string(step) + " does not fit in a signed 64-bit integer");
  }

  std::int64_t step_ = 0;
  double wall_time_ = 0;
  bool has_wall_time_ = false;
};

}  // namespace tblog
