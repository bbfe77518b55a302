// Our SummaryWriter, given the same scalar calls PyTorch's SummaryWriter got for the golden
// logdir, produces what TensorBoard read from PyTorch's files: the same runs, tags, steps
// and values (torch.expected.json), with the same value kind (simple_value, no metadata).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::TempDir;

TEST(GoldenWriter, ScalarsAndAddScalarsMatchWhatTensorBoardReadFromPyTorch) {
  std::ifstream in(test::golden_dir() + "/torch.expected.json");
  ASSERT_TRUE(in) << "golden files missing";
  const nlohmann::json expected = nlohmann::json::parse(in);

  TempDir dir;
  const std::string main_run = dir.str() + "/main";
  {
    SummaryWriter writer(main_run);
    for (int step = 0; step < 10; ++step) {
      writer.add_scalar("loss", 1.0 / (step + 1), step);
      writer.add_scalar("acc/train", 0.1 * step, step);
    }
    for (int step = 0; step < 5; ++step) {
      writer.add_scalars("multi", {{"sin", std::sin(step)}, {"cos", std::cos(step)}}, step);
    }
  }

  for (const std::string run : {"main", "main/multi_sin", "main/multi_cos"}) {
    std::map<std::string, std::vector<std::pair<std::int64_t, float>>> ours;
    for (const auto& e : test::read_run_events(dir.str() + "/" + run)) {
      for (const auto& v : e.values) {
        EXPECT_EQ(v.kind, SummaryValue::Kind::simple_value);
        EXPECT_FALSE(v.has_metadata);  // as PyTorch writes scalars
        ours[v.tag].push_back({e.step, v.simple_value});
      }
    }
    const auto& scalars = expected.at("per_run").at(run).at("scalars");
    ASSERT_EQ(ours.size(), scalars.size()) << run;
    for (const auto& [tag, series] : scalars.items()) {
      const auto& points = series.at("points");
      ASSERT_EQ(ours[tag].size(), points.size()) << run << " " << tag;
      for (std::size_t i = 0; i < points.size(); ++i) {
        EXPECT_EQ(ours[tag][i].first, points[i][0].get<std::int64_t>()) << run << " " << tag;
        EXPECT_EQ(ours[tag][i].second, points[i][2].get<float>()) << run << " " << tag << " " << i;
      }
    }
  }
  // The same runs as PyTorch's layout, and no others.
  std::vector<std::string> runs;
  for (const auto& r : find_runs(dir.str())) runs.push_back(r.name);
  EXPECT_EQ(runs, (std::vector<std::string>{"main", "main/multi_cos", "main/multi_sin"}));
}

}  // namespace
}  // namespace tblog
