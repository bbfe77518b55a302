// The `tblog` tool, run as a program on logdirs built here record by record and on the
// golden logdirs.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "format/record_framing.hpp"
#include "tblog/event.pb.h"
#include "tblog/summary.pb.h"
#include "pb_events.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_command;
using test::shell_quote;
using test::file_version_event;
using test::scalar_event;

std::string tblog_cmd(const std::string& args) { return shell_quote(test::cli_path()) + " " + args; }

struct Point {
  std::string run, tag;
  std::int64_t step;
  double wall_time;
  double value;
  bool operator==(const Point& o) const {
    const bool same_value = value == o.value || (std::isnan(value) && std::isnan(o.value));
    return run == o.run && tag == o.tag && step == o.step && wall_time == o.wall_time && same_value;
  }
};

std::ostream& operator<<(std::ostream& os, const Point& p) {
  return os << p.run << "," << p.tag << "," << p.step << "," << p.wall_time << "," << p.value;
}

// A scalar the way TensorBoard's own summary API writes it: a rank-0 float tensor, with
// the plugin metadata on the first value of the tag only.
pb::Event tensor_scalar_event(double wall_time, std::int64_t step, const std::string& tag, float v,
                              bool with_metadata) {
  pb::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* value = e.mutable_summary()->add_value();
  value->set_tag(tag);
  if (with_metadata) value->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  value->mutable_tensor()->set_dtype(pb::DT_FLOAT);
  value->mutable_tensor()->mutable_tensor_shape();
  value->mutable_tensor()->add_float_val(v);
  return e;
}

pb::Event text_event(double wall_time, std::int64_t step, const std::string& tag, const std::string& s) {
  pb::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* value = e.mutable_summary()->add_value();
  value->set_tag(tag);
  value->mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
  value->mutable_tensor()->set_dtype(pb::DT_STRING);
  value->mutable_tensor()->add_string_val(s);
  return e;
}

pb::Event image_event(double wall_time, std::int64_t step, const std::string& tag) {
  pb::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* value = e.mutable_summary()->add_value();
  value->set_tag(tag);
  value->mutable_image()->set_width(2);
  value->mutable_image()->set_height(1);
  value->mutable_image()->set_colorspace(3);
  value->mutable_image()->set_encoded_image_string("\x89PNG not really");
  return e;
}

struct EventFile {
  std::string bytes;
  std::vector<std::uint64_t> offsets;  // each record's start

  void add(const pb::Event& e) {
    offsets.push_back(bytes.size());
    detail::append_record(bytes, e.SerializeAsString());
  }
  void write(const fs::path& path) const {
    fs::create_directories(path.parent_path());
    test::write_file(path.string(), bytes);
  }
};

// A logdir with two runs: scalars as simple values and as tensors, plus text and images
// that export must leave out. `points` gets every scalar written, in file order.
struct SampleLogdir {
  test::TempDir dir;
  std::vector<Point> points;
  fs::path train_file;

  SampleLogdir() {
    EventFile train;
    train.add(file_version_event());
    double t = 1700000000.123456;
    for (int step = 0; step < 10; ++step) {
      t += 0.000731;  // wall times that need microseconds and more
      const float loss = 1.0f / static_cast<float>(step + 3);
      train.add(scalar_event(t, step, "loss", loss));
      points.push_back({"train", "loss", step, t, loss});
      const float acc = 0.1f * static_cast<float>(step);
      train.add(tensor_scalar_event(t, step, "acc", acc, step == 0));
      points.push_back({"train", "acc", step, t, acc});
      if (step % 5 == 0) {
        train.add(text_event(t, step, "notes", "step " + std::to_string(step)));
        train.add(image_event(t, step, "sample/image"));
      }
    }
    train_file = dir.path() / "train" / "events.out.tfevents.1700000000.host.1.0";
    train.write(train_file);

    EventFile eval;
    eval.add(file_version_event());
    for (int step = 0; step < 3; ++step) {
      const double wall = 1700000100.5 + step;
      const float v = -2.5f * static_cast<float>(step) + 1e-7f;
      eval.add(scalar_event(wall, step * 100, "loss", v));
      points.push_back({"eval", "loss", step * 100, wall, v});
    }
    eval.write(dir.path() / "eval" / "events.out.tfevents.1700000100.host.1.0");
  }

  std::vector<Point> points_of(const std::string& run) const {
    std::vector<Point> out;
    for (const Point& p : points) {
      if (p.run == run) out.push_back(p);
    }
    return out;
  }
};

// Splits one CSV line, honouring quoted fields.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

double parse_double(const std::string& s) {
  if (s == "nan") return NAN;
  if (s == "inf") return INFINITY;
  if (s == "-inf") return -INFINITY;
  std::size_t used = 0;
  const double v = std::stod(s, &used);
  EXPECT_EQ(used, s.size()) << "not a number: " << s;
  return v;
}

std::vector<Point> parse_csv(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "run,tag,step,wall_time,value");
  std::vector<Point> out;
  while (std::getline(in, line)) {
    const auto f = csv_fields(line);
    EXPECT_EQ(f.size(), 5u) << line;
    if (f.size() != 5) continue;
    out.push_back({f[0], f[1], std::stoll(f[2]), parse_double(f[3]), parse_double(f[4])});
  }
  return out;
}

double json_number(const json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "NaN") return NAN;
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
    ADD_FAILURE() << "unexpected string value " << s;
  }
  return j.get<double>();
}

std::vector<Point> parse_json(const std::string& text) {
  std::vector<Point> out;
  const json rows = json::parse(text);
  EXPECT_TRUE(rows.is_array());
  for (const json& r : rows) {
    out.push_back({r.at("run").get<std::string>(), r.at("tag").get<std::string>(),
                   r.at("step").get<std::int64_t>(), r.at("wall_time").get<double>(),
                   json_number(r.at("value"))});
  }
  return out;
}

// Printed values must read back as the same float: parse, then round to float.
std::vector<Point> as_floats(std::vector<Point> points) {
  for (Point& p : points) p.value = static_cast<float>(p.value);
  return points;
}

TEST(Cli, HelpOnEverySubcommand) {
  const auto top = run_command(tblog_cmd("--help"));
  EXPECT_EQ(top.exit_code, 0) << top.all();
  for (const char* sub : {"inspect", "export", "verify"}) {
    EXPECT_NE(top.output.find(sub), std::string::npos) << top.output;
    const auto help = run_command(tblog_cmd(std::string(sub) + " --help"));
    EXPECT_EQ(help.exit_code, 0) << help.all();
    EXPECT_NE(help.output.find("logdir"), std::string::npos) << help.output;
    EXPECT_NE(help.output.find("Exit status"), std::string::npos) << help.output;
  }
  const auto verify = run_command(tblog_cmd("verify --help"));
  EXPECT_NE(verify.output.find("truncated last record (file still being written?)"),
            std::string::npos)
      << verify.output;
  const auto exp = run_command(tblog_cmd("export --help"));
  EXPECT_NE(exp.output.find("--format"), std::string::npos);
  EXPECT_NE(exp.output.find("--tag"), std::string::npos);
  EXPECT_NE(exp.output.find("--run"), std::string::npos);
}

TEST(Cli, BadArgumentsFailWithAMessage) {
  test::TempDir dir;
  struct Case {
    std::string args;
    std::string message;  // part of what must be said
  };
  const std::string missing = (dir.path() / "no-such-logdir").string();
  const std::vector<Case> cases = {
      {"", "subcommand"},
      {"frobnicate", "frobnicate"},
      {"export", "logdir"},
      {"inspect", "logdir"},
      {"verify --no-such-flag " + shell_quote(dir.str()), "--no-such-flag"},
      {"export --format xml " + shell_quote(dir.str()), "xml"},
      {"inspect " + shell_quote(missing), missing},
      {"export " + shell_quote(missing), "does not exist"},
      {"verify " + shell_quote(missing), "does not exist"},
  };
  for (const Case& c : cases) {
    const auto r = run_command(tblog_cmd(c.args));
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.all();
    EXPECT_NE(r.errors.find(c.message), std::string::npos) << c.args << "\n" << r.all();
  }
  const std::string file = (dir.path() / "plain-file").string();
  test::write_file(file, "x");
  const auto r = run_command(tblog_cmd("inspect " + shell_quote(file)));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.errors.find("not a folder"), std::string::npos) << r.all();
}

std::string shortest(float v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

TEST(Cli, InspectNamesRunsTagsAndScalarStatistics) {
  const SampleLogdir logdir;
  const auto r = run_command(tblog_cmd("inspect " + shell_quote(logdir.dir.str())));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const std::string& out = r.output;
  const auto train = out.find("run train");
  const auto eval = out.find("run eval");
  ASSERT_NE(train, std::string::npos) << out;
  ASSERT_NE(eval, std::string::npos) << out;
  EXPECT_LT(eval, train) << "runs are sorted by name";
  const std::string train_part = out.substr(train);
  for (const char* expected : {"scalars (2 tags)", "text (1 tag)", "images (1 tag)", "notes",
                               "sample/image", "file version brain.Event:2"}) {
    EXPECT_NE(train_part.find(expected), std::string::npos) << expected << "\n" << out;
  }

  // The loss line of train: counts, steps, and its first/last/min/max from what was written.
  std::vector<Point> loss;
  for (const Point& p : logdir.points_of("train")) {
    if (p.tag == "loss") loss.push_back(p);
  }
  float lo = INFINITY, hi = -INFINITY;
  for (const Point& p : loss) lo = std::min(lo, static_cast<float>(p.value)), hi = std::max(hi, static_cast<float>(p.value));
  const std::string loss_line = "    loss  " + std::to_string(loss.size()) + " events, steps 0.." +
                                std::to_string(loss.back().step) + ", first " +
                                shortest(static_cast<float>(loss.front().value)) + ", last " +
                                shortest(static_cast<float>(loss.back().value)) + ", min " +
                                shortest(lo) + ", max " + shortest(hi) + "\n";
  EXPECT_NE(train_part.find(loss_line), std::string::npos) << loss_line << "\n" << out;
  // The tensor scalar counts as a scalar too, all of its values, not only the first.
  EXPECT_NE(train_part.find("    acc  10 events, steps 0..9, first 0, "), std::string::npos) << out;
}

TEST(Cli, ExportCsvHasEveryScalarExactly) {
  const SampleLogdir logdir;
  const auto r = run_command(tblog_cmd("export " + shell_quote(logdir.dir.str())));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  std::vector<Point> expected = logdir.points_of("eval");
  for (const Point& p : logdir.points_of("train")) expected.push_back(p);
  EXPECT_EQ(as_floats(parse_csv(r.output)), expected);
}

TEST(Cli, ExportJsonHasEveryScalarExactly) {
  const SampleLogdir logdir;
  const auto r = run_command(tblog_cmd("export --format json " + shell_quote(logdir.dir.str())));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  std::vector<Point> expected = logdir.points_of("eval");
  for (const Point& p : logdir.points_of("train")) expected.push_back(p);
  EXPECT_EQ(as_floats(parse_json(r.output)), expected);
}

TEST(Cli, ExportFiltersByRunAndTag) {
  const SampleLogdir logdir;
  const auto r = run_command(
      tblog_cmd("export --run train --tag acc " + shell_quote(logdir.dir.str())));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  std::vector<Point> expected;
  for (const Point& p : logdir.points_of("train")) {
    if (p.tag == "acc") expected.push_back(p);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(as_floats(parse_csv(r.output)), expected);

}

TEST(Cli, RunThatDoesNotExistIsAnErrorNamingIt) {
  const SampleLogdir logdir;
  for (const char* sub : {"inspect", "export", "export --format json"}) {
    const auto r = run_command(tblog_cmd(std::string(sub) + " --run train --run no-such-run " +
                                         shell_quote(logdir.dir.str())));
    EXPECT_EQ(r.exit_code, 2) << sub << "\n" << r.all();
    EXPECT_NE(r.errors.find("no run 'no-such-run'"), std::string::npos) << sub << "\n" << r.all();
  }
}

TEST(Cli, ExportQuotesNamesAndSpellsOutNonFiniteValues) {
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  f.add(scalar_event(10, 1, "odd,\"tag\"", NAN));
  f.add(scalar_event(11, 2, "odd,\"tag\"", INFINITY));
  f.add(scalar_event(12, 3, "odd,\"tag\"", -INFINITY));
  f.write(dir.path() / "run, one" / "events.out.tfevents.1");
  const std::vector<Point> expected = {{"run, one", "odd,\"tag\"", 1, 10, NAN},
                                       {"run, one", "odd,\"tag\"", 2, 11, INFINITY},
                                       {"run, one", "odd,\"tag\"", 3, 12, -INFINITY}};
  const auto csv = run_command(tblog_cmd("export " + shell_quote(dir.str())));
  ASSERT_EQ(csv.exit_code, 0) << csv.all();
  EXPECT_EQ(parse_csv(csv.output), expected) << csv.output;
  const auto js = run_command(tblog_cmd("export --format json " + shell_quote(dir.str())));
  ASSERT_EQ(js.exit_code, 0) << js.all();
  EXPECT_EQ(parse_json(js.output), expected) << js.output;
}

TEST(Cli, ExportHonoursRestartsLikeTensorBoard) {
  // A SessionLog START at step s discards the run's earlier points at steps >= s.
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  std::vector<Point> expected;
  for (int step = 0; step < 8; ++step) {
    f.add(scalar_event(100 + step, step, "loss", static_cast<float>(step)));
    if (step < 5) expected.push_back({"run", "loss", step, 100.0 + step, static_cast<double>(step)});
  }
  pb::Event restart;
  restart.set_wall_time(200);
  restart.set_step(5);
  restart.mutable_session_log()->set_status(pb::SessionLog::START);
  f.add(restart);
  for (int step = 5; step < 7; ++step) {
    f.add(scalar_event(300 + step, step, "loss", -static_cast<float>(step)));
    expected.push_back({"run", "loss", step, 300.0 + step, -static_cast<double>(step)});
  }
  f.write(dir.path() / "run" / "events.out.tfevents.1");
  const auto r = run_command(tblog_cmd("export " + shell_quote(dir.str())));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(parse_csv(r.output), expected);

  // Inspect applies the restart too (steps 5..7 of the first attempt are gone), and says so.
  const auto i = run_command(tblog_cmd("inspect " + shell_quote(dir.str())));
  EXPECT_EQ(i.exit_code, 0);
  EXPECT_NE(i.output.find("restart (SessionLog START) at step 5"), std::string::npos) << i.output;
  EXPECT_NE(i.output.find("loss  7 events, steps 0..6, first 0, last -6, min -6, max 4"),
            std::string::npos)
      << i.output;
}

// A record whose tag is "bad\xff": sound CRCs around a string field that is not UTF-8,
// which protobuf (and so TensorBoard) rejects.
std::string event_with_invalid_utf8_tag(double wall_time, std::int64_t step) {
  std::string data = scalar_event(wall_time, step, "badX", 1).SerializeAsString();
  data[data.find("badX") + 3] = '\xff';
  return data;
}

TEST(Cli, InvalidUtf8InTagsAndRunNamesEveryCommandAgrees) {
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  f.add(scalar_event(10, 1, "loss", 0.5f));
  const std::uint64_t bad = f.bytes.size();
  detail::append_record(f.bytes, event_with_invalid_utf8_tag(11, 2));
  f.add(scalar_event(12, 3, "loss", 0.25f));
  const fs::path path = dir.path() / "run\xff" / "events.out.tfevents.1";
  f.write(path);
  const std::string where = dir.str() + "/run\\xff/events.out.tfevents.1:" + std::to_string(bad) + ":";

  // Output stays valid UTF-8: the odd folder name is printed with U+FFFD in CSV and JSON.
  const std::vector<Point> expected = {{"run\xEF\xBF\xBD", "loss", 1, 10, 0.5}};
  const auto js = run_command(tblog_cmd("export --format json " + shell_quote(dir.str())));
  EXPECT_EQ(js.exit_code, 1) << js.all();
  EXPECT_EQ(parse_json(js.output), expected) << js.output;  // nlohmann rejects invalid UTF-8
  EXPECT_NE(js.errors.find(where), std::string::npos) << js.errors;
  const auto csv = run_command(tblog_cmd("export " + shell_quote(dir.str())));
  EXPECT_EQ(csv.exit_code, 1) << csv.all();
  EXPECT_EQ(parse_csv(csv.output), expected) << csv.output;

  const auto v = run_command(tblog_cmd("verify " + shell_quote(dir.str())));
  EXPECT_EQ(v.exit_code, 1) << v.all();
  EXPECT_NE(v.output.find("corrupt: " + where), std::string::npos) << v.output;

  const auto i = run_command(tblog_cmd("inspect " + shell_quote(dir.str())));
  EXPECT_EQ(i.exit_code, 1) << i.all();
  EXPECT_NE(i.output.find("corrupt: " + where), std::string::npos) << i.output;
  EXPECT_NE(i.output.find("run run\\xff"), std::string::npos) << i.output;
  EXPECT_EQ(i.errors, "") << "nothing but tblog's own report reaches the user";
  EXPECT_EQ(i.output.find('\xff'), std::string::npos) << i.output;
}

TEST(Cli, ControlBytesInNamesAreEscapedForTheTerminal) {
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  f.add(scalar_event(10, 1, "red\x1b[31m\x07tag\n", 0.5f));
  f.write(dir.path() / "run\x1b]0;title\x07" / "events.out.tfevents.1");
  const auto i = run_command(tblog_cmd("inspect " + shell_quote(dir.str())));
  EXPECT_EQ(i.exit_code, 0) << i.all();
  EXPECT_NE(i.output.find("    red\\x1b[31m\\x07tag\\n  1 event"), std::string::npos) << i.output;
  EXPECT_NE(i.output.find("run run\\x1b]0;title\\x07"), std::string::npos) << i.output;
  for (char c : i.output) {
    EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << static_cast<int>(c);
  }
  const auto v = run_command(tblog_cmd("verify -v " + shell_quote(dir.str())));
  EXPECT_EQ(v.exit_code, 0) << v.all();
  EXPECT_NE(v.output.find("run\\x1b]0;title\\x07/events"), std::string::npos) << v.output;
}

// Runs the command as an unprivileged user when we are root (root reads anything).
std::string as_unprivileged(const std::string& command) {
  if (::geteuid() != 0) return command;
  return "setpriv --reuid=nobody --regid=nogroup --clear-groups " + command;
}

bool can_drop_privileges() {
  return ::geteuid() != 0 || run_command("setpriv --reuid=nobody --regid=nogroup --clear-groups true").exit_code == 0;
}

TEST(Cli, UnreadableLogdirFolderOrFileIsReportedAsSuch) {
  if (!can_drop_privileges()) GTEST_SKIP() << "cannot run as an unprivileged user";
  const SampleLogdir logdir;
  const std::string root = logdir.dir.str();

  // A run folder that cannot be listed: the rest is read, the folder is named, exit 2.
  const fs::path locked = logdir.dir.path() / "locked";
  EventFile f;
  f.add(file_version_event());
  f.write(locked / "events.out.tfevents.1");
  fs::permissions(locked, fs::perms::none);
  for (const char* sub : {"inspect", "export", "verify"}) {
    const auto r = run_command(as_unprivileged(tblog_cmd(std::string(sub) + " " + shell_quote(root))));
    EXPECT_EQ(r.exit_code, 2) << sub << "\n" << r.all();
    EXPECT_NE(r.all().find("unreadable: cannot list folder '" + locked.string() + "': Permission denied"),
              std::string::npos)
        << sub << "\n" << r.all();
    EXPECT_NE(r.output.find(std::string(sub) == "verify" ? "verified 2 event files" : "train"),
              std::string::npos)
        << sub << "\n" << r.all();
  }
  const fs::perms folder_perms = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec;
  fs::permissions(locked, folder_perms);

  // An event file that cannot be opened is unreadable, not corrupt.
  fs::permissions(logdir.train_file, fs::perms::none);
  for (const char* sub : {"inspect", "export", "verify"}) {
    const auto r = run_command(as_unprivileged(tblog_cmd(std::string(sub) + " " + shell_quote(root))));
    EXPECT_EQ(r.exit_code, 2) << sub << "\n" << r.all();
    EXPECT_NE(r.all().find("unreadable: cannot open event file '" + logdir.train_file.string() +
                           "': Permission denied"),
              std::string::npos)
        << sub << "\n" << r.all();
    EXPECT_EQ(r.all().find("corrupt:"), std::string::npos) << sub << "\n" << r.all();
  }
  fs::permissions(logdir.train_file, fs::perms::owner_read | fs::perms::owner_write |
                                         fs::perms::group_read | fs::perms::others_read);

  // A logdir that cannot be listed at all is an error, not "no event files".
  fs::permissions(logdir.dir.path(), fs::perms::none);
  for (const char* sub : {"inspect", "export", "verify"}) {
    const auto r = run_command(as_unprivileged(tblog_cmd(std::string(sub) + " " + shell_quote(root))));
    EXPECT_EQ(r.exit_code, 2) << sub << "\n" << r.all();
    EXPECT_NE(r.errors.find("cannot list logdir '" + root + "': Permission denied"), std::string::npos)
        << sub << "\n" << r.all();
  }
  fs::permissions(logdir.dir.path(), folder_perms);
}

TEST(Cli, ExportTagDecidedByALaterValueKeepsFileOrder) {
  // "late" comes first as tensors without metadata (no dashboard yet), then with the scalars
  // plugin: TensorBoard puts all of its values on the scalars dashboard. "never" is never
  // decided and so is on no dashboard.
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  std::vector<Point> expected;
  for (int step = 0; step < 6; ++step) {
    f.add(tensor_scalar_event(100 + step, step, "late", static_cast<float>(step), step == 3));
    expected.push_back({"run", "late", step, 100.0 + step, static_cast<double>(step)});
    f.add(scalar_event(100 + step, step, "loss", 0.5f));
    expected.push_back({"run", "loss", step, 100.0 + step, 0.5});
    f.add(tensor_scalar_event(100 + step, step, "never", 1, false));
  }
  f.write(dir.path() / "run" / "events.out.tfevents.1");
  const auto r = run_command(tblog_cmd("export " + shell_quote(dir.str())));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(parse_csv(r.output), expected);
}

TEST(Cli, ExportMemoryStaysFlat) {
  // Two million scalars (a 100 MB file): rows are written as they are read, so the process
  // needs no memory in proportion to them (holding them took 32 bytes a point).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's quarantine and shadow memory would be measured, not the export";
#endif
  test::TempDir dir;
  {
    std::ofstream file((dir.path() / "events.out.tfevents.1").string(), std::ios::binary);
    std::string bytes;
    for (int i = 0; i < 2'000'000; ++i) {
      detail::append_record(bytes, scalar_event(1.7e9 + i, i, i % 2 ? "a" : "b", 1.0f).SerializeAsString());
      if (bytes.size() > (1u << 22)) file.write(bytes.data(), static_cast<std::streamsize>(bytes.size())), bytes.clear();
    }
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const auto r = run_command(tblog_cmd("export --format json " + shell_quote(dir.str())) + " >/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  rusage usage{};
  ASSERT_EQ(::getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, 32 * 1024) << "peak resident KiB of the export";
}

TEST(Cli, ExportHonoursARestartInALaterFile) {
  // The restart is in the run's second file: rows of the first file at steps >= 5 must not
  // have been written by the time it is read.
  test::TempDir dir;
  EventFile first, second;
  first.add(file_version_event());
  std::vector<Point> expected;
  for (int step = 0; step < 10; ++step) {
    first.add(scalar_event(100 + step, step, "loss", static_cast<float>(step)));
    if (step < 5) expected.push_back({"run", "loss", step, 100.0 + step, static_cast<double>(step)});
  }
  second.add(file_version_event());
  pb::Event restart;
  restart.set_wall_time(200);
  restart.set_step(5);
  restart.mutable_session_log()->set_status(pb::SessionLog::START);
  second.add(restart);
  second.add(scalar_event(305, 5, "loss", -5));
  expected.push_back({"run", "loss", 5, 305, -5});
  first.write(dir.path() / "run" / "events.out.tfevents.1");
  second.write(dir.path() / "run" / "events.out.tfevents.2");
  for (const char* format : {"csv", "json"}) {
    const auto r = run_command(tblog_cmd("export --format " + std::string(format) + " " + shell_quote(dir.str())));
    ASSERT_EQ(r.exit_code, 0) << r.all();
    EXPECT_EQ(std::string(format) == "csv" ? parse_csv(r.output) : parse_json(r.output), expected) << format;
  }
}

TEST(Cli, VerifySoundLogdir) {
  const SampleLogdir logdir;
  const auto r = run_command(tblog_cmd("verify " + shell_quote(logdir.dir.str())));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.output.find("verified 2 event files"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("all sound"), std::string::npos) << r.output;
}

TEST(Cli, VerifyReportsFlippedByteWithFileAndOffset) {
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  for (int step = 0; step < 5; ++step) f.add(scalar_event(1 + step, step, "loss", 1));
  const fs::path path = dir.path() / "run" / "events.out.tfevents.1";
  std::string bytes = f.bytes;
  const std::uint64_t bad = f.offsets[3];
  bytes[bad + detail::kRecordHeaderSize + 2] ^= 0x01;  // inside the data of record 3
  fs::create_directories(path.parent_path());
  test::write_file(path.string(), bytes);

  const auto r = run_command(tblog_cmd("verify " + shell_quote(dir.str())));
  EXPECT_EQ(r.exit_code, 1) << r.all();
  const std::string where = path.string() + ":" + std::to_string(bad) + ":";
  EXPECT_NE(r.output.find(where), std::string::npos) << where << "\n" << r.output;
  EXPECT_NE(r.output.find("data CRC"), std::string::npos) << r.output;

  // Export still writes what precedes the corruption, and says so with exit status 1.
  const auto e = run_command(tblog_cmd("export " + shell_quote(dir.str())));
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_EQ(parse_csv(e.output).size(), 2u);
  EXPECT_NE(e.errors.find(where), std::string::npos) << e.errors;

  // Inspect shows what it could read, and the problem.
  const auto i = run_command(tblog_cmd("inspect " + shell_quote(dir.str())));
  EXPECT_EQ(i.exit_code, 1);
  EXPECT_NE(i.output.find("loss  2 events, steps 0..1"), std::string::npos) << i.output;
  EXPECT_NE(i.output.find("corrupt: " + where), std::string::npos) << i.output;
}

TEST(Cli, VerifyReportsRecordThatIsNotAnEvent) {
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  const std::uint64_t bad = f.bytes.size();
  detail::append_record(f.bytes, std::string("\x2a\x09\x0a", 3));  // sound CRCs, bad Event
  f.write(dir.path() / "events.out.tfevents.1");
  const auto r = run_command(tblog_cmd("verify " + shell_quote(dir.str())));
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.output.find(":" + std::to_string(bad) + ": record does not decode as an Event"),
            std::string::npos)
      << r.output;
}

TEST(Cli, VerifyTreatsTruncatedTailAsANote) {
  test::TempDir dir;
  EventFile f;
  f.add(file_version_event());
  for (int step = 0; step < 3; ++step) f.add(scalar_event(1 + step, step, "loss", 1));
  const fs::path path = dir.path() / "events.out.tfevents.1";
  test::write_file(path.string(), f.bytes.substr(0, f.bytes.size() - 5));
  const auto r = run_command(tblog_cmd("verify " + shell_quote(dir.str())));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.output.find(path.string() + ":" + std::to_string(f.offsets.back()) + ":"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("truncated last record"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(file still being written?)"), std::string::npos) << r.output;
}

TEST(Cli, GoldenLogdirs) {
  for (const std::string name : {"torch", "tbx"}) {
    SCOPED_TRACE(name);
    const std::string logdir = test::golden_dir() + "/" + name;
    const json expected =
        json::parse(test::read_file(test::golden_dir() + "/" + name + ".expected.json"));

    const auto verify = run_command(tblog_cmd("verify " + shell_quote(logdir)));
    EXPECT_EQ(verify.exit_code, 0) << verify.all();

    const auto inspect = run_command(tblog_cmd("inspect " + shell_quote(logdir)));
    EXPECT_EQ(inspect.exit_code, 0) << inspect.all();
    for (const auto& run : expected["runs"]) {
      const std::string header = "run " + run.get<std::string>() + "  (";
      const auto at = inspect.output.find(header);
      ASSERT_NE(at, std::string::npos) << header << "\n" << inspect.output;
      const auto end = inspect.output.find("\nrun ", at);
      const std::string section = inspect.output.substr(at, end == std::string::npos ? end : end - at);
      for (const auto& [dashboard, tags] : expected["per_run"][run.get<std::string>()]["tags"].items()) {
        if (dashboard == "distributions" || dashboard == "projector") continue;  // not in event files
        EXPECT_NE(section.find("\n  " + dashboard + " ("), std::string::npos) << dashboard << "\n" << section;
        for (const auto& tag : tags) {
          EXPECT_NE(section.find("\n    " + tag.get<std::string>() + "  "), std::string::npos)
              << tag << "\n" << section;
        }
      }
    }

    const auto exported = run_command(tblog_cmd("export --format json " + shell_quote(logdir)));
    ASSERT_EQ(exported.exit_code, 0) << exported.all();
    std::map<std::pair<std::string, std::string>, std::vector<Point>> got;
    for (const Point& p : parse_json(exported.output)) got[{p.run, p.tag}].push_back(p);
    std::size_t tags = 0;
    for (const auto& [run, contents] : expected["per_run"].items()) {
      for (const auto& [tag, scalars] : contents["scalars"].items()) {
        ++tags;
        const auto& points = got[{run, tag}];
        ASSERT_EQ(points.size(), scalars["points"].size()) << run << " " << tag;
        for (std::size_t i = 0; i < points.size(); ++i) {
          const json& want = scalars["points"][i];
          EXPECT_EQ(points[i].step, want[0].get<std::int64_t>());
          EXPECT_EQ(points[i].wall_time, want[1].get<double>());
          EXPECT_EQ(static_cast<float>(points[i].value), static_cast<float>(want[2].get<double>()));
        }
      }
    }
    EXPECT_EQ(got.size(), tags) << "export has scalars TensorBoard does not";
  }
}

}  // namespace
}  // namespace tblog
