// Config parsing for command-line runs, and the writers a config builds.
#include <gtest/gtest.h>

#include <functional>

#include "tblog/config.hpp"
#include "tblog/graph.hpp"
#include "tblog/progress.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::TempDir;

Config make_config() {
  Config c;
  define_progress_keys(c);
  c.define("epochs", std::int64_t{3}, "epochs")
      .define("learningRate", 0.1)
      .define("distributed", false)
      .define("model", std::string("mlp"));
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, DefaultsAndTypedValues) {
  Config c = make_config();
  EXPECT_EQ(c.get_int("numMBsToShowResult"), 10);
  EXPECT_EQ(c.get_int("firstMBsToShowResult"), 0);
  EXPECT_EQ(c.get_string("tensorBoardLogDir"), "");
  EXPECT_FALSE(c.is_set("tensorBoardNumMBsToLogResult"));
  c.parse_args({"epochs=5", "learningRate=0.25", "distributed=true", "model=conv",
                "tensorBoardLogDir=runs/x"});
  EXPECT_EQ(c.get_int("epochs"), 5);
  EXPECT_DOUBLE_EQ(c.get_double("learningRate"), 0.25);
  EXPECT_TRUE(c.get_bool("distributed"));
  EXPECT_EQ(c.get_string("model"), "conv");
  EXPECT_EQ(c.get_string("tensorBoardLogDir"), "runs/x");
}

TEST(Config, FilesAndLaterSettingsOverride) {
  TempDir dir;
  const std::string file = dir.str() + "/run.cfg";
  test::write_file(file,
                   "# a comment\n"
                   "epochs = 7   # trailing comment\n"
                   "\n"
                   "model = \"conv\"\n"
                   "numMBsToShowResult=20\n");
  Config c = make_config();
  const std::string cfg_arg = "configFile=" + file;
  const char* argv[] = {"prog", "epochs=2", cfg_arg.c_str(), "numMBsToShowResult=5"};
  c.parse_args(4, argv);
  EXPECT_EQ(c.get_int("epochs"), 7);               // the file came after epochs=2
  EXPECT_EQ(c.get_string("model"), "conv");        // quotes stripped
  EXPECT_EQ(c.get_int("numMBsToShowResult"), 5);   // the argument came after the file
}

TEST(Config, EveryErrorNamesTheKeyOrPath) {
  Config c = make_config();
  EXPECT_NE(error_of([&] { c.parse_args({"epoch=3"}); }).find("unknown config key 'epoch'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"epochs=three"}); }).find("'epochs'"), std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"epochs=3.5"}); }).find("integer"), std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"learningRate=fast"}); }).find("'learningRate'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"distributed=maybe"}); }).find("boolean"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"epochs"}); }).find("key=value"), std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"=3"}); }).find("key=value"), std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"configFile=/no/such/file.cfg"}); }).find("/no/such/file.cfg"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.parse_args({"epochs=99999999999999999999999"}); }).find("'epochs'"),
            std::string::npos);
  TempDir dir;
  const std::string file = dir.str() + "/bad.cfg";
  test::write_file(file, "epochs = 2\nbogus = 1\n");
  const std::string msg = error_of([&] { c.parse_file(file); });
  EXPECT_NE(msg.find("'bogus'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(file + ":2"), std::string::npos) << msg;
  test::write_file(file, "just words\n");
  EXPECT_NE(error_of([&] { c.parse_file(file); }).find(file + ":1"), std::string::npos);
  EXPECT_NE(error_of([&] { c.define("epochs", std::int64_t{1}); }).find("twice"), std::string::npos);
  EXPECT_NE(error_of([&] { c.get_int("nothere"); }).find("'nothere'"), std::string::npos);
  EXPECT_NE(error_of([&] { c.get_string("epochs"); }).find("'epochs'"), std::string::npos);
}

TEST(Config, FoldersAndUnreadableFilesAreErrorsNamingThePath) {
  TempDir dir;
  Config c = make_config();
  for (const std::string path : {dir.str(), std::string("/proc/self/mem")}) {
    // A folder opens but reads nothing; /proc/self/mem opens but its first read fails (EIO).
    const std::string msg = error_of([&] { c.parse_args({"configFile=" + path}); });
    EXPECT_NE(msg.find("'" + path + "'"), std::string::npos) << msg;
  }
  EXPECT_FALSE(c.is_set("epochs"));
}

TEST(Config, HashInsideAQuotedValueIsKept) {
  TempDir dir;
  const std::string file = dir.str() + "/run.cfg";
  test::write_file(file,
                   "model = \"conv#2\"   # the comment starts here\n"
                   "tensorBoardLogDir = 'runs/#7' # and here\n"
                   "epochs = 4 # \"not a value\"\n");
  Config c = make_config();
  c.parse_file(file);
  EXPECT_EQ(c.get_string("model"), "conv#2");
  EXPECT_EQ(c.get_string("tensorBoardLogDir"), "runs/#7");
  EXPECT_EQ(c.get_int("epochs"), 4);
  test::write_file(file, "model = \"conv # unclosed\n");
  const std::string msg = error_of([&] { c.parse_file(file); });
  EXPECT_NE(msg.find(file + ":1"), std::string::npos) << msg;
}

TEST(Config, WritersFromConfig) {
  TempDir dir;
  {
    Config c = make_config();
    auto writers = make_progress_writers(c, 0);
    ASSERT_EQ(writers.size(), 1u);  // no logdir: console only
    EXPECT_NE(dynamic_cast<ProgressPrinter*>(writers[0].get()), nullptr);
  }
  {
    Config c = make_config();
    c.parse_args({"tensorBoardLogDir=" + dir.str() + "/tb", "numMBsToShowResult=3"});
    auto writers = make_progress_writers(c, 0);
    ASSERT_EQ(writers.size(), 2u);
    auto* tb = dynamic_cast<TensorBoardProgressWriter*>(writers[1].get());
    ASSERT_NE(tb, nullptr);
    // tensorBoardNumMBsToLogResult defaults to numMBsToShowResult: a record every 3 updates.
    for (int i = 0; i < 7; ++i) tb->update_training(1, 1.0, 0.0);
    tb->flush();
    int records = 0;
    for (const auto& e : test::read_run_events(dir.str() + "/tb")) {
      for (const auto& v : e.values) records += v.tag == "minibatch/avg_loss";
    }
    EXPECT_EQ(records, 2);
  }
  {
    Config c = make_config();
    c.parse_args({"tensorBoardLogDir=" + dir.str() + "/tb0", "tensorBoardNumMBsToLogResult=0"});
    auto writers = make_progress_writers(c, 0);
    auto* tb = dynamic_cast<TensorBoardProgressWriter*>(writers.at(1).get());
    for (int i = 0; i < 10; ++i) tb->update_training(1, 1.0, 0.0);
    tb->summarize_training_progress();
    tb->flush();
    int minibatch = 0, summary = 0;
    for (const auto& e : test::read_run_events(dir.str() + "/tb0")) {
      for (const auto& v : e.values) {
        minibatch += v.tag == "minibatch/avg_loss";
        summary += v.tag == "summary/avg_loss";
      }
    }
    EXPECT_EQ(minibatch, 0);  // 0: per-epoch records only
    EXPECT_EQ(summary, 1);
  }
  {
    Config c = make_config();
    c.parse_args({"tensorBoardLogDir=" + dir.str() + "/model"});
    Graph model;
    model.add_node("x", "Placeholder");
    model.add_node("y", "Relu", {"x"});
    { auto writers = make_progress_writers(c, 0, 0, "Training", &model); }
    int graphs = 0;
    for (const auto& e : test::read_run_events(dir.str() + "/model")) {
      graphs += e.what == Event::What::graph_def;
    }
    EXPECT_EQ(graphs, 1);  // the TensorBoard writer records the model
  }
  {
    Config c = make_config();
    c.parse_args({"numMBsToShowResult=-1"});
    EXPECT_NE(error_of([&] { make_progress_writers(c, 0); }).find("numMBsToShowResult"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace tblog
