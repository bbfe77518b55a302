// Faults and load: SIGKILL at random moments, processes and threads sharing a logdir or a
// writer, and memory over a long run.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace fs = std::filesystem;
namespace {

using test::TempDir;

// Starts the test child with `args`; its stdout comes back through *out_fd.
pid_t spawn_child(const std::vector<std::string>& args, int* out_fd) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    std::string exe = TBLOG_TEST_CHILD_PATH;
    argv.push_back(exe.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST(Reliability, SigkillAtRandomMomentsLosesNothingFlushedAndCorruptsNothing) {
  std::mt19937 rng(20261126);
  std::uniform_int_distribution<int> delay_ms(5, 400);
  int truncated_tails = 0;
  for (int round = 0; round < 50; ++round) {
    TempDir dir;
    int out_fd = -1;
    const pid_t pid = spawn_child({"kill", dir.str()}, &out_fd);
    ASSERT_GT(pid, 0);
    // Kill at a random moment of the writer's life, not before it exists.
    std::string head;
    char c;
    while (head.find("ready\n") == std::string::npos && ::read(out_fd, &c, 1) == 1) head += c;
    ASSERT_NE(head.find("ready"), std::string::npos) << "round " << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round;
    // The last flush the child finished before it died.
    std::int64_t flushed = 0;
    const std::string out = drain(out_fd);
    for (std::size_t pos = 0; (pos = out.find("flushed ", pos)) != std::string::npos; ++pos) {
      flushed = std::atoll(out.c_str() + pos + 8);
    }
    const auto files = test::event_files_in(dir.str());
    ASSERT_EQ(files.size(), 1u) << "round " << round;
    std::set<std::int64_t> steps;
    EventFileReader reader(files[0]);
    Event e;
    while (reader.next(e)) {
      for (const auto& v : e.values) {
        if (v.tag == "x") steps.insert(e.step);
      }
    }
    if (reader.problem()) {
      ASSERT_EQ(reader.problem()->kind, ReadProblem::Kind::truncated)
          << "round " << round << ": " << reader.problem()->to_string();
      ++truncated_tails;
    }
    for (std::int64_t s = 0; s < flushed; ++s) {
      ASSERT_TRUE(steps.count(s)) << "round " << round << ": step " << s << " of " << flushed
                                  << " flushed steps is missing";
    }
  }
  RecordProperty("truncated_tails", truncated_tails);
}

TEST(Reliability, FourProcessesShareALogdirWithUniqueFiles) {
  TempDir dir;
  constexpr int kProcesses = 4;
  constexpr int kEach = 100000;
  std::vector<std::pair<pid_t, int>> children;
  for (int p = 0; p < kProcesses; ++p) {
    int fd = -1;
    const pid_t pid =
        spawn_child({"write", dir.str(), "proc" + std::to_string(p), std::to_string(kEach)}, &fd);
    ASSERT_GT(pid, 0);
    children.emplace_back(pid, fd);
  }
  for (auto [pid, fd] : children) {
    drain(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const auto files = test::event_files_in(dir.str());
  EXPECT_EQ(files.size(), static_cast<std::size_t>(kProcesses));
  std::map<std::string, std::int64_t> counts;
  for (const auto& e : test::read_run_events(dir.str())) {
    for (const auto& v : e.values) ++counts[v.tag];
  }
  for (int p = 0; p < kProcesses; ++p) EXPECT_EQ(counts["proc" + std::to_string(p)], kEach);
}

TEST(Reliability, SixteenThreadsIntoOneWriter) {
  TempDir dir;
  constexpr int kThreads = 16;
  constexpr int kEach = 100000;
  {
    SummaryWriter writer(dir.str());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, t] {
        const std::string tag = "t" + std::to_string(t);
        for (int i = 0; i < kEach; ++i) writer.add_scalar(tag, i, i);
      });
    }
    for (auto& th : threads) th.join();
  }
  std::map<std::string, std::int64_t> next_step;
  std::int64_t total = 0;
  for (const auto& e : test::read_run_events(dir.str())) {
    for (const auto& v : e.values) {
      ASSERT_EQ(e.step, next_step[v.tag]++) << v.tag;  // complete and in order per thread
      ASSERT_EQ(v.simple_value, static_cast<float>(e.step));
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<std::int64_t>(kThreads) * kEach);
}

// close() racing adds on other threads: every add that returned normally is on disk, and
// every add that lost the race threw tblog::Error with ErrorCode::closed.
TEST(Reliability, CloseRacingAddsLosesNoAddThatReturned) {
  for (int round = 0; round < 40; ++round) {
    TempDir dir;
    constexpr int kThreads = 4;
    std::atomic<std::int64_t> returned{0};
    std::atomic<int> other_errors{0};
    std::atomic<bool> go{false};
    {
      WriterOptions options;
      options.max_queue = 64;  // full now and then: blocked adds race close() too
      SummaryWriter writer(dir.str(), options);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          while (!go.load()) std::this_thread::yield();
          const std::string tag = "t" + std::to_string(t);
          for (int i = 0;; ++i) {
            try {
              writer.add_scalar(tag, i, i);
              returned.fetch_add(1);
            } catch (const Error& e) {
              if (e.code() != ErrorCode::closed) other_errors.fetch_add(1);
              return;
            }
          }
        });
      }
      go.store(true);
      std::this_thread::sleep_for(std::chrono::microseconds(200 + 50 * round));
      writer.close();
      for (auto& th : threads) th.join();
      const WriterStats stats = writer.stats();
      EXPECT_EQ(stats.events_enqueued, static_cast<std::uint64_t>(returned.load()));
      EXPECT_EQ(stats.events_written, static_cast<std::uint64_t>(returned.load()));
      EXPECT_EQ(stats.events_dropped + stats.events_lost, 0u);
    }
    std::int64_t on_disk = 0;
    for (const auto& e : test::read_run_events(dir.str())) on_disk += e.values.size();
    ASSERT_EQ(on_disk, returned.load()) << "round " << round;
    ASSERT_EQ(other_errors.load(), 0);
  }
}

// stats() beside adds and flushes on other threads: never more written than enqueued, and
// no counter wraps (enqueued once read 2^64 - 1 while a flush was being pushed).
TEST(Reliability, StatsIsAConsistentSnapshotBesideFlushes) {
  TempDir dir;
  SummaryWriter writer(dir.str());
  std::atomic<bool> stop{false};
  std::atomic<int> flushes{0};
  std::thread flusher([&] {
    while (!stop.load()) {
      writer.flush();
      flushes.fetch_add(1);
    }
  });
  std::thread adder([&] {
    for (int i = 0; !stop.load(); ++i) writer.add_scalar("x", i, i);
  });
  std::uint64_t last_enqueued = 0;
  std::uint64_t last_written = 0;
  std::uint64_t snapshots = 0;
  // Until both threads have done plenty, however the two cores were shared out.
  while (flushes.load() < 200 || last_enqueued < 200000 || snapshots < 100000) {
    const WriterStats s = writer.stats();
    ASSERT_LE(s.events_written + s.events_lost, s.events_enqueued);
    ASSERT_LT(s.events_enqueued, std::uint64_t{1} << 40);  // no wrap
    ASSERT_GE(s.events_written, last_written);             // counters only grow
    ASSERT_GE(s.events_enqueued, last_enqueued);
    last_written = s.events_written;
    last_enqueued = s.events_enqueued;
    ++snapshots;
  }
  stop.store(true);
  flusher.join();
  adder.join();
  writer.close();
  const WriterStats end = writer.stats();
  EXPECT_EQ(end.events_written, end.events_enqueued);
  EXPECT_GE(end.events_enqueued, last_enqueued);
  std::uint64_t on_disk = 0;
  for (const auto& e : test::read_run_events(dir.str())) on_disk += e.values.size();
  EXPECT_EQ(on_disk, end.events_enqueued);
}

// Runs body in a forked child; the child's exit code is the test's verdict (0 = pass).
int in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(Reliability, DiskFullThenRecoveredGoesOnInANewFile) {
  TempDir dir;
  const int verdict = in_child([&] {
    ::signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG, as on a full disk
    struct rlimit limit {8192, RLIM_INFINITY};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::atomic<int> reports{0};
    std::string last_report;
    WriterOptions options;
    options.error_handler = [&](const std::string& m) {
      ++reports;
      last_report = m;
    };
    SummaryWriter writer(dir.str(), options);
    for (int i = 0; i < 1000; ++i) writer.add_scalar("x", i, i);
    int code = 0;
    try {
      writer.flush();
      code |= 1;
    } catch (const Error& e) {
      if (std::string(e.what()).find("1000 event(s) were lost") == std::string::npos) code |= 2;
    }
    if (reports.load() != 1 || last_report.find("File too large") == std::string::npos) code |= 4;
    // Still full for a while, written to all the time: lost and counted, at most one new file.
    for (int round = 0; round < 10; ++round) {
      for (int i = 0; i < 30000; ++i) writer.add_scalar("y", i, i);  // past the write threshold
      if (round % 3 == 0) {  // the last round (9) flushes too: nothing is left buffered
        try {
          writer.flush();
          code |= 32;
        } catch (const Error&) {
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (test::event_files_in(dir.str()).size() > 2) code |= 64;
    // Space again: later events go to a new file.
    limit.rlim_cur = RLIM_INFINITY;
    ::setrlimit(RLIMIT_FSIZE, &limit);
    for (int i = 1000; i < 1100; ++i) writer.add_scalar("x", i, i);
    try {
      writer.close();
    } catch (const Error&) {
      code |= 8;
    }
    if (writer.stats().events_lost != 301000 || writer.stats().events_written != 100) code |= 16;
    return code;
  });
  ASSERT_EQ(verdict, 0);
  const auto files = test::event_files_in(dir.str());
  ASSERT_EQ(files.size(), 2u);
  // The first file ends at its last complete record; the second holds the later events.
  std::vector<std::int64_t> steps;
  for (const auto& f : files) {
    EventFileReader reader(f);
    Event e;
    while (reader.next(e)) {
      for (const auto& v : e.values) steps.push_back(e.step);
    }
    EXPECT_FALSE(reader.problem().has_value()) << reader.problem()->to_string();
  }
  ASSERT_EQ(steps.size(), 100u);
  EXPECT_EQ(steps.front(), 1000);
  EXPECT_EQ(steps.back(), 1099);
}

int open_descriptors() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// add_scalars with 300 names (300 runs, 300 event files) under `ulimit -n 256`: the writer
// keeps at most max_open_files of them open, appends to a closed one when it has events
// again, and loses nothing.
TEST(Reliability, ManyAddScalarsRunsStayWithinTheOpenFileBound) {
  TempDir dir;
  constexpr int kNames = 300;
  constexpr int kSteps = 5;
  const int verdict = in_child([&] {
    struct rlimit limit {256, 256};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return 10;
    WriterOptions options;
    options.max_open_files = 16;
    std::string errors;
    options.error_handler = [&errors](const std::string& m) { errors += m + "\n"; };
    SummaryWriter writer(dir.str(), options);
    const int before = open_descriptors();
    int most = before;
    for (int step = 0; step < kSteps; ++step) {
      std::map<std::string, double> values;
      for (int n = 0; n < kNames; ++n) values["n" + std::to_string(n)] = step * 1000 + n;
      writer.add_scalars("many", values, step);
      writer.flush();
      most = std::max(most, open_descriptors());
    }
    writer.close();
    if (!errors.empty()) {
      std::fprintf(stderr, "errors: %s", errors.c_str());
      return 1;
    }
    if (most - before > 16) {
      std::fprintf(stderr, "%d descriptors open beyond the %d before\n", most - before, before);
      return 2;
    }
    const WriterStats stats = writer.stats();
    if (stats.events_written != kNames * kSteps || stats.events_lost != 0) return 3;
    return 0;
  });
  ASSERT_EQ(verdict, 0);
  for (int n = 0; n < kNames; ++n) {
    const std::string run = dir.str() + "/many_n" + std::to_string(n);
    // One file per run, appended to after each reopening: no new file per reopening.
    ASSERT_EQ(test::event_files_in(run).size(), 1u) << run;
    const auto events = test::read_run_events(run);
    std::vector<std::int64_t> steps;
    for (const auto& e : events) {
      for (const auto& v : e.values) {
        EXPECT_EQ(v.simple_value, static_cast<float>(e.step * 1000 + n));
        steps.push_back(e.step);
      }
    }
    ASSERT_EQ(steps, (std::vector<std::int64_t>{0, 1, 2, 3, 4})) << run;
  }
}

// A file closed to stay within max_open_files and then removed: the next write starts a new
// file, which describes its tags again.
TEST(Reliability, SuspendedFileRemovedGoesOnInANewDescribedFile) {
  TempDir dir;
  WriterOptions options;
  options.max_open_files = 1;
  SummaryWriter writer(dir.str(), options);
  writer.add_text("notes", "first", 0);
  writer.flush();
  writer.add_scalars("m", {{"a", 1.0}}, 0);  // the sub-run's file takes the one open slot
  writer.flush();
  const std::string first = writer.file_path();
  fs::remove(first);
  writer.add_text("notes", "second", 1);
  writer.close();
  const auto files = test::event_files_in(dir.str());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0], first);
  const auto events = test::read_run_events(dir.str());
  int described = 0;
  for (const auto& e : events) {
    for (const auto& v : e.values) {
      if (v.tag == "notes" && v.has_metadata && v.plugin_name == "text") ++described;
    }
  }
  EXPECT_EQ(described, 1);
  EXPECT_EQ(test::read_run_events(dir.str() + "/m_a").size(), 2u);  // file_version + value
}

TEST(Reliability, UnwritableFolderAtStartIsAClearError) {
  TempDir dir;
  const std::string locked = dir.str() + "/locked";
  std::filesystem::create_directories(locked);
  std::filesystem::permissions(locked, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_exec |
                                           std::filesystem::perms::group_read |
                                           std::filesystem::perms::others_read |
                                           std::filesystem::perms::group_exec |
                                           std::filesystem::perms::others_exec);
  const int verdict = in_child([&] {
    // Root ignores permissions: run as nobody when we are root.
    if (::geteuid() == 0 && ::setuid(65534) != 0) return 100;
    try {
      SummaryWriter writer(locked + "/run");
      return 1;
    } catch (const Error& e) {
      const std::string msg = e.what();
      if (msg.find(locked) == std::string::npos) return 2;
      if (msg.find("Permission denied") == std::string::npos) return 3;
      return 0;
    }
  });
  EXPECT_EQ(verdict, 0);
}

// A "Vm...:" field of /proc/self/status, in KiB; -1 when missing.
long status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + field.size());
  }
  return -1;
}
long resident_kib() { return status_kib("VmRSS:"); }
// Peak resident memory since the last reset_peak_resident(), in KiB.
long peak_resident_kib() { return status_kib("VmHWM:"); }
bool reset_peak_resident() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";  // resets VmHWM to the current resident size (Linux 4.0 and later)
  clear.flush();
  return static_cast<bool>(clear);
}

// Images added far faster than PNG encoding goes: the queue fills up to max_queue_bytes and
// the caller waits. Without the byte bound the queue (65,536 entries) would take nearly all
// of them: 200 MB here.
TEST(Reliability, PeakMemoryUnderAnImageFloodStaysWithinTheByteBound) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's quarantine and shadow memory would be measured, not the writer";
#endif
  TempDir dir;
  WriterOptions options;
  options.max_queue_bytes = 16 << 20;
  constexpr int kSide = 256;
  constexpr int kImages = 800;
  std::vector<std::uint8_t> pixels(kSide * kSide * 3);
  std::mt19937 rng(1);
  for (auto& p : pixels) p = static_cast<std::uint8_t>(rng());
  SummaryWriter writer(dir.str(), options);
  if (!reset_peak_resident()) GTEST_SKIP() << "cannot reset the peak resident size here";
  const long before = peak_resident_kib();
  for (int i = 0; i < kImages; ++i) {
    writer.add_image("noise", ImageView(pixels, ImageLayout::HWC, kSide, kSide, 3), i);
  }
  writer.close();
  const long growth_kib = peak_resident_kib() - before;
  RecordProperty("peak_growth_kib", static_cast<int>(growth_kib));
  EXPECT_EQ(writer.stats().events_written, static_cast<std::uint64_t>(kImages));
  // The bound, plus a constant: the pool's block rounding (256 KiB blocks for 192 KiB
  // images), one image in the caller's hands, the PNG being encoded and the file buffer.
  const long bound_kib = static_cast<long>(options.max_queue_bytes / 1024);
  EXPECT_LT(growth_kib, bound_kib + 24 * 1024) << "peak grew by " << growth_kib << " KiB";
}

TEST(Reliability, MemoryStaysFlatOverTenMillionEvents) {
  TempDir dir;
  SummaryWriter writer(dir.str());
  long after_first_million = 0;
  for (int i = 0; i < 10000000; ++i) {
    writer.add_scalar("loss", 1.0 / (i + 1), i);
    if (i == 999999) {
      writer.flush();
      after_first_million = resident_kib();
    }
  }
  writer.flush();
  const long after_ten_million = resident_kib();
  RecordProperty("rss_kib_after_1M", static_cast<int>(after_first_million));
  RecordProperty("rss_kib_after_10M", static_cast<int>(after_ten_million));
  // Nine million more events may not cost more than a few MiB of allocator slack.
  EXPECT_LT(after_ten_million - after_first_million, 8 * 1024)
      << after_first_million << " KiB -> " << after_ten_million << " KiB";
  EXPECT_EQ(writer.stats().events_written, 10000000u);
}

}  // namespace
}  // namespace tblog
