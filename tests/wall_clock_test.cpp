// Events' default wall time read from the TSC: it must agree with CLOCK_REALTIME, be used
// only once calibrated and while fresh, and be off when not allowed.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "write/wall_clock.hpp"

namespace tblog {
namespace {

using detail::sync_wall_clock;
using detail::system_wall_clock_now;
using detail::use_tsc_wall_clock;
using detail::wall_clock_reads_tsc;

// Syncs as a writer thread would, until the TSC is in use or `limit` has passed.
bool calibrate(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    sync_wall_clock();
    if (wall_clock_reads_tsc()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Every reading lies between two system clock readings taken around it, give or take
// `slack` seconds (the calibration's error, and preemption between the reads).
void expect_agrees_with_system_clock(int samples, double slack) {
  for (int i = 0; i < samples; ++i) {
    const double before = system_wall_clock_now();
    const double now = wall_clock_now();
    const double after = system_wall_clock_now();
    ASSERT_GE(now, before - slack) << "sample " << i;
    ASSERT_LE(now, after + slack) << "sample " << i;
  }
}

TEST(WallClock, ReadsTheTscOnceCalibratedAndAgreesWithTheSystemClock) {
  use_tsc_wall_clock(true);
  EXPECT_FALSE(wall_clock_reads_tsc()) << "no pair has been taken yet";
  if (!calibrate(std::chrono::milliseconds(5000))) {
    GTEST_SKIP() << "this CPU has no invariant TSC (or its rate never settled): the system "
                    "clock is used";
  }
  expect_agrees_with_system_clock(200000, 1e-3);
  // Across a new pair, too.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sync_wall_clock();
  EXPECT_TRUE(wall_clock_reads_tsc());
  expect_agrees_with_system_clock(200000, 1e-3);
}

TEST(WallClock, StopsReadingTheTscWhenThePairIsTooOld) {
  use_tsc_wall_clock(true);
  if (!calibrate(std::chrono::milliseconds(5000))) GTEST_SKIP() << "no invariant TSC here";
  // No writer thread syncs for longer than the extrapolation limit (2 s).
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_FALSE(wall_clock_reads_tsc());
  expect_agrees_with_system_clock(1000, 1e-3);
  sync_wall_clock();  // the next writer thread to run brings it back
  EXPECT_TRUE(wall_clock_reads_tsc());
}

TEST(WallClock, UsesTheSystemClockWhenTheTscIsNotAllowed) {
  use_tsc_wall_clock(false);
  for (int i = 0; i < 100; ++i) {
    sync_wall_clock();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(wall_clock_reads_tsc());
  expect_agrees_with_system_clock(1000, 1e-4);
}

}  // namespace
}  // namespace tblog
