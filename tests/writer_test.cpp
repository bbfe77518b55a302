// SummaryWriter: files, scalars, flushing, threads, overflow and errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <thread>

#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace tblog {
namespace {

using test::TempDir;

double now_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

// Runs call, which must throw tblog::Error (invalid_argument) whose message names `name`.
template <typename Call>
void expect_invalid(Call call, const std::string& name) {
  try {
    call();
    ADD_FAILURE() << "expected tblog::Error naming " << name;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument) << e.what();
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

std::vector<const SummaryValue*> values_of(const std::vector<Event>& events, const std::string& tag,
                                           std::vector<const Event*>* owners = nullptr) {
  std::vector<const SummaryValue*> out;
  for (const auto& e : events) {
    for (const auto& v : e.values) {
      if (v.tag == tag) {
        out.push_back(&v);
        if (owners) owners->push_back(&e);
      }
    }
  }
  return out;
}

TEST(Writer, FirstRecordIsFileVersionAndOnDiskAtOnce) {
  TempDir dir;
  SummaryWriter writer(dir.str() + "/run");
  const auto files = test::event_files_in(dir.str() + "/run");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], writer.file_path());
  // Readable before any flush or close.
  const auto events = test::read_run_events(dir.str() + "/run");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].what, Event::What::file_version);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_NEAR(events[0].wall_time, now_seconds(), 60);
}

TEST(Writer, FileNamesFollowTensorFlowAndNeverCollide) {
  TempDir dir;
  SummaryWriter a(dir.str());
  SummaryWriter b(dir.str());
  WriterOptions with_suffix;
  with_suffix.filename_suffix = ".v2";
  SummaryWriter c(dir.str(), with_suffix);
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  const std::regex pattern(std::string(R"(events\.out\.tfevents\.\d{10}\.)") + host + "\\." +
                           std::to_string(::getpid()) + R"(\.\d+(\.v2)?)");
  const auto files = test::event_files_in(dir.str());
  ASSERT_EQ(files.size(), 3u);
  for (const auto& f : files) {
    EXPECT_TRUE(std::regex_match(fs::path(f).filename().string(), pattern)) << f;
  }
  EXPECT_NE(a.file_path(), b.file_path());
  EXPECT_EQ(c.file_path().substr(c.file_path().size() - 3), ".v2");
}

TEST(Writer, ScalarsRoundTripWithStepsValuesAndWallTimes) {
  TempDir dir;
  const double before = now_seconds();
  {
    SummaryWriter writer(dir.str());
    for (int step = 0; step < 10; ++step) {
      writer.add_scalar("loss", 1.0 / (step + 1), step);
      writer.add_scalar("acc/train", 0.1 * step, step);
    }
    writer.add_scalar("explicit", 2.5, 7, 1234567890.123456);
    writer.add_scalar("big_step", 1.0, std::int64_t{1} << 40);
  }  // the destructor closes
  const double after = now_seconds();
  const auto events = test::read_run_events(dir.str());
  std::vector<const Event*> owners;
  const auto loss = values_of(events, "loss", &owners);
  ASSERT_EQ(loss.size(), 10u);
  for (int step = 0; step < 10; ++step) {
    EXPECT_EQ(loss[step]->kind, SummaryValue::Kind::simple_value);
    EXPECT_EQ(loss[step]->simple_value, static_cast<float>(1.0 / (step + 1)));
    EXPECT_EQ(owners[step]->step, step);
    EXPECT_GE(owners[step]->wall_time, before - 1e-3);
    EXPECT_LE(owners[step]->wall_time, after + 1e-3);
    if (step > 0) EXPECT_GE(owners[step]->wall_time, owners[step - 1]->wall_time);
  }
  // Sub-second wall times, not whole seconds.
  EXPECT_NE(owners[0]->wall_time, std::floor(owners[0]->wall_time));
  owners.clear();
  ASSERT_EQ(values_of(events, "explicit", &owners).size(), 1u);
  EXPECT_DOUBLE_EQ(owners[0]->wall_time, 1234567890.123456);
  EXPECT_EQ(owners[0]->step, 7);
  owners.clear();
  ASSERT_EQ(values_of(events, "big_step", &owners).size(), 1u);
  EXPECT_EQ(owners[0]->step, std::int64_t{1} << 40);
}

TEST(Writer, EveryCoreKindRoundTripsThroughTheReader) {
  TempDir dir;
  std::vector<std::uint8_t> rgb(4 * 5 * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 11);
  std::vector<float> batch(3 * 4 * 5, 0.5f);
  HistogramBuckets raw;
  raw.bucket_limits = {0.0, 1.0, 2.0};
  raw.bucket_counts = {1, 2, 3};
  raw.min = -0.5;
  raw.max = 1.5;
  raw.num = 6;
  raw.sum = 4;
  raw.sum_squares = 7;
  {
    SummaryWriter writer(dir.str());
    writer.add_text("notes", "hello **markdown**", 3);
    writer.add_histogram("weights", std::vector<double>{-1.0, 0.0, 0.5, 0.5, 2.0}, 4);
    writer.add_histogram_raw("raw", raw, 5);
    writer.add_image("rgb", ImageView(rgb, ImageLayout::HWC, 4, 5, 3), 6);
    writer.add_images("batch", ImageBatchView(batch, BatchLayout::NCHW, 3, 4, 5, 1), 7);
  }
  std::map<std::string, std::pair<const Event*, const SummaryValue*>> seen;
  const auto events = test::read_run_events(dir.str());
  for (const auto& e : events) {
    for (const auto& v : e.values) seen[v.tag] = {&e, &v};
  }
  ASSERT_EQ(seen.size(), 5u);
  const SummaryValue& text = *seen["notes"].second;
  EXPECT_EQ(seen["notes"].first->step, 3);
  EXPECT_EQ(text.plugin_name, "text");
  ASSERT_EQ(text.tensor.string_val.size(), 1u);
  EXPECT_EQ(text.tensor.string_val[0], "hello **markdown**");
  const SummaryValue& hist = *seen["weights"].second;
  EXPECT_EQ(hist.kind, SummaryValue::Kind::histogram);
  EXPECT_EQ(hist.histogram.num, 5);
  EXPECT_EQ(hist.histogram.min, -1.0);
  EXPECT_EQ(hist.histogram.max, 2.0);
  EXPECT_DOUBLE_EQ(hist.histogram.sum, 2.0);
  double counted = 0;
  for (double c : hist.histogram.bucket_counts) counted += c;
  EXPECT_EQ(counted, 5);
  const SummaryValue& r = *seen["raw"].second;
  EXPECT_EQ(r.histogram.bucket_limits, raw.bucket_limits);
  EXPECT_EQ(r.histogram.bucket_counts, raw.bucket_counts);
  EXPECT_EQ(r.histogram.sum_squares, 7);
  const SummaryValue& img = *seen["rgb"].second;
  EXPECT_EQ(img.kind, SummaryValue::Kind::image);
  EXPECT_EQ(img.image.height, 4);
  EXPECT_EQ(img.image.width, 5);
  EXPECT_EQ(img.image.colorspace, 3);
  EXPECT_EQ(img.image.encoded.substr(1, 3), "PNG");
  const SummaryValue& grid = *seen["batch"].second;
  EXPECT_EQ(grid.image.height, 4);
  EXPECT_EQ(grid.image.width, 15);  // three images side by side
  EXPECT_EQ(grid.image.colorspace, 1);
}

TEST(Writer, NonFiniteScalarsAreWrittenAsTheyAre) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    writer.add_scalar("nan", std::numeric_limits<double>::quiet_NaN(), 0);
    writer.add_scalar("inf", std::numeric_limits<double>::infinity(), 0);
    writer.add_scalar("ninf", -std::numeric_limits<double>::infinity(), 0);
  }
  const auto events = test::read_run_events(dir.str());
  EXPECT_TRUE(std::isnan(values_of(events, "nan").at(0)->simple_value));
  EXPECT_EQ(values_of(events, "inf").at(0)->simple_value, std::numeric_limits<float>::infinity());
  EXPECT_EQ(values_of(events, "ninf").at(0)->simple_value, -std::numeric_limits<float>::infinity());
}

TEST(Writer, AddScalarsMakesOneRunPerNameAsPyTorchDoes) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    for (int step = 0; step < 5; ++step) {
      writer.add_scalars("multi/x", {{"sin", std::sin(step)}, {"cos", std::cos(step)}}, step);
    }
  }
  const auto runs = find_runs(dir.str());
  std::vector<std::string> names;
  for (const auto& r : runs) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{".", "multi_x_cos", "multi_x_sin"}));
  const auto sin_events = test::read_run_events(dir.str() + "/multi_x_sin");
  const auto sin_values = values_of(sin_events, "multi/x");
  ASSERT_EQ(sin_values.size(), 5u);
  for (int step = 0; step < 5; ++step) {
    EXPECT_EQ(sin_values[step]->simple_value, static_cast<float>(std::sin(step)));
  }
  EXPECT_EQ(values_of(test::read_run_events(dir.str() + "/multi_x_cos"), "multi/x").size(), 5u);
}

TEST(Writer, AddScalarsNamesStayInsideTheLogdir) {
  TempDir dir;
  const std::string logdir = dir.str() + "/log";
  {
    SummaryWriter writer(logdir);
    const std::vector<std::string> bad = {"/../../x", "a/../..", "a/../../..",
                                          "a//b",     "a/.",     std::string("a\0b", 3)};
    for (const std::string& name : bad) {
      expect_invalid([&] { writer.add_scalars("m", {{"ok", 1.0}, {name, 2.0}}, 1); }, "add_scalars");
    }
    writer.add_scalars("m", {{"ok", 3.0}}, 2);
    writer.flush();
  }
  std::vector<std::string> outside;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    outside.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(outside, std::vector<std::string>{"log"});
  const auto runs = find_runs(logdir);
  std::vector<std::string> names;
  for (const auto& r : runs) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{".", "m_ok"}));
  const auto events = test::read_run_events(logdir + "/m_ok");
  const auto ok = values_of(events, "m");
  ASSERT_EQ(ok.size(), 1u);  // nothing of the rejected calls, though "ok" came first in them
  EXPECT_EQ(ok[0]->simple_value, 3.0f);
}

TEST(Writer, FlushPutsEverythingOnDiskWithoutClosing) {
  TempDir dir;
  WriterOptions options;
  options.flush_secs = 3600;  // only flush() can make these visible
  SummaryWriter writer(dir.str(), options);
  for (int i = 0; i < 1000; ++i) writer.add_scalar("x", i, i);
  writer.flush();
  EXPECT_EQ(values_of(test::read_run_events(dir.str()), "x").size(), 1000u);
  EXPECT_EQ(writer.stats().events_written, 1000u);
  EXPECT_EQ(writer.stats().events_enqueued, 1000u);
}

TEST(Writer, PeriodicFlushMakesDataVisibleWithinTheInterval) {
  TempDir dir;
  WriterOptions options;
  options.flush_secs = 0.05;
  SummaryWriter writer(dir.str(), options);
  writer.add_scalar("live", 1.0, 1);
  // Visible without flush() or close(); the deadline is generous, the interval is 50 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t seen = 0;
  while (seen == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    seen = values_of(test::read_run_events(dir.str()), "live").size();
  }
  EXPECT_EQ(seen, 1u);
}

TEST(Writer, CloseDoesNotWaitForASleepingTimer) {
  TempDir dir;
  WriterOptions options;
  options.flush_secs = kMaxFlushSecs;  // a close that waited for the timer would hang this test
  SummaryWriter writer(dir.str(), options);
  writer.add_scalar("x", 1, 1);
  writer.close();
  EXPECT_EQ(values_of(test::read_run_events(dir.str()), "x").size(), 1u);
  EXPECT_THROW(writer.add_scalar("x", 2, 2), Error);
  writer.close();  // closing twice is harmless
}

TEST(Writer, ConcurrentThreadsLoseAndTearNothing) {
  TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  WriterOptions options;
  options.max_queue = 1024;  // small, so threads also block on a full queue
  {
    SummaryWriter writer(dir.str(), options);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, t] {
        const std::string tag = "thread" + std::to_string(t);
        for (int i = 0; i < kPerThread; ++i) {
          writer.add_scalar(tag, t * 1000000.0 + i, i);
          if (i % 5000 == 0) writer.add_text(tag + "/text", "note " + std::to_string(i), i);
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(writer.stats().events_dropped, 0u);
  }
  const auto events = test::read_run_events(dir.str());
  for (int t = 0; t < kThreads; ++t) {
    std::vector<const Event*> owners;
    const auto values = values_of(events, "thread" + std::to_string(t), &owners);
    ASSERT_EQ(values.size(), static_cast<std::size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      ASSERT_EQ(owners[i]->step, i);  // one thread's events stay in its order
      ASSERT_EQ(values[i]->simple_value, static_cast<float>(t * 1000000.0 + i));
    }
    EXPECT_EQ(values_of(events, "thread" + std::to_string(t) + "/text").size(), 4u);
  }
}

TEST(Writer, DropPolicyCountsWhatItDrops) {
  TempDir dir;
  WriterOptions options;
  options.max_queue = 4;
  options.overflow = OverflowPolicy::drop;
  std::uint64_t dropped = 0;
  {
    SummaryWriter writer(dir.str(), options);
    for (int i = 0; i < 100000; ++i) writer.add_scalar("x", i, i);
    writer.flush();
    const WriterStats s = writer.stats();
    dropped = s.events_dropped;
    EXPECT_EQ(s.events_enqueued + s.events_dropped, 100000u);
    EXPECT_EQ(s.events_written, s.events_enqueued);
  }
  EXPECT_EQ(values_of(test::read_run_events(dir.str()), "x").size(), 100000u - dropped);
}

// The byte bound applies when it is reached before max_queue: images dropped under the drop
// policy are counted, the rest are written, and no bytes stay counted once all is written.
TEST(Writer, ByteBoundAppliesBeforeTheEntryBound) {
  TempDir dir;
  WriterOptions options;
  options.max_queue_bytes = 1 << 20;  // five 256 x 256 x 3 images; max_queue holds 65,536
  options.overflow = OverflowPolicy::drop;
  std::vector<std::uint8_t> pixels(256 * 256 * 3, 7);
  constexpr int kImages = 300;
  {
    SummaryWriter writer(dir.str(), options);
    for (int i = 0; i < kImages; ++i) {
      writer.add_image("img", ImageView(pixels, ImageLayout::HWC, 256, 256, 3), i);
      EXPECT_LE(writer.stats().queued_bytes, options.max_queue_bytes);
    }
    writer.flush();
    const WriterStats s = writer.stats();
    EXPECT_GT(s.events_dropped, 0u);
    EXPECT_EQ(s.events_enqueued + s.events_dropped, static_cast<std::uint64_t>(kImages));
    EXPECT_EQ(s.events_written, s.events_enqueued);
    EXPECT_EQ(s.queued_bytes, 0u);
    const auto images = values_of(test::read_run_events(dir.str()), "img");
    EXPECT_EQ(images.size(), s.events_written);
  }
}

// A value larger than the whole byte bound still goes through (alone), under either policy.
TEST(Writer, ValueLargerThanTheByteBoundIsWritten) {
  for (OverflowPolicy policy : {OverflowPolicy::block, OverflowPolicy::drop}) {
    TempDir dir;
    WriterOptions options;
    options.max_queue_bytes = 1024;
    options.overflow = policy;
    std::vector<std::uint8_t> pixels(64 * 64 * 3, 9);
    {
      SummaryWriter writer(dir.str(), options);
      writer.add_image("big", ImageView(pixels, ImageLayout::HWC, 64, 64, 3), 0);
      writer.flush();
      writer.add_image("big", ImageView(pixels, ImageLayout::HWC, 64, 64, 3), 1);
      writer.close();
      EXPECT_EQ(writer.stats().events_written, 2u);
      EXPECT_EQ(writer.stats().events_dropped, 0u);
    }
    EXPECT_EQ(values_of(test::read_run_events(dir.str()), "big").size(), 2u);
  }
}

// With encoder threads, images are encoded beside the writer thread, yet the file holds the
// same events in the same order as with none: scalars, text and images interleaved, several
// image tags, metadata on each tag's first value only. flush() waits for what the encoders hold.
TEST(Writer, EncoderThreadsKeepTheOrderAndTheBytes) {
  struct Seen {
    std::int64_t step;
    std::string tag;
    bool has_metadata;
    float scalar;
    std::string png;
    bool operator==(const Seen& o) const {
      return step == o.step && tag == o.tag && has_metadata == o.has_metadata &&
             scalar == o.scalar && png == o.png;
    }
  };
  const auto run = [](std::size_t encoder_threads, const std::string& dir) {
    WriterOptions options;
    options.encoder_threads = encoder_threads;
    SummaryWriter writer(dir, options);
    std::vector<std::uint8_t> pixels(48 * 40 * 3);
    for (int step = 0; step < 60; ++step) {
      for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>(i * 31 + step * 7 + (i / 97) * step);
      }
      const Step at(step, 1.7e9 + step);  // fixed wall times: comparable runs
      writer.add_scalar("loss", 1.0 / (step + 1), at);
      writer.add_image("a", ImageView(pixels, ImageLayout::HWC, 48, 40, 3), at);
      writer.add_text("note", "step " + std::to_string(step), at);
      writer.add_image("b/c", ImageView(pixels, ImageLayout::HWC, 40, 48, 3), at);
      if (step % 20 == 19) {
        writer.flush();
        // Everything added so far is on disk.
        const auto events = test::read_run_events(dir);
        EXPECT_EQ(values_of(events, "b/c").size(), static_cast<std::size_t>(step + 1));
      }
    }
    writer.close();
    std::vector<Seen> seen;
    for (const auto& e : test::read_run_events(dir)) {
      for (const auto& v : e.values) {
        seen.push_back({e.step, v.tag, v.has_metadata, v.simple_value, v.image.encoded});
      }
    }
    return seen;
  };
  TempDir serial;
  TempDir parallel;
  const std::vector<Seen> expected = run(0, serial.str());
  ASSERT_EQ(expected.size(), 240u);
  const std::vector<Seen> got = run(3, parallel.str());
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(got[i] == expected[i]) << "event " << i << ": " << got[i].tag << " at step "
                                       << got[i].step << ", expected " << expected[i].tag
                                       << " at step " << expected[i].step;
  }
}

TEST(Writer, BadArgumentsThrowAndTheWriterCarriesOn) {
  TempDir dir;
  SummaryWriter writer(dir.str());
  EXPECT_THROW(writer.add_scalar("", 1, 1), Error);
  EXPECT_THROW(writer.add_scalar("neg", 1, -1), Error);
  EXPECT_THROW(writer.add_scalar("///", 1, 1), Error);
  EXPECT_THROW(writer.add_scalars("m", {{"", 1.0}}, 1), Error);
  EXPECT_THROW(writer.add_text("", "text", 1), Error);
  std::vector<std::uint8_t> pixels(12);
  EXPECT_THROW(writer.add_image("img", ImageView(pixels, ImageLayout::HWC, 0, 4, 3), 1), Error);
  EXPECT_THROW(writer.add_image("img", ImageView(pixels, ImageLayout::HWC, 2, 2, 2), 1), Error);
  EXPECT_THROW(writer.add_image("img", ImageView(pixels, ImageLayout::HWC, 2, 3, 3), 1), Error);
  try {
    writer.add_scalar("", 1, 1);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tag"), std::string::npos) << e.what();
  }
  writer.add_scalar("good", 1, 1);
  writer.close();
  const auto events = test::read_run_events(dir.str());
  EXPECT_EQ(values_of(events, "good").size(), 1u);
  EXPECT_EQ(events.size(), 2u);  // file_version + the good scalar: nothing of the bad calls
}

TEST(Writer, BadOptionsThrowNamingTheOptionAndWriteNothing) {
  TempDir dir;
  const auto with = [&](auto set) {
    return [&dir, set] {
      WriterOptions options;
      set(options);
      SummaryWriter writer(dir.str(), options);
    };
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t q : {std::size_t{0}, kMaxQueueLimit + 1, std::size_t{1} << 40,
                        std::numeric_limits<std::size_t>::max()}) {
    expect_invalid(with([q](WriterOptions& o) { o.max_queue = q; }), "max_queue");
  }
  for (double secs : {0.0, -1.0, std::nan(""), inf, -inf, 1e300, kMaxFlushSecs * 2}) {
    expect_invalid(with([secs](WriterOptions& o) { o.flush_secs = secs; }), "flush_secs");
  }
  for (int level : {-1, 10}) {
    expect_invalid(with([level](WriterOptions& o) { o.png_compression_level = level; }),
                   "png_compression_level");
  }
  expect_invalid(with([](WriterOptions& o) { o.purge_step = -1; }), "purge_step");
  expect_invalid(with([](WriterOptions& o) { o.max_queue_bytes = 0; }), "max_queue_bytes");
  expect_invalid(with([](WriterOptions& o) { o.max_open_files = 0; }), "max_open_files");
  expect_invalid(with([](WriterOptions& o) { o.encoder_threads = kMaxEncoderThreads + 1; }),
                 "encoder_threads");
  expect_invalid(with([](WriterOptions& o) { o.overflow = static_cast<OverflowPolicy>(7); }),
                 "overflow");
  for (const std::string suffix : {std::string("/../../x"), std::string("a/b"), std::string("a\0b", 3)}) {
    expect_invalid(with([suffix](WriterOptions& o) { o.filename_suffix = suffix; }),
                   "filename_suffix");
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "a rejected writer created a file";

  WriterOptions edge;  // the queue's ring is touched only as it is used: its bound is cheap
  edge.flush_secs = kMaxFlushSecs;
  edge.max_queue = kMaxQueueLimit;
  edge.max_queue_bytes = std::numeric_limits<std::size_t>::max();
  {
    SummaryWriter writer(dir.str(), edge);
    writer.add_scalar("good", 1, 1);
  }
  EXPECT_EQ(values_of(test::read_run_events(dir.str()), "good").size(), 1u);
}

TEST(Writer, InvalidTagsAreCleanedWithOneWarningEach) {
  TempDir dir;
  std::vector<std::string> messages;
  std::mutex mu;
  WriterOptions options;
  options.error_handler = [&](const std::string& m) {
    std::lock_guard<std::mutex> lock(mu);
    messages.push_back(m);
  };
  {
    SummaryWriter writer(dir.str(), options);
    for (int i = 0; i < 3; ++i) writer.add_scalar("bad tag:1", i, i);
  }
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("bad_tag_1"), std::string::npos) << messages[0];
  EXPECT_EQ(values_of(test::read_run_events(dir.str()), "bad_tag_1").size(), 3u);
}

TEST(Writer, UnusableLogdirThrowsWithPathAndReason) {
  TempDir dir;
  const std::string file = dir.str() + "/plain_file";
  test::write_file(file, "x");
  try {
    SummaryWriter writer(file);
    FAIL() << "expected tblog::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    EXPECT_NE(msg.find("Not a directory"), std::string::npos) << msg;
  }
  try {
    SummaryWriter writer(file + "/below");
    FAIL() << "expected tblog::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
  EXPECT_THROW(SummaryWriter(""), Error);
  EXPECT_THROW(SummaryWriter("/proc/tblog-cannot-exist/run"), Error);
}

// In a child process: file size limited so writes fail with EFBIG, as on a full disk.
TEST(Writer, WriteErrorsAreReportedOnceCountedAndThrownByFlush) {
  TempDir dir;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int code = 0;
    std::atomic<int> reports{0};
    WriterOptions options;
    options.error_handler = [&](const std::string&) { ++reports; };
    SummaryWriter writer(dir.str(), options);
    for (int i = 0; i < 2000; ++i) writer.add_scalar("x", i, i);  // ~80 KB: past the limit
    try {
      writer.flush();
      code |= 1;  // should have thrown
    } catch (const Error& e) {
      if (std::string(e.what()).find("lost") == std::string::npos) code |= 2;
    }
    for (int i = 0; i < 2000; ++i) writer.add_scalar("x", i, i);
    try {
      writer.flush();
      code |= 4;
    } catch (const Error&) {
    }
    if (reports.load() != 1) code |= 8;
    if (writer.stats().events_lost == 0) code |= 16;
    try {
      writer.close();
    } catch (const Error&) {
      code |= 32;  // nothing new was lost since the last flush
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // Every file left ends at a complete record.
  for (const auto& f : test::event_files_in(dir.str())) {
    RecordReader reader(f);
    std::string_view data;
    while (reader.next(data)) {
    }
    EXPECT_FALSE(reader.problem().has_value()) << reader.problem()->to_string();
  }
}

TEST(Writer, ARemovedEventFileIsReplaced) {
  TempDir dir;
  WriterOptions options;
  options.flush_secs = 3600;
  SummaryWriter writer(dir.str(), options);
  writer.add_scalar("x", 1, 1);
  writer.flush();
  fs::remove_all(dir.path());
  writer.add_scalar("x", 2, 2);
  writer.flush();
  const auto events = test::read_run_events(dir.str());
  const auto values = values_of(events, "x");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0]->simple_value, 2.0f);
}

}  // namespace
// A writer inherited across fork(): its thread exists only in the parent. The child gets a
// clear error from every call instead of a flush() that waits for ever, and its destructor
// neither hangs nor throws; the parent's writer goes on. The child reports by exit code.
TEST(Writer, AWriterInheritedAcrossForkIsClosedInTheChild) {
  TempDir dir;
  auto writer = std::make_unique<SummaryWriter>(dir.str());
  writer->add_scalar("x", 0, 0);
  writer->flush();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::alarm(20);  // a hang fails the test (SIGALRM) instead of blocking it
    int code = 0;
    int bit = 1;
    auto expect_closed = [&](const std::function<void()>& call) {
      try {
        call();
        code |= bit;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::closed ||
            std::string(e.what()).find("fork()") == std::string::npos) {
          code |= bit;
        }
      } catch (...) {
        code |= bit;
      }
      bit <<= 1;
    };
    expect_closed([&] { writer->add_scalar("x", 1, 1); });
    expect_closed([&] { writer->add_text("t", "child", 1); });
    expect_closed([&] { writer->flush(); });
    expect_closed([&] { writer->close(); });
    expect_closed([&] { static_cast<void>(writer->file_path()); });
    try {
      writer.reset();  // must neither hang nor throw
    } catch (...) {
      code |= 32;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);

  writer->add_scalar("x", 1, 1);
  writer->flush();
  writer->close();
  const auto files = test::event_files_in(dir.str());
  ASSERT_EQ(files.size(), 1u);
  EventFileReader reader(files[0]);
  Event e;
  std::vector<std::int64_t> steps;
  while (reader.next(e)) {
    if (!e.values.empty()) steps.push_back(e.step);
  }
  EXPECT_EQ(steps, (std::vector<std::int64_t>{0, 1}));
}

}  // namespace tblog
