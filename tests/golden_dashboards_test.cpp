// Our hparams, PR curves, audio, custom scalars, mesh and projector files against what
// PyTorch's and tensorboardX's SummaryWriter wrote for the same calls (the golden logdirs;
// see their README.md), and against what TensorBoard read from those (*.expected.json):
// the same tags, plugin names, plugin content and tensor shapes.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "read/dashboard_of.hpp"
#include "png_test_decode.hpp"
#include "format/record_framing.hpp"
#include "tblog/event.pb.h"
#include "tblog/plugins.pb.h"
#include "tblog/summary.pb.h"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using google::protobuf::util::MessageDifferencer;
using nlohmann::json;

struct Value {
  std::int64_t step = 0;
  pb::Summary::Value value;
};

// Every summary value of every event file directly in `dir`, by tag.
std::map<std::string, std::vector<Value>> values_in(const std::string& dir) {
  std::map<std::string, std::vector<Value>> out;
  for (const auto& file : test::event_files_in(dir)) {
    const std::string bytes = test::read_file(file);
    std::string_view rest(bytes);
    while (!rest.empty()) {
      const detail::DecodedRecord frame = detail::decode_record(rest);
      if (frame.status != detail::RecordStatus::complete) {
        ADD_FAILURE() << "bad record in " << file;
        break;
      }
      pb::Event event;
      EXPECT_TRUE(event.ParseFromArray(frame.data.data(), static_cast<int>(frame.data.size())));
      for (const auto& v : event.summary().value()) out[v.tag()].push_back({event.step(), v});
      rest.remove_prefix(frame.size);
    }
  }
  return out;
}

// Tags by dashboard as our reader classifies them, without the ones TensorBoard derives
// (distributions) or keeps out of event files (projector).
std::map<std::string, std::vector<std::string>> our_dashboards(const std::string& dir) {
  detail::TagDashboards d;
  for (const Event& e : test::read_run_events(dir)) {
    d.observe_event(e);
    for (const SummaryValue& v : e.values) d.observe(v);
  }
  return d.tags_by_dashboard();
}

json expected(const std::string& writer) {
  return json::parse(test::read_file(test::golden_dir() + "/" + writer + ".expected.json"));
}

std::string golden_main(const std::string& writer) {
  return test::golden_dir() + "/" + writer + "/main";
}

class GoldenDashboards : public ::testing::TestWithParam<std::string> {
 protected:
  test::TempDir dir;
  std::string main() const { return dir.str() + "/main"; }
};

INSTANTIATE_TEST_SUITE_P(Writers, GoldenDashboards, ::testing::Values("torch", "tbx"));

// ---------------------------------------------------------------------------------------

// add_hparams({lr: 0.01, bsize: 32, opt: "adam", flag: true},
//             {hparam/accuracy: 0.9, hparam/loss: 0.1}) into the run main/hp_run.
TEST_P(GoldenDashboards, HParamsMatchFieldByFieldExceptTimes) {
  {
    SummaryWriter w(main());
    HParamsOptions options;
    options.run_name = "hp_run";
    w.add_hparams({{"lr", 0.01}, {"bsize", 32}, {"opt", "adam"}, {"flag", true}},
                  {{"hparam/accuracy", 0.9}, {"hparam/loss", 0.1}}, options);
  }
  const auto ours = values_in(main() + "/hp_run");
  const auto golden = values_in(golden_main(GetParam()) + "/hp_run");
  std::set<std::string> our_tags, golden_tags;
  for (const auto& [tag, v] : ours) our_tags.insert(tag);
  for (const auto& [tag, v] : golden) golden_tags.insert(tag);
  EXPECT_EQ(our_tags, golden_tags);

  const bool bool_as_number = GetParam() == "torch";  // PyTorch stores a bool as 1.0
  for (const char* tag : {"_hparams_/experiment", "_hparams_/session_start_info",
                          "_hparams_/session_end_info"}) {
    ASSERT_EQ(ours.count(tag), 1u) << tag;
    ASSERT_EQ(golden.count(tag), 1u) << tag;
    const auto& a = ours.at(tag).at(0).value;
    const auto& b = golden.at(tag).at(0).value;
    EXPECT_EQ(a.metadata().plugin_data().plugin_name(), "hparams");
    EXPECT_EQ(b.metadata().plugin_data().plugin_name(), "hparams");
    pb::HParamsPluginData pa, pb_;
    ASSERT_TRUE(pa.ParseFromString(a.metadata().plugin_data().content()));
    ASSERT_TRUE(pb_.ParseFromString(b.metadata().plugin_data().content()));
    EXPECT_EQ(pa.version(), pb_.version());
    ASSERT_EQ(pa.data_case(), pb_.data_case()) << tag;
    // Times: we record when the session started and ended; they leave them 0.
    if (pa.has_experiment()) pa.mutable_experiment()->clear_time_created_secs();
    if (pa.has_session_start_info()) pa.mutable_session_start_info()->clear_start_time_secs();
    if (pa.has_session_end_info()) pa.mutable_session_end_info()->clear_end_time_secs();
    if (bool_as_number && pa.has_session_start_info()) {
      auto& flag = (*pa.mutable_session_start_info()->mutable_hparams())["flag"];
      EXPECT_TRUE(flag.bool_value());
      flag.set_number_value(1.0);
    }
    if (pa.has_experiment()) {
      for (auto& info : *pa.mutable_experiment()->mutable_hparam_infos()) {
        if (bool_as_number && info.name() == "flag") {
          EXPECT_EQ(info.type(), pb::DATA_TYPE_BOOL);
          info.set_type(pb::DATA_TYPE_FLOAT64);
        }
      }
    }
    MessageDifferencer diff;
    // They list hparams in the caller's order, we in name order; a map is unordered.
    diff.TreatAsSet(pb::Experiment::descriptor()->FindFieldByName("hparam_infos"));
    std::string report;
    diff.ReportDifferencesToString(&report);
    EXPECT_TRUE(diff.Compare(pa, pb_)) << tag << ":\n" << report;
  }
  for (const char* tag : {"hparam/accuracy", "hparam/loss"}) {
    ASSERT_EQ(ours.count(tag), 1u) << tag;
    EXPECT_EQ(ours.at(tag).at(0).value.simple_value(), golden.at(tag).at(0).value.simple_value());
    EXPECT_EQ(ours.at(tag).at(0).step, golden.at(tag).at(0).step);
  }

  // What TensorBoard read from their run: the same tags on the same dashboards.
  const json tags = expected(GetParam())["per_run"]["main/hp_run"]["tags"];
  const auto dashboards = our_dashboards(main() + "/hp_run");
  for (const auto& [dashboard, list] : tags.items()) {
    ASSERT_EQ(dashboards.count(dashboard), 1u) << dashboard;
    EXPECT_EQ(dashboards.at(dashboard), list.get<std::vector<std::string>>()) << dashboard;
  }
  // And the hparams TensorBoard decoded from the session start.
  const json start = expected(GetParam())["per_run"]["main/hp_run"]["hparams"]
                                          ["_hparams_/session_start_info"]["hparams"];
  pb::HParamsPluginData data;
  ASSERT_TRUE(data.ParseFromString(
      ours.at("_hparams_/session_start_info").at(0).value.metadata().plugin_data().content()));
  const auto& h = data.session_start_info().hparams();
  EXPECT_EQ(h.at("opt").string_value(), start["opt"].get<std::string>());
  EXPECT_DOUBLE_EQ(h.at("lr").number_value(), start["lr"].get<double>());
  EXPECT_DOUBLE_EQ(h.at("bsize").number_value(), start["bsize"].get<double>());
  if (!bool_as_number) EXPECT_EQ(h.at("flag").bool_value(), start["flag"].get<bool>());
}

// add_pr_curve("pr", 100 random labels and predictions, step 0, 127 thresholds).
TEST_P(GoldenDashboards, PrCurveHasTheSameLayout) {
  std::vector<std::uint8_t> labels(100);
  std::vector<float> predictions(100);
  for (int i = 0; i < 100; ++i) {
    labels[i] = (i * 7) % 3 == 0;
    predictions[i] = static_cast<float>((i * 37) % 100) / 100.0f;
  }
  {
    SummaryWriter w(main());
    w.add_pr_curve("pr", labels, predictions, 0);
  }
  const auto a = values_in(main()).at("pr").at(0);
  const auto b = values_in(golden_main(GetParam())).at("pr").at(0);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.value.metadata().plugin_data().plugin_name(), "pr_curves");
  EXPECT_EQ(a.value.metadata().plugin_data().plugin_name(),
            b.value.metadata().plugin_data().plugin_name());
  pb::PrCurvePluginData ca, cb;
  ASSERT_TRUE(ca.ParseFromString(a.value.metadata().plugin_data().content()));
  ASSERT_TRUE(cb.ParseFromString(b.value.metadata().plugin_data().content()));
  EXPECT_TRUE(MessageDifferencer::Equals(ca, cb)) << ca.DebugString() << cb.DebugString();
  EXPECT_EQ(a.value.tensor().dtype(), b.value.tensor().dtype());
  EXPECT_TRUE(MessageDifferencer::Equals(a.value.tensor().tensor_shape(),
                                         b.value.tensor().tensor_shape()));
  const json pr = expected(GetParam())["per_run"]["main"]["pr_curves"]["pr"][0];
  EXPECT_EQ(pr["shape"], json({6, 127}));
  EXPECT_EQ(pr["num_thresholds"], 127);
}

struct WavInfo {
  std::uint32_t rate = 0;
  int channels = 0, bits = 0;
  std::vector<std::int16_t> samples;
};

WavInfo wav_info(const std::string& b) {
  WavInfo w;
  auto u16 = [&](std::size_t i) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b.at(i)) |
                                      (static_cast<unsigned char>(b.at(i + 1)) << 8));
  };
  w.channels = u16(22);
  w.rate = u16(24) | (static_cast<std::uint32_t>(u16(26)) << 16);
  w.bits = u16(34);
  for (std::size_t i = 44; i + 1 < b.size(); i += 2) w.samples.push_back(static_cast<std::int16_t>(u16(i)));
  return w;
}

// add_audio("audio/tone", 0.25 s of a 440 Hz sine at 8 kHz, amplitude 0.5). They write the
// legacy `audio` field, which TensorBoard converts to the tensor form we write.
TEST_P(GoldenDashboards, AudioHasTheSameClip) {
  std::vector<float> tone(2000);
  for (std::size_t i = 0; i < tone.size(); ++i) {
    tone[i] = static_cast<float>(0.5 * std::sin(2 * M_PI * 440.0 * static_cast<double>(i) / 8000.0));
  }
  {
    SummaryWriter w(main());
    w.add_audio("audio/tone", AudioView(tone), 8000, 0);
  }
  const auto a = values_in(main()).at("audio/tone").at(0).value;
  const auto b = values_in(golden_main(GetParam())).at("audio/tone").at(0).value;
  EXPECT_EQ(a.metadata().plugin_data().plugin_name(), "audio");
  pb::AudioPluginData content;
  ASSERT_TRUE(content.ParseFromString(a.metadata().plugin_data().content()));
  const json clip = expected(GetParam())["per_run"]["main"]["audio"]["audio/tone"][0];
  EXPECT_EQ(static_cast<int>(content.encoding()), clip["encoding"].get<int>());
  ASSERT_EQ(a.tensor().string_val_size(), 2);
  EXPECT_EQ(a.tensor().tensor_shape().dim_size(), 2);
  const std::string& ours = a.tensor().string_val(0);
  const std::string& theirs = b.audio().encoded_audio_string();
  EXPECT_EQ(ours.size(), clip["clips"][0]["bytes"].get<std::size_t>());
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_EQ(ours.substr(0, 44), theirs.substr(0, 44)) << "the same WAV header";
  const WavInfo wa = wav_info(ours), wb = wav_info(theirs);
  EXPECT_EQ(wa.rate, clip["clips"][0]["sample_rate"].get<std::uint32_t>());
  EXPECT_EQ(wa.channels, clip["clips"][0]["channels"].get<int>());
  EXPECT_EQ(wa.bits / 8, clip["clips"][0]["sample_width"].get<int>());
  EXPECT_EQ(wa.samples.size(), clip["clips"][0]["frames"].get<std::size_t>());
  ASSERT_EQ(wa.samples.size(), wb.samples.size());
  for (std::size_t i = 0; i < wa.samples.size(); ++i) {
    // They truncate x * 32767, we round it.
    EXPECT_LE(std::abs(wa.samples[i] - wb.samples[i]), 1) << i;
  }
}

// add_custom_scalars: category "Group": multiline "losses" [loss, acc/train]; margin
// "margin" [multi/sin, multi/cos, loss].
TEST_P(GoldenDashboards, CustomScalarsLayoutIsTheSameMessage) {
  CustomScalarLayout layout;
  layout.categories.push_back({"Group",
                               {{"losses", {"loss", "acc/train"}, {}},
                                {"margin", {}, {{"multi/sin", "multi/cos", "loss"}}}},
                               false});
  {
    SummaryWriter w(main());
    w.add_custom_scalars(layout);
  }
  const auto a = values_in(main()).at("custom_scalars__config__").at(0);
  const auto b = values_in(golden_main(GetParam())).at("custom_scalars__config__").at(0);
  EXPECT_EQ(a.step, b.step);
  EXPECT_TRUE(MessageDifferencer::Equals(a.value.metadata(), b.value.metadata()))
      << a.value.metadata().DebugString() << b.value.metadata().DebugString();
  EXPECT_EQ(a.value.tensor().dtype(), b.value.tensor().dtype());
  EXPECT_TRUE(MessageDifferencer::Equals(a.value.tensor().tensor_shape(),
                                         b.value.tensor().tensor_shape()));
  pb::Layout la, lb;
  ASSERT_TRUE(la.ParseFromString(a.value.tensor().string_val(0)));
  ASSERT_TRUE(lb.ParseFromString(b.value.tensor().string_val(0)));
  EXPECT_TRUE(MessageDifferencer::Equals(la, lb)) << la.DebugString() << lb.DebugString();
}

// add_mesh("mesh", a tetrahedron: 4 vertices, 4 faces, 4 colours). PyTorch's tags and
// metadata; tensorboardX names the tags mesh_1.. and leaves out `components`.
TEST_P(GoldenDashboards, MeshHasTheSameComponents) {
  const std::vector<float> vertices{1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1};
  const std::vector<std::int32_t> faces{0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2};
  const std::vector<std::uint8_t> colors{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255};
  {
    SummaryWriter w(main());
    w.add_mesh("mesh", vertices, faces, colors, "{}", 0);
  }
  const auto ours = values_in(main());
  const auto golden = values_in(golden_main(GetParam()));
  const bool tbx = GetParam() == "tbx";
  const char* suffixes[] = {"_VERTEX", "_FACE", "_COLOR"};
  for (int i = 0; i < 3; ++i) {
    const std::string our_tag = std::string("mesh") + suffixes[i];
    const std::string their_tag = tbx ? "mesh_" + std::to_string(i + 1) : our_tag;
    ASSERT_EQ(ours.count(our_tag), 1u) << our_tag;
    ASSERT_EQ(golden.count(their_tag), 1u) << their_tag;
    const auto& a = ours.at(our_tag).at(0).value;
    const auto& b = golden.at(their_tag).at(0).value;
    EXPECT_EQ(a.metadata().plugin_data().plugin_name(), b.metadata().plugin_data().plugin_name());
    pb::MeshPluginData ma, mb;
    ASSERT_TRUE(ma.ParseFromString(a.metadata().plugin_data().content()));
    ASSERT_TRUE(mb.ParseFromString(b.metadata().plugin_data().content()));
    if (tbx) {
      ma.clear_components();
      ma.clear_json_config();
      mb.clear_json_config();  // tensorboardX writes "null"
    }
    EXPECT_TRUE(MessageDifferencer::Equals(ma, mb)) << ma.DebugString() << mb.DebugString();
    EXPECT_EQ(a.tensor().dtype(), b.tensor().dtype());
    EXPECT_TRUE(MessageDifferencer::Equals(a.tensor().tensor_shape(), b.tensor().tensor_shape()));
    std::vector<float> av(a.tensor().tensor_content().size() / 4);
    std::memcpy(av.data(), a.tensor().tensor_content().data(), av.size() * 4);
    const std::vector<float> bv(b.tensor().float_val().begin(), b.tensor().float_val().end());
    EXPECT_EQ(av, bv) << our_tag;
  }
  if (!tbx) {
    const json mesh = expected(GetParam())["per_run"]["main"]["tags"]["mesh"];
    EXPECT_EQ(our_dashboards(main()).at("mesh"), mesh.get<std::vector<std::string>>());
  }
}

std::vector<float> read_tsv_matrix(const std::string& text, std::size_t* cols) {
  std::vector<float> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field;
    std::size_t n = 0;
    while (std::getline(fields, field, '\t')) {
      out.push_back(std::stof(field));
      ++n;
    }
    *cols = n;
  }
  return out;
}

// add_embedding(20 x 5 matrix, labels p0..p19, 20 RGB 8 x 8 thumbnails, tag "emb", step 0):
// the same config entry (with the tensor in binary form and its shape), metadata and sprite.
TEST_P(GoldenDashboards, EmbeddingHasTheSameProjectorEntry) {
  const std::string golden = golden_main(GetParam());
  std::size_t cols = 0;
  const std::vector<float> matrix =
      read_tsv_matrix(test::read_file(golden + "/00000/emb/tensors.tsv"), &cols);
  ASSERT_EQ(cols, 5u);
  ASSERT_EQ(matrix.size(), 100u);
  std::vector<std::string> labels;
  for (int i = 0; i < 20; ++i) labels.push_back("p" + std::to_string(i));
  // The thumbnails, cut back out of their sprite.
  const auto sprite = test::decode_png(test::read_file(golden + "/00000/emb/sprite.png"));
  ASSERT_TRUE(sprite.ok) << sprite.error;
  ASSERT_EQ(sprite.channels, 3);
  std::vector<std::uint8_t> thumbs;
  for (int n = 0; n < 20; ++n) {
    for (int y = 0; y < 8; ++y) {
      for (int x = 0; x < 8; ++x) {
        for (int c = 0; c < 3; ++c) thumbs.push_back(sprite.at((n / 5) * 8 + y, (n % 5) * 8 + x, c));
      }
    }
  }
  {
    SummaryWriter w(main());
    w.add_embedding(MatrixView(matrix, 20, 5), labels,
                    ImageBatchView(thumbs, BatchLayout::NHWC, 20, 8, 8, 3), "emb", 0);
  }
  pb::ProjectorConfig ours, theirs;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      test::read_file(main() + "/projector_config.pbtxt"), &ours));
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      test::read_file(golden + "/projector_config.pbtxt"), &theirs));
  ASSERT_EQ(ours.embeddings_size(), 1);
  ASSERT_EQ(theirs.embeddings_size(), 1);
  const auto& a = ours.embeddings(0);
  const auto& b = theirs.embeddings(0);
  EXPECT_EQ(a.tensor_name(), b.tensor_name());
  EXPECT_EQ(a.metadata_path(), b.metadata_path());
  EXPECT_TRUE(MessageDifferencer::Equals(a.sprite(), b.sprite()));
  EXPECT_EQ(a.tensor_path(), "00000/emb/tensors.bin");

  // What TensorBoard's projector reported for theirs.
  const json info = expected(GetParam())["app"]["projector/info?run=main"]["json"]["embeddings"][0];
  EXPECT_EQ(a.tensor_name(), info["tensorName"].get<std::string>());
  EXPECT_EQ(std::vector<std::uint32_t>(a.tensor_shape().begin(), a.tensor_shape().end()),
            info["tensorShape"].get<std::vector<std::uint32_t>>());
  EXPECT_EQ(std::vector<std::uint32_t>(a.sprite().single_image_dim().begin(),
                                       a.sprite().single_image_dim().end()),
            info["sprite"]["singleImageDim"].get<std::vector<std::uint32_t>>());

  const std::string tensor = test::read_file(main() + "/" + a.tensor_path());
  ASSERT_EQ(tensor.size(), matrix.size() * 4);
  EXPECT_EQ(std::memcmp(tensor.data(), matrix.data(), tensor.size()), 0);
  EXPECT_EQ(test::read_file(main() + "/" + a.metadata_path()),
            test::read_file(golden + "/" + b.metadata_path()));
  const auto our_sprite = test::decode_png(test::read_file(main() + "/" + a.sprite().image_path()));
  ASSERT_TRUE(our_sprite.ok);
  EXPECT_EQ(our_sprite.width, sprite.width);
  EXPECT_EQ(our_sprite.height, sprite.height);
  EXPECT_TRUE(our_sprite.pixels == sprite.pixels) << "sprite pixels differ";
}

}  // namespace
}  // namespace tblog
