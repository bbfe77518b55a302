// The reader on logdirs written by PyTorch's and tensorboardX's SummaryWriter, checked
// against what TensorBoard itself loaded from them (<name>.expected.json).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "read/dashboard_of.hpp"
#include "tblog/reader.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using nlohmann::json;

struct Sample {
  std::int64_t step;
  double wall_time;
  const SummaryValue* value;
};

// One run read back: its events, each summary tag's dashboard, and each tag's values.
struct RunContents {
  std::vector<Event> events;
  detail::TagDashboards dashboards;
  std::map<std::string, std::vector<Sample>> samples;  // by tag

  explicit RunContents(const std::string& path) : events(test::read_run_events(path)) {
    for (const Event& e : events) {
      dashboards.observe_event(e);
      for (const SummaryValue& v : e.values) {
        dashboards.observe(v);
        samples[v.tag].push_back(Sample{e.step, e.wall_time, &v});
      }
    }
  }

  std::vector<std::string> tags(const std::string& dashboard) const {
    const auto by = dashboards.tags_by_dashboard();
    const auto it = by.find(dashboard);
    return it == by.end() ? std::vector<std::string>{} : it->second;
  }
};

class GoldenReader : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    logdir_ = test::golden_dir() + "/" + GetParam();
    expected_ = json::parse(test::read_file(test::golden_dir() + "/" + GetParam() + ".expected.json"));
    ASSERT_TRUE(expected_.contains("per_run"));
  }

  std::string logdir_;
  json expected_;
};

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  for (const auto& s : j) out.push_back(s.get<std::string>());
  return out;
}

TEST_P(GoldenReader, SameRunsAsTensorBoard) {
  std::vector<std::string> names;
  for (const tblog::Run& run : find_runs(logdir_)) names.push_back(run.name);
  EXPECT_EQ(names, strings(expected_["runs"]));
  EXPECT_FALSE(names.empty());
}

TEST_P(GoldenReader, SameTagsPerDashboard) {
  for (const tblog::Run& run : find_runs(logdir_)) {
    SCOPED_TRACE(run.name);
    const RunContents contents(run.path);
    const json& tags = expected_["per_run"][run.name]["tags"];
    for (const char* dashboard : {"scalars", "images", "histograms", "text", "audio", "pr_curves",
                                  "mesh", "custom_scalars", "hparams", "graphs",
                                  "graph_tagged_run_metadata"}) {
      SCOPED_TRACE(dashboard);
      const std::vector<std::string> want =
          tags.contains(dashboard) ? strings(tags[dashboard]) : std::vector<std::string>{};
      EXPECT_EQ(contents.tags(dashboard), want);
    }
    // Nothing lands outside the dashboards TensorBoard reported.
    for (const auto& [dashboard, names] : contents.dashboards.tags_by_dashboard()) {
      EXPECT_TRUE(tags.contains(dashboard)) << "unexpected dashboard '" << dashboard << "'";
    }
  }
}

TEST_P(GoldenReader, SameScalarPoints) {
  std::size_t compared = 0;
  for (const tblog::Run& run : find_runs(logdir_)) {
    SCOPED_TRACE(run.name);
    const RunContents contents(run.path);
    const json& scalars = expected_["per_run"][run.name]["scalars"];
    ASSERT_EQ(contents.tags("scalars").size(), scalars.size());
    for (const auto& [tag, want] : scalars.items()) {
      SCOPED_TRACE(tag);
      ASSERT_TRUE(contents.samples.count(tag));
      const std::vector<Sample>& got = contents.samples.at(tag);
      ASSERT_EQ(got.size(), want["points"].size());
      ASSERT_EQ(got.size(), want["count"].get<std::size_t>());
      for (std::size_t i = 0; i < got.size(); ++i) {
        const json& point = want["points"][i];
        EXPECT_EQ(got[i].step, point[0].get<std::int64_t>());
        EXPECT_EQ(got[i].wall_time, point[1].get<double>());
        const SummaryValue& v = *got[i].value;
        const float value = v.kind == SummaryValue::Kind::simple_value
                                ? v.simple_value
                                : static_cast<float>(v.tensor.as_doubles().at(0));
        EXPECT_EQ(value, static_cast<float>(point[2].get<double>()));
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 20u);
}

TEST_P(GoldenReader, SameImagesHistogramsTextAudio) {
  const tblog::Run main_run = find_runs(logdir_).at(0);
  ASSERT_EQ(main_run.name, "main");
  const RunContents contents(main_run.path);
  const json& want = expected_["per_run"]["main"];

  auto check_steps = [&](const std::string& tag, const json& entries) {
    SCOPED_TRACE(tag);
    const std::vector<Sample>& got = contents.samples.at(tag);
    EXPECT_EQ(got.size(), entries.size());
    for (std::size_t i = 0; i < std::min(got.size(), entries.size()); ++i) {
      EXPECT_EQ(got[i].step, entries[i]["step"].get<std::int64_t>());
      EXPECT_EQ(got[i].wall_time, entries[i]["wall_time"].get<double>());
    }
    return got;
  };

  ASSERT_FALSE(want["images"].empty());
  for (const auto& [tag, entries] : want["images"].items()) {
    const auto got = check_steps(tag, entries);
    for (std::size_t i = 0; i < got.size(); ++i) {
      const ImageValue& img = got[i].value->image;
      EXPECT_EQ(std::to_string(img.width), entries[i]["declared_width"].get<std::string>());
      EXPECT_EQ(std::to_string(img.height), entries[i]["declared_height"].get<std::string>());
      EXPECT_EQ(img.encoded.size(), entries[i]["images"][0]["bytes"].get<std::size_t>());
      EXPECT_EQ(img.encoded.substr(1, 3), "PNG");
    }
  }

  ASSERT_FALSE(want["histograms"].empty());
  for (const auto& [tag, entries] : want["histograms"].items()) {
    const auto got = check_steps(tag, entries);
    for (std::size_t i = 0; i < got.size(); ++i) {
      const HistogramBuckets& h = got[i].value->histogram;
      const json& e = entries[i];
      // TensorBoard drops the empty buckets at both ends when it converts a legacy
      // histogram (their outer edges may be +-DBL_MAX); the file keeps them.
      std::vector<double> counts = h.bucket_counts;
      while (!counts.empty() && counts.back() == 0) counts.pop_back();
      counts.erase(counts.begin(), std::find_if(counts.begin(), counts.end(),
                                                [](double c) { return c != 0; }));
      EXPECT_EQ(counts.size(), e["buckets"].get<std::size_t>());
      EXPECT_EQ(counts, e["counts"].get<std::vector<double>>());
      EXPECT_EQ(h.bucket_limits.size(), h.bucket_counts.size());
      EXPECT_EQ(std::accumulate(h.bucket_counts.begin(), h.bucket_counts.end(), 0.0),
                e["total_count"].get<double>());
      EXPECT_EQ(h.num, e["total_count"].get<double>());
      // TensorBoard turns histograms into float32 tensors, so its edges are float-rounded.
      EXPECT_EQ(static_cast<float>(h.min), static_cast<float>(e["min"].get<double>()));
      EXPECT_EQ(static_cast<float>(h.max), static_cast<float>(e["max"].get<double>()));
    }
  }

  ASSERT_FALSE(want["text"].empty());
  for (const auto& [tag, entries] : want["text"].items()) {
    const auto got = check_steps(tag, entries);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].value->tensor.string_val, strings(entries[i]["text"]));
    }
  }

  ASSERT_FALSE(want["audio"].empty());
  for (const auto& [tag, entries] : want["audio"].items()) {
    const auto got = check_steps(tag, entries);
    for (std::size_t i = 0; i < got.size(); ++i) {
      const AudioValue& a = got[i].value->audio;
      const json& clip = entries[i]["clips"][0];
      EXPECT_EQ(a.sample_rate, clip["sample_rate"].get<float>());
      EXPECT_EQ(a.encoded.size(), clip["bytes"].get<std::size_t>());
      EXPECT_EQ(a.encoded.substr(0, 4), "RIFF");
    }
  }

  for (const char* dashboard : {"pr_curves", "mesh"}) {
    for (const auto& [tag, entries] : want[dashboard].items()) {
      const auto got = check_steps(tag, entries);
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].value->tensor.shape, entries[i]["shape"].get<std::vector<std::int64_t>>());
      }
    }
  }
  for (const auto& [tag, entries] : want["custom_scalars"].items()) check_steps(tag, entries);
}

TEST_P(GoldenReader, FirstEventAndWriter) {
  for (const tblog::Run& run : find_runs(logdir_)) {
    SCOPED_TRACE(run.name);
    const RunContents contents(run.path);
    const json& want = expected_["per_run"][run.name];
    ASSERT_FALSE(contents.events.empty());
    EXPECT_EQ(contents.events[0].wall_time, want["first_event_timestamp"].get<double>());
    EXPECT_EQ(contents.events[0].file_version, "brain.Event:2");
    const std::string writer =
        want["source_writer"].is_null() ? "" : want["source_writer"].get<std::string>();
    EXPECT_EQ(contents.events[0].source_writer, writer);
  }
}

INSTANTIATE_TEST_SUITE_P(Writers, GoldenReader, ::testing::Values("torch", "tbx"));

}  // namespace
}  // namespace tblog
