// find_runs' walk of a logdir, and the dashboard each tag is assigned to.
#include <gtest/gtest.h>

#include <filesystem>

#include "read/dashboard_of.hpp"
#include "tblog/reader.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_file;

TEST(FindRuns, RunsAreFoldersHoldingEventFilesSortedByName) {
  TempDir dir;
  const fs::path root = dir.path();
  fs::create_directories(root / "b" / "nested" / "deep");
  fs::create_directories(root / "a");
  fs::create_directories(root / "empty");
  fs::create_directories(root / "b" / "no_events");
  write_file((root / "events.out.tfevents.2.host").string(), "");
  write_file((root / "events.out.tfevents.1.host").string(), "");
  write_file((root / "notes.txt").string(), "");
  write_file((root / "a" / "x.tfevents.9").string(), "");
  write_file((root / "b" / "nested" / "deep" / "events.out.tfevents.5").string(), "");
  write_file((root / "b" / "nested" / "deep" / "events.out.tfevents.10").string(), "");
  write_file((root / "b" / "no_events" / "checkpoint").string(), "");
  fs::create_directories(root / "a" / "dir.tfevents.folder");  // a folder is not a file

  const std::vector<tblog::Run> runs = find_runs(dir.str());
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].name, ".");
  EXPECT_EQ(runs[1].name, "a");
  EXPECT_EQ(runs[2].name, "b/nested/deep");
  EXPECT_EQ(fs::path(runs[0].path), root);
  EXPECT_EQ(fs::path(runs[2].path), root / "b" / "nested" / "deep");
  ASSERT_EQ(runs[0].files.size(), 2u);
  EXPECT_EQ(fs::path(runs[0].files[0]).filename(), "events.out.tfevents.1.host");
  EXPECT_EQ(fs::path(runs[0].files[1]).filename(), "events.out.tfevents.2.host");
  ASSERT_EQ(runs[1].files.size(), 1u);
  EXPECT_EQ(fs::path(runs[1].files[0]), root / "a" / "x.tfevents.9");
  // Lexicographic, as TensorBoard orders them: "10" before "5".
  ASSERT_EQ(runs[2].files.size(), 2u);
  EXPECT_EQ(fs::path(runs[2].files[0]).filename(), "events.out.tfevents.10");
  EXPECT_EQ(fs::path(runs[2].files[1]).filename(), "events.out.tfevents.5");

  // A trailing slash names the same runs.
  const std::vector<tblog::Run> again = find_runs(dir.str() + "/");
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[2].name, "b/nested/deep");
}

TEST(FindRuns, MissingOrNonFolderLogdirThrowsNamingIt) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope").string();
  try {
    find_runs(missing);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  const std::string file = (dir.path() / "file").string();
  write_file(file, "x");
  try {
    find_runs(file);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a folder"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(find_runs(dir.str()).empty());
}

TEST(TagDashboards, LegacyKindsDecideByKind) {
  detail::TagDashboards d;
  const auto s = d.observe("s", SummaryValue::Kind::simple_value, false, "");
  const auto i = d.observe("i", SummaryValue::Kind::image, false, "");
  const auto h = d.observe("h", SummaryValue::Kind::histogram, false, "");
  // Legacy audio keeps its kind's dashboard even when its metadata names another plugin.
  const auto a = d.observe("a", SummaryValue::Kind::audio, true, "something_else");
  EXPECT_EQ(d.dashboard(s), "scalars");
  EXPECT_EQ(d.dashboard(i), "images");
  EXPECT_EQ(d.dashboard(h), "histograms");
  EXPECT_EQ(d.dashboard(a), "audio");
}

TEST(TagDashboards, FirstMetadataOfATagWins) {
  detail::TagDashboards d;
  // A tensor without metadata decides nothing...
  const auto t = d.observe("t", SummaryValue::Kind::tensor, false, "");
  EXPECT_EQ(d.dashboard(t), "");
  // ...the first metadata does, and later metadata of the same tag is ignored.
  EXPECT_EQ(d.observe("t", SummaryValue::Kind::tensor, true, "text"), t);
  EXPECT_EQ(d.observe("t", SummaryValue::Kind::tensor, true, "scalars"), t);
  EXPECT_EQ(d.dashboard(t), "text");
  // Later values of a tag usually carry no metadata at all.
  const auto pr = d.observe("pr", SummaryValue::Kind::tensor, true, "pr_curves");
  d.observe("pr", SummaryValue::Kind::tensor, false, "");
  EXPECT_EQ(d.dashboard(pr), "pr_curves");
  // Metadata without a plugin name decides "no dashboard".
  const auto none = d.observe("none", SummaryValue::Kind::tensor, true, "");
  d.observe("none", SummaryValue::Kind::tensor, true, "scalars");
  EXPECT_EQ(d.dashboard(none), "");

  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.tag(pr), "pr");
  const auto by = d.tags_by_dashboard();
  EXPECT_EQ(by.at("text"), (std::vector<std::string>{"t"}));
  EXPECT_EQ(by.at("pr_curves"), (std::vector<std::string>{"pr"}));
  EXPECT_EQ(by.at(""), (std::vector<std::string>{"none"}));
}

TEST(TagDashboards, GraphAndRunMetadataEvents) {
  detail::TagDashboards d;
  Event graph;
  graph.what = Event::What::graph_def;
  d.observe_event(graph);
  Event meta;
  meta.what = Event::What::tagged_run_metadata;
  meta.run_metadata_tag = "step2";
  d.observe_event(meta);
  meta.run_metadata_tag = "step1";
  d.observe_event(meta);
  d.observe_event(meta);
  const auto by = d.tags_by_dashboard();
  EXPECT_EQ(by.at("graphs"), (std::vector<std::string>{"__run_graph__"}));
  EXPECT_EQ(by.at("graph_tagged_run_metadata"), (std::vector<std::string>{"step1", "step2"}));
}

}  // namespace
}  // namespace tblog
