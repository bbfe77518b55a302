#include "read/run_loader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "format/plugin_names.hpp"
#include "read/event_proto.hpp"
#include "tblog/error.hpp"

namespace tblog::detail {
namespace {

// Events handled under one hold of the run's lock: long enough that locking costs nothing,
// short enough that a reader waits only briefly while a large run loads.
constexpr int kEventsPerLock = 4096;

// The tag TensorBoard gives the run graph (Event.graph_def).
constexpr const char* kRunGraphTag = "__run_graph__";

// Serialized plugin content TensorBoard gives converted legacy values:
// ImagePluginData{converted_to_tensor: true} and
// AudioPluginData{encoding: WAV, converted_to_tensor: true}.
const std::string kImageContent("\x10\x01", 2);
const std::string kAudioContent("\x10\x0b\x18\x01", 4);

DataClass data_class_of(const pb::SummaryMetadata& m) {
  if (m.data_class() != pb::DATA_CLASS_UNKNOWN) return static_cast<DataClass>(m.data_class());
  // Metadata written before data classes existed: TensorBoard's table of its own plugins.
  const std::string& plugin = m.plugin_data().plugin_name();
  if (plugin == kScalars) return DataClass::scalar;
  // Mesh and custom scalars joined the table later (TensorBoard 2.4's loader): their
  // dashboards read tensors through the data provider, as they do from PyTorch's files.
  if (plugin == kHistograms || plugin == kText || plugin == kHparams || plugin == kPrCurves ||
      plugin == kMesh || plugin == kCustomScalars) {
    return DataClass::tensor;
  }
  if (plugin == kImages || plugin == kAudio || plugin == "graph_run_metadata" ||
      plugin == "graph_run_metadata_graph" || plugin == "graph_keras_model") {
    return DataClass::blob_sequence;
  }
  return DataClass::unknown;
}

// A legacy value's metadata as TensorBoard converts it: its own plugin, the tag as the
// display name unless one was given.
SeriesMetadata legacy_metadata(const pb::Summary_Value& v, std::string_view plugin,
                               std::string content, DataClass data_class) {
  SeriesMetadata m;
  m.plugin_name = std::string(plugin);
  m.plugin_content = std::move(content);
  m.display_name = v.metadata().display_name().empty() ? v.tag() : v.metadata().display_name();
  m.description = v.metadata().summary_description();
  m.data_class = data_class;
  return m;
}

// TensorBoard's histogram conversion: a [k, 3] float tensor of (left, right, count) rows,
// empty buckets at either end dropped, min and max as the outer edges.
std::string histogram_tensor(const pb::HistogramProto& h) {
  const int n = h.bucket_size();
  int start = 0;
  while (start < n && !(h.bucket(start) > 0)) ++start;
  int end = n - 1;
  while (end >= 0 && !(h.bucket(end) > 0)) --end;
  pb::TensorProto t;
  t.set_dtype(pb::DT_FLOAT);
  const int rows = start <= end ? end - start + 1 : 0;
  t.mutable_tensor_shape()->add_dim()->set_size(rows);
  t.mutable_tensor_shape()->add_dim()->set_size(3);
  for (int i = start; i <= end; ++i) {
    const double left = i == start ? h.min() : (i - 1 < h.bucket_limit_size() ? h.bucket_limit(i - 1) : 0);
    const double right = i == end ? h.max() : (i < h.bucket_limit_size() ? h.bucket_limit(i) : 0);
    t.add_float_val(static_cast<float>(left));
    t.add_float_val(static_cast<float>(right));
    t.add_float_val(static_cast<float>(h.bucket(i)));
  }
  return t.SerializeAsString();
}

std::string scalar_tensor(float value) {
  pb::TensorProto t;
  t.set_dtype(pb::DT_FLOAT);
  t.add_float_val(value);
  return t.SerializeAsString();
}

// The blobs of a string tensor. Audio keeps only the first column of a [k, 2] (clip, label)
// tensor, as TensorBoard does.
std::vector<std::string> tensor_blobs(const pb::TensorProto& t, std::string_view plugin) {
  std::vector<std::string> blobs;
  if (t.dtype() != pb::DT_STRING) return blobs;
  std::size_t stride = 1;
  if (plugin == kAudio) {
    for (int i = 1; i < t.tensor_shape().dim_size(); ++i) {
      const auto size = t.tensor_shape().dim(i).size();
      stride *= size > 0 ? static_cast<std::size_t>(size) : 1;
    }
  }
  for (int i = 0; i < t.string_val_size(); i += static_cast<int>(stride)) {
    blobs.push_back(t.string_val(i));
  }
  return blobs;
}

}  // namespace

RunLoader::RunLoader(std::string name, std::string path, const SamplingPolicy& sampling)
    : name_(std::move(name)), path_(std::move(path)), sampling_(sampling) {}

void RunLoader::load(const std::vector<std::string>& files, ProblemLog& problems) {
  std::map<std::string, FileState> still_there;
  for (const std::string& file : files) {
    auto it = files_.find(file);
    still_there[file] = it == files_.end() ? FileState{} : it->second;
  }
  files_ = std::move(still_there);
  for (const std::string& file : files) read_file(file, files_[file], problems);
}

void RunLoader::read_file(const std::string& file, FileState& state, ProblemLog& problems) {
  if (state.dead) return;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // removed since the folder was listed
    ReadProblem p;
    p.kind = ReadProblem::Kind::unreadable;
    p.file = file;
    p.message = "cannot read event file '" + file + "': " + std::strerror(errno);
    problems.report(p);
    return;
  }
  // Unchanged since the last read (the common case on reload): nothing to open.
  if (static_cast<std::uint64_t>(st.st_size) == state.offset) return;
  if (static_cast<std::uint64_t>(st.st_size) < state.offset) {
    // Shorter than what was read: rewritten from the start. Read it again.
    state.offset = 0;
  }
  std::optional<RecordReader> reader;
  try {
    reader.emplace(file, state.offset);
  } catch (const Error& e) {
    ReadProblem p;
    p.kind = ReadProblem::Kind::unreadable;
    p.file = file;
    p.message = e.what();
    problems.report(p);
    return;
  }
  std::string_view record;
  std::uint64_t at = 0;
  bool more = true;
  while (more) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    // Replaced points are removed before readers get the lock, however the stretch ends.
    struct CompactOnExit {
      RunLoader& run;
      ~CompactOnExit() { run.compact_dirty(); }
    } compact_on_exit{*this};
    for (int i = 0; i < kEventsPerLock; ++i) {
      try {
        more = reader->next(record, &at);
      } catch (const Error& e) {  // a read error: tried again next time
        ReadProblem p;
        p.kind = ReadProblem::Kind::unreadable;
        p.file = file;
        p.offset = reader->bytes_read();
        p.message = e.what();
        problems.report(p);
        more = false;
      }
      if (!more) break;
      const char* why = nullptr;
      if (!ingest(record, &why)) {
        ReadProblem p;
        p.kind = ReadProblem::Kind::corrupt;
        p.file = file;
        p.offset = at;
        p.message = "record of " + std::to_string(record.size()) +
                    " bytes is not a valid Event (" + why + "); the rest of the file is skipped";
        problems.report(p);
        state.dead = true;
        return;
      }
      state.offset = reader->bytes_read();
    }
  }
  state.offset = reader->bytes_read();
  if (const auto& problem = reader->problem()) {
    // A truncated last record is a file still being written: read again from its start
    // next time. Anything else is corruption, reported once; the rest of the file is skipped.
    if (problem->kind != ReadProblem::Kind::truncated) {
      ReadProblem p = *problem;
      p.message += "; the rest of the file is skipped";
      problems.report(p);
      state.dead = true;
    }
  }
}

bool RunLoader::ingest(std::string_view record, const char** why) {
  if (const char* bad = scan_event(record, scanned_)) {
    *why = bad;
    return false;
  }
  ++events_read_;
  if (!start_time_) start_time_ = scanned_.wall_time;
  if (scanned_.what == Event::What::summary && ingest_scalars_fast()) return true;
  if (scanned_.what == Event::What::file_version || scanned_.what == Event::What::other ||
      scanned_.what == Event::What::none) {
    return true;
  }
  if (scanned_.what == Event::What::session_log) {
    if (scanned_.session_status == 1) purge_from(scanned_.step);  // SessionLog START
    return true;
  }
  pb::Event event;
  if (const char* bad = parse_event_proto(record, event)) {
    *why = bad;
    return false;
  }
  ingest_slow(event);
  return true;
}

// Every value a number for a tag already known as a scalar series: the bulk of most logdirs,
// taken straight from the scanner without decoding the Event again.
bool RunLoader::ingest_scalars_fast() {
  if (scanned_.values.empty()) return true;
  resolved_.clear();
  TimeSeries* previous = last_series_;
  for (const ScannedValue& v : scanned_.values) {
    const bool number = v.kind == SummaryValue::Kind::simple_value ||
                        (v.kind == SummaryValue::Kind::tensor && v.tensor_is_number);
    if (!number) return false;
    TimeSeries* hint = previous != nullptr ? previous->next_hint : nullptr;
    TimeSeries* s = hint != nullptr && hint->tag() == v.tag ? hint : find(v.tag);
    if (s == nullptr || s->data_class() != DataClass::scalar) return false;
    if (previous != nullptr) previous->next_hint = s;
    resolved_.push_back(s);
    previous = s;
  }
  last_series_ = previous;
  for (const ScannedValue& v : scanned_.values) {
    const double value = v.kind == SummaryValue::Kind::simple_value ? double{v.simple_value}
                                                                     : v.tensor_number;
    add(*resolved_[&v - scanned_.values.data()], ScalarPoint{scanned_.step, scanned_.wall_time, value});
  }
  return true;
}

TimeSeries* RunLoader::find(std::string_view tag) {
  const auto it = index_.find(tag);
  return it == index_.end() ? nullptr : it->second;
}

TimeSeries& RunLoader::create(std::string tag, SeriesMetadata metadata) {
  const std::size_t capacity = sampling_.capacity(metadata.plugin_name, metadata.data_class);
  const std::uint64_t seed = std::hash<std::string>()(tag);
  std::string key = tag;
  auto [it, added] = series_.try_emplace(std::move(key), std::move(tag), std::move(metadata),
                                         capacity, seed);
  index_[it->first] = &it->second;
  return it->second;
}

void RunLoader::compact_dirty() {
  for (TimeSeries* s : dirty_) s->compact();
  dirty_.clear();
}

void RunLoader::purge_from(std::int64_t step) {
  for (auto& [tag, series] : series_) series.purge_from(step);
}

void RunLoader::ingest_slow(const pb::Event& event) {
  switch (event.what_case()) {
    case pb::Event::kGraphDef: {
      TimeSeries* s = find(kRunGraphTag);
      if (s == nullptr) {
        SeriesMetadata m;
        m.plugin_name = std::string(kGraphs);
        m.data_class = DataClass::blob_sequence;
        s = &create(kRunGraphTag, std::move(m));
      }
      if (s->data_class() == DataClass::blob_sequence) {
        add(*s, BlobSequencePoint{event.step(), event.wall_time(), {event.graph_def()}});
      }
      return;
    }
    case pb::Event::kTaggedRunMetadata: {
      const auto& trm = event.tagged_run_metadata();
      TimeSeries* s = find(trm.tag());
      if (s == nullptr) {
        SeriesMetadata m;
        m.plugin_name = std::string(kRunMetadata);
        m.data_class = DataClass::blob_sequence;
        s = &create(trm.tag(), std::move(m));
      }
      if (s->data_class() == DataClass::blob_sequence) {
        add(*s, BlobSequencePoint{event.step(), event.wall_time(), {trm.run_metadata()}});
      }
      return;
    }
    case pb::Event::kSummary:
      for (const auto& value : event.summary().value()) ingest_value(event, value);
      return;
    default:
      return;
  }
}

void RunLoader::ingest_value(const pb::Event& event, const pb::Summary_Value& v) {
  // TensorBoard falls back to node_name for tensors written by old TensorFlow versions.
  const std::string& tag = v.tag().empty() ? v.node_name() : v.tag();
  TimeSeries* s = find(tag);
  if (s == nullptr) {
    // The first value of a tag fixes its metadata. Legacy values get TensorBoard's
    // converted metadata; a tensor without metadata starts nothing.
    switch (v.value_case()) {
      case pb::Summary_Value::kSimpleValue:
        s = &create(tag, legacy_metadata(v, kScalars, "", DataClass::scalar));
        break;
      case pb::Summary_Value::kHisto:
        s = &create(tag, legacy_metadata(v, kHistograms, "", DataClass::tensor));
        break;
      case pb::Summary_Value::kImage:
        s = &create(tag, legacy_metadata(v, kImages, kImageContent, DataClass::blob_sequence));
        break;
      case pb::Summary_Value::kAudio:
        s = &create(tag, legacy_metadata(v, kAudio, kAudioContent, DataClass::blob_sequence));
        break;
      default: {
        if (!v.has_metadata()) return;
        SeriesMetadata m;
        m.plugin_name = v.metadata().plugin_data().plugin_name();
        m.plugin_content = v.metadata().plugin_data().content();
        m.display_name = v.metadata().display_name();
        m.description = v.metadata().summary_description();
        m.data_class = data_class_of(v.metadata());
        s = &create(tag, std::move(m));
        break;
      }
    }
  }
  const std::int64_t step = event.step();
  const double wall_time = event.wall_time();
  switch (s->data_class()) {
    case DataClass::scalar:
      if (v.value_case() == pb::Summary_Value::kSimpleValue) {
        add(*s, ScalarPoint{step, wall_time, v.simple_value()});
      } else if (v.value_case() == pb::Summary_Value::kTensor) {
        try {
          const std::vector<double> numbers = tensor_value_of(v.tensor()).as_doubles();
          if (numbers.size() == 1) add(*s, ScalarPoint{step, wall_time, numbers[0]});
        } catch (const Error&) {
          // Not a number: nothing for the scalars dashboard to plot.
        }
      }
      return;
    case DataClass::tensor:
      switch (v.value_case()) {
        case pb::Summary_Value::kTensor:
          add(*s, TensorPoint{step, wall_time, v.tensor().SerializeAsString()});
          return;
        case pb::Summary_Value::kHisto:
          add(*s, TensorPoint{step, wall_time, histogram_tensor(v.histo())});
          return;
        case pb::Summary_Value::kSimpleValue:
          add(*s, TensorPoint{step, wall_time, scalar_tensor(v.simple_value())});
          return;
        case pb::Summary_Value::VALUE_NOT_SET:
          // hparams summaries carry everything in their metadata; TensorBoard stores a 0.
          if (s->metadata().plugin_name == kHparams) {
            add(*s, TensorPoint{step, wall_time, scalar_tensor(0.0f)});
          }
          return;
        default:
          return;
      }
    case DataClass::blob_sequence:
      switch (v.value_case()) {
        case pb::Summary_Value::kImage: {
          const auto& img = v.image();
          add(*s, BlobSequencePoint{step, wall_time,
                                   {std::to_string(img.width()), std::to_string(img.height()),
                                    img.encoded_image_string()}});
          return;
        }
        case pb::Summary_Value::kAudio:
          add(*s, BlobSequencePoint{step, wall_time, {v.audio().encoded_audio_string()}});
          return;
        case pb::Summary_Value::kTensor:
          add(*s, BlobSequencePoint{step, wall_time,
                                   tensor_blobs(v.tensor(), s->metadata().plugin_name)});
          return;
        default:
          return;
      }
    case DataClass::unknown:
      // Served by no data class (TensorBoard lists its plugin, but no reads reach it):
      // its points are not kept.
      return;
  }
}

}  // namespace tblog::detail
