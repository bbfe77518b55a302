#pragma once
// Reading event files back: runs in a logdir, framed records with both CRCs checked, and
// Events decoded into plain structs (no protobuf types here).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/error.hpp"
#include "tblog/export.hpp"
#include "tblog/histogram.hpp"

namespace tblog {

// Something wrong in an event file. Every complete, sound record before `offset` was returned.
struct TBLOG_API ReadProblem {
  enum class Kind {
    truncated,  // the file ends inside a record: still being written, or cut short
    corrupt,    // bad length CRC, bad data CRC, or a record that does not decode as an Event
    unreadable, // the file or folder cannot be opened or listed (permission denied, vanished)
  };
  Kind kind = Kind::truncated;
  std::string file;
  std::uint64_t offset = 0;  // byte offset of the record where the problem starts
  std::string message;

  std::string to_string() const;  // "file:offset: message"; unreadable: the message, which names the path
};

// Framed records (TFRecord) of one file, both masked CRC-32Cs checked. A record whose
// header is sound but whose data runs past the end of the file is reported as truncated,
// as TensorBoard treats it (it retries such a file later).
// Thread safety: one reader is used by one thread at a time; distinct readers are independent.
class TBLOG_API RecordReader {
 public:
  // Throws tblog::Error naming the path if the file cannot be opened.
  explicit RecordReader(const std::string& path);
  // Starts at byte `start_offset`, which must be where a record begins (bytes_read() of an
  // earlier reader of the same file): how a growing file is read on from where reading stopped.
  RecordReader(const std::string& path, std::uint64_t start_offset);
  ~RecordReader();
  RecordReader(RecordReader&&) noexcept;
  RecordReader& operator=(RecordReader&&) noexcept;
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The next record's data (valid until the next call) and its byte offset. False at the
  // end of the file or at a problem; problem() tells which.
  bool next(std::string_view& data, std::uint64_t* offset = nullptr);
  const std::optional<ReadProblem>& problem() const;
  std::uint64_t bytes_read() const;  // through the last sound record (from the file's start)
  const std::string& path() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct TBLOG_API TensorValue {
  int dtype = 0;  // TensorFlow DataType code: 1 float, 2 double, 3 int32, 4 uint8, 7 string, 9 int64, 10 bool
  std::vector<std::int64_t> shape;
  std::string content;  // tensor_content: raw little-endian bytes, if the writer used it
  std::vector<float> float_val;
  std::vector<double> double_val;
  std::vector<std::int64_t> int_val;  // int_val, int64_val, and half_val (raw 16-bit patterns)
  std::vector<std::string> string_val;
  std::vector<bool> bool_val;

  std::int64_t num_elements() const;
  // Numeric elements as doubles, whichever field holds them. Throws tblog::Error for strings.
  std::vector<double> as_doubles() const;
};

struct ImageValue {
  int height = 0;
  int width = 0;
  int colorspace = 0;
  std::string encoded;  // PNG bytes
};

struct AudioValue {
  float sample_rate = 0;
  std::int64_t num_channels = 0;
  std::int64_t length_frames = 0;
  std::string encoded;
  std::string content_type;
};

struct SummaryValue {
  enum class Kind { none, simple_value, image, histogram, audio, tensor };
  std::string tag;
  Kind kind = Kind::none;
  // From SummaryMetadata, when present. Writers send it with the first value of a tag only.
  bool has_metadata = false;
  std::string plugin_name;
  std::string plugin_content;
  std::string display_name;
  std::string description;
  int data_class = 0;

  float simple_value = 0;
  ImageValue image;
  HistogramBuckets histogram;
  AudioValue audio;
  TensorValue tensor;
};

struct Event {
  enum class What { none, file_version, graph_def, summary, session_log, tagged_run_metadata, other };
  double wall_time = 0;
  std::int64_t step = 0;
  What what = What::none;
  std::string file_version;
  std::string graph_def;  // serialized GraphDef
  std::vector<SummaryValue> values;
  int session_status = 0;  // 1 START, 2 STOP, 3 CHECKPOINT
  std::string session_message;
  std::string run_metadata_tag;
  std::string run_metadata;
  std::string source_writer;
};

// Decodes one record's data. Throws tblog::Error if it is not a valid Event.
TBLOG_API Event parse_event(std::string_view record);

// Events of one file. A record that is not a valid Event is reported as corruption.
// Movable; one thread at a time, as RecordReader.
class TBLOG_API EventFileReader {
 public:
  explicit EventFileReader(const std::string& path);
  bool next(Event& event, std::uint64_t* offset = nullptr);
  const std::optional<ReadProblem>& problem() const;

 private:
  RecordReader records_;
  std::optional<ReadProblem> problem_;
};

// A run: a folder holding files whose names contain "tfevents".
struct Run {
  std::string name;                // relative to the logdir; "." for the logdir itself
  std::string path;                // the folder
  std::vector<std::string> files;  // event files, in the order TensorBoard reads them
};

// All runs under logdir (recursively), sorted by name. Throws tblog::Error if logdir is
// missing, not a folder, or cannot be listed. A folder below it that cannot be listed is
// skipped; with `unreadable`, it is also reported there (Kind::unreadable, naming the folder
// and the reason).
TBLOG_API std::vector<Run> find_runs(const std::string& logdir);
TBLOG_API std::vector<Run> find_runs(const std::string& logdir, std::vector<ReadProblem>* unreadable);

// Every event of a run, as TensorBoard sees them: its files in order, and a SessionLog START
// at step s (a writer's purge_step, a restarted job) drops the summary events read before it
// whose step is >= s. Reading stops at the first problem of each file, which is kept in
// `problems`; a file that cannot be opened is a problem too. Holds the whole run in memory:
// for large runs read the files with EventFileReader.
struct RunEvents {
  std::vector<Event> events;
  std::vector<ReadProblem> problems;
};
TBLOG_API RunEvents read_run(const Run& run);

}  // namespace tblog
