// The dashboard kinds (hparams, PR curves, audio, custom scalars, embeddings, video, mesh,
// boxes, tensor-form histograms) written by a real SummaryWriter and read back through our
// reader; and every kind's bad input: a tblog::Error naming the argument, nothing written,
// and a writer that still works.
#include <gif_lib.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "read/dashboard_of.hpp"
#include "png_test_decode.hpp"
#include "tblog/plugins.pb.h"
#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// A writer whose warnings are collected.
struct Fixture {
  TempDir dir;
  std::mutex mu;
  std::vector<std::string> warnings;
  std::unique_ptr<SummaryWriter> writer;

  Fixture() {
    WriterOptions options;
    options.error_handler = [this](const std::string& m) {
      std::lock_guard<std::mutex> lock(mu);
      warnings.push_back(m);
    };
    writer = std::make_unique<SummaryWriter>(dir.str(), options);
  }
  SummaryWriter& w() { return *writer; }
  std::vector<Event> events(const std::string& run = ".") {
    writer->flush();
    return test::read_run_events(run == "." ? dir.str() : dir.str() + "/" + run);
  }
  std::string path(const std::string& rel) const { return dir.str() + "/" + rel; }
};

struct Found {
  std::int64_t step = 0;
  SummaryValue value;
};

std::vector<Found> values_of(const std::vector<Event>& events, const std::string& tag) {
  std::vector<Found> out;
  for (const Event& e : events) {
    for (const SummaryValue& v : e.values) {
      if (v.tag == tag) out.push_back({e.step, v});
    }
  }
  return out;
}

std::vector<float> floats_of(const TensorValue& t) {
  std::vector<float> out;
  for (double d : t.as_doubles()) out.push_back(static_cast<float>(d));
  return out;
}

// Runs f, which must throw tblog::Error whose message contains every one of `parts`.
void expect_error(const std::function<void()>& f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "no tblog::Error thrown; expected one mentioning " << *parts.begin();
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const char* part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message \"" << message << "\" does not mention \"" << part << "\"";
    }
  }
}

// Every file under the logdir with its size.
std::map<std::string, std::uintmax_t> files_under(const std::string& dir) {
  std::map<std::string, std::uintmax_t> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = e.file_size();
  }
  return out;
}

std::size_t event_count(const std::string& dir) {
  std::size_t n = 0;
  for (const tblog::Run& run : find_runs(dir)) n += test::read_run_events(run.path).size();
  return n;
}

// A bad call: throws naming the argument, leaves every file as it was, and the writer then
// still writes.
void expect_rejected(Fixture& f, const std::function<void()>& call,
                     std::initializer_list<const char*> parts) {
  f.w().flush();
  const auto files_before = files_under(f.dir.str());
  const std::size_t events_before = event_count(f.dir.str());
  expect_error(call, parts);
  f.w().flush();
  EXPECT_EQ(files_under(f.dir.str()), files_before) << "a rejected call wrote files";
  EXPECT_EQ(event_count(f.dir.str()), events_before) << "a rejected call wrote events";
  f.w().add_scalar("still_usable", 1.0, 7);
  const auto after = values_of(f.events(), "still_usable");
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.back().step, 7);
}

// ---------------------------------------------------------------------------------------
// HParams

pb::HParamsPluginData hparams_content(const SummaryValue& v) {
  EXPECT_TRUE(v.has_metadata);
  EXPECT_EQ(v.plugin_name, "hparams");
  pb::HParamsPluginData data;
  EXPECT_TRUE(data.ParseFromString(v.plugin_content));
  return data;
}

TEST(HParams, SessionGoesIntoTheWritersOwnRunWithNoExtraRun) {
  Fixture f;
  HParamsOptions options;
  options.description = "learning rate sweep";
  options.hparam_domains.push_back({"opt", "Optimizer", "", {"adam", "sgd"}, false, 0, 0});
  options.hparam_domains.push_back({"lr", "", "step size", {}, true, 1e-4, 1.0});
  options.metric_infos.push_back({"accuracy", "Accuracy", "top-1"});
  f.w().add_hparams({{"lr", 0.01}, {"bsize", 32}, {"opt", "adam"}, {"flag", true}},
                    {{"accuracy", 0.9}, {"loss", 0.1}}, options);
  const auto events = f.events();

  const auto runs = find_runs(f.dir.str());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, ".");

  const auto experiment = values_of(events, "_hparams_/experiment");
  const auto start = values_of(events, "_hparams_/session_start_info");
  const auto end = values_of(events, "_hparams_/session_end_info");
  ASSERT_EQ(experiment.size(), 1u);
  ASSERT_EQ(start.size(), 1u);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(start[0].value.tensor.dtype, 1);
  EXPECT_EQ(start[0].value.tensor.shape, std::vector<std::int64_t>{0});

  const pb::Experiment e = hparams_content(experiment[0].value).experiment();
  EXPECT_EQ(e.description(), "learning rate sweep");
  std::map<std::string, pb::HParamInfo> infos;
  for (const auto& info : e.hparam_infos()) infos[info.name()] = info;
  ASSERT_EQ(infos.size(), 4u);
  EXPECT_EQ(infos["lr"].type(), pb::DATA_TYPE_FLOAT64);
  EXPECT_EQ(infos["bsize"].type(), pb::DATA_TYPE_FLOAT64);
  EXPECT_EQ(infos["opt"].type(), pb::DATA_TYPE_STRING);
  EXPECT_EQ(infos["flag"].type(), pb::DATA_TYPE_BOOL);
  EXPECT_EQ(infos["opt"].display_name(), "Optimizer");
  ASSERT_EQ(infos["opt"].domain_discrete().values_size(), 2);
  EXPECT_EQ(infos["opt"].domain_discrete().values(1).string_value(), "sgd");
  EXPECT_DOUBLE_EQ(infos["lr"].domain_interval().max_value(), 1.0);
  ASSERT_EQ(e.metric_infos_size(), 2);
  EXPECT_EQ(e.metric_infos(0).name().tag(), "accuracy");
  EXPECT_EQ(e.metric_infos(0).display_name(), "Accuracy");
  EXPECT_EQ(e.metric_infos(1).name().tag(), "loss");

  const pb::SessionStartInfo s = hparams_content(start[0].value).session_start_info();
  EXPECT_DOUBLE_EQ(s.hparams().at("lr").number_value(), 0.01);
  EXPECT_DOUBLE_EQ(s.hparams().at("bsize").number_value(), 32);
  EXPECT_EQ(s.hparams().at("opt").string_value(), "adam");
  EXPECT_TRUE(s.hparams().at("flag").bool_value());
  EXPECT_GT(s.start_time_secs(), 1e9);

  const pb::SessionEndInfo en = hparams_content(end[0].value).session_end_info();
  EXPECT_EQ(en.status(), pb::STATUS_SUCCESS);
  EXPECT_GE(en.end_time_secs(), s.start_time_secs());

  const auto accuracy = values_of(events, "accuracy");
  ASSERT_EQ(accuracy.size(), 1u);
  EXPECT_FLOAT_EQ(accuracy[0].value.simple_value, 0.9f);
}

TEST(HParams, SecondSessionInTheSameRunIsRefusedAndWritesNothing) {
  Fixture f;
  f.w().add_hparams({{"lr", 0.1}}, {{"acc", 0.5}});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 0.2}}, {{"acc", 0.6}}); },
                  {"add_hparams", "already holds an hparams session", "run_name"});
}

TEST(HParams, RunPerTrialLayoutAndMetricsNamedByScalarTags) {
  Fixture f;
  for (int trial = 0; trial < 2; ++trial) {
    HParamsOptions options;
    options.run_name = "trial" + std::to_string(trial);
    options.metric_tags = {"val/loss"};
    options.status = trial == 0 ? SessionStatus::failure : SessionStatus::running;
    f.w().add_hparams({{"lr", 0.1 * (trial + 1)}}, {}, options);
  }
  f.w().flush();
  std::vector<std::string> names;
  for (const tblog::Run& r : find_runs(f.dir.str())) names.push_back(r.name);
  // The writer's own run holds its event file but no session.
  EXPECT_EQ(names, (std::vector<std::string>{".", "trial0", "trial1"}));
  EXPECT_TRUE(values_of(f.events(), "_hparams_/session_start_info").empty());
  const auto t0 = f.events("trial0");
  const auto t1 = f.events("trial1");
  const auto e = hparams_content(values_of(t0, "_hparams_/experiment").at(0).value).experiment();
  ASSERT_EQ(e.metric_infos_size(), 1);
  EXPECT_EQ(e.metric_infos(0).name().tag(), "val/loss");
  EXPECT_TRUE(values_of(t0, "val/loss").empty()) << "metric tags write no values";
  EXPECT_EQ(hparams_content(values_of(t0, "_hparams_/session_end_info").at(0).value)
                .session_end_info()
                .status(),
            pb::STATUS_FAILURE);
  // Running is an end record whose status is STATUS_RUNNING: without one, TensorBoard
  // shows the session as unknown.
  const auto running_end = values_of(t1, "_hparams_/session_end_info");
  ASSERT_EQ(running_end.size(), 1u);
  const pb::SessionEndInfo running = hparams_content(running_end[0].value).session_end_info();
  EXPECT_EQ(running.status(), pb::STATUS_RUNNING);
  EXPECT_EQ(running.end_time_secs(), 0.0) << "a running session has no end time";
  EXPECT_DOUBLE_EQ(hparams_content(values_of(t1, "_hparams_/session_start_info").at(0).value)
                       .session_start_info()
                       .hparams()
                       .at("lr")
                       .number_value(),
                   0.2);
}

TEST(HParams, BadInput) {
  Fixture f;
  expect_rejected(f, [&] { f.w().add_hparams({}, {{"acc", 1}}); }, {"hparams", "empty"});
  expect_rejected(f, [&] { f.w().add_hparams({{"", 1}}, {}); }, {"hparams", "empty"});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", NAN}}, {}); }, {"hparams['lr']", "finite"});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {{"", 1}}); }, {"metrics", "empty"});
  HParamsOptions o;
  o.metric_tags = {"acc"};
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {{"acc", 1}}, o); },
                  {"metric 'acc'", "metric_tags"});
  o = {};
  o.hparam_domains.push_back({"nope", "", "", {1.0}, false, 0, 0});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {}, o); },
                  {"hparam_domains", "'nope'", "not in hparams"});
  o = {};
  o.hparam_domains.push_back({"lr", "", "", {"a"}, false, 0, 0});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {}, o); },
                  {"hparam_domains['lr']", "a string", "a number"});
  o = {};
  o.hparam_domains.push_back({"lr", "", "", {}, true, 0, 0.5});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {}, o); }, {"hparams['lr']", "outside"});
  o = {};
  o.metric_infos.push_back({"missing", "", ""});
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {}, o); },
                  {"metric_infos", "'missing'"});
  o = {};
  o.run_name = "../escape";
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {}, o); }, {"run_name", "'..'"});
  o = {};
  o.step = -1;
  expect_rejected(f, [&] { f.w().add_hparams({{"lr", 1}}, {}, o); }, {"step", "negative"});
  // After all that, the run still takes its one session.
  f.w().add_hparams({{"lr", 1}}, {});
  EXPECT_EQ(values_of(f.events(), "_hparams_/session_start_info").size(), 1u);
}

// ---------------------------------------------------------------------------------------
// PR curves

// TensorBoard's definition, computed naively.
std::vector<float> naive_curve(const std::vector<std::uint8_t>& labels,
                               const std::vector<float>& predictions, int n,
                               const std::vector<float>& weights) {
  std::vector<float> rows(6 * n);
  double all_pos = 0, all_neg = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    (labels[i] ? all_pos : all_neg) += w;
  }
  for (int t = 0; t < n; ++t) {
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const double w = weights.empty() ? 1.0 : weights[i];
      const int bucket = static_cast<int>(std::floor(predictions[i] * static_cast<float>(n - 1)));
      if (bucket >= t) (labels[i] ? tp : fp) += w;
    }
    const double fn = all_pos - tp, tn = all_neg - fp;
    rows[0 * n + t] = static_cast<float>(tp);
    rows[1 * n + t] = static_cast<float>(fp);
    rows[2 * n + t] = static_cast<float>(tn);
    rows[3 * n + t] = static_cast<float>(fn);
    rows[4 * n + t] = static_cast<float>(tp / std::max(1e-7, tp + fp));
    rows[5 * n + t] = static_cast<float>(tp / std::max(1e-7, tp + fn));
  }
  return rows;
}

TEST(PrCurve, CountsAtEachThresholdAsTensorBoardDefinesThem) {
  Fixture f;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<std::uint8_t> labels(500);
  std::vector<float> predictions(500), weights(500);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    labels[i] = rng() % 2;
    predictions[i] = i == 0 ? 1.0f : (i == 1 ? 0.0f : u(rng));
    weights[i] = u(rng) * 2;
  }
  f.w().add_pr_curve("pr", labels, predictions, 3, 11);
  f.w().add_pr_curve("pr_weighted", labels, predictions, 4, 127, weights);
  const auto events = f.events();

  const auto pr = values_of(events, "pr");
  ASSERT_EQ(pr.size(), 1u);
  EXPECT_EQ(pr[0].step, 3);
  EXPECT_EQ(pr[0].value.plugin_name, "pr_curves");
  pb::PrCurvePluginData data;
  ASSERT_TRUE(data.ParseFromString(pr[0].value.plugin_content));
  EXPECT_EQ(data.num_thresholds(), 11u);
  EXPECT_EQ(pr[0].value.tensor.dtype, 1);
  EXPECT_EQ(pr[0].value.tensor.shape, (std::vector<std::int64_t>{6, 11}));
  const auto expected = naive_curve(labels, predictions, 11, {});
  const auto got = floats_of(pr[0].value.tensor);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], expected[i]) << i;

  const auto weighted = values_of(events, "pr_weighted");
  ASSERT_EQ(weighted.size(), 1u);
  const auto expected_w = naive_curve(labels, predictions, 127, weights);
  const auto got_w = floats_of(weighted[0].value.tensor);
  ASSERT_EQ(got_w.size(), expected_w.size());
  for (std::size_t i = 0; i < got_w.size(); ++i) EXPECT_NEAR(got_w[i], expected_w[i], 1e-3) << i;
}

TEST(PrCurve, RawCountsAreWrittenAsGiven) {
  Fixture f;
  PrCurveCounts c;
  c.true_positives = {5, 3, 0};
  c.false_positives = {5, 1, 0};
  c.true_negatives = {0, 4, 5};
  c.false_negatives = {0, 2, 5};
  c.precision = {0.5, 0.75, 0};
  c.recall = {1, 0.6, 0};
  f.w().add_pr_curve_raw("raw", c, 2);
  const auto raw = values_of(f.events(), "raw");
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].value.tensor.shape, (std::vector<std::int64_t>{6, 3}));
  EXPECT_EQ(floats_of(raw[0].value.tensor),
            (std::vector<float>{5, 3, 0, 5, 1, 0, 0, 4, 5, 0, 2, 5, 0.5f, 0.75f, 0, 1, 0.6f, 0}));
}

TEST(PrCurve, BadInput) {
  Fixture f;
  const std::vector<std::uint8_t> labels{1, 0, 1};
  const std::vector<float> predictions{0.2f, 0.5f, 0.9f};
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", {1, 0}, predictions, 0); },
                  {"labels has 2", "predictions has 3"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", {}, {}, 0); }, {"predictions", "empty"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", labels, {0.2f, 1.5f, 0.1f}, 0); },
                  {"predictions[1]", "[0, 1]"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", labels, {0.2f, NAN, 0.1f}, 0); },
                  {"predictions[1]", "nan"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", labels, predictions, 0, 1); },
                  {"num_thresholds 1"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", labels, predictions, 0, 127, {1, 1}); },
                  {"weights has 2"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", labels, predictions, 0, 127, {1, -1, 1}); },
                  {"weights[1]", ">= 0"});
  expect_rejected(f, [&] { f.w().add_pr_curve("pr", labels, predictions, -2); }, {"negative"});
  PrCurveCounts c;
  c.true_positives = c.false_positives = c.true_negatives = c.false_negatives = {1, 0};
  c.precision = {1, 0};
  c.recall = {1};
  expect_rejected(f, [&] { f.w().add_pr_curve_raw("raw", c, 0); }, {"counts.recall has 1"});
  c.recall = {1, 2};
  expect_rejected(f, [&] { f.w().add_pr_curve_raw("raw", c, 0); }, {"counts.recall[1]", "[0, 1]"});
}

// ---------------------------------------------------------------------------------------
// Audio

struct Wav {
  int channels = 0;
  std::uint32_t rate = 0;
  int bits = 0;
  std::vector<std::int16_t> samples;
};

Wav parse_wav(const std::string& b) {
  Wav w;
  auto u16 = [&](std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                      (static_cast<unsigned char>(b[at + 1]) << 8));
  };
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(u16(at)) | (static_cast<std::uint32_t>(u16(at + 2)) << 16);
  };
  EXPECT_GE(b.size(), 44u);
  if (b.size() < 44) return w;
  EXPECT_EQ(b.substr(0, 4), "RIFF");
  EXPECT_EQ(u32(4), b.size() - 8);
  EXPECT_EQ(b.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(u16(20), 1) << "PCM";
  w.channels = u16(22);
  w.rate = u32(24);
  EXPECT_EQ(u32(28), w.rate * w.channels * 2);
  EXPECT_EQ(u16(32), w.channels * 2);
  w.bits = u16(34);
  EXPECT_EQ(b.substr(36, 4), "data");
  const std::uint32_t n = u32(40);
  EXPECT_EQ(n, b.size() - 44);
  for (std::size_t i = 44; i + 1 < b.size(); i += 2) w.samples.push_back(static_cast<std::int16_t>(u16(i)));
  return w;
}

TEST(Audio, StereoClipRoundTripsAsWavWithItsLabel) {
  Fixture f;
  std::vector<float> samples;
  for (int i = 0; i < 100; ++i) {
    samples.push_back(std::sin(i * 0.1f) * 0.5f);
    samples.push_back(i % 2 ? 1.0f : -1.0f);
  }
  f.w().add_audio("audio/stereo", AudioView(samples, 2), 16000, 5, "a label");
  const auto v = values_of(f.events(), "audio/stereo");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].step, 5);
  EXPECT_EQ(v[0].value.plugin_name, "audio");
  pb::AudioPluginData data;
  ASSERT_TRUE(data.ParseFromString(v[0].value.plugin_content));
  EXPECT_EQ(data.encoding(), pb::AudioPluginData::WAV);
  EXPECT_EQ(v[0].value.tensor.dtype, 7);
  EXPECT_EQ(v[0].value.tensor.shape, (std::vector<std::int64_t>{1, 2}));
  ASSERT_EQ(v[0].value.tensor.string_val.size(), 2u);
  EXPECT_EQ(v[0].value.tensor.string_val[1], "a label");
  const Wav wav = parse_wav(v[0].value.tensor.string_val[0]);
  EXPECT_EQ(wav.channels, 2);
  EXPECT_EQ(wav.rate, 16000u);
  EXPECT_EQ(wav.bits, 16);
  ASSERT_EQ(wav.samples.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(wav.samples[i], static_cast<std::int16_t>(std::lround(samples[i] * 32767.0f))) << i;
  }
}

TEST(Audio, ClipsOutsideTheRangeAreClampedWithOneWarning) {
  Fixture f;
  const std::vector<float> loud{0.0f, 2.0f, -3.0f, 0.5f};
  f.w().add_audio("loud", AudioView(loud), 8000, 0);
  f.w().add_audio("loud", AudioView(loud), 8000, 1);
  const auto v = values_of(f.events(), "loud");
  ASSERT_EQ(v.size(), 2u);
  const Wav wav = parse_wav(v[0].value.tensor.string_val[0]);
  EXPECT_EQ(wav.samples, (std::vector<std::int16_t>{0, 32767, -32767, 16384}));
  std::size_t clamp_warnings = 0;
  for (const auto& w : f.warnings) clamp_warnings += w.find("clamped 2 of 4") != std::string::npos;
  EXPECT_EQ(clamp_warnings, 1u);
}

TEST(Audio, BadInput) {
  Fixture f;
  const std::vector<float> ok{0.1f, 0.2f, 0.3f, 0.4f};
  const std::vector<float> with_nan{0.1f, NAN};
  const std::vector<float> with_inf{INFINITY};
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(with_nan), 8000, 0); },
                  {"audio.samples[1]", "NaN"});
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(with_inf), 8000, 0); },
                  {"audio.samples[0]", "infinite"});
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(), 8000, 0); }, {"audio.size is 0"});
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(ok, 3), 8000, 0); },
                  {"audio.size 4", "multiple of audio.channels 3"});
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(ok, 0), 8000, 0); }, {"audio.channels 0"});
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(ok), 0, 0); }, {"sample_rate 0"});
  expect_rejected(f, [&] { f.w().add_audio("a", AudioView(ok), NAN, 0); }, {"sample_rate"});
  for (const char* label : {"bad \xff byte", "surrogate \xed\xa0\x80", "overlong \xc0\xaf"}) {
    expect_rejected(f, [&] { f.w().add_audio("a", AudioView(ok), 8000, 0, label); },
                    {"label", "UTF-8"});
  }
}

// ---------------------------------------------------------------------------------------
// Custom scalars

TEST(CustomScalars, LayoutRoundTrips) {
  Fixture f;
  CustomScalarLayout layout;
  layout.categories.push_back(
      {"Group",
       {{"losses", {"loss", "acc/.*"}, {}}, {"margin", {}, {{"multi/sin", "multi/cos", "loss"}}}},
       true});
  f.w().add_custom_scalars(layout);
  const auto v = values_of(f.events(), "custom_scalars__config__");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].value.plugin_name, "custom_scalars");
  EXPECT_EQ(v[0].value.tensor.dtype, 7);
  EXPECT_TRUE(v[0].value.tensor.shape.empty());
  pb::Layout got;
  ASSERT_TRUE(got.ParseFromString(v[0].value.tensor.string_val.at(0)));
  ASSERT_EQ(got.category_size(), 1);
  EXPECT_EQ(got.category(0).title(), "Group");
  EXPECT_TRUE(got.category(0).closed());
  ASSERT_EQ(got.category(0).chart_size(), 2);
  EXPECT_EQ(got.category(0).chart(0).multiline().tag(1), "acc/.*");
  EXPECT_EQ(got.category(0).chart(1).margin().series(0).lower(), "multi/cos");
}

TEST(CustomScalars, BadInput) {
  Fixture f;
  expect_rejected(f, [&] { f.w().add_custom_scalars({}); }, {"layout.categories", "empty"});
  CustomScalarLayout l;
  l.categories.push_back({"G", {{"c", {"loss"}, {{"a", "b", "c"}}}}, false});
  expect_rejected(f, [&] { f.w().add_custom_scalars(l); }, {"categories[0].charts[0]", "both"});
  l.categories[0].charts[0] = {"c", {"loss("}, {}};
  expect_rejected(f, [&] { f.w().add_custom_scalars(l); },
                  {"multiline_tags[0]", "regular expression"});
  l.categories[0].charts[0] = {"c", {}, {{"a", "", "c"}}};
  expect_rejected(f, [&] { f.w().add_custom_scalars(l); }, {"margin_series[0].lower", "empty"});
}

// ---------------------------------------------------------------------------------------
// Embeddings

pb::ProjectorConfig read_config(const Fixture& f) {
  pb::ProjectorConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      test::read_file(f.path("projector_config.pbtxt")), &config));
  return config;
}

std::vector<float> random_matrix(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d;
  std::vector<float> m(n);
  for (float& x : m) x = d(rng);
  return m;
}

TEST(Embedding, BinaryTensorMetadataAndSpriteInTheRunFolder) {
  Fixture f;
  const std::size_t rows = 20, cols = 5;
  const auto m = random_matrix(rows * cols, 1);
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < rows; ++i) labels.push_back("p" + std::to_string(i));
  std::vector<std::uint8_t> thumbs(rows * 8 * 8 * 3);
  for (std::size_t i = 0; i < thumbs.size(); ++i) thumbs[i] = static_cast<std::uint8_t>(i / 192 * 10);
  const ImageBatchView images(thumbs, BatchLayout::NHWC, rows, 8, 8, 3);
  f.w().add_embedding(MatrixView(m, rows, cols), labels, images, "emb", 0);
  f.w().flush();

  const pb::ProjectorConfig config = read_config(f);
  ASSERT_EQ(config.embeddings_size(), 1);
  const pb::EmbeddingInfo& e = config.embeddings(0);
  EXPECT_EQ(e.tensor_name(), "emb:00000");
  EXPECT_EQ(e.tensor_path(), "00000/emb/tensors.bin");
  ASSERT_EQ(e.tensor_shape_size(), 2);
  EXPECT_EQ(e.tensor_shape(0), rows);
  EXPECT_EQ(e.tensor_shape(1), cols);
  EXPECT_EQ(e.metadata_path(), "00000/emb/metadata.tsv");
  EXPECT_EQ(e.sprite().image_path(), "00000/emb/sprite.png");
  EXPECT_EQ(e.sprite().single_image_dim_size(), 2);

  const std::string tensor = test::read_file(f.path(e.tensor_path()));
  ASSERT_EQ(tensor.size(), rows * cols * 4);
  EXPECT_EQ(std::memcmp(tensor.data(), m.data(), tensor.size()), 0);
  std::string expected_tsv;
  for (const auto& l : labels) expected_tsv += l + "\n";
  EXPECT_EQ(test::read_file(f.path(e.metadata_path())), expected_tsv) << "one column: no header";

  const auto sprite = test::decode_png(test::read_file(f.path(e.sprite().image_path())));
  ASSERT_TRUE(sprite.ok) << sprite.error;
  EXPECT_EQ(sprite.width, 40);  // ceil(sqrt(20)) = 5 thumbnails a row
  EXPECT_EQ(sprite.height, 40);
  EXPECT_EQ(sprite.at(0, 8, 0), 10) << "thumbnail 1 right of thumbnail 0";
  EXPECT_EQ(sprite.at(8, 0, 0), 50) << "thumbnail 5 starts the second row";
  EXPECT_EQ(sprite.at(39, 39, 0), 0) << "unused cells are black";
  for (const auto& [name, size] : files_under(f.dir.str())) {
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
  }
  // No event for an embedding.
  EXPECT_TRUE(values_of(f.events(), "emb").empty());
}

TEST(Embedding, SeveralEmbeddingsAndStepsAccumulateInOneConfig) {
  Fixture f;
  const auto a = random_matrix(30, 2);
  f.w().add_embedding(MatrixView(a, 10, 3), {}, {}, "a", 0);
  f.w().add_embedding(MatrixView(a, 10, 3), {}, {}, "a", 1);
  f.w().add_embedding(MatrixView(a, 6, 5), {}, {}, "b/c", 1);
  f.w().add_embedding(MatrixView(a, 15, 2), {}, {}, "a", 1);  // replaces a:00001
  f.w().close();
  // An embedding is no event, but its files were written: it counts as written.
  EXPECT_EQ(f.w().stats().events_written, 4u);
  EXPECT_EQ(f.w().stats().events_enqueued, 4u);
  const auto config = read_config(f);
  std::map<std::string, std::vector<std::uint32_t>> shapes;
  for (const auto& e : config.embeddings()) {
    shapes[e.tensor_name()] = {e.tensor_shape().begin(), e.tensor_shape().end()};
    EXPECT_FALSE(e.has_sprite());
    EXPECT_TRUE(e.metadata_path().empty());
    EXPECT_TRUE(fs::exists(f.path(e.tensor_path()))) << e.tensor_path();
  }
  EXPECT_EQ(shapes, (std::map<std::string, std::vector<std::uint32_t>>{
                        {"a:00000", {10, 3}}, {"a:00001", {15, 2}}, {"b/c:00001", {6, 5}}}));
  // A new writer on the same run adds to the config written by the first.
  SummaryWriter again(f.dir.str());
  again.add_embedding(MatrixView(a, 3, 3), {}, {}, "later", 9);
  again.close();
  EXPECT_EQ(read_config(f).embeddings_size(), 4);
}

TEST(Embedding, TsvOnRequestAndWhenTheBinaryWouldReadAsText) {
  Fixture f;
  EmbeddingOptions tsv;
  tsv.tensor_as_tsv = true;
  const std::vector<float> m{0.5f, -1.25f, 3.0f, 4.0f};
  f.w().add_embedding(MatrixView(m, 2, 2), {}, {}, "tsv", 0, tsv);
  // float32 bytes of 0.5 and 2.0 are all ASCII: TensorBoard would read them as TSV text.
  const std::vector<float> ascii{0.5f, 2.0f, 0.5f, 2.0f};
  f.w().add_embedding(MatrixView(ascii, 2, 2), {}, {}, "ascii", 0);
  f.w().flush();
  const auto config = read_config(f);
  ASSERT_EQ(config.embeddings_size(), 2);
  EXPECT_EQ(config.embeddings(0).tensor_path(), "00000/tsv/tensors.tsv");
  EXPECT_EQ(test::read_file(f.path("00000/tsv/tensors.tsv")), "0.5\t-1.25\n3\t4\n");
  EXPECT_EQ(config.embeddings(1).tensor_path(), "00000/ascii/tensors.tsv");
  EXPECT_EQ(test::read_file(f.path("00000/ascii/tensors.tsv")), "0.5\t2\n0.5\t2\n");
}

TEST(Embedding, SeveralMetadataColumnsGetAHeaderRow) {
  Fixture f;
  const std::vector<float> m{1.5f, -2.5f, 3.5f, -4.5f};
  EmbeddingMetadata meta;
  meta.column_names = {"name", "class"};
  meta.columns = {{"x", "y"}, {"cat", "dog"}};
  f.w().add_embedding(MatrixView(m, 2, 2), meta, {}, "cols", 3);
  f.w().flush();
  EXPECT_EQ(test::read_file(f.path("00003/cols/metadata.tsv")), "name\tclass\nx\tcat\ny\tdog\n");
}

TEST(Embedding, BadInput) {
  Fixture f;
  const std::vector<float> m{1.5f, -2.5f, 3.5f, -4.5f};
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView(m, 0, 2)); }, {"matrix is empty"});
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView()); }, {"matrix is empty"});
  const std::vector<float> nan{1.0f, NAN, 3.0f, 4.0f};
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView(nan, 2, 2)); },
                  {"matrix element [0, 1]", "finite"});
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView(m, 2, 2), std::vector<std::string>{"a"}); },
                  {"metadata.columns[0] has 1", "2 rows"});
  expect_rejected(f,
                  [&] { f.w().add_embedding(MatrixView(m, 2, 2), std::vector<std::string>{"a\tb", "c"}); },
                  {"tab or line break"});
  EmbeddingMetadata two;
  two.columns = {{"a", "b"}, {"c", "d"}};
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView(m, 2, 2), two); }, {"column_names"});
  const std::vector<std::uint8_t> px(3 * 4 * 4);
  expect_rejected(f,
                  [&] {
                    f.w().add_embedding(MatrixView(m, 2, 2), {},
                                        ImageBatchView(px, BatchLayout::NHW, 3, 4, 4));
                  },
                  {"label_images has 3 images", "2 rows"});
  expect_rejected(f,
                  [&] {
                    f.w().add_embedding(MatrixView(m, 2, 2), {},
                                        ImageBatchView(px, BatchLayout::NHW, 2, 4, 4));
                  },
                  {"label_images.size is 48", "needs 32"});
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView(m, 2, 2), {}, {}, "a/../b"); },
                  {"tag 'a/../b'", "'..'"});
  expect_rejected(f, [&] { f.w().add_embedding(MatrixView(m, 2, 2), {}, {}, "t", -1); },
                  {"negative"});
  EXPECT_FALSE(fs::exists(f.path("projector_config.pbtxt")));
}

// ---------------------------------------------------------------------------------------
// Video

struct DecodedGif {
  int width = 0, height = 0, frames = 0;
  int delay_cs = -1;
  bool loops = false;
  std::vector<std::vector<std::uint8_t>> rgb;  // per frame, height x width x 3
};

int read_from_string(GifFileType* gif, GifByteType* buf, int n) {
  auto* in = static_cast<std::pair<const std::string*, std::size_t>*>(gif->UserData);
  const int take = static_cast<int>(std::min<std::size_t>(n, in->first->size() - in->second));
  std::memcpy(buf, in->first->data() + in->second, static_cast<std::size_t>(take));
  in->second += static_cast<std::size_t>(take);
  return take;
}

DecodedGif decode_gif(const std::string& bytes) {
  DecodedGif out;
  std::pair<const std::string*, std::size_t> in{&bytes, 0};
  int err = 0;
  GifFileType* gif = DGifOpen(&in, read_from_string, &err);
  EXPECT_NE(gif, nullptr);
  if (!gif) return out;
  EXPECT_EQ(DGifSlurp(gif), GIF_OK);
  out.width = gif->SWidth;
  out.height = gif->SHeight;
  out.frames = gif->ImageCount;
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& img = gif->SavedImages[i];
    GraphicsControlBlock gcb;
    if (DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK) out.delay_cs = gcb.DelayTime;
    const ColorMapObject* map = img.ImageDesc.ColorMap ? img.ImageDesc.ColorMap : gif->SColorMap;
    std::vector<std::uint8_t> rgb;
    for (int p = 0; p < img.ImageDesc.Width * img.ImageDesc.Height; ++p) {
      const GifColorType c = map->Colors[img.RasterBits[p]];
      rgb.insert(rgb.end(), {c.Red, c.Green, c.Blue});
    }
    out.rgb.push_back(std::move(rgb));
  }
  // giflib files extension blocks under the image that follows them.
  auto find_loop = [&](const ExtensionBlock* blocks, int count) {
    for (int i = 0; i < count; ++i) {
      const ExtensionBlock& b = blocks[i];
      if (b.Function == APPLICATION_EXT_FUNC_CODE && b.ByteCount == 11 &&
          std::memcmp(b.Bytes, "NETSCAPE2.0", 11) == 0) {
        out.loops = true;
      }
    }
  };
  find_loop(gif->ExtensionBlocks, gif->ExtensionBlockCount);
  if (gif->ImageCount > 0) {
    find_loop(gif->SavedImages[0].ExtensionBlocks, gif->SavedImages[0].ExtensionBlockCount);
  }
  DGifCloseFile(gif, &err);
  return out;
}

TEST(Video, AnimatedGifInTheImagesDashboardWithColoursNearTheInput) {
  Fixture f;
  const std::int64_t n = 2, t = 3, h = 6, w = 5, c = 3;
  std::vector<std::uint8_t> v(n * t * h * w * c);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>((i * 37) % 256);
  f.w().add_video("video", VideoView(v, n, t, h, w, c), 4, 1);
  const auto got = values_of(f.events(), "video");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value.kind, SummaryValue::Kind::image);
  EXPECT_EQ(got[0].value.plugin_name, "images");
  EXPECT_EQ(got[0].value.image.width, 10);  // two videos side by side
  EXPECT_EQ(got[0].value.image.height, 6);
  EXPECT_EQ(got[0].value.image.encoded.substr(0, 6), "GIF89a");
  const DecodedGif gif = decode_gif(got[0].value.image.encoded);
  EXPECT_EQ(gif.frames, 3);
  EXPECT_EQ(gif.width, 10);
  EXPECT_EQ(gif.delay_cs, 25);
  EXPECT_TRUE(gif.loops);
  for (std::int64_t vid = 0; vid < n; ++vid) {
    for (std::int64_t fr = 0; fr < t; ++fr) {
      for (std::int64_t y = 0; y < h; ++y) {
        for (std::int64_t x = 0; x < w; ++x) {
          for (std::int64_t ch = 0; ch < c; ++ch) {
            const int in = v[(((vid * t + fr) * h + y) * w + x) * c + ch];
            const int out = gif.rgb[fr][((y * 10) + vid * w + x) * 3 + ch];
            // A 6-7-6 cube is at most half a level (25.5 of 255) off.
            EXPECT_LE(std::abs(in - out), 26) << vid << " " << fr << " " << y << " " << x;
          }
        }
      }
    }
  }
}

TEST(Video, GrayFramesAreExact) {
  Fixture f;
  std::vector<std::uint8_t> v(2 * 4 * 4);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 8);
  f.w().add_video("gray", VideoView(v, 1, 2, 4, 4, 1), 100, 0);
  const auto got = values_of(f.events(), "gray");
  ASSERT_EQ(got.size(), 1u);
  const DecodedGif gif = decode_gif(got[0].value.image.encoded);
  ASSERT_EQ(gif.frames, 2);
  EXPECT_EQ(gif.delay_cs, 2) << "GIF plays at most 50 frames a second";
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(gif.rgb[1][3 * i], v[16 + i]);
}

TEST(Video, BadInput) {
  Fixture f;
  std::vector<std::uint8_t> v(1 * 2 * 4 * 4 * 3);
  expect_rejected(f, [&] { f.w().add_video("v", VideoView(v, 1, 2, 4, 5, 3), 10, 0); },
                  {"video.size is 96", "needs 120"});
  expect_rejected(f, [&] { f.w().add_video("v", VideoView(v, 1, 2, 4, 4, 2), 10, 0); },
                  {"video.channels must be 1, 3 or 4"});
  expect_rejected(f, [&] { f.w().add_video("v", VideoView(v, 1, 0, 4, 4, 3), 10, 0); },
                  {"video.frames must be > 0"});
  expect_rejected(f, [&] { f.w().add_video("v", VideoView(v, 1, 2, 4, 4, 3), 0, 0); }, {"fps"});
  expect_rejected(f, [&] { f.w().add_video("v", VideoView(), 10, 0); }, {"video.data is null"});
}

// ---------------------------------------------------------------------------------------
// Mesh

TEST(Mesh, ComponentsRoundTripWithTheirMetadata) {
  Fixture f;
  const std::vector<float> vertices{1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1};
  const std::vector<std::int32_t> faces{0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2};
  const std::vector<std::uint8_t> colors{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255};
  f.w().add_mesh("mesh", vertices, faces, colors, R"({"camera": {"fov": 60}})", 2);
  const auto events = f.events();
  const struct {
    const char* tag;
    pb::MeshPluginData::ContentType type;
    std::vector<float> data;
  } expected[] = {{"mesh_VERTEX", pb::MeshPluginData::VERTEX, vertices},
                  {"mesh_FACE", pb::MeshPluginData::FACE, {faces.begin(), faces.end()}},
                  {"mesh_COLOR", pb::MeshPluginData::COLOR, {colors.begin(), colors.end()}}};
  for (const auto& e : expected) {
    const auto v = values_of(events, e.tag);
    ASSERT_EQ(v.size(), 1u) << e.tag;
    EXPECT_EQ(v[0].step, 2);
    EXPECT_EQ(v[0].value.plugin_name, "mesh");
    pb::MeshPluginData meta;
    ASSERT_TRUE(meta.ParseFromString(v[0].value.plugin_content));
    EXPECT_EQ(meta.name(), "mesh");
    EXPECT_EQ(meta.content_type(), e.type);
    EXPECT_EQ(meta.json_config(), R"({"camera": {"fov": 60}})");
    EXPECT_EQ(meta.components(), 14u);
    EXPECT_EQ(std::vector<std::int64_t>(meta.shape().begin(), meta.shape().end()),
              (std::vector<std::int64_t>{1, 4, 3}));
    EXPECT_EQ(v[0].value.tensor.shape, (std::vector<std::int64_t>{1, 4, 3}));
    EXPECT_EQ(floats_of(v[0].value.tensor), e.data) << e.tag;
  }
}

TEST(Mesh, PointCloudHasOnlyVertices) {
  Fixture f;
  f.w().add_mesh("cloud", {0, 0, 0, 1, 1, 1}, {}, {}, "", 0);
  const auto events = f.events();
  ASSERT_EQ(values_of(events, "cloud_VERTEX").size(), 1u);
  EXPECT_TRUE(values_of(events, "cloud_FACE").empty());
  pb::MeshPluginData meta;
  ASSERT_TRUE(meta.ParseFromString(values_of(events, "cloud_VERTEX")[0].value.plugin_content));
  EXPECT_EQ(meta.components(), 2u);
  EXPECT_EQ(meta.json_config(), "{}");
}

TEST(Mesh, BadInput) {
  Fixture f;
  const std::vector<float> v{0, 0, 0, 1, 0, 0, 0, 1, 0};
  expect_rejected(f, [&] { f.w().add_mesh("m", v, {0, 1, 3}, {}, "{}", 0); },
                  {"faces[2] = 3", "3 vertices"});
  expect_rejected(f, [&] { f.w().add_mesh("m", v, {0, -1, 2}, {}, "{}", 0); }, {"faces[1] = -1"});
  expect_rejected(f, [&] { f.w().add_mesh("m", v, {0, 1}, {}, "{}", 0); }, {"faces has 2"});
  expect_rejected(f, [&] { f.w().add_mesh("m", {}, {}, {}, "{}", 0); }, {"vertices is empty"});
  expect_rejected(f, [&] { f.w().add_mesh("m", {0, 0}, {}, {}, "{}", 0); }, {"vertices has 2"});
  expect_rejected(f, [&] { f.w().add_mesh("m", {0, NAN, 0}, {}, {}, "{}", 0); },
                  {"vertices[1]", "finite"});
  expect_rejected(f, [&] { f.w().add_mesh("m", v, {}, {255, 0, 0}, "{}", 0); }, {"colors has 3"});
  expect_rejected(f, [&] { f.w().add_mesh("m", v, {}, {}, "{camera: 1}", 0); },
                  {"config_json", "not valid JSON"});
  for (const char* not_object : {"[1, 2]", " 3", "\"camera\"", "null", "true"}) {
    expect_rejected(f, [&] { f.w().add_mesh("m", v, {}, {}, not_object, 0); },
                    {"config_json", "not an object"});
  }
  f.w().add_mesh("m", v, {}, {}, " {\"camera\": {\"fov\": 75}} ", 1);  // an object is fine
}

// ---------------------------------------------------------------------------------------
// Images with boxes

TEST(ImageWithBoxes, BoxesAreDrawnIntoTheImage) {
  Fixture f;
  const int h = 40, w = 60;
  std::vector<std::uint8_t> gray(h * w, 100);
  f.w().add_image_with_boxes("boxes", ImageView(gray, ImageLayout::HW, h, w),
                             {{10, 20, 30, 35}, {-5, -5, 100, 100}}, {"cat", ""}, 0);
  const auto v = values_of(f.events(), "boxes");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].value.plugin_name, "images");
  const auto png = test::decode_png(v[0].value.image.encoded);
  ASSERT_TRUE(png.ok) << png.error;
  EXPECT_EQ(png.channels, 3) << "gray becomes RGB to show coloured boxes";
  EXPECT_EQ(png.width, w);
  // The first box's left edge at x = 10, y = 30 is in the first colour (230, 25, 75).
  EXPECT_EQ(png.at(30, 10, 0), 230);
  EXPECT_EQ(png.at(30, 10, 1), 25);
  // Inside the box the image is untouched.
  EXPECT_EQ(png.at(30, 20, 0), 100);
  EXPECT_EQ(png.at(30, 20, 1), 100);
  // The label's tab sits above the box, in the box's colour.
  EXPECT_EQ(png.at(19, 10, 0), 230);
}

TEST(ImageWithBoxes, BadInput) {
  Fixture f;
  std::vector<std::uint8_t> px(4 * 4 * 3);
  const ImageView image(px, ImageLayout::HWC, 4, 4, 3);
  expect_rejected(f, [&] { f.w().add_image_with_boxes("b", image, {{0, 0, 1, 1}}, {"a", "b"}, 0); },
                  {"labels has 2", "boxes has 1"});
  expect_rejected(f, [&] { f.w().add_image_with_boxes("b", image, {{2, 0, 1, 1}}, {}, 0); },
                  {"boxes[0]", "x_min > x_max"});
  expect_rejected(f, [&] { f.w().add_image_with_boxes("b", image, {{0, 0, NAN, 1}}, {}, 0); },
                  {"boxes[0]", "finite"});
  expect_rejected(f,
                  [&] {
                    f.w().add_image_with_boxes("b", ImageView(px, ImageLayout::HWC, 4, 5, 3),
                                               {}, {}, 0);
                  },
                  {"image.size is 48", "needs 60"});
}

// ---------------------------------------------------------------------------------------
// Histograms in tensor form

TEST(HistogramTensor, RowsMatchTheLegacyBucketsAsTensorBoardConvertsThem) {
  Fixture f;
  std::vector<double> values{-2.0, -1.0, 0.5, 0.5, 3.0, NAN};
  HistogramOptions tensor;
  tensor.tensor_form = true;
  f.w().add_histogram("h", values.data(), values.size(), 1, tensor);
  f.w().add_histogram("legacy", values.data(), values.size(), 1);
  const auto events = f.events();
  const auto h = values_of(events, "h");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].value.kind, SummaryValue::Kind::tensor);
  EXPECT_EQ(h[0].value.plugin_name, "histograms");
  EXPECT_EQ(h[0].value.tensor.dtype, 2);
  ASSERT_EQ(h[0].value.tensor.shape.size(), 2u);
  EXPECT_EQ(h[0].value.tensor.shape[1], 3);
  const auto rows = h[0].value.tensor.as_doubles();
  const auto legacy = values_of(events, "legacy").at(0).value.histogram;
  double total = 0;
  for (std::size_t i = 0; i < rows.size(); i += 3) {
    EXPECT_LE(rows[i], rows[i + 1]);
    total += rows[i + 2];
  }
  EXPECT_EQ(total, 5.0);
  EXPECT_EQ(rows.front(), -2.0) << "first left edge is the minimum";
  EXPECT_EQ(rows[rows.size() - 2], 3.0) << "last right edge is the maximum";
  EXPECT_EQ(legacy.num, 5.0);
  bool warned = false;
  for (const auto& w : f.warnings) warned |= w.find("'h'") != std::string::npos;
  EXPECT_TRUE(warned);
}

// ---------------------------------------------------------------------------------------
// Dashboards as `tblog inspect` and the tests classify them

TEST(Dashboards, EachKindLandsOnItsDashboard) {
  Fixture f;
  f.w().add_pr_curve("pr", {1, 0}, {0.9f, 0.1f}, 0);
  const std::vector<float> clip{0.0f, 0.5f};
  f.w().add_audio("audio", AudioView(clip), 8000, 0);
  f.w().add_custom_scalars({{{"G", {{"c", {"pr"}, {}}}, false}}});
  f.w().add_mesh("mesh", {0, 0, 0}, {}, {}, "{}", 0);
  std::vector<std::uint8_t> frames(2 * 2 * 2 * 3);
  f.w().add_video("video", VideoView(frames, 1, 2, 2, 2, 3), 5, 0);
  f.w().add_hparams({{"lr", 0.1}}, {{"acc", 0.5}});
  detail::TagDashboards dashboards;
  for (const Event& e : f.events()) {
    for (const SummaryValue& v : e.values) dashboards.observe(v);
  }
  const auto by = dashboards.tags_by_dashboard();
  EXPECT_EQ(by.at("pr_curves"), std::vector<std::string>{"pr"});
  EXPECT_EQ(by.at("audio"), std::vector<std::string>{"audio"});
  EXPECT_EQ(by.at("custom_scalars"), std::vector<std::string>{"custom_scalars__config__"});
  EXPECT_EQ(by.at("mesh"), std::vector<std::string>{"mesh_VERTEX"});
  EXPECT_EQ(by.at("images"), std::vector<std::string>{"video"});
  EXPECT_EQ(by.at("hparams"),
            (std::vector<std::string>{"_hparams_/experiment", "_hparams_/session_end_info",
                                      "_hparams_/session_start_info"}));
  EXPECT_EQ(by.at("scalars"), std::vector<std::string>{"acc"});
}

}  // namespace
}  // namespace tblog
