#include "write/wall_clock.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(TBLOG_HAVE_TSC)
#include <cpuid.h>
#endif

namespace tblog::detail {

TscWallClock g_tsc_wall_clock;

#if defined(TBLOG_HAVE_TSC)
namespace {

// Pairs closer than this measure the rate too coarsely (a pair is exact to some 20 ns).
constexpr std::int64_t kSyncIntervalNs = 250'000'000;
constexpr double kMaxExtrapolationNs = 2e9;
// Two consecutive intervals' rates must agree this closely: a step of the system clock, or
// a stall between the two reads of a pair, shows as a disagreement.
constexpr double kRateTolerance = 2e-5;
// A pair whose two TSC reads are further apart than this was interrupted.
constexpr std::uint64_t kMaxPairTicks = 200'000;

bool cpu_has_invariant_tsc() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(0x80000000u, &a, &b, &c, &d) == 0 || a < 0x80000007u) return false;
  if (__get_cpuid(0x80000007u, &a, &b, &c, &d) == 0) return false;
  return (d & (1u << 8)) != 0;
}

bool environment_allows_tsc() {
  const char* choice = std::getenv("TBLOG_WALL_CLOCK");
  return choice == nullptr || std::strcmp(choice, "system") != 0;
}

struct Calibration {
  std::mutex mu;
  bool allowed = cpu_has_invariant_tsc() && environment_allows_tsc();
  bool have_pair = false;
  std::uint64_t pair_tsc = 0;
  std::int64_t pair_ns = 0;
  double last_rate = 0.0;  // of the interval before the pair, 0 if none
  std::uint64_t interval_ticks = 0;  // kSyncIntervalNs in ticks, once a rate is known
};

Calibration& calibration() {
  static Calibration c;
  return c;
}

void publish(std::uint64_t tsc, std::int64_t ns, double rate) {
  TscWallClock& c = g_tsc_wall_clock;
  const std::uint32_t sequence = c.sequence.load(std::memory_order_relaxed);
  c.sequence.store(sequence + 1, std::memory_order_release);
  c.base_tsc.store(tsc, std::memory_order_release);
  c.base_seconds.store(ns / 1'000'000'000, std::memory_order_release);
  c.base_nanoseconds.store(ns % 1'000'000'000, std::memory_order_release);
  c.nanoseconds_per_tick.store(rate, std::memory_order_release);
  c.max_ticks.store(rate > 0 ? static_cast<std::uint64_t>(kMaxExtrapolationNs / rate) : 0,
                    std::memory_order_release);
  c.sequence.store(sequence + 2, std::memory_order_release);
}

}  // namespace

void sync_wall_clock() {
  Calibration& cal = calibration();
  std::unique_lock<std::mutex> lock(cal.mu, std::try_to_lock);
  if (!lock.owns_lock() || !cal.allowed) return;
  if (cal.interval_ticks != 0 && __rdtsc() - cal.pair_tsc < cal.interval_ticks) return;

  timespec ts;
  const std::uint64_t before = __rdtsc();
  ::clock_gettime(CLOCK_REALTIME, &ts);
  const std::uint64_t after = __rdtsc();
  if (after - before > kMaxPairTicks) return;
  const std::uint64_t tsc = before + (after - before) / 2;
  const std::int64_t ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  if (!cal.have_pair) {
    cal.have_pair = true;
    cal.pair_tsc = tsc;
    cal.pair_ns = ns;
    return;
  }
  const std::int64_t elapsed_ns = ns - cal.pair_ns;
  if (elapsed_ns >= 0 && elapsed_ns < kSyncIntervalNs) return;
  const std::uint64_t elapsed_ticks = tsc - cal.pair_tsc;
  const double rate = elapsed_ns > 0 && elapsed_ticks > 0 && elapsed_ticks < (std::uint64_t{1} << 62)
                          ? static_cast<double>(elapsed_ns) / static_cast<double>(elapsed_ticks)
                          : 0.0;
  const bool agrees = rate > 0 && cal.last_rate > 0 &&
                      rate > cal.last_rate * (1 - kRateTolerance) &&
                      rate < cal.last_rate * (1 + kRateTolerance);
  publish(tsc, ns, agrees ? rate : 0.0);
  cal.pair_tsc = tsc;
  cal.pair_ns = ns;
  cal.last_rate = rate;
  cal.interval_ticks = rate > 0 ? static_cast<std::uint64_t>(kSyncIntervalNs / rate) : 0;
}

void use_tsc_wall_clock(bool use) {
  Calibration& cal = calibration();
  std::lock_guard<std::mutex> lock(cal.mu);
  cal.allowed = use && cpu_has_invariant_tsc();
  cal.have_pair = false;
  cal.last_rate = 0.0;
  cal.interval_ticks = 0;
  publish(0, 0, 0.0);
}

#else

void sync_wall_clock() {}
void use_tsc_wall_clock(bool) {}

#endif

bool wall_clock_reads_tsc() {
  double now;
  return tsc_wall_clock_now(&now);
}

}  // namespace tblog::detail
