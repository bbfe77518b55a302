// The file seam: the POSIX FileSystem on a real folder, and the writer on the in-memory fake
// with deterministic faults (a failed append, a short write, a full disk, a file removed
// behind the writer's back, renames and folders that fail).
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <chrono>
#include <mutex>
#include <thread>

#include "format/record_framing.hpp"
#include "memory_file_system.hpp"
#include "tblog/file_system.hpp"
#include "tblog/plugins.pb.h"
#include "tblog/progress.hpp"
#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::MemoryFileSystem;
using test::TempDir;

// A folder that does not exist on disk: nothing may appear there.
const std::string kRun = "/nonexistent-tblog-memory/logdir/run";

// The records of an event file's bytes, read with the project's framing and Event parser.
struct ParsedFile {
  std::vector<Event> events;
  std::size_t sound_bytes = 0;  // bytes up to the end of the last complete record
  bool whole = false;           // the bytes end exactly at a record's end, every CRC sound
};

ParsedFile parse_file(const std::string& bytes) {
  ParsedFile out;
  std::string_view rest(bytes);
  while (!rest.empty()) {
    const detail::DecodedRecord record = detail::decode_record(rest);
    if (record.status != detail::RecordStatus::complete) return out;
    out.events.push_back(parse_event(record.data));
    out.sound_bytes += record.size;
    rest.remove_prefix(record.size);
  }
  out.whole = true;
  return out;
}

std::vector<std::int64_t> scalar_steps(const ParsedFile& file) {
  std::vector<std::int64_t> steps;
  for (const auto& e : file.events) {
    if (!e.values.empty()) steps.push_back(e.step);
  }
  return steps;
}

std::vector<std::int64_t> range(std::int64_t begin, std::int64_t end) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = begin; i < end; ++i) out.push_back(i);
  return out;
}

// A writer on the fake, collecting what its error handler hears.
struct MemoryWriter {
  std::shared_ptr<MemoryFileSystem> fs = std::make_shared<MemoryFileSystem>();
  std::mutex mu;
  std::vector<std::string> reports;

  WriterOptions options() {
    WriterOptions o;
    o.file_system = fs;
    o.flush_secs = 3600;  // only flush() writes: the tests decide when
    o.error_handler = [this](const std::string& m) {
      std::lock_guard<std::mutex> lock(mu);
      reports.push_back(m);
    };
    return o;
  }
  std::vector<std::string> reported() {
    std::lock_guard<std::mutex> lock(mu);
    return reports;
  }
  std::vector<std::string> event_files(const std::string& dir = kRun) const {
    return fs->files_in(dir, "tfevents");
  }
  ParsedFile parsed(const std::string& path) const {
    const auto bytes = fs->contents(path);
    EXPECT_TRUE(bytes.has_value()) << path;
    return parse_file(bytes.value_or(""));
  }
};

void add_steps(SummaryWriter& writer, std::int64_t begin, std::int64_t end) {
  for (std::int64_t i = begin; i < end; ++i) writer.add_scalar("x", static_cast<double>(i), i);
}

// flush() must throw events_lost naming `lost`; returns the message.
std::string expect_lost_on_flush(SummaryWriter& writer, std::uint64_t lost) {
  try {
    writer.flush();
    ADD_FAILURE() << "flush() did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::events_lost) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::to_string(lost) + " event(s) were lost"),
              std::string::npos)
        << e.what();
    return e.what();
  }
  return {};
}

TEST(MemoryWriter, EveryByteGoesThroughTheFileSystem) {
  MemoryWriter m;
  {
    SummaryWriter writer(kRun, m.options());
    // The first record is there before the constructor returns.
    ASSERT_EQ(m.event_files().size(), 1u);
    EXPECT_EQ(writer.file_path(), m.event_files()[0]);
    const ParsedFile first = m.parsed(m.event_files()[0]);
    ASSERT_EQ(first.events.size(), 1u);
    EXPECT_EQ(first.events[0].file_version, "brain.Event:2");

    add_steps(writer, 0, 10);
    writer.add_scalars("lr", {{"enc", 1.0}, {"dec", 2.0}}, 0);
    const std::vector<float> matrix = {1, 2, 3, 4, 5, 6};
    writer.add_embedding(MatrixView(matrix, 2, 3), EmbeddingMetadata({"a", "b"}), {}, "emb", 0);
    writer.close();
  }
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-tblog-memory"));
  EXPECT_EQ(scalar_steps(m.parsed(m.event_files()[0])), range(0, 10));
  ASSERT_EQ(m.event_files(kRun + "/lr_enc").size(), 1u);
  EXPECT_EQ(scalar_steps(m.parsed(m.event_files(kRun + "/lr_enc")[0])), range(0, 1));
  EXPECT_TRUE(m.fs->contents(kRun + "/projector_config.pbtxt").has_value());
  EXPECT_TRUE(m.fs->contents(kRun + "/00000/emb/metadata.tsv").has_value());
  EXPECT_TRUE(m.fs->files_in(kRun + "/00000/emb", ".tmp").empty());
  EXPECT_TRUE(m.reported().empty());
}

TEST(MemoryWriter, FailedAppendCutsBackCountsLossAndGoesOnInANewFile) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  add_steps(writer, 0, 10);
  writer.flush();
  const std::string first_path = writer.file_path();
  const std::size_t good_size = m.fs->contents(first_path)->size();

  m.fs->fail_append(1);
  add_steps(writer, 10, 15);
  expect_lost_on_flush(writer, 5);
  EXPECT_EQ(writer.stats().events_lost, 5u);
  ASSERT_EQ(m.reported().size(), 1u);
  EXPECT_NE(m.reported()[0].find("Input/output error"), std::string::npos) << m.reported()[0];
  EXPECT_NE(m.reported()[0].find(first_path), std::string::npos) << m.reported()[0];
  // The file ends at its last complete record.
  EXPECT_EQ(m.fs->contents(first_path)->size(), good_size);

  add_steps(writer, 15, 20);
  writer.flush();  // nothing lost since the last throw
  writer.close();
  const auto files = m.event_files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], first_path);
  const ParsedFile first = m.parsed(files[0]);
  const ParsedFile second = m.parsed(files[1]);
  EXPECT_TRUE(first.whole);
  EXPECT_TRUE(second.whole);
  EXPECT_EQ(scalar_steps(first), range(0, 10));
  EXPECT_EQ(second.events.front().file_version, "brain.Event:2");
  EXPECT_EQ(scalar_steps(second), range(15, 20));
  EXPECT_EQ(writer.stats().events_written, 15u);
  EXPECT_EQ(m.reported().size(), 1u);
}

TEST(MemoryWriter, ShortWriteLeavesNoPartOfARecord) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  add_steps(writer, 0, 3);
  writer.flush();
  const std::string path = writer.file_path();
  const std::size_t good_size = m.fs->contents(path)->size();

  m.fs->fail_append(1, /*bytes_written=*/37);  // inside the second record of the batch
  add_steps(writer, 3, 8);
  expect_lost_on_flush(writer, 5);
  const ParsedFile file = m.parsed(path);
  EXPECT_TRUE(file.whole);
  EXPECT_EQ(file.sound_bytes, good_size);
  EXPECT_EQ(scalar_steps(file), range(0, 3));
  EXPECT_EQ(writer.stats().events_lost, 5u);
}

TEST(MemoryWriter, DiskFullThenClearedGoesOnInANewFile) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  const std::string first_path = writer.file_path();
  const std::size_t first_size = m.fs->contents(first_path)->size();
  m.fs->set_capacity(first_size + 100);  // room for a few records, not a thousand

  add_steps(writer, 0, 1000);
  expect_lost_on_flush(writer, 1000);
  ASSERT_EQ(m.reported().size(), 1u);
  EXPECT_NE(m.reported()[0].find("No space left on device"), std::string::npos)
      << m.reported()[0];
  EXPECT_EQ(m.fs->contents(first_path)->size(), first_size);

  // Still full: the loss is counted, not reported again.
  add_steps(writer, 1000, 1050);
  expect_lost_on_flush(writer, 50);
  EXPECT_EQ(m.reported().size(), 1u);

  m.fs->set_capacity(std::nullopt);
  add_steps(writer, 1050, 1150);
  writer.close();
  EXPECT_EQ(writer.stats().events_lost, 1050u);
  EXPECT_EQ(writer.stats().events_written, 100u);

  std::vector<std::int64_t> steps;
  for (const auto& path : m.event_files()) {
    const ParsedFile file = m.parsed(path);
    EXPECT_TRUE(file.whole) << path;
    ASSERT_FALSE(file.events.empty()) << path;
    EXPECT_EQ(file.events.front().file_version, "brain.Event:2") << path;
    for (std::int64_t s : scalar_steps(file)) steps.push_back(s);
  }
  EXPECT_EQ(steps, range(1050, 1150));
}

// A disk full for a while, written to all the time (buffers past the write threshold,
// explicit flushes): one new file for the outage, not one per failed write.
TEST(MemoryWriter, AFullDiskGivesAtMostOneNewFile) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  const std::string first_path = writer.file_path();
  const std::size_t first_size = m.fs->contents(first_path)->size();
  m.fs->set_capacity(first_size + 4096);  // room for dozens of empty event files

  std::int64_t step = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until) {
    add_steps(writer, step, step + 30000);  // past the 1 MiB write threshold
    step += 30000;
    EXPECT_THROW(writer.flush(), Error);
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  }
  EXPECT_LE(m.event_files().size(), 2u);
  EXPECT_EQ(m.reported().size(), 1u);
  EXPECT_GT(writer.stats().events_lost, 0u);

  m.fs->set_capacity(std::nullopt);
  add_steps(writer, step, step + 100);
  try {
    writer.close();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::events_lost) << e.what();
  }
  const auto files = m.event_files();
  ASSERT_LE(files.size(), 2u);
  EXPECT_EQ(files[0], first_path);
  const ParsedFile last = m.parsed(files.back());
  EXPECT_TRUE(last.whole);
  EXPECT_EQ(scalar_steps(last), range(step, step + 100));
  const WriterStats stats = writer.stats();
  EXPECT_EQ(stats.events_written + stats.events_lost, static_cast<std::uint64_t>(step + 100));
  EXPECT_EQ(stats.events_written, 100u);
}

TEST(MemoryWriter, RemovedFileGetsASuccessor) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  add_steps(writer, 0, 3);
  writer.flush();
  const std::string first_path = writer.file_path();
  m.fs->vanish(first_path);

  add_steps(writer, 3, 6);
  writer.flush();
  const auto files = m.event_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0], first_path);
  EXPECT_EQ(writer.file_path(), files[0]);
  const ParsedFile file = m.parsed(files[0]);
  EXPECT_TRUE(file.whole);
  EXPECT_EQ(file.events.front().file_version, "brain.Event:2");
  EXPECT_EQ(scalar_steps(file), range(3, 6));
  EXPECT_EQ(writer.stats().events_lost, 0u);
  EXPECT_TRUE(m.reported().empty());
}

// Every event file describes each tag again on its first value there, whichever way the
// writer came to a new file: here a failed append, then a new file that cannot be opened once.
TEST(MemoryWriter, EveryFileDescribesItsTagsAfterASwitch) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  writer.add_text("notes", "a", 0);
  writer.flush();

  m.fs->fail_append(1);
  writer.add_text("notes", "b", 1);
  expect_lost_on_flush(writer, 1);

  m.fs->fail_make_directories(EACCES);  // the successor's open fails
  writer.add_text("notes", "c", 2);
  expect_lost_on_flush(writer, 1);
  m.fs->fail_make_directories(0);

  for (int step = 3; step < 6; ++step) writer.add_text("notes", "d", step);
  writer.close();

  const auto files = m.event_files();
  ASSERT_EQ(files.size(), 2u);
  std::size_t values = 0;
  for (const auto& path : files) {
    bool first = true;
    for (const auto& e : m.parsed(path).events) {
      for (const auto& v : e.values) {
        ++values;
        if (first) {
          EXPECT_TRUE(v.has_metadata) << path << " step " << e.step;
          EXPECT_EQ(v.plugin_name, "text") << path;
        }
        first = false;
      }
    }
  }
  EXPECT_EQ(values, 4u);  // a, and d three times
}

// The event file removed while values are buffered for it: those values were encoded
// without metadata (the old file described their tags). In the successor the first value of
// each tag must carry the metadata all the same, image and text alike.
TEST(MemoryWriter, ASuccessorDescribesTheTagsOfValuesBufferedBeforeTheRemoval) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  std::vector<std::uint8_t> pixels(4 * 4 * 3, 9);
  writer.add_text("notes", "a", 0);
  writer.add_image("img", ImageView(pixels, ImageLayout::HWC, 4, 4, 3), 0);
  writer.add_scalar("loss", 1, 0);
  writer.flush();
  const std::string first = writer.file_path();
  writer.add_text("notes", "b", 1);  // buffered, encoded without metadata
  writer.add_scalar("loss", 2, 1);
  writer.add_image("img", ImageView(pixels, ImageLayout::HWC, 4, 4, 3), 1);
  m.fs->vanish(first);
  writer.add_text("notes", "c", 2);
  writer.close();

  const auto files = m.event_files();
  ASSERT_EQ(files.size(), 1u);
  ASSERT_NE(files[0], first);
  std::map<std::string, int> values;
  std::map<std::string, bool> first_described;
  for (const auto& e : m.parsed(files[0]).events) {
    for (const auto& v : e.values) {
      if (values[v.tag]++ == 0) first_described[v.tag] = v.has_metadata;
      if (v.tag == "notes" && v.has_metadata) EXPECT_EQ(v.plugin_name, "text");
    }
  }
  EXPECT_EQ(values, (std::map<std::string, int>{{"img", 1}, {"loss", 1}, {"notes", 2}}));
  EXPECT_TRUE(first_described["notes"]);
  EXPECT_TRUE(first_described["img"]);  // the legacy image field: metadata names no plugin
}

// Runs `body` and ends the test program if it has not returned after 20 s: a deadlock must
// fail the test, not hang the suite.
void expect_finishes(const std::function<void()>& body) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::thread runner([&] {
    body();
    done.set_value();
  });
  if (finished.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    std::fprintf(stderr, "deadlock: the call did not return within 20 s\n");
    std::_Exit(1);
  }
  runner.join();
}

TEST(UserCallbacks, AnErrorHandlerThatThrowsEndsNothing) {
  MemoryWriter m;
  WriterOptions options = m.options();
  int calls = 0;
  options.error_handler = [&](const std::string&) {
    if (++calls % 2 == 0) throw 42;  // not even a std::exception
    throw std::runtime_error("handler failed");
  };
  SummaryWriter writer(kRun, options);
  EXPECT_NO_THROW(writer.add_scalar("a b", 1, 0));  // warned on the caller's thread
  writer.flush();

  m.fs->fail_append(1);  // reported on the writer thread
  add_steps(writer, 1, 5);
  expect_lost_on_flush(writer, 4);
  add_steps(writer, 5, 8);
  writer.close();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(writer.stats().events_written, 4u);
  EXPECT_EQ(scalar_steps(m.parsed(m.event_files().back())), range(5, 8));
}

TEST(UserCallbacks, AnErrorHandlerThatCallsTheWriterDoesNotHang) {
  MemoryWriter m;
  WriterOptions options = m.options();
  options.max_queue = 2;  // an add from the handler finds the queue full now and then
  SummaryWriter* writer_in_handler = nullptr;
  std::vector<ErrorCode> codes;
  options.error_handler = [&](const std::string&) {
    try {
      writer_in_handler->flush();
    } catch (const Error& e) {
      codes.push_back(e.code());
    }
    try {
      writer_in_handler->close();
    } catch (const Error& e) {
      codes.push_back(e.code());
    }
    for (int i = 0; i < 4; ++i) writer_in_handler->add_scalar("from_handler", i, i);
  };
  SummaryWriter writer(kRun, options);
  writer_in_handler = &writer;
  m.fs->fail_append(1);
  expect_finishes([&] {
    add_steps(writer, 0, 3);
    expect_lost_on_flush(writer, 3);
    add_steps(writer, 3, 6);
    writer.flush();
    writer.close();
  });
  EXPECT_EQ(codes, (std::vector<ErrorCode>{ErrorCode::invalid_argument,
                                           ErrorCode::invalid_argument}));
  const WriterStats stats = writer.stats();
  // Every add is accounted for: written, lost, or dropped when the handler met a full queue.
  EXPECT_EQ(stats.events_written + stats.events_lost + stats.events_dropped, 6u + 4u);
  EXPECT_EQ(stats.events_lost, 3u);
}

TEST(UserCallbacks, AWarningThatAddsANewTagDoesNotDeadlock) {
  MemoryWriter m;
  WriterOptions options = m.options();
  SummaryWriter* writer_in_handler = nullptr;
  int warnings = 0;
  options.error_handler = [&](const std::string&) {
    // Warned for "a b" inside its add; adds (and so interns) another tag to clean.
    if (++warnings == 1) writer_in_handler->add_scalar("c d", 2, 0);
  };
  SummaryWriter writer(kRun, options);
  writer_in_handler = &writer;
  expect_finishes([&] { writer.add_scalar("a b", 1, 0); });
  writer.close();
  EXPECT_EQ(warnings, 2);
  EXPECT_EQ(writer.stats().events_written, 2u);
}

TEST(UserCallbacks, BadAllocOnTheWriterThreadLosesThoseEventsOnly) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  m.fs->throw_on_append(1);
  add_steps(writer, 0, 5);
  const std::string message = expect_lost_on_flush(writer, 5);
  EXPECT_NE(message.find("bad_alloc"), std::string::npos) << message;
  ASSERT_EQ(m.reported().size(), 1u);
  add_steps(writer, 5, 10);
  writer.flush();
  writer.close();
  EXPECT_EQ(writer.stats().events_lost, 5u);
  EXPECT_EQ(writer.stats().events_written, 5u);
  const ParsedFile last = m.parsed(m.event_files().back());
  EXPECT_TRUE(last.whole);
  EXPECT_EQ(scalar_steps(last), range(5, 10));
}

pb::ProjectorConfig projector_config(const std::string& text) {
  pb::ProjectorConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  return config;
}

TEST(MemoryWriter, EmbeddingWithAFailingRenameLeavesTheOldConfig) {
  MemoryWriter m;
  SummaryWriter writer(kRun, m.options());
  const std::string config_path = kRun + "/projector_config.pbtxt";
  const std::vector<float> matrix = {0.5f, 1.5f, 2.5f, 3.5f};
  writer.add_embedding(MatrixView(matrix, 2, 2), {}, {}, "a", 0);
  writer.flush();
  const std::string before = m.fs->contents(config_path).value_or("");
  ASSERT_EQ(projector_config(before).embeddings_size(), 1);

  m.fs->fail_renames(EACCES);
  writer.add_embedding(MatrixView(matrix, 2, 2), {}, {}, "b", 0);
  expect_lost_on_flush(writer, 1);
  ASSERT_EQ(m.reported().size(), 1u);
  EXPECT_NE(m.reported()[0].find("cannot rename"), std::string::npos) << m.reported()[0];
  EXPECT_NE(m.reported()[0].find("Permission denied"), std::string::npos) << m.reported()[0];
  EXPECT_EQ(m.fs->contents(config_path).value_or(""), before);
  EXPECT_TRUE(m.fs->files_in(kRun, ".tmp").empty());
  EXPECT_TRUE(m.fs->files_in(kRun + "/00000/b", ".tmp").empty());

  m.fs->fail_renames(0);
  writer.add_embedding(MatrixView(matrix, 2, 2), {}, {}, "c", 0);
  writer.flush();
  const pb::ProjectorConfig after = projector_config(m.fs->contents(config_path).value_or(""));
  ASSERT_EQ(after.embeddings_size(), 2);
  EXPECT_EQ(after.embeddings(0).tensor_name(), "a:00000");
  EXPECT_EQ(after.embeddings(1).tensor_name(), "c:00000");
  EXPECT_EQ(writer.stats().events_lost, 1u);
}

TEST(MemoryWriter, FolderThatCannotBeMadeIsAnIoErrorAtConstruction) {
  MemoryWriter m;
  m.fs->fail_make_directories(EACCES);
  try {
    SummaryWriter writer(kRun, m.options());
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find(kRun), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Permission denied"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(m.event_files().empty());
}

TEST(MemoryWriter, FirstRecordThatCannotBeWrittenLeavesNoFile) {
  MemoryWriter m;
  m.fs->fail_append(1, 5, ENOSPC);
  EXPECT_THROW(SummaryWriter(kRun, m.options()), Error);
  EXPECT_TRUE(m.event_files().empty());
}

// The POSIX file system on a real folder: the semantics the writer relies on.
TEST(PosixFileSystem, CreateNewIsExclusive) {
  TempDir dir;
  auto fs = FileSystem::posix();
  const std::string path = dir.str() + "/f";
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(fs->create_new(path, &file).ok());
  ASSERT_TRUE(file->append("hello").ok());
  EXPECT_EQ(file->size(), 5u);
  EXPECT_TRUE(file->still_linked());
  std::unique_ptr<WritableFile> again;
  const Status st = fs->create_new(path, &again);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.already_exists());
  EXPECT_EQ(st.code(), ErrorCode::io);
  EXPECT_EQ(st.os_error(), EEXIST);
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("File exists"), std::string::npos) << st.message();
  ASSERT_TRUE(fs->remove(path).ok());
  EXPECT_FALSE(file->still_linked());
  EXPECT_TRUE(file->close().ok());
  EXPECT_TRUE(file->close().ok());
  EXPECT_FALSE(file->append("x").ok());
}

TEST(PosixFileSystem, TruncateRewindsTheNextAppend) {
  TempDir dir;
  auto fs = FileSystem::posix();
  const std::string path = dir.str() + "/f";
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(fs->create_new(path, &file).ok());
  ASSERT_TRUE(file->append("good|bad").ok());
  ASSERT_TRUE(file->truncate(5).ok());
  ASSERT_TRUE(file->append("more").ok());
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(file->close().ok());
  EXPECT_EQ(test::read_file(path), "good|more");

  // Appending to an existing file starts at its end.
  ASSERT_TRUE(fs->open_append(path, &file).ok());
  EXPECT_EQ(file->size(), 9u);
  ASSERT_TRUE(file->append("!").ok());
  ASSERT_TRUE(file->close().ok());
  std::string text;
  ASSERT_TRUE(fs->read_file(path, &text).ok());
  EXPECT_EQ(text, "good|more!");
}

TEST(PosixFileSystem, OverwriteRenameListStat) {
  TempDir dir;
  auto fs = FileSystem::posix();
  const std::string sub = dir.str() + "/a/b/c";
  ASSERT_TRUE(fs->make_directories(sub).ok());
  ASSERT_TRUE(fs->make_directories(sub).ok());  // already there
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(fs->open_overwrite(sub + "/x.tmp", &file).ok());
  ASSERT_TRUE(file->append("new").ok());
  ASSERT_TRUE(file->close().ok());
  test::write_file(sub + "/x", "old");
  ASSERT_TRUE(fs->rename(sub + "/x.tmp", sub + "/x").ok());
  EXPECT_EQ(test::read_file(sub + "/x"), "new");

  std::vector<std::string> names;
  ASSERT_TRUE(fs->list(dir.str() + "/a/b", &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"c"});
  ASSERT_TRUE(fs->list(sub, &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"x"});

  FileInfo info;
  ASSERT_TRUE(fs->stat(sub + "/x", &info).ok());
  EXPECT_TRUE(info.exists);
  EXPECT_FALSE(info.is_directory);
  EXPECT_EQ(info.size, 3u);
  ASSERT_TRUE(fs->stat(sub, &info).ok());
  EXPECT_TRUE(info.is_directory);
  ASSERT_TRUE(fs->stat(sub + "/missing", &info).ok());
  EXPECT_FALSE(info.exists);

  // A file where a folder should be, and operations on missing paths, fail with the path.
  const Status not_folder = fs->make_directories(sub + "/x/y");
  EXPECT_FALSE(not_folder.ok());
  EXPECT_NE(not_folder.message().find(sub + "/x"), std::string::npos) << not_folder.message();
  const Status missing = fs->rename(sub + "/nope", sub + "/x");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.os_error(), ENOENT);
  EXPECT_FALSE(fs->remove(sub + "/nope").ok());
  EXPECT_FALSE(fs->list(sub + "/nope", &names).ok());
  std::string text;
  EXPECT_FALSE(fs->read_file(sub + "/nope", &text).ok());
}

TEST(PosixFileSystem, ProgressPrinterLogAppendsThroughIt) {
  TempDir dir;
  const std::string log = dir.str() + "/progress.log";
  test::write_file(log, "earlier run\n");
  {
    ProgressPrinter p(1, 0, "", log, 0);
    p.update_training(1, 0.5, 0.25);
  }
  const std::string text = test::read_file(log);
  EXPECT_EQ(text.rfind("earlier run\n", 0), 0u) << text;
  EXPECT_NE(text.find(" Minibatch[   1-   1]: loss = 0.500000 * 1"), std::string::npos) << text;
}

TEST(FileSystemStatus, ThrowsItsCodeAndMessage) {
  EXPECT_NO_THROW(Status().throw_if_error());
  const Status st = Status::from_errno(ENOSPC, "cannot write to", "/some/file");
  EXPECT_EQ(st.message(), "cannot write to '/some/file': No space left on device");
  try {
    st.throw_if_error();
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_EQ(std::string(e.what()), st.message());
  }
  EXPECT_EQ(Status::from_errno(0, "x", "y").os_error(), EIO);
}

}  // namespace
}  // namespace tblog
