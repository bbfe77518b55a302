// The fashion_mnist example: its IDX reader, a short run's logdir read back (every kind of
// record it promises, with plausible values), and a 2-rank MPI run against a 1-rank one.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "idx.hpp"
#include "tblog/reader.hpp"
#include "test_support.hpp"

namespace {

using tblog::Event;
using tblog::SummaryValue;
using tblog::test::TempDir;
namespace test = tblog::test;

const bool kHaveData =
    std::filesystem::exists(std::string(fashion_mnist::kDefaultDataDir) + "/train-images-idx3-ubyte.gz");

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

TEST(FashionMnistIdx, ReadsGzippedUnsignedByteArrays) {
  TempDir dir;
  const std::string path = (dir.path() / "a.gz").string();
  // 3 items of 2x2: magic 0 0 8 3, dims 3 2 2 big-endian, then 12 bytes.
  std::string bytes("\0\0\x08\x03\0\0\0\x03\0\0\0\x02\0\0\0\x02", 16);
  for (int i = 0; i < 12; ++i) bytes.push_back(static_cast<char>(10 * i));
  write_gz(path, bytes);

  const auto all = fashion_mnist::read_idx(path);
  EXPECT_EQ(all.dims, (std::vector<std::int64_t>{3, 2, 2}));
  ASSERT_EQ(all.data.size(), 12u);
  EXPECT_EQ(all.data[11], 110);
  const auto first = fashion_mnist::read_idx(path, 2);
  EXPECT_EQ(first.dims, (std::vector<std::int64_t>{2, 2, 2}));
  EXPECT_EQ(first.data.size(), 8u);

  write_gz(path, bytes.substr(0, 20));  // cut short
  try {
    fashion_mnist::read_idx(path);
    FAIL() << "no error";
  } catch (const tblog::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  write_gz(path, std::string("\0\0\x0d\x01\0\0\0\x01\0\0\0\0", 12));  // floats
  EXPECT_THROW(fashion_mnist::read_idx(path), tblog::Error);
}

TEST(FashionMnistIdx, MissingDataSetNamesTheDebianPackage) {
  TempDir dir;
  try {
    fashion_mnist::load(dir.str(), true);
    FAIL() << "no error";
  } catch (const tblog::Error& e) {
    EXPECT_NE(std::string(e.what()).find("dataset-fashion-mnist"), std::string::npos) << e.what();
  }
  const auto run = test::run_command(std::string(FASHION_MNIST_PATH) + " dataDir=" + test::shell_quote(dir.str()));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.errors.find("dataset-fashion-mnist"), std::string::npos) << run.errors;
}

TEST(FashionMnistIdx, LoadsTheInstalledDataSet) {
  if (!kHaveData) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto set = fashion_mnist::load(fashion_mnist::kDefaultDataDir, false, 100);
  EXPECT_EQ(set.count, 100);
  EXPECT_EQ(set.rows, 28);
  EXPECT_EQ(set.cols, 28);
  EXPECT_EQ(set.images.size(), 100u * 28 * 28);
  std::map<int, int> classes;
  for (auto label : set.labels) ++classes[label];
  EXPECT_GE(classes.size(), 8u);  // 100 samples cover nearly all 10 classes
}

struct Point {
  std::int64_t step;
  double value;
};
using Scalars = std::map<std::string, std::vector<Point>>;

Scalars scalars_of(const std::vector<Event>& events) {
  Scalars out;
  for (const auto& e : events) {
    for (const auto& v : e.values) {
      if (v.kind == SummaryValue::Kind::simple_value) out[v.tag].push_back({e.step, v.simple_value});
    }
  }
  return out;
}

const SummaryValue* find_value(const std::vector<Event>& events, const std::string& tag) {
  for (const auto& e : events) {
    for (const auto& v : e.values) {
      if (v.tag == tag) return &v;
    }
  }
  return nullptr;
}

std::string example(const std::string& args) {
  return std::string(FASHION_MNIST_PATH) + " configFile=" FASHION_MNIST_CONFIG_DIR "/mlp.cfg " + args;
}

TEST(FashionMnistRun, MlpLogsGraphProgressTestErrorImagesAndHistograms) {
  if (!kHaveData) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const std::string logdir = (dir.path() / "run").string();
  const auto run = test::run_command(example("epochs=1 maxTrainSamples=2000 maxTestSamples=1000 threads=1 "
                                             "numMBsToShowResult=10 tensorBoardNumMBsToLogResult=4 "
                                             "numImagesToLog=8 tensorBoardLogDir=" +
                                             test::shell_quote(logdir)));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_NE(run.output.find("Finished Epoch[1 of 1]"), std::string::npos) << run.output;

  ASSERT_EQ(test::event_files_in(logdir).size(), 1u);
  const auto events = test::read_run_events(logdir);
  bool graph = false;
  for (const auto& e : events) graph = graph || (e.what == Event::What::graph_def && !e.graph_def.empty());
  EXPECT_TRUE(graph);

  const Scalars s = scalars_of(events);
  // 2000 samples in minibatches of 64: 32 updates, a record every 4th.
  ASSERT_EQ(s.count("minibatch/avg_loss"), 1u);
  const auto& loss = s.at("minibatch/avg_loss");
  ASSERT_EQ(loss.size(), 8u);
  EXPECT_EQ(loss.back().step, 32);
  // Ten classes: an untrained model's cross-entropy is near ln 10; training lowers it.
  EXPECT_NEAR(loss.front().value, std::log(10.0), 0.5);
  EXPECT_LT(loss.back().value + loss[loss.size() - 2].value, loss[0].value + loss[1].value - 0.5);
  for (const auto& p : s.at("minibatch/avg_metric")) {
    EXPECT_GE(p.value, 0);
    EXPECT_LE(p.value, 1);
  }
  ASSERT_EQ(s.count("summary/avg_loss"), 1u);
  EXPECT_EQ(s.at("summary/avg_loss").size(), 1u);
  ASSERT_EQ(s.count("summary/avg_metric"), 1u);
  ASSERT_EQ(s.count("minibatch/test_avg_metric"), 1u);
  const double test_error = s.at("minibatch/test_avg_metric").at(0).value;
  EXPECT_GT(test_error, 0.0);
  EXPECT_LT(test_error, 0.5);  // far better than guessing one of ten (0.9)
  ASSERT_EQ(s.count("learning_rate"), 1u);
  EXPECT_NEAR(s.at("learning_rate").at(0).value, 0.05, 1e-9);
  ASSERT_EQ(s.count("parameters/fc1.weight/mean"), 1u);
  EXPECT_LT(std::abs(s.at("parameters/fc1.weight/mean").at(0).value), 0.05);

  const SummaryValue* images = find_value(events, "inputs");
  ASSERT_NE(images, nullptr);
  EXPECT_EQ(images->kind, SummaryValue::Kind::image);
  const SummaryValue* weights = find_value(events, "weights/fc1.weight");
  ASSERT_NE(weights, nullptr);
  EXPECT_DOUBLE_EQ(weights->histogram.num, 200.0 * 784);
  EXPECT_NE(find_value(events, "weights/fc3.bias"), nullptr);
}

TEST(FashionMnistRun, ConvNetTrains) {
  if (!kHaveData) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const auto run = test::run_command(std::string(FASHION_MNIST_PATH) + " configFile=" FASHION_MNIST_CONFIG_DIR
                                     "/conv.cfg epochs=1 maxTrainSamples=640 maxTestSamples=500 "
                                     "threads=1 tensorBoardNumMBsToLogResult=1 logHistograms=false "
                                     "tensorBoardLogDir=" + test::shell_quote(dir.str()));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const Scalars s = scalars_of(test::read_run_events(dir.str()));
  ASSERT_EQ(s.count("minibatch/avg_loss"), 1u);
  EXPECT_EQ(s.at("minibatch/avg_loss").size(), 10u);
  EXPECT_EQ(s.count("parameters/conv1.weight/mean"), 1u);
  EXPECT_EQ(s.count("minibatch/test_avg_metric"), 1u);
}

TEST(FashionMnistRun, BadSettingsAreErrorsNamingTheKey) {
  const auto run = test::run_command(example("model=rnn"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.errors.find("model"), std::string::npos) << run.errors;
  const auto zero = test::run_command(example("minibatchSize=0 maxTrainSamples=10 maxTestSamples=10"));
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_NE(zero.errors.find("minibatchSize"), std::string::npos) << zero.errors;
}

#ifdef FASHION_MNIST_MPIEXEC
TEST(FashionMnistRun, TwoRanksLogTheSameGlobalSumsAsOneRank) {
  if (!kHaveData) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const std::string args =
      "epochs=1 maxTrainSamples=960 maxTestSamples=500 threads=1 numImagesToLog=4 "
      "numMBsToShowResult=5 tensorBoardNumMBsToLogResult=1 tensorBoardLogDir=";
  const std::string one = (dir.path() / "one").string();
  const std::string two = (dir.path() / "two").string();
  const auto single = test::run_command(example(args + test::shell_quote(one)));
  ASSERT_EQ(single.exit_code, 0) << single.all();
  const auto pair = test::run_command(std::string(FASHION_MNIST_MPIEXEC) + " " +
                                      example(args + test::shell_quote(two) + " distributed=true"));
  ASSERT_EQ(pair.exit_code, 0) << pair.all();
  EXPECT_NE(pair.output.find("over 2 ranks"), std::string::npos) << pair.output;

  ASSERT_EQ(test::event_files_in(two).size(), 1u);  // rank 1 writes nothing
  const Scalars a = scalars_of(test::read_run_events(one));
  const Scalars b = scalars_of(test::read_run_events(two));
  for (const char* tag : {"minibatch/avg_loss", "minibatch/avg_metric", "summary/avg_loss",
                          "summary/avg_metric", "minibatch/test_avg_metric"}) {
    ASSERT_EQ(a.count(tag), 1u) << tag;
    ASSERT_EQ(b.count(tag), 1u) << tag;
    const auto& x = a.at(tag);
    const auto& y = b.at(tag);
    ASSERT_EQ(x.size(), y.size()) << tag;
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x[i].step, y[i].step) << tag;
      if (std::string(tag).find("loss") != std::string::npos) {
        EXPECT_NEAR(x[i].value, y[i].value, 1e-4 * std::max(1.0, std::abs(x[i].value))) << tag << " #" << i;
      } else {
        // An error rate; rounding may flip a near-tie, one sample in a 64-sample minibatch.
        EXPECT_NEAR(x[i].value, y[i].value, 1.01 / 64) << tag << " #" << i;
      }
    }
  }
  EXPECT_EQ(a.at("minibatch/avg_loss").size(), 15u);  // 960 / 64 minibatches, each recorded
}

TEST(FashionMnistRun, UnderMpirunWithoutDistributedOnlyRankZeroWritesAndPrints) {
  if (!kHaveData) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const std::string logdir = (dir.path() / "solo").string();
  const auto pair = test::run_command(
      std::string(FASHION_MNIST_MPIEXEC) + " " +
      example("epochs=1 maxTrainSamples=320 maxTestSamples=100 threads=1 numImagesToLog=0 "
              "tensorBoardLogDir=" + test::shell_quote(logdir)));
  ASSERT_EQ(pair.exit_code, 0) << pair.all();
  EXPECT_EQ(test::event_files_in(logdir).size(), 1u);  // rank 1 trained but wrote nothing
  std::size_t finished = 0;
  for (std::size_t at = pair.output.find("Trained "); at != std::string::npos;
       at = pair.output.find("Trained ", at + 1)) {
    ++finished;
  }
  EXPECT_EQ(finished, 1u) << pair.output;  // one rank prints
}
#endif

}  // namespace
