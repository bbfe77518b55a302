// SummaryWriter's API contract: steps and wall times, moves, error codes, PyTorch's
// purge_step, scalar formats, and writing tensors and summaries tblog has no call for.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tblog/reader.hpp"
#include "tblog/signals.hpp"
#include "tblog/summary_writer.hpp"
#include "tblog/summary.pb.h"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::TempDir;

// ---- What must not compile.
template <typename S, typename = void>
struct AcceptsStep : std::false_type {};
template <typename S>
struct AcceptsStep<S, std::void_t<decltype(std::declval<SummaryWriter&>().add_scalar(
                          "x", 1.5, std::declval<S>()))>> : std::true_type {};
static_assert(AcceptsStep<int>::value);
static_assert(AcceptsStep<std::int64_t>::value);
static_assert(AcceptsStep<std::size_t>::value);
static_assert(!AcceptsStep<double>::value, "add_scalar(\"x\", 1.5, 2.7) must not compile");
static_assert(!AcceptsStep<float>::value);
static_assert(!AcceptsStep<bool>::value);

static_assert(std::is_constructible_v<ImageView, const std::vector<std::uint8_t>&, ImageLayout,
                                      std::int64_t, std::int64_t, std::int64_t>);
static_assert(!std::is_constructible_v<ImageView, std::vector<std::uint8_t>&&, ImageLayout,
                                       std::int64_t, std::int64_t, std::int64_t>,
              "a view of a temporary would dangle");
static_assert(!std::is_constructible_v<ImageBatchView, std::vector<float>&&, BatchLayout,
                                       std::int64_t, std::int64_t, std::int64_t, std::int64_t>);
static_assert(!std::is_constructible_v<MatrixView, std::vector<float>&&, std::size_t, std::size_t>);
static_assert(!std::is_constructible_v<AudioView, std::vector<float>&&, std::int64_t>);
static_assert(!std::is_constructible_v<VideoView, std::vector<std::uint8_t>&&, std::int64_t,
                                       std::int64_t, std::int64_t, std::int64_t, std::int64_t>);
static_assert(!std::is_constructible_v<TensorView, std::vector<float>&&, std::vector<std::int64_t>>);

static_assert(std::is_nothrow_move_constructible_v<SummaryWriter>);
static_assert(std::is_nothrow_move_assignable_v<SummaryWriter>);
static_assert(!std::is_copy_constructible_v<SummaryWriter>);
static_assert(std::is_move_constructible_v<RecordReader>);
static_assert(std::is_move_constructible_v<EventFileReader>);

const SummaryValue* find_value(const std::vector<Event>& events, const std::string& tag,
                               const Event** owner = nullptr) {
  for (const Event& e : events) {
    for (const SummaryValue& v : e.values) {
      if (v.tag == tag) {
        if (owner) *owner = &e;
        return &v;
      }
    }
  }
  return nullptr;
}

std::vector<std::int64_t> steps_of(const std::vector<Event>& events, const std::string& tag) {
  std::vector<std::int64_t> steps;
  for (const Event& e : events) {
    for (const SummaryValue& v : e.values) {
      if (v.tag == tag) steps.push_back(e.step);
    }
  }
  return steps;
}

ErrorCode code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no tblog::Error thrown";
  return ErrorCode::corrupt;
}

TEST(WriterApi, EveryKindTakesAWallTime) {
  TempDir dir;
  {
    SummaryWriter w(dir.str());
    w.add_scalar("s", 1.0, {3, 1000.25});
    w.add_scalar("s4", 1.0, 4, 2000.5);  // PyTorch's positional walltime
    w.add_text("t", "hello", {5, 3000.75});
    const std::vector<float> values = {1, 2, 3};
    w.add_histogram("h", values, {6, 4000.0});
    const std::vector<std::uint8_t> pixels(2 * 2 * 3, 7);
    w.add_image("i", ImageView(pixels, ImageLayout::HWC, 2, 2, 3), {7, 5000.0});
    w.add_scalars("m", {{"a", 1.0}}, {8, 6000.0});
  }
  const auto events = test::read_run_events(dir.str());
  const struct { const char* tag; std::int64_t step; double wall_time; } expected[] = {
      {"s", 3, 1000.25}, {"s4", 4, 2000.5}, {"t", 5, 3000.75}, {"h", 6, 4000.0}, {"i", 7, 5000.0}};
  for (const auto& x : expected) {
    const Event* e = nullptr;
    ASSERT_NE(find_value(events, x.tag, &e), nullptr) << x.tag;
    EXPECT_EQ(e->step, x.step) << x.tag;
    EXPECT_EQ(e->wall_time, x.wall_time) << x.tag;
  }
  const auto sub = test::read_run_events(dir.str() + "/m_a");
  const Event* e = nullptr;
  ASSERT_NE(find_value(sub, "m", &e), nullptr);
  EXPECT_EQ(e->wall_time, 6000.0);
}

TEST(WriterApi, BadWallTimesAreInvalidArguments) {
  TempDir dir;
  SummaryWriter w(dir.str());
  for (double bad : {std::nan(""), double(INFINITY), -1.0}) {
    EXPECT_EQ(code_of([&] { w.add_scalar("s", 1.0, {1, bad}); }), ErrorCode::invalid_argument);
    EXPECT_EQ(code_of([&] { w.add_text("t", "x", {1, bad}); }), ErrorCode::invalid_argument);
  }
  w.add_scalar("s", 2.0, 1);  // still usable
  w.close();
  const auto events = test::read_run_events(dir.str());
  EXPECT_EQ(steps_of(events, "s"), std::vector<std::int64_t>{1});
  EXPECT_EQ(steps_of(events, "t"), std::vector<std::int64_t>{});
}

TEST(WriterApi, StepsBeyondInt64AreRefused) {
  const std::uint64_t huge = std::uint64_t{1} << 63;
  EXPECT_THROW(Step{huge}, Error);
  EXPECT_EQ(Step{std::uint64_t{42}}.value(), 42);
}

TEST(WriterApi, ErrorsCarryTheirCode) {
  TempDir dir;
  SummaryWriter w(dir.str());
  EXPECT_EQ(code_of([&] { w.add_scalar("", 1.0, 0); }), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of([&] { w.add_scalar("x", 1.0, -1); }), ErrorCode::invalid_argument);
  w.close();
  EXPECT_EQ(code_of([&] { w.add_scalar("x", 1.0, 0); }), ErrorCode::closed);
  EXPECT_EQ(code_of([&] { SummaryWriter bad("/proc/no/such/place"); }), ErrorCode::io);
  EXPECT_EQ(code_of([&] { RecordReader r(dir.str() + "/missing"); }), ErrorCode::io);
  EXPECT_EQ(code_of([&] { parse_event(std::string("\x0a\x05", 2)); }), ErrorCode::corrupt);
  EXPECT_EQ(to_string(ErrorCode::events_lost), "events lost");
}

TEST(WriterApi, WritersMove) {
  TempDir dir;
  SummaryWriter a(dir.str() + "/a");
  a.add_scalar("x", 1.0, 0);
  SummaryWriter b(std::move(a));
  b.add_scalar("x", 2.0, 1);
  EXPECT_EQ(code_of([&] { a.add_scalar("x", 3.0, 2); }), ErrorCode::closed);  // NOLINT: moved from
  EXPECT_EQ(code_of([&] { a.flush(); }), ErrorCode::closed);                   // NOLINT

  SummaryWriter c(dir.str() + "/c");
  c.add_scalar("y", 1.0, 0);
  c = std::move(b);  // closes c's own writer first: its data is on disk
  c.add_scalar("x", 4.0, 2);
  c.close();
  EXPECT_EQ(steps_of(test::read_run_events(dir.str() + "/a"), "x"),
            (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(steps_of(test::read_run_events(dir.str() + "/c"), "y"), std::vector<std::int64_t>{0});

  std::vector<SummaryWriter> writers;  // movable, so they live in containers
  writers.emplace_back(dir.str() + "/v");
  writers.emplace_back(dir.str() + "/w");
  for (auto& w : writers) w.add_scalar("z", 1.0, 0);
}

TEST(WriterApi, ScalarFormats) {
  TempDir dir;
  const double precise = 0.1 + 1e-12;  // not representable as a float
  {
    SummaryWriter w(dir.str());
    w.add_scalar("simple", precise, 0);
    w.add_scalar("float", precise, 0, ScalarFormat::float_tensor);
    w.add_scalar("double", precise, 0, ScalarFormat::double_tensor);
    w.add_scalar("double", 2.5, {1, 7.0}, ScalarFormat::double_tensor);
  }
  const auto events = test::read_run_events(dir.str());
  const SummaryValue* simple = find_value(events, "simple");
  ASSERT_NE(simple, nullptr);
  EXPECT_EQ(simple->kind, SummaryValue::Kind::simple_value);
  EXPECT_EQ(simple->simple_value, static_cast<float>(precise));

  const SummaryValue* f = find_value(events, "float");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->plugin_name, "scalars");
  EXPECT_EQ(f->tensor.dtype, 1);
  EXPECT_TRUE(f->tensor.shape.empty());
  EXPECT_EQ(f->tensor.as_doubles(), std::vector<double>{static_cast<float>(precise)});

  const SummaryValue* d = find_value(events, "double");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->plugin_name, "scalars");
  EXPECT_EQ(d->tensor.dtype, 2);
  EXPECT_EQ(d->tensor.as_doubles(), std::vector<double>{precise});  // exact, not rounded
  EXPECT_EQ(steps_of(events, "double"), (std::vector<std::int64_t>{0, 1}));

  // tblog export prints the double exactly.
  const auto r = test::run_command(test::shell_quote(test::cli_path()) + " export --tag double " +
                                   test::shell_quote(dir.str()));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.output.find("0.100000000001"), std::string::npos) << r.output;
}

TEST(WriterApi, AddTensorWritesAnyPlugin) {
  TempDir dir;
  const std::vector<std::int32_t> counts = {1, 2, 3, 4, 5, 6};
  const std::vector<std::string> words = {"a", "bb"};
  {
    SummaryWriter w(dir.str());
    PluginInfo plugin;
    plugin.name = "my_plugin";
    plugin.content = std::string("\x08\x01", 2);
    plugin.display_name = "Counts";
    plugin.description = "per class";
    plugin.data_class = PluginInfo::DataClass::tensor;
    w.add_tensor("counts", TensorView(counts, {2, 3}), {4, 10.0}, plugin);
    w.add_tensor("counts", TensorView(counts, {6}), 5, plugin);
    w.add_tensor("words", TensorView(words.data(), words.size(), {2}), 0);
  }
  const auto events = test::read_run_events(dir.str());
  std::vector<const SummaryValue*> values;
  for (const Event& e : events) {
    for (const SummaryValue& v : e.values) {
      if (v.tag == "counts") values.push_back(&v);
    }
  }
  ASSERT_EQ(values.size(), 2u);
  EXPECT_TRUE(values[0]->has_metadata);
  EXPECT_EQ(values[0]->plugin_name, "my_plugin");
  EXPECT_EQ(values[0]->plugin_content, std::string("\x08\x01", 2));
  EXPECT_EQ(values[0]->display_name, "Counts");
  EXPECT_EQ(values[0]->description, "per class");
  EXPECT_EQ(values[0]->data_class, 2);
  EXPECT_EQ(values[0]->tensor.dtype, 3);
  EXPECT_EQ(values[0]->tensor.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(values[0]->tensor.as_doubles(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(values[1]->has_metadata);  // metadata goes with a tag's first value in a file
  EXPECT_EQ(values[1]->tensor.shape, std::vector<std::int64_t>{6});
  const SummaryValue* w = find_value(events, "words");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->tensor.string_val, words);
}

TEST(WriterApi, AddTensorChecksItsArguments) {
  TempDir dir;
  SummaryWriter w(dir.str());
  const std::vector<float> v = {1, 2, 3};
  EXPECT_THROW(w.add_tensor("t", TensorView(v, {2, 2}), 0), Error);  // 4 elements named, 3 given
  EXPECT_THROW(w.add_tensor("t", TensorView(v, {-3}), 0), Error);
  std::vector<std::uint8_t> flags = {0, 2};
  TensorView bools(flags, {2});
  bools.dtype = DataType::boolean;
  EXPECT_THROW(w.add_tensor("t", bools, 0), Error);
  PluginInfo bad;
  bad.name = "\xff";
  EXPECT_THROW(w.add_tensor("t", TensorView(v, {3}), 0, bad), Error);
  w.add_tensor("t", TensorView(v, {3}), 1);
  w.close();
  EXPECT_EQ(steps_of(test::read_run_events(dir.str()), "t"), std::vector<std::int64_t>{1});
}

TEST(WriterApi, AddSummaryWritesTheBytesGiven) {
  TempDir dir;
  pb::Summary summary;
  auto* value = summary.add_value();
  value->set_tag("raw");
  value->set_simple_value(2.5f);
  value->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  const std::string bytes = summary.SerializeAsString();
  {
    SummaryWriter w(dir.str());
    w.add_summary(bytes, {9, 123.0});
    EXPECT_EQ(code_of([&] { w.add_summary("\xff\xff\xff", 1); }), ErrorCode::invalid_argument);
    pb::Summary untagged;
    untagged.add_value()->set_simple_value(1);
    EXPECT_THROW(w.add_summary(untagged.SerializeAsString(), 1), Error);
  }
  const auto events = test::read_run_events(dir.str());
  const Event* e = nullptr;
  const SummaryValue* v = find_value(events, "raw", &e);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(e->step, 9);
  EXPECT_EQ(e->wall_time, 123.0);
  EXPECT_EQ(v->simple_value, 2.5f);
  EXPECT_EQ(v->plugin_name, "scalars");
}

// PyTorch's purge_step: a resumed job writes SessionLog START at the purge step, and every
// reader drops the earlier attempt's points at steps >= it, as TensorBoard does.
TEST(WriterApi, PurgeStepDropsTheAbandonedSteps) {
  TempDir dir;
  {
    SummaryWriter first(dir.str());
    for (int step = 0; step < 10; ++step) {
      first.add_scalar("loss", step, step);
      first.add_scalars("lr", {{"enc", step}}, step);
    }
  }
  {
    WriterOptions options;
    options.purge_step = 5;
    SummaryWriter resumed(dir.str(), options);
    for (int step = 5; step < 8; ++step) {
      resumed.add_scalar("loss", 100 + step, step);
      resumed.add_scalars("lr", {{"enc", 100 + step}}, step);
    }
  }
  // The files hold everything, with the START between the attempts.
  const auto all = test::read_run_events(dir.str());
  EXPECT_EQ(steps_of(all, "loss").size(), 13u);
  int starts = 0;
  for (const Event& e : all) {
    if (e.what == Event::What::session_log && e.session_status == 1) {
      EXPECT_EQ(e.step, 5);
      ++starts;
    }
  }
  EXPECT_EQ(starts, 1);

  // read_run applies the restart, in the main run and in add_scalars' run.
  for (const std::string run_dir : {dir.str(), dir.str() + "/lr_enc"}) {
    const std::string tag = run_dir == dir.str() ? "loss" : "lr";
    std::vector<tblog::Run> runs = find_runs(run_dir);
    ASSERT_FALSE(runs.empty());
    const RunEvents read = read_run(runs[0]);
    EXPECT_TRUE(read.problems.empty());
    EXPECT_EQ(steps_of(read.events, tag), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}))
        << run_dir;
    const Event* e = nullptr;
    const SummaryValue* v = nullptr;
    for (const Event& ev : read.events) {
      for (const SummaryValue& sv : ev.values) {
        if (sv.tag == tag && ev.step == 6) {
          e = &ev;
          v = &sv;
        }
      }
    }
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->simple_value, 106.0f) << "the resumed value, not the abandoned one";
    (void)e;
  }

  // So do tblog export and tblog inspect.
  const auto r = test::run_command(test::shell_quote(test::cli_path()) + " export --tag loss " +
                                   test::shell_quote(dir.str()));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1 + 8) << r.output;
  EXPECT_NE(r.output.find(",6,"), std::string::npos);
  EXPECT_NE(r.output.find(",106\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(",9,"), std::string::npos) << r.output;
  const auto i = test::run_command(test::shell_quote(test::cli_path()) + " inspect " +
                                   test::shell_quote(dir.str()));
  ASSERT_EQ(i.exit_code, 0) << i.all();
  EXPECT_NE(i.output.find("loss  8 events, steps 0..7, first 0, last 107"), std::string::npos)
      << i.output;
}

// SIGTERM within flush_secs of the last add: with the opt-in, everything added is on disk and
// the process still ends by the signal.
void expect_flushed_on(int sig) {
  TempDir dir;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(20);  // a hang ends the child some other way, and the test fails
    flush_writers_on_termination_signals();
    WriterOptions options;
    options.flush_secs = 3600;  // nothing would reach the disk before the signal
    SummaryWriter w(dir.str(), options);
    for (int step = 0; step < 1000; ++step) w.add_scalar("loss", step, step);
    ::kill(::getpid(), sig);
    for (;;) ::pause();
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), sig) << "the signal's own action ends the process";
  std::vector<tblog::Run> runs = find_runs(dir.str());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(steps_of(read_run(runs[0]).events, "loss").size(), 1000u);
}

TEST(WriterApi, TerminationSignalsFlushEveryWriterFirst) {
  expect_flushed_on(SIGTERM);
  expect_flushed_on(SIGINT);
}

TEST(WriterApi, NegativePurgeStepIsRefused) {
  TempDir dir;
  WriterOptions options;
  options.purge_step = -1;
  EXPECT_EQ(code_of([&] { SummaryWriter w(dir.str(), options); }), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace tblog
