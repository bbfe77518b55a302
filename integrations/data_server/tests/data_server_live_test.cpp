// The server on logdirs that change while it serves: a writer appending, a file cut inside a
// record, a restarted writer purging steps, runs appearing and vanishing; and on bad files.
#include <gtest/gtest.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>

#include "data_server_client.hpp"
#include "format/record_framing.hpp"
#include "format/wire_writer.hpp"
#include "tblog/image.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog::test {
namespace {

namespace fs = std::filesystem;

// Steps and values of one scalar series, as ReadScalars gives them.
struct Points {
  std::vector<std::int64_t> steps;
  std::vector<float> values;
};

Points read_scalars(td::TensorBoardDataProvider::Stub& stub, const std::string& run,
                    const std::string& tag) {
  td::ReadScalarsRequest read;
  read.mutable_plugin_filter()->set_plugin_name("scalars");
  read.mutable_downsample()->set_num_points(100000);
  read.mutable_run_tag_filter()->mutable_runs()->add_names(run);
  read.mutable_run_tag_filter()->mutable_tags()->add_names(tag);
  td::ReadScalarsResponse r;
  grpc::ClientContext context;
  const grpc::Status status = stub.ReadScalars(&context, read, &r);
  EXPECT_TRUE(status.ok()) << status.error_message();
  Points out;
  for (const auto& e : r.runs()) {
    for (const auto& t : e.tags()) {
      out.steps.assign(t.data().step().begin(), t.data().step().end());
      out.values.assign(t.data().value().begin(), t.data().value().end());
    }
  }
  return out;
}

std::vector<std::string> run_names(td::TensorBoardDataProvider::Stub& stub) {
  td::ListRunsResponse r;
  grpc::ClientContext context;
  EXPECT_TRUE(stub.ListRuns(&context, td::ListRunsRequest(), &r).ok());
  std::vector<std::string> names;
  for (const auto& run : r.runs()) names.push_back(run.name());
  return names;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> out;
  for (auto i = from; i < to; ++i) out.push_back(i);
  return out;
}

constexpr double kNeverByItself = 3600;  // reloads come from reload_now()

TEST(LiveReload, AppendedPointsAppearAfterTheNextReload) {
  TempDir dir;
  SummaryWriter writer(dir.str() + "/train");
  for (int step = 0; step < 5; ++step) writer.add_scalar("loss", step, step);
  writer.flush();
  ServedLogdir served(dir.str(), "", kNeverByItself);
  EXPECT_EQ(read_scalars(*served.stub, "train", "loss").steps, range(0, 5));

  for (int step = 5; step < 12; ++step) writer.add_scalar("loss", step, step);
  writer.flush();
  EXPECT_EQ(read_scalars(*served.stub, "train", "loss").steps, range(0, 5)) << "before a reload";
  served.server->reload_now();
  EXPECT_EQ(read_scalars(*served.stub, "train", "loss").steps, range(0, 12));

  // A new run appears; a removed one goes.
  SummaryWriter other(dir.str() + "/eval");
  other.add_scalar("acc", 0.5, 0);
  other.flush();
  served.server->reload_now();
  EXPECT_EQ(run_names(*served.stub), (std::vector<std::string>{"eval", "train"}));
  EXPECT_EQ(read_scalars(*served.stub, "eval", "acc").values, std::vector<float>{0.5f});
  other.close();
  fs::remove_all(dir.path() / "eval");
  served.server->reload_now();
  EXPECT_EQ(run_names(*served.stub), std::vector<std::string>{"train"});
  EXPECT_TRUE(served.server->problems().empty());
}

TEST(LiveReload, TruncatedTailIsRetriedNotReportedAsLoss) {
  TempDir whole;
  {
    SummaryWriter writer(whole.str());
    for (int step = 0; step < 20; ++step) writer.add_scalar("x", step * 2.0, step);
  }
  const std::string bytes = read_file(event_files_in(whole.str()).at(0));

  TempDir dir;
  const std::string file = dir.str() + "/events.out.tfevents.1.test";
  // Cut 7 bytes into the last record (a scalar Event's record is well over 7 bytes).
  write_file(file, bytes.substr(0, bytes.size() - 20));
  ServedLogdir served(dir.str(), "", kNeverByItself);
  const Points partial = read_scalars(*served.stub, ".", "x");
  EXPECT_EQ(partial.steps, range(0, 19));
  EXPECT_TRUE(served.server->problems().empty()) << served.server->problems()[0].to_string();

  std::ofstream(file, std::ios::app | std::ios::binary) << bytes.substr(bytes.size() - 20);
  served.server->reload_now();
  EXPECT_EQ(read_scalars(*served.stub, ".", "x").steps, range(0, 20));
  EXPECT_EQ(read_scalars(*served.stub, ".", "x").values.back(), 38.0f);
  EXPECT_TRUE(served.server->problems().empty());
}

TEST(LiveReload, RestartedWriterPurgesTheStepsItRedoes) {
  TempDir dir;
  {
    SummaryWriter first(dir.str(), WriterOptions{});
    for (int step = 0; step < 10; ++step) first.add_scalar("loss", step, step);
  }
  ServedLogdir served(dir.str(), "", kNeverByItself);
  EXPECT_EQ(read_scalars(*served.stub, ".", "loss").steps, range(0, 10));

  WriterOptions restart;
  restart.purge_step = 5;
  restart.filename_suffix = ".restart";
  {
    SummaryWriter second(dir.str(), restart);
    for (int step = 5; step < 8; ++step) second.add_scalar("loss", 100 + step, step);
  }
  served.server->reload_now();
  const Points p = read_scalars(*served.stub, ".", "loss");
  EXPECT_EQ(p.steps, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(p.values[4], 4.0f);
  EXPECT_EQ(p.values[5], 105.0f);
}

TEST(LiveReload, RepeatedStepsAreAllKeptForScalars) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    writer.add_scalar("x", 1, 3);
    writer.add_scalar("x", 2, 3);
    writer.add_scalar("x", 3, 1);
  }
  ServedLogdir served(dir.str());
  const Points p = read_scalars(*served.stub, ".", "x");
  EXPECT_EQ(p.steps, (std::vector<std::int64_t>{3, 3, 1}));  // file order, nothing dropped
  EXPECT_EQ(p.values, (std::vector<float>{1, 2, 3}));
}

TEST(LiveReload, BlobSequencesKeepTheFirstPointOfEachStepInStepOrder) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    for (const auto& [step, shade] : std::vector<std::pair<int, int>>{{3, 10}, {1, 20}, {3, 30}}) {
      const std::vector<std::uint8_t> pixels(4, static_cast<std::uint8_t>(shade));
      writer.add_image("img", ImageView(pixels, ImageLayout::HW, 2, 2), step);
    }
  }
  std::vector<std::string> pngs;  // in file order
  for (const Event& e : read_run_events(dir.str())) {
    for (const SummaryValue& v : e.values) {
      if (v.tag == "img") pngs.push_back(v.kind == SummaryValue::Kind::image ? v.image.encoded
                                                                             : v.tensor.string_val.at(2));
    }
  }
  ASSERT_EQ(pngs.size(), 3u);
  ASSERT_NE(pngs[0], pngs[2]);

  ServedLogdir served(dir.str());
  td::ReadBlobSequencesRequest read;
  read.mutable_plugin_filter()->set_plugin_name("images");
  read.mutable_downsample()->set_num_points(10);
  td::ReadBlobSequencesResponse r;
  grpc::ClientContext context;
  ASSERT_TRUE(served.stub->ReadBlobSequences(&context, read, &r).ok());
  ASSERT_EQ(r.runs_size(), 1);
  const auto& data = r.runs(0).tags(0).data();
  ASSERT_EQ(data.step_size(), 2);
  EXPECT_EQ(data.step(0), 1);
  EXPECT_EQ(data.step(1), 3);
  const auto blob = [&](int point) {
    grpc::ClientContext c;
    td::ReadBlobRequest request;
    request.set_blob_key(data.values(point).blob_refs(2).blob_key());
    auto reader = served.stub->ReadBlob(&c, request);
    std::string out;
    td::ReadBlobResponse chunk;
    while (reader->Read(&chunk)) out += chunk.data();
    EXPECT_TRUE(reader->Finish().ok());
    return out;
  };
  EXPECT_EQ(blob(0), pngs[1]);
  EXPECT_EQ(blob(1), pngs[0]) << "the first image at step 3, not the later one";
}

// An event file of legacy image summaries whose encoded bytes are `blobs` (steps 0, 1, ...).
void write_image_events(const std::string& path, const std::vector<std::string>& blobs) {
  namespace wire = detail::wire;
  std::string file;
  for (std::size_t step = 0; step < blobs.size(); ++step) {
    std::string image;
    wire::append_int64(image, 1, 1);
    wire::append_int64(image, 2, 1);
    wire::append_bytes(image, 4, blobs[step]);
    std::string value;
    wire::append_bytes(value, 1, "img");
    wire::append_bytes(value, 4, image);
    std::string summary;
    wire::append_bytes(summary, 1, value);
    std::string event;
    wire::append_double(event, 1, 1.7e9 + step);
    wire::append_int64(event, 2, static_cast<std::int64_t>(step));
    wire::append_bytes(event, 5, summary);
    detail::append_record(file, event);
  }
  write_file(path, file);
}

TEST(ReadBlob, StreamsChunksOfAtMost8MiBAndNothingForAnEmptyBlob) {
  TempDir dir;
  std::string big(20 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 2654435761u >> 13);
  write_image_events(dir.str() + "/events.out.tfevents.1.blobs", {"", big});
  ServedLogdir served(dir.str(), "images=all");
  td::ReadBlobSequencesRequest read;
  read.mutable_plugin_filter()->set_plugin_name("images");
  read.mutable_downsample()->set_num_points(10);
  td::ReadBlobSequencesResponse r;
  grpc::ClientContext context;
  ASSERT_TRUE(served.stub->ReadBlobSequences(&context, read, &r).ok());
  ASSERT_EQ(r.runs(0).tags(0).data().step_size(), 2);
  const auto chunks_of = [&](int point) {
    grpc::ClientContext c;
    td::ReadBlobRequest request;
    request.set_blob_key(r.runs(0).tags(0).data().values(point).blob_refs(2).blob_key());
    auto reader = served.stub->ReadBlob(&c, request);
    std::vector<std::string> chunks;
    td::ReadBlobResponse chunk;
    while (reader->Read(&chunk)) chunks.push_back(chunk.data());
    EXPECT_TRUE(reader->Finish().ok());
    return chunks;
  };
  EXPECT_TRUE(chunks_of(0).empty()) << "an empty blob is an empty stream";
  const auto chunks = chunks_of(1);
  ASSERT_EQ(chunks.size(), 3u);
  std::string joined;
  for (const auto& c : chunks) {
    EXPECT_LE(c.size(), std::size_t{8} << 20);
    joined += c;
  }
  EXPECT_TRUE(joined == big);
}

TEST(Sampling, ReservoirBoundsPointsAndKeepsTheLatest) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    for (int step = 0; step < 5000; ++step) writer.add_scalar("x", step, step);
  }
  ServedLogdir served(dir.str(), "scalars=100");
  const Points p = read_scalars(*served.stub, ".", "x");
  ASSERT_EQ(p.steps.size(), 100u);
  EXPECT_EQ(p.steps.back(), 4999);
  EXPECT_TRUE(std::is_sorted(p.steps.begin(), p.steps.end()));
  // A uniform sample reaches into the whole range, not only its start or end.
  EXPECT_LT(p.steps[10], 2500);
  EXPECT_GT(p.steps[89], 2500);

  td::ListScalarsRequest list;
  list.mutable_plugin_filter()->set_plugin_name("scalars");
  td::ListScalarsResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(served.stub->ListScalars(&context, list, &listed).ok());
  EXPECT_EQ(listed.runs(0).tags(0).metadata().max_step(), 4999);
}

TEST(BadInput, CorruptRecordIsReportedOnceAndTheRestOfTheFileSkipped) {
  TempDir whole;
  {
    SummaryWriter writer(whole.str());
    for (int step = 0; step < 10; ++step) writer.add_scalar("x", step, step);
  }
  std::string bytes = read_file(event_files_in(whole.str()).at(0));
  // Damage the data of the last record: its data CRC no longer matches.
  bytes[bytes.size() - 6] ^= 0x55;
  TempDir dir;
  write_file(dir.str() + "/events.out.tfevents.1.bad", bytes);
  ServedLogdir served(dir.str(), "", kNeverByItself);
  EXPECT_EQ(read_scalars(*served.stub, ".", "x").steps, range(0, 9));
  served.server->reload_now();
  served.server->reload_now();
  const auto problems = served.server->problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, ReadProblem::Kind::corrupt);
  EXPECT_NE(problems[0].file.find("events.out.tfevents.1.bad"), std::string::npos);
  EXPECT_GT(problems[0].offset, 0u);
  EXPECT_NE(problems[0].to_string().find("bad data CRC"), std::string::npos);
}

TEST(BadInput, GarbageFilesAndNonEventRecordsDoNotStopTheServer) {
  TempDir dir;
  std::string garbage(5000, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 131 + 7);
  fs::create_directories(dir.path() / "a");
  fs::create_directories(dir.path() / "b");
  write_file(dir.str() + "/a/events.out.tfevents.1.garbage", garbage);
  write_file(dir.str() + "/b/events.out.tfevents.1.empty", "");
  {
    SummaryWriter writer(dir.str() + "/c");
    writer.add_scalar("ok", 1, 0);
  }
  ServedLogdir served(dir.str());
  EXPECT_EQ(read_scalars(*served.stub, "c", "ok").values, std::vector<float>{1});
  const auto problems = served.server->problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].file.find("garbage"), std::string::npos);
  // Runs without data are still runs (TensorBoard lists them), but no answer has tags of theirs.
  EXPECT_EQ(run_names(*served.stub), (std::vector<std::string>{"a", "b", "c"}));
}

// Root reads files whatever their permissions say, so as root the server runs in a child
// that has become `nobody` (each test runs in a process of its own, with no gRPC thread yet).
TEST(BadInput, UnreadableFilesAndFoldersAreReportedAndSkipped) {
  TempDir dir;
  {
    SummaryWriter a(dir.str() + "/a");
    a.add_scalar("x", 1, 0);
    SummaryWriter b(dir.str() + "/b/inner");
    b.add_scalar("y", 2, 0);
    SummaryWriter c(dir.str() + "/c");
    c.add_scalar("z", 3, 0);
  }
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  const std::string file = event_files_in(dir.str() + "/a").at(0);
  fs::permissions(file, fs::perms::none);
  fs::permissions(dir.path() / "b", fs::perms::none);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child reports through its exit status: 0 when everything held.
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 ||
                             ::setuid(65534) != 0)) {
      ::_exit(10);
    }
    int status = 0;
    {
      ServedLogdir served(dir.str());
      const auto problems = served.server->problems();
      if (problems.size() != 2) status = 11;
      for (const auto& p : problems) {
        if (p.kind != ReadProblem::Kind::unreadable) status = 12;
      }
      // What could be read is served.
      const auto runs = run_names(*served.stub);
      if (std::find(runs.begin(), runs.end(), "c") == runs.end()) status = 13;
    }
    ::_exit(status);
  }
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  fs::permissions(dir.path() / "b", fs::perms::owner_all);
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0)
      << "10: could not become nobody, 11: not two problems, 12: not unreadable, "
         "13: the readable run is not served";
}

TEST(BadInput, MissingLogdirIsServedEmptyUntilItAppears) {
  TempDir dir;
  const std::string logdir = dir.str() + "/not_yet";
  ServedLogdir served(logdir, "", kNeverByItself);
  EXPECT_TRUE(run_names(*served.stub).empty());
  {
    SummaryWriter writer(logdir);
    writer.add_scalar("x", 1, 0);
  }
  served.server->reload_now();
  EXPECT_EQ(run_names(*served.stub), std::vector<std::string>{"."});
}

}  // namespace
}  // namespace tblog::test
