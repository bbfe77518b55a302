#pragma once
// Events' default wall time: seconds since the epoch, to the microsecond and better.
//
// clock_gettime(CLOCK_REALTIME) is 25-30 ns in a VM (a paravirtual clock, read with a
// serialising barrier) and was most of add_scalar's cost. Where the CPU has an invariant TSC,
// the time is instead extrapolated from the TSC and the last (TSC, CLOCK_REALTIME) pair that
// a writer thread took: the rate is measured between pairs at least kSyncInterval apart and
// used only when two such intervals agree, and never further than kMaxExtrapolation past
// the last pair. Everything else (no invariant TSC, not calibrated yet, a pair being
// published, a TSC behind the pair's, as on another core, or TBLOG_WALL_CLOCK=system in
// the environment) reads CLOCK_REALTIME.
#include <time.h>

#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TBLOG_HAVE_TSC 1
#endif

namespace tblog {
namespace detail {

struct alignas(64) TscWallClock {
  std::atomic<std::uint32_t> sequence{0};  // odd while a pair is being published
  std::atomic<std::uint64_t> base_tsc{0};
  std::atomic<std::int64_t> base_seconds{0};
  std::atomic<std::int64_t> base_nanoseconds{0};  // [0, 1e9)
  std::atomic<double> nanoseconds_per_tick{0.0};   // 0: not calibrated
  std::atomic<std::uint64_t> max_ticks{0};         // extrapolate no further than this
};
extern TscWallClock g_tsc_wall_clock;

inline double system_wall_clock_now() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Takes a new (TSC, CLOCK_REALTIME) pair when the last is kSyncInterval old, and publishes
// the calibration once it can be trusted. Writer threads call it as they run; it costs a
// TSC read when there is nothing to do, and never blocks.
void sync_wall_clock();

// For tests: whether the TSC is used at all (the default where the CPU allows it).
void use_tsc_wall_clock(bool use);
// For tests: whether wall_clock_now() reads the TSC right now.
bool wall_clock_reads_tsc();

}  // namespace detail

namespace detail {
// The TSC's reading of the wall time, if the published pair may be extrapolated to now.
inline bool tsc_wall_clock_now(double* seconds_since_epoch) {
#if defined(TBLOG_HAVE_TSC)
  TscWallClock& c = g_tsc_wall_clock;
  const std::uint32_t sequence = c.sequence.load(std::memory_order_acquire);
  const double rate = c.nanoseconds_per_tick.load(std::memory_order_acquire);
  const std::uint64_t base_tsc = c.base_tsc.load(std::memory_order_acquire);
  const std::int64_t seconds = c.base_seconds.load(std::memory_order_acquire);
  const std::int64_t nanoseconds = c.base_nanoseconds.load(std::memory_order_acquire);
  const std::uint64_t max_ticks = c.max_ticks.load(std::memory_order_acquire);
  if ((sequence & 1) == 0 && rate != 0.0 &&
      c.sequence.load(std::memory_order_acquire) == sequence) {
    const std::uint64_t ticks = __rdtsc() - base_tsc;  // wraps to huge if behind the pair
    if (ticks <= max_ticks) {
      *seconds_since_epoch = static_cast<double>(seconds) +
          (static_cast<double>(nanoseconds) + static_cast<double>(ticks) * rate) * 1e-9;
      return true;
    }
  }
#else
  static_cast<void>(seconds_since_epoch);
#endif
  return false;
}
}  // namespace detail

inline double wall_clock_now() {
  double now;
  return detail::tsc_wall_clock_now(&now) ? now : detail::system_wall_clock_now();
}

}  // namespace tblog
