// ProgressWriter's schedule, TensorBoardProgressWriter's records, ProgressPrinter's lines,
// and the rank rule.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <limits>
#include <map>
#include <thread>
#include <tuple>

#include "tblog/progress.hpp"
#include "tblog/reader.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::TempDir;

// Records every hook call.
class RecordingWriter : public ProgressWriter {
 public:
  using ProgressWriter::ProgressWriter;
  struct Record {
    std::int64_t first, last, samples;
    double loss, metric;
  };
  std::vector<Record> updates;
  std::vector<Record> summaries;
  void write_value(std::string_view, double, std::int64_t) override {}

 protected:
  void on_training_update(std::int64_t first, std::int64_t last, const Sums& w) override {
    updates.push_back({first, last, w.samples, w.loss, w.metric});
  }
  void on_training_summary(const Sums& e, double) override {
    summaries.push_back({0, 0, e.samples, e.loss, e.metric});
  }
  void on_test_summary(const Sums&, std::int64_t, double) override {}
  void on_setting(std::string_view, double) override {}
};

std::vector<std::int64_t> record_points(const RecordingWriter& w) {
  std::vector<std::int64_t> out;
  for (const auto& r : w.updates) out.push_back(r.last);
  return out;
}

TEST(ProgressSchedule, EveryNth) {
  RecordingWriter w(5, 0, 0);
  for (int i = 1; i <= 17; ++i) w.update_training(10, 1.0 * i * 10, 0.5 * 10);
  EXPECT_EQ(record_points(w), (std::vector<std::int64_t>{5, 10, 15}));
  // Window 6..10: losses i*10 for i = 6..10 over 50 samples.
  ASSERT_EQ(w.updates.size(), 3u);
  EXPECT_EQ(w.updates[1].first, 6);
  EXPECT_EQ(w.updates[1].samples, 50);
  EXPECT_DOUBLE_EQ(w.updates[1].loss, 10.0 * (6 + 7 + 8 + 9 + 10));
}

TEST(ProgressSchedule, FirstUpdatesAreRecordedToo) {
  RecordingWriter w(10, 3, 0);
  for (int i = 1; i <= 25; ++i) w.update_training(1, 0, 0);
  EXPECT_EQ(record_points(w), (std::vector<std::int64_t>{1, 2, 3, 10, 20}));
  EXPECT_EQ(w.updates[3].first, 4);  // the window after the first three
}

TEST(ProgressSchedule, GeometricWhenZero) {
  RecordingWriter w(0, 0, 0);
  for (int i = 1; i <= 40; ++i) w.update_training(1, 0, 0);
  EXPECT_EQ(record_points(w), (std::vector<std::int64_t>{1, 2, 4, 8, 16, 32}));
}

TEST(ProgressSchedule, UnsetMeansSummariesOnly) {
  RecordingWriter w(std::nullopt, 0, 0);
  for (int i = 1; i <= 100; ++i) w.update_training(2, 1.0, 0.5);
  EXPECT_TRUE(w.updates.empty());
  w.summarize_training_progress();
  ASSERT_EQ(w.summaries.size(), 1u);
  EXPECT_EQ(w.summaries[0].samples, 200);
  EXPECT_DOUBLE_EQ(w.summaries[0].loss, 100.0);
}

TEST(ProgressSchedule, SummaryRestartsTheCountButNotTheTotal) {
  RecordingWriter w(4, 0, 0);
  for (int i = 1; i <= 6; ++i) w.update_training(1, 0, 0);
  w.summarize_training_progress();
  for (int i = 1; i <= 8; ++i) w.update_training(1, 0, 0);
  EXPECT_EQ(record_points(w), (std::vector<std::int64_t>{4, 4, 8}));
  EXPECT_EQ(w.total_updates(), 14);
  EXPECT_EQ(w.training_summaries(), 1);
}

TEST(ProgressSchedule, ZeroSamplesIgnoredNegativeRejected) {
  RecordingWriter w(1, 0, 0);
  w.update_training(0, 5, 5);
  EXPECT_EQ(w.total_updates(), 0);
  EXPECT_THROW(w.update_training(-1, 0, 0), Error);
  EXPECT_THROW(w.update_test(-3, 0), Error);
  EXPECT_EQ(w.total_updates(), 0);
  EXPECT_THROW(RecordingWriter(-2, 0, 0), Error);
}

TEST(ProgressSchedule, SampleCountsThatWouldOverflowAreRejected) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  RecordingWriter w(1, 0, 0);
  w.update_training(kMax - 10, 1, 1);
  try {
    w.update_training(11, 1, 1);
    ADD_FAILURE() << "the epoch's sample count overflowed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("samples 11"), std::string::npos) << e.what();
  }
  EXPECT_EQ(w.total_updates(), 1);  // the rejected update counted nothing
  w.update_training(10, 1, 1);      // exactly up to the limit is fine
  w.summarize_training_progress();
  ASSERT_EQ(w.summaries.size(), 1u);
  EXPECT_EQ(w.summaries[0].samples, kMax);
  w.update_training(5, 1, 1);  // a summary starts the count again

  w.update_test(kMax, 0);
  EXPECT_THROW(w.update_test(1, 0), Error);
  w.summarize_test_progress();
  w.update_test(1, 0);
}

std::map<std::string, std::vector<std::pair<std::int64_t, float>>> scalars_in(const std::string& dir) {
  std::map<std::string, std::vector<std::pair<std::int64_t, float>>> out;
  for (const auto& e : test::read_run_events(dir)) {
    for (const auto& v : e.values) {
      if (v.kind == SummaryValue::Kind::simple_value) out[v.tag].push_back({e.step, v.simple_value});
    }
  }
  return out;
}

TEST(TensorBoardProgressWriter, ExactTagsStepsAndValues) {
  TempDir dir;
  {
    TensorBoardProgressWriter w(2, dir.str(), 0);
    // Minibatches of 4 samples; loss sum = 4 * k, metric sum = k for update k.
    for (int k = 1; k <= 5; ++k) w.update_training(4, 4.0 * k, 1.0 * k);
    w.summarize_training_progress();
    for (int k = 6; k <= 8; ++k) w.update_training(4, 4.0 * k, 1.0 * k);
    w.write("learning_rate", 0.125);
    w.update_test(10, 2.0);
    w.update_test(30, 3.0);
    w.summarize_test_progress();
    w.write_value("custom/value", 7.5, 42);
  }
  const auto s = scalars_in(dir.str());
  using P = std::vector<std::pair<std::int64_t, float>>;
  // Windows {1,2} {3,4} | summary | {6,7} (update counts restart at the summary; steps do not).
  EXPECT_EQ(s.at("minibatch/avg_loss"), (P{{2, 1.5f}, {4, 3.5f}, {7, 6.5f}}));
  EXPECT_EQ(s.at("minibatch/avg_metric"), (P{{2, 3.0f / 8}, {4, 7.0f / 8}, {7, 13.0f / 8}}));
  EXPECT_EQ(s.at("summary/avg_loss"), (P{{1, 3.0f}}));             // (4+8+...+20)/20
  EXPECT_EQ(s.at("summary/avg_metric"), (P{{1, 15.0f / 20}}));
  EXPECT_EQ(s.at("learning_rate"), (P{{8, 0.125f}}));
  EXPECT_EQ(s.at("minibatch/test_avg_metric"), (P{{8, 5.0f / 40}}));
  EXPECT_EQ(s.at("custom/value"), (P{{42, 7.5f}}));
  EXPECT_EQ(s.count("summary/test_avg_metric"), 0u);
}

TEST(TensorBoardProgressWriter, TestBeforeTrainingUsesTheSummaryCount) {
  TempDir dir;
  {
    TensorBoardProgressWriter w(std::nullopt, dir.str(), 0);
    w.update_test(4, 1.0);
    w.summarize_test_progress();
    w.update_test(4, 2.0);
    w.summarize_test_progress();
  }
  using P = std::vector<std::pair<std::int64_t, float>>;
  EXPECT_EQ(scalars_in(dir.str()).at("summary/test_avg_metric"), (P{{1, 0.25f}, {2, 0.5f}}));
}

TEST(TensorBoardProgressWriter, RecordsAreOnDiskWithinTheFlushInterval) {
  TempDir dir;
  WriterOptions options;
  options.flush_secs = 0.05;
  TensorBoardProgressWriter w(1, dir.str(), 0, nullptr, options);
  w.update_training(1, 1.0, 0.0);
  std::size_t seen = 0;
  for (int i = 0; i < 2000 && seen == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto s = scalars_in(dir.str());
    seen = s.count("minibatch/avg_loss");
  }
  EXPECT_EQ(seen, 1u);
}

TEST(Rank, NonZeroRankWritesNothing) {
  TempDir dir;
  {
    TensorBoardProgressWriter w(1, dir.str() + "/logs", 1);
    EXPECT_FALSE(w.active());
    w.update_training(1, 1, 1);
    w.summarize_training_progress();
    w.write_value("x", 1, 1);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.str() + "/logs"));
}

class RankEnvironment : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID", "RANK"}) {
      ::unsetenv(v);
    }
  }
};

TEST_F(RankEnvironment, EachVariableInOrder) {
  EXPECT_EQ(rank_from_environment(), 0);
  const char* order[] = {"RANK", "SLURM_PROCID", "PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"};
  // Set from the last in priority to the first: each new one must win.
  int value = 1;
  for (const char* name : order) {
    ::setenv(name, std::to_string(value).c_str(), 1);
    EXPECT_EQ(rank_from_environment(), value) << name;
    ++value;
  }
  ::setenv("OMPI_COMM_WORLD_RANK", "x", 1);
  EXPECT_THROW(rank_from_environment(), Error);
}

TEST_F(RankEnvironment, OutOfRangeRanksAreErrorsNamingTheVariable) {
  for (const char* value : {"4294967296", "2147483648", "99999999999999999999999", "-1"}) {
    ::setenv("OMPI_COMM_WORLD_RANK", value, 1);
    try {
      rank_from_environment();
      ADD_FAILURE() << value << " was taken as rank " << rank_from_environment();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("OMPI_COMM_WORLD_RANK"), std::string::npos) << e.what();
    }
  }
  ::setenv("OMPI_COMM_WORLD_RANK", "2147483647", 1);
  EXPECT_EQ(rank_from_environment(), 2147483647);
}

TEST_F(RankEnvironment, WriterTakesItsRankFromTheEnvironment) {
  TempDir dir;
  ::setenv("PMI_RANK", "3", 1);
  {
    TensorBoardProgressWriter w(1, dir.str() + "/r3");
    EXPECT_EQ(w.rank(), 3);
    EXPECT_FALSE(w.active());
  }
  EXPECT_FALSE(std::filesystem::exists(dir.str() + "/r3"));
  ::setenv("PMI_RANK", "0", 1);
  TensorBoardProgressWriter w0(1, dir.str() + "/r0");
  EXPECT_TRUE(w0.active());
  EXPECT_TRUE(std::filesystem::exists(dir.str() + "/r0"));
}

TEST(ProgressPrinter, PrintsCntksLines) {
  TempDir dir;
  const std::string log = dir.str() + "/progress.log";
  {
    ProgressPrinter p(10, 0, "Training", log, 0, 10, true);
    for (int k = 1; k <= 20; ++k) p.update_training(64, 64 * 0.5, 64 * 0.25);
    p.summarize_training_progress();
    p.update_test(100, 12.0);
    p.summarize_test_progress();
  }
  const std::string text = test::read_file(log);
  EXPECT_NE(text.find(" Minibatch[   1-  10]: loss = 0.500000 * 640, metric = 25.00% * 640;\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find(" Minibatch[  11-  20]: loss = 0.500000 * 640, metric = 25.00% * 640;\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("Finished Epoch[1 of 10]: [Training] loss = 0.500000 * 1280, metric = 25.00% * 1280 "),
            std::string::npos) << text;
  EXPECT_NE(text.find("samples/s);\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Finished Evaluation [1]: [Training] Minibatch[1-1]: metric = 12.00% * 100;"),
            std::string::npos) << text;
}

TEST(ProgressPrinter, UnwritableLogFileIsAClearError) {
  try {
    ProgressPrinter p(1, 0, "", "/proc/no/such/dir/log.txt", 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/no/such/dir/log.txt"), std::string::npos);
  }
}

}  // namespace
}  // namespace tblog
