// Every RPC of the data server against the golden logdirs (files PyTorch's and tensorboardX's
// writers made) and what TensorBoard's own loader read from them (*.expected.json): runs,
// plugins, tags per plugin, scalar points, image, audio and graph blobs, histogram buckets,
// text, PR curves, hparams, mesh; then the protocol's errors, filters and downsampling.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "blob_key.hpp"
#include "data_server_client.hpp"
#include "test_support.hpp"

namespace tblog::test {
namespace {

using nlohmann::json;

json expected_for(const std::string& name) {
  std::ifstream in(golden_dir() + "/" + name + ".expected.json");
  return json::parse(in);
}

std::string logdir_of(const std::string& name) { return golden_dir() + "/" + name; }

td::RunTagFilter only(const std::string& run, const std::vector<std::string>& tags = {}) {
  td::RunTagFilter f;
  f.mutable_runs()->add_names(run);
  if (!tags.empty()) {
    for (const auto& t : tags) f.mutable_tags()->add_names(t);
  }
  return f;
}

// Tag names per run that one plugin's List* answer gives.
template <typename Response>
std::map<std::string, std::vector<std::string>> tags_by_run(const Response& r) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& run : r.runs()) {
    auto& tags = out[run.run_name()];
    EXPECT_TRUE(tags.empty()) << "run " << run.run_name() << " listed twice";
    for (const auto& tag : run.tags()) tags.push_back(tag.tag_name());
  }
  return out;
}

// What TensorBoard's loader listed for a plugin, per run (runs without such tags left out).
std::map<std::string, std::vector<std::string>> expected_tags(const json& expected,
                                                              const std::string& plugin) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [run, data] : expected["per_run"].items()) {
    if (!data["tags"].contains(plugin)) continue;
    std::vector<std::string> tags = data["tags"][plugin].get<std::vector<std::string>>();
    std::sort(tags.begin(), tags.end());
    if (!tags.empty()) out[run] = tags;
  }
  return out;
}

std::string read_blob(td::TensorBoardDataProvider::Stub& stub, const std::string& key,
                      grpc::Status* status_out = nullptr, int* chunks = nullptr) {
  grpc::ClientContext context;
  td::ReadBlobRequest request;
  request.set_blob_key(key);
  auto reader = stub.ReadBlob(&context, request);
  std::string out;
  td::ReadBlobResponse chunk;
  int n = 0;
  while (reader->Read(&chunk)) {
    out += chunk.data();
    ++n;
  }
  const grpc::Status status = reader->Finish();
  if (status_out) {
    *status_out = status;
  } else {
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  if (chunks) *chunks = n;
  return out;
}

// The event files' own summary values of a run, by tag, as tblog's reader decodes them.
std::map<std::string, std::vector<std::pair<std::int64_t, SummaryValue>>> values_of(
    const std::string& run_dir) {
  std::map<std::string, std::vector<std::pair<std::int64_t, SummaryValue>>> out;
  for (const Event& e : read_run_events(run_dir)) {
    for (const SummaryValue& v : e.values) out[v.tag].emplace_back(e.step, v);
  }
  return out;
}

class GoldenServer : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    expected_ = expected_for(GetParam());
    // "all": the expected files hold every point TensorBoard read.
    served_ = std::make_unique<ServedLogdir>(
        logdir_of(GetParam()), "scalars=all,images=all,audio=all,histograms=all,text=all");
  }
  td::TensorBoardDataProvider::Stub& stub() { return *served_->stub; }

  json expected_;
  std::unique_ptr<ServedLogdir> served_;
};

TEST_P(GoldenServer, GetExperimentNamesTheLogdir) {
  td::GetExperimentResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), GetExperiment, td::GetExperimentRequest(), r).ok());
  EXPECT_EQ(r.data_location(), logdir_of(GetParam()));
}

TEST_P(GoldenServer, ListRunsGivesRunsAndTheirFirstEventTime) {
  td::ListRunsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListRuns, td::ListRunsRequest(), r).ok());
  std::vector<std::string> names;
  for (const auto& run : r.runs()) {
    names.push_back(run.name());
    EXPECT_EQ(run.start_time(),
              expected_["per_run"][run.name()]["first_event_timestamp"].get<double>())
        << run.name();
  }
  EXPECT_EQ(names, expected_["runs"].get<std::vector<std::string>>());
}

TEST_P(GoldenServer, ListPluginsIsTheUnionOfPluginNames) {
  td::ListPluginsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListPlugins, td::ListPluginsRequest(), r).ok());
  std::vector<std::string> names;
  for (const auto& p : r.plugins()) names.push_back(p.name());
  EXPECT_EQ(names, expected_["active_plugins"].get<std::vector<std::string>>());
}

TEST_P(GoldenServer, ScalarsAreEveryPointTensorBoardRead) {
  td::ListScalarsRequest list;
  list.mutable_plugin_filter()->set_plugin_name("scalars");
  td::ListScalarsResponse listed;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListScalars, list, listed).ok());
  EXPECT_EQ(tags_by_run(listed), expected_tags(expected_, "scalars"));
  for (const auto& run : listed.runs()) {
    for (const auto& tag : run.tags()) {
      const auto& points = expected_["per_run"][run.run_name()]["scalars"][tag.tag_name()]["points"];
      std::int64_t max_step = 0;
      double max_wall = 0;
      for (const auto& p : points) {
        max_step = std::max(max_step, p[0].get<std::int64_t>());
        max_wall = std::max(max_wall, p[1].get<double>());
      }
      EXPECT_EQ(tag.metadata().max_step(), max_step);
      EXPECT_EQ(tag.metadata().max_wall_time(), max_wall);
      const auto& m = tag.metadata().summary_metadata();
      EXPECT_EQ(m.plugin_data().plugin_name(), "scalars");
      EXPECT_EQ(m.data_class(), tensorboard::DATA_CLASS_SCALAR);
    }
  }

  td::ReadScalarsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("scalars");
  read.mutable_downsample()->set_num_points(1000);
  td::ReadScalarsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
  int series = 0;
  for (const auto& run : r.runs()) {
    for (const auto& tag : run.tags()) {
      const auto& points = expected_["per_run"][run.run_name()]["scalars"][tag.tag_name()]["points"];
      const auto& d = tag.data();
      ASSERT_EQ(static_cast<std::size_t>(d.step_size()), points.size()) << tag.tag_name();
      ASSERT_EQ(d.wall_time_size(), d.step_size());
      ASSERT_EQ(d.value_size(), d.step_size());
      for (int i = 0; i < d.step_size(); ++i) {
        EXPECT_EQ(d.step(i), points[i][0].get<std::int64_t>());
        EXPECT_EQ(d.wall_time(i), points[i][1].get<double>());
        EXPECT_EQ(d.value(i), static_cast<float>(points[i][2].get<double>()));
      }
      ++series;
    }
  }
  EXPECT_EQ(series, 6);  // loss, acc/train, hparam/accuracy, hparam/loss, multi x2
}

TEST_P(GoldenServer, ImagesAreWidthHeightAndTheFilesPngBytes) {
  td::ListBlobSequencesRequest list;
  list.mutable_plugin_filter()->set_plugin_name("images");
  td::ListBlobSequencesResponse listed;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListBlobSequences, list, listed).ok());
  EXPECT_EQ(tags_by_run(listed), expected_tags(expected_, "images"));
  for (const auto& tag : listed.runs(0).tags()) {
    EXPECT_EQ(tag.metadata().max_length(), 3) << "width, height and one image";
    EXPECT_EQ(tag.metadata().summary_metadata().data_class(), tensorboard::DATA_CLASS_BLOB_SEQUENCE);
  }

  const auto values = values_of(logdir_of(GetParam()) + "/main");
  td::ReadBlobSequencesRequest read;
  read.mutable_plugin_filter()->set_plugin_name("images");
  read.mutable_downsample()->set_num_points(100);
  td::ReadBlobSequencesResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadBlobSequences, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  int images = 0;
  for (const auto& tag : r.runs(0).tags()) {
    const auto& exp = expected_["per_run"]["main"]["images"][tag.tag_name()];
    const auto& file_values = values.at(tag.tag_name());
    ASSERT_EQ(static_cast<std::size_t>(tag.data().step_size()), exp.size());
    for (int i = 0; i < tag.data().step_size(); ++i) {
      EXPECT_EQ(tag.data().step(i), exp[i]["step"].get<std::int64_t>());
      EXPECT_EQ(tag.data().wall_time(i), exp[i]["wall_time"].get<double>());
      const auto& refs = tag.data().values(i).blob_refs();
      ASSERT_EQ(refs.size(), exp[i]["length"].get<int>());
      EXPECT_EQ(read_blob(stub(), refs[0].blob_key()), exp[i]["declared_width"].get<std::string>());
      EXPECT_EQ(read_blob(stub(), refs[1].blob_key()), exp[i]["declared_height"].get<std::string>());
      const std::string png = read_blob(stub(), refs[2].blob_key());
      EXPECT_EQ(png.size(), exp[i]["images"][0]["bytes"].get<std::size_t>());
      EXPECT_EQ(png, file_values[i].second.image.encoded);
      ++images;
    }
  }
  EXPECT_EQ(images, 3);  // img/batch at step 0, img/single at steps 0 and 1
}

TEST_P(GoldenServer, AudioIsTheFilesWav) {
  const auto values = values_of(logdir_of(GetParam()) + "/main");
  td::ReadBlobSequencesRequest read;
  read.mutable_plugin_filter()->set_plugin_name("audio");
  read.mutable_downsample()->set_num_points(10);
  td::ReadBlobSequencesResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadBlobSequences, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  ASSERT_EQ(r.runs(0).tags_size(), 1);
  const auto& tag = r.runs(0).tags(0);
  EXPECT_EQ(tag.tag_name(), "audio/tone");
  const auto& exp = expected_["per_run"]["main"]["audio"]["audio/tone"];
  ASSERT_EQ(tag.data().step_size(), 1);
  EXPECT_EQ(tag.data().wall_time(0), exp[0]["wall_time"].get<double>());
  ASSERT_EQ(tag.data().values(0).blob_refs_size(), 1);
  const std::string wav = read_blob(stub(), tag.data().values(0).blob_refs(0).blob_key());
  EXPECT_EQ(wav.size(), exp[0]["clips"][0]["bytes"].get<std::size_t>());
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(wav, values.at("audio/tone")[0].second.audio.encoded);

  td::ListBlobSequencesRequest list;
  list.mutable_plugin_filter()->set_plugin_name("audio");
  td::ListBlobSequencesResponse listed;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListBlobSequences, list, listed).ok());
  // TensorBoard's converted metadata: AudioPluginData{encoding: WAV (11), converted_to_tensor}.
  EXPECT_EQ(listed.runs(0).tags(0).metadata().summary_metadata().plugin_data().content(),
            std::string("\x10\x0b\x18\x01", 4));
}

TEST_P(GoldenServer, HistogramsAreKBy3TensorsOfTheBuckets) {
  td::ListTensorsRequest list;
  list.mutable_plugin_filter()->set_plugin_name("histograms");
  td::ListTensorsResponse listed;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListTensors, list, listed).ok());
  EXPECT_EQ(tags_by_run(listed), expected_tags(expected_, "histograms"));

  td::ReadTensorsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("histograms");
  read.mutable_downsample()->set_num_points(100);
  td::ReadTensorsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadTensors, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  int checked = 0;
  for (const auto& tag : r.runs(0).tags()) {
    const auto& exp = expected_["per_run"]["main"]["histograms"][tag.tag_name()];
    ASSERT_EQ(static_cast<std::size_t>(tag.data().step_size()), exp.size());
    for (int i = 0; i < tag.data().step_size(); ++i) {
      const tensorboard::TensorProto& t = tag.data().value(i);
      EXPECT_EQ(t.dtype(), tensorboard::DT_FLOAT);
      // TensorBoard drops the empty buckets at either end.
      std::vector<double> counts = exp[i]["counts"].get<std::vector<double>>();
      while (!counts.empty() && counts.back() == 0) counts.pop_back();
      while (!counts.empty() && counts.front() == 0) counts.erase(counts.begin());
      ASSERT_EQ(t.tensor_shape().dim_size(), 2);
      EXPECT_EQ(t.tensor_shape().dim(0).size(), static_cast<std::int64_t>(counts.size()));
      EXPECT_EQ(t.tensor_shape().dim(1).size(), 3);
      ASSERT_EQ(static_cast<std::size_t>(t.float_val_size()), counts.size() * 3);
      for (std::size_t b = 0; b < counts.size(); ++b) {
        EXPECT_EQ(t.float_val(static_cast<int>(3 * b + 2)), static_cast<float>(counts[b]));
      }
      EXPECT_EQ(t.float_val(0), static_cast<float>(exp[i]["min"].get<double>()));
      EXPECT_EQ(t.float_val(t.float_val_size() - 2), static_cast<float>(exp[i]["max"].get<double>()));
      ++checked;
    }
  }
  EXPECT_GE(checked, 3);
}

TEST_P(GoldenServer, TextIsTheStringTensor) {
  td::ReadTensorsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("text");
  read.mutable_downsample()->set_num_points(100);
  td::ReadTensorsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadTensors, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  ASSERT_EQ(r.runs(0).tags_size(), 1);
  const auto& tag = r.runs(0).tags(0);
  EXPECT_EQ(tag.tag_name(), "note/text_summary");
  const auto& exp = expected_["per_run"]["main"]["text"]["note/text_summary"];
  ASSERT_EQ(static_cast<std::size_t>(tag.data().step_size()), exp.size());
  for (int i = 0; i < tag.data().step_size(); ++i) {
    const auto& t = tag.data().value(i);
    EXPECT_EQ(t.dtype(), tensorboard::DT_STRING);
    ASSERT_EQ(t.string_val_size(), 1);
    EXPECT_EQ(t.string_val(0), exp[i]["text"][0].get<std::string>());
  }
}

TEST_P(GoldenServer, PrCurvesKeepTheirShape) {
  td::ReadTensorsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("pr_curves");
  read.mutable_downsample()->set_num_points(100);
  td::ReadTensorsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadTensors, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  const auto& tag = r.runs(0).tags(0);
  EXPECT_EQ(tag.tag_name(), "pr");
  const auto& exp = expected_["per_run"]["main"]["pr_curves"]["pr"][0];
  const auto& t = tag.data().value(0);
  std::vector<std::int64_t> shape;
  for (const auto& d : t.tensor_shape().dim()) shape.push_back(d.size());
  EXPECT_EQ(shape, exp["shape"].get<std::vector<std::int64_t>>());
  const std::size_t elements = static_cast<std::size_t>(shape[0] * shape[1]);
  EXPECT_TRUE(t.float_val_size() == static_cast<int>(elements) ||
              t.tensor_content().size() == elements * sizeof(float));
}

TEST_P(GoldenServer, HparamsCarryTheirPluginContent) {
  td::ListTensorsRequest list;
  list.mutable_plugin_filter()->set_plugin_name("hparams");
  td::ListTensorsResponse listed;
  ASSERT_TRUE(TBLOG_CALL(stub(), ListTensors, list, listed).ok());
  EXPECT_EQ(tags_by_run(listed), expected_tags(expected_, "hparams"));
  const auto values = values_of(logdir_of(GetParam()) + "/main/hp_run");
  for (const auto& tag : listed.runs(0).tags()) {
    const auto& m = tag.metadata().summary_metadata();
    EXPECT_EQ(m.data_class(), tensorboard::DATA_CLASS_TENSOR);
    EXPECT_EQ(m.plugin_data().content(), values.at(tag.tag_name())[0].second.plugin_content);
    EXPECT_FALSE(m.plugin_data().content().empty());
  }
  // TensorBoard reads hparams with k = 1.
  td::ReadTensorsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("hparams");
  read.mutable_downsample()->set_num_points(1);
  td::ReadTensorsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadTensors, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  EXPECT_EQ(r.runs(0).tags_size(), 3);
  for (const auto& tag : r.runs(0).tags()) EXPECT_EQ(tag.data().step_size(), 1);
}

// The files' mesh and custom-scalar summaries carry no data class; TensorBoard's loader
// makes them tensors, which is how the Mesh and Custom Scalars dashboards read them.
TEST_P(GoldenServer, MeshAndCustomScalarsAreTensorsWithTheFilesContents) {
  const auto values = values_of(logdir_of(GetParam()) + "/main");
  for (const std::string plugin : {"mesh", "custom_scalars"}) {
    td::ListTensorsRequest list;
    list.mutable_plugin_filter()->set_plugin_name(plugin);
    td::ListTensorsResponse listed;
    ASSERT_TRUE(TBLOG_CALL(stub(), ListTensors, list, listed).ok());
    ASSERT_EQ(listed.runs_size(), 1) << plugin;
    EXPECT_EQ(listed.runs(0).tags_size(), plugin == "mesh" ? 3 : 1) << plugin;
    for (const auto& tag : listed.runs(0).tags()) {
      const auto& m = tag.metadata().summary_metadata();
      EXPECT_EQ(m.data_class(), tensorboard::DATA_CLASS_TENSOR);
      EXPECT_EQ(m.plugin_data().content(), values.at(tag.tag_name())[0].second.plugin_content);
    }
    td::ReadTensorsRequest read;
    read.mutable_plugin_filter()->set_plugin_name(plugin);
    read.mutable_downsample()->set_num_points(10);
    td::ReadTensorsResponse r;
    ASSERT_TRUE(TBLOG_CALL(stub(), ReadTensors, read, r).ok());
    ASSERT_EQ(r.runs_size(), 1);
    for (const auto& tag : r.runs(0).tags()) {
      ASSERT_EQ(tag.data().step_size(), 1) << tag.tag_name();
      const auto& file_value = values.at(tag.tag_name())[0].second;
      EXPECT_EQ(tag.data().value(0).tensor_shape().dim_size(),
                static_cast<int>(file_value.tensor.shape.size()))
          << tag.tag_name();
    }
  }
}

TEST_P(GoldenServer, GraphIsTheGraphDefBytes) {
  const auto events = read_run_events(logdir_of(GetParam()) + "/main");
  std::string graph_def, run_metadata;
  for (const Event& e : events) {
    if (e.what == Event::What::graph_def) graph_def = e.graph_def;
    if (e.what == Event::What::tagged_run_metadata) run_metadata = e.run_metadata;
  }
  td::ReadBlobSequencesRequest read;
  read.mutable_plugin_filter()->set_plugin_name("graphs");
  read.mutable_downsample()->set_num_points(1);
  td::ReadBlobSequencesResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadBlobSequences, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  ASSERT_EQ(r.runs(0).tags_size(), 1);
  EXPECT_EQ(r.runs(0).tags(0).tag_name(), "__run_graph__");
  const std::string bytes = read_blob(stub(), r.runs(0).tags(0).data().values(0).blob_refs(0).blob_key());
  EXPECT_EQ(bytes.size(), expected_["per_run"]["main"]["graphs"]["__run_graph__"][0]["bytes"].get<std::size_t>());
  EXPECT_EQ(bytes, graph_def);

  read.mutable_plugin_filter()->set_plugin_name("graph_tagged_run_metadata");
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadBlobSequences, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  EXPECT_EQ(tags_by_run(r)["main"], expected_tags(expected_, "graph_tagged_run_metadata")["main"]);
  EXPECT_EQ(read_blob(stub(), r.runs(0).tags(0).data().values(0).blob_refs(0).blob_key()),
            run_metadata);
}

INSTANTIATE_TEST_SUITE_P(Writers, GoldenServer, ::testing::Values("torch", "tbx"));

// The protocol's rules, on the PyTorch logdir.
class Protocol : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { served_ = new ServedLogdir(logdir_of("torch")); }
  static void TearDownTestSuite() {
    delete served_;
    served_ = nullptr;
  }
  td::TensorBoardDataProvider::Stub& stub() { return *served_->stub; }
  static ServedLogdir* served_;
};
ServedLogdir* Protocol::served_ = nullptr;

TEST_F(Protocol, EmptyPluginNameIsInvalid) {
  td::ListScalarsResponse r;
  EXPECT_EQ(TBLOG_CALL(stub(), ListScalars, td::ListScalarsRequest(), r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  td::ListTensorsResponse t;
  EXPECT_EQ(TBLOG_CALL(stub(), ListTensors, td::ListTensorsRequest(), t).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  td::ListBlobSequencesResponse b;
  EXPECT_EQ(TBLOG_CALL(stub(), ListBlobSequences, td::ListBlobSequencesRequest(), b).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(Protocol, MissingOrNegativeDownsampleIsInvalid) {
  td::ReadScalarsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("scalars");
  td::ReadScalarsResponse r;
  EXPECT_EQ(TBLOG_CALL(stub(), ReadScalars, read, r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  read.mutable_downsample()->set_num_points(-1);
  EXPECT_EQ(TBLOG_CALL(stub(), ReadScalars, read, r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  td::ReadTensorsRequest tensors;
  tensors.mutable_plugin_filter()->set_plugin_name("text");
  td::ReadTensorsResponse t;
  EXPECT_EQ(TBLOG_CALL(stub(), ReadTensors, tensors, t).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  td::ReadBlobSequencesRequest blobs;
  blobs.mutable_plugin_filter()->set_plugin_name("images");
  blobs.mutable_downsample()->set_num_points(-5);
  td::ReadBlobSequencesResponse b;
  EXPECT_EQ(TBLOG_CALL(stub(), ReadBlobSequences, blobs, b).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(Protocol, FiltersSelectRunsAndTags) {
  td::ReadScalarsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("scalars");
  read.mutable_downsample()->set_num_points(100);
  *read.mutable_run_tag_filter() = only("main", {"loss"});
  td::ReadScalarsResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  EXPECT_EQ(r.runs(0).run_name(), "main");
  ASSERT_EQ(r.runs(0).tags_size(), 1);
  EXPECT_EQ(r.runs(0).tags(0).tag_name(), "loss");
  EXPECT_EQ(r.runs(0).tags(0).data().step_size(), 10);

  // A tag filter alone: every run that has the tag.
  read.clear_run_tag_filter();
  read.mutable_run_tag_filter()->mutable_tags()->add_names("multi");
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
  EXPECT_EQ(tags_by_run(r), (std::map<std::string, std::vector<std::string>>{
                                {"main/multi_cos", {"multi"}}, {"main/multi_sin", {"multi"}}}));

  // Present but empty: nothing.
  read.clear_run_tag_filter();
  read.mutable_run_tag_filter()->mutable_runs();
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
  EXPECT_EQ(r.runs_size(), 0);
  read.clear_run_tag_filter();
  read.mutable_run_tag_filter()->mutable_tags();
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
  EXPECT_EQ(r.runs_size(), 0);

  // A plugin with no data: an empty answer.
  read.clear_run_tag_filter();
  read.mutable_plugin_filter()->set_plugin_name("no_such_plugin");
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
  EXPECT_EQ(r.runs_size(), 0);
}

TEST_F(Protocol, DownsamplingKeepsOrderAndEndsOnTheLastPoint) {
  td::ReadScalarsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("scalars");
  *read.mutable_run_tag_filter() = only("main", {"loss"});
  td::ReadScalarsResponse r;
  for (int k : {0, 1, 3, 9, 10, 11}) {
    read.mutable_downsample()->set_num_points(k);
    ASSERT_TRUE(TBLOG_CALL(stub(), ReadScalars, read, r).ok());
    ASSERT_EQ(r.runs_size(), 1);
    const auto& d = r.runs(0).tags(0).data();
    EXPECT_EQ(d.step_size(), std::min(k, 10)) << "k=" << k;
    if (k == 0) continue;
    EXPECT_EQ(d.step(d.step_size() - 1), 9) << "k=" << k;
    EXPECT_EQ(d.value(d.step_size() - 1), 0.1f);
    for (int i = 1; i < d.step_size(); ++i) EXPECT_LT(d.step(i - 1), d.step(i)) << "k=" << k;
  }
}

TEST_F(Protocol, BlobKeysAreUrlSafeUniqueAndCheckedOnRead) {
  td::ReadBlobSequencesRequest read;
  read.mutable_plugin_filter()->set_plugin_name("images");
  read.mutable_downsample()->set_num_points(10);
  td::ReadBlobSequencesResponse r;
  ASSERT_TRUE(TBLOG_CALL(stub(), ReadBlobSequences, read, r).ok());
  std::set<std::string> keys;
  for (const auto& tag : r.runs(0).tags()) {
    for (const auto& seq : tag.data().values()) {
      for (const auto& ref : seq.blob_refs()) {
        ASSERT_FALSE(ref.blob_key().empty());
        for (char c : ref.blob_key()) {
          EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
              << ref.blob_key();
        }
        keys.insert(ref.blob_key());
      }
    }
  }
  EXPECT_EQ(keys.size(), 9u);  // 3 points of 3 blobs

  grpc::Status status;
  read_blob(stub(), "not a key!", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  read_blob(stub(), "", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  read_blob(stub(), data_server::encode_blob_key({"main", "img/single", 7, 0}), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  read_blob(stub(), data_server::encode_blob_key({"main", "img/single", 0, 3}), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  read_blob(stub(), data_server::encode_blob_key({"nope", "img/single", 0, 0}), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  read_blob(stub(), data_server::encode_blob_key({"main", "loss", 0, 0}), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(BlobKey, RoundTripsAnyRunAndTag) {
  const data_server::BlobKey key{std::string("r\0un:7", 6), "tag/with:colons", -3, 12};
  const auto decoded = data_server::decode_blob_key(data_server::encode_blob_key(key));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->run, key.run);
  EXPECT_EQ(decoded->tag, key.tag);
  EXPECT_EQ(decoded->step, key.step);
  EXPECT_EQ(decoded->index, key.index);
  EXPECT_FALSE(data_server::decode_blob_key("QQ"));  // "A": no fields
}

}  // namespace
}  // namespace tblog::test
