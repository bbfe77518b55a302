// The loader behind `tblog serve`, without the server: reservoirs, downsampling, sampling
// options, the data classes it gives the golden logdirs' series, and reloads racing reads.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "read/downsample.hpp"
#include "read/logdir_loader.hpp"
#include "read/reservoir.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using detail::DataClass;

TEST(Reservoir, KeepsCapacityPointsInOrderAndAlwaysTheLatest) {
  detail::Reservoir<int> r(10, 7);
  for (int i = 0; i < 10000; ++i) {
    if (r.add(i)) r.compact();
  }
  r.compact();
  ASSERT_EQ(r.points().size(), 10u);
  EXPECT_EQ(r.points().back(), 9999);
  EXPECT_TRUE(std::is_sorted(r.points().begin(), r.points().end()));
  EXPECT_EQ(r.seen(), 10000u);
}

TEST(Reservoir, SamplesUniformly) {
  // Over many series, each tenth of the input holds about a tenth of the kept points.
  std::vector<int> per_tenth(10, 0);
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    detail::Reservoir<int> r(20, seed);
    for (int i = 0; i < 1000; ++i) r.add(i);
    r.compact();
    for (std::size_t j = 0; j + 1 < r.points().size(); ++j) ++per_tenth[r.points()[j] / 100];
  }
  for (int count : per_tenth) EXPECT_NEAR(count, 200 * 19 / 10, 200 * 19 / 10 / 4);
}

TEST(Reservoir, KeepIfShrinksTheCountSeenInProportion) {
  detail::Reservoir<int> r;  // keeps all
  for (int i = 0; i < 100; ++i) r.add(i);
  EXPECT_EQ(r.keep_if([](int v) { return v < 25; }), 75u);
  EXPECT_EQ(r.points().size(), 25u);
  EXPECT_EQ(r.seen(), 25u);
}

TEST(Downsample, MinOfKAndNEndingOnTheLast) {
  EXPECT_TRUE(detail::downsample_indices(10, 0).empty());
  EXPECT_TRUE(detail::downsample_indices(0, 5).empty());
  EXPECT_EQ(detail::downsample_indices(10, 1), std::vector<std::size_t>{9});
  EXPECT_EQ(detail::downsample_indices(3, 10), (std::vector<std::size_t>{0, 1, 2}));
  const auto four = detail::downsample_indices(10, 4);
  EXPECT_EQ(four, (std::vector<std::size_t>{0, 3, 6, 9}));
  const auto many = detail::downsample_indices(1000, 999);
  ASSERT_EQ(many.size(), 999u);
  EXPECT_EQ(many.back(), 999u);
  for (std::size_t i = 1; i < many.size(); ++i) EXPECT_LT(many[i - 1], many[i]);
}

TEST(SamplingPolicy, PerPluginCountsOverrideTheDataClassDefaults) {
  detail::SamplingPolicy p;
  p.apply("scalars=5,images=all,,text=3");
  EXPECT_EQ(p.capacity("scalars", DataClass::scalar), 5u);
  EXPECT_EQ(p.capacity("images", DataClass::blob_sequence), 0u);
  EXPECT_EQ(p.capacity("audio", DataClass::blob_sequence), 10u);
  EXPECT_EQ(p.capacity("histograms", DataClass::tensor), 100u);
  EXPECT_EQ(p.capacity("text", DataClass::tensor), 3u);
  for (const char* bad : {"images", "=3", "images=0", "images=x", "images=-1", "a=1=2"}) {
    EXPECT_THROW(p.apply(bad), Error) << bad;
  }
}

TEST(LogdirLoader, GivesTheGoldenSeriesTensorBoardsDataClasses) {
  detail::LogdirLoaderOptions options;
  options.logdir = test::golden_dir() + "/torch";
  options.print_problems = false;
  detail::LogdirLoader loader(options);
  loader.reload();
  EXPECT_TRUE(loader.problems().empty());
  const auto main = loader.run("main");
  ASSERT_TRUE(main);
  const auto lock = main->lock_shared();
  std::map<std::string, std::pair<std::string, DataClass>> got;
  for (const auto& [tag, s] : main->series()) got[tag] = {s.metadata().plugin_name, s.data_class()};
  const std::map<std::string, std::pair<std::string, DataClass>> expected = {
      {"__run_graph__", {"graphs", DataClass::blob_sequence}},
      {"acc/train", {"scalars", DataClass::scalar}},
      {"audio/tone", {"audio", DataClass::blob_sequence}},
      {"custom_scalars__config__", {"custom_scalars", DataClass::tensor}},
      {"hist/raw", {"histograms", DataClass::tensor}},
      {"img/batch", {"images", DataClass::blob_sequence}},
      {"img/single", {"images", DataClass::blob_sequence}},
      {"loss", {"scalars", DataClass::scalar}},
      {"mesh_COLOR", {"mesh", DataClass::tensor}},
      {"mesh_FACE", {"mesh", DataClass::tensor}},
      {"mesh_VERTEX", {"mesh", DataClass::tensor}},
      {"note/text_summary", {"text", DataClass::tensor}},
      {"pr", {"pr_curves", DataClass::tensor}},
      {"step1", {"graph_tagged_run_metadata", DataClass::blob_sequence}},
  };
  EXPECT_EQ(got, expected);
  // Legacy scalars: the tag as display name, as TensorBoard converts them.
  EXPECT_EQ(main->series().find("loss")->second.metadata().display_name, "loss");
  EXPECT_EQ(main->series().find("loss")->second.scalars().size(), 10u);
  EXPECT_EQ(main->series().find("img/single")->second.max_length(), 3);
}

// Reloads (with a writer appending) while other threads read every series: what a server
// does. Run under ThreadSanitizer by scripts/run_reliability.sh.
TEST(LogdirLoader, ReadersSeeConsistentSeriesWhileReloadsRun) {
  test::TempDir dir;
  detail::LogdirLoaderOptions options;
  options.logdir = dir.str();
  options.sampling.scalars = 50;
  options.print_problems = false;
  detail::LogdirLoader loader(options);
  std::atomic<bool> done{false};
  std::atomic<long> reads{0};
  auto reader = [&] {
    while (!done) {
      for (const auto& run : loader.runs()) {
        const auto lock = run->lock_shared();
        for (const auto& [tag, s] : run->series()) {
          const auto& points = s.scalars();
          if (points.size() > 50) ADD_FAILURE() << "reservoir over capacity";
          for (std::size_t i = 1; i < points.size(); ++i) {
            if (points[i - 1].step >= points[i].step) ADD_FAILURE() << "out of order";
          }
          if (!points.empty() && points.back().step != s.max_step()) {
            ADD_FAILURE() << "latest point missing";
          }
        }
      }
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader);
  {
    SummaryWriter a(dir.str() + "/a");
    SummaryWriter b(dir.str() + "/b");
    for (int step = 0; step < 2000; ++step) {
      a.add_scalar("x", step, step);
      b.add_scalar("y", -step, step);
      if (step % 100 == 99) {
        a.flush();
        b.flush();
        loader.reload();
      }
    }
  }
  loader.reload();
  done = true;
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 0);
  const auto a = loader.run("a");
  ASSERT_TRUE(a);
  const auto lock = a->lock_shared();
  EXPECT_EQ(a->series().find("x")->second.scalars().back().step, 1999);
  EXPECT_EQ(a->series().find("x")->second.scalars().size(), 50u);
}

}  // namespace
}  // namespace tblog
