// `tblog export`: every scalar of a logdir as CSV or JSON, written as it is read, so memory
// stays flat however large the logdir.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>

#include <fcntl.h>
#include <unistd.h>

#include "commands.hpp"
#include "read/dashboard_of.hpp"
#include "read/event_scan.hpp"
#include "format/record_framing.hpp"
#include "output.hpp"
#include "runs.hpp"
#include "format/tensor_elements.hpp"
#include "tblog/reader.hpp"

namespace tblog::cli {
namespace {

struct Point {
  std::uint32_t tag_id;
  bool is_float;  // print as float (simple_value, DT_FLOAT) or as double
  std::int64_t step;
  double wall_time;
  double value;
};

bool wanted(const std::vector<std::string>& filter, std::string_view name) {
  return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
}

// Whether a record may be a SessionLog event (field 7 of Event), from its top-level fields
// only. Malformed bytes answer yes: a wrong yes costs only the slower, exact path.
bool may_hold_session_log(std::string_view record) {
  const auto* p = reinterpret_cast<const unsigned char*>(record.data());
  const auto* const end = p + record.size();
  auto varint = [&](std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      const unsigned char b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  };
  while (p < end) {
    std::uint64_t key = 0, v = 0;
    if (!varint(key)) return true;
    switch (key & 7) {
      case 0:
        if (!varint(v)) return true;
        break;
      case 1:
        if (end - p < 8) return true;
        p += 8;
        break;
      case 5:
        if (end - p < 4) return true;
        p += 4;
        break;
      case 2:
        if (!varint(v) || v > static_cast<std::uint64_t>(end - p) || (key >> 3) == 7) return true;
        p += v;
        break;
      default:
        return true;
    }
  }
  return false;
}

// Opens each file of a run in turn; one that cannot be opened spoils only itself.
template <typename PerFile>
void for_each_file(const Run& run, bool report, bool& unreadable, PerFile per_file) {
  for (const std::string& file : run.files) {
    std::optional<RecordReader> records;
    try {
      records.emplace(file);
    } catch (const Error& e) {
      if (report) {
        std::cerr << "tblog: error: unreadable: " << printable(unreadable_file(file, e).to_string()) << "\n";
      }
      unreadable = true;
      continue;
    }
    per_file(*records);
  }
}

// TensorBoard's restart rule: a SessionLog START at step s drops the summaries read before it
// whose step is >= s. Found by a first pass over the run, only when the run holds a START
// that drops something; events are numbered as the export pass numbers them.
struct Restarts {
  std::vector<std::pair<std::uint64_t, std::int64_t>> starts;  // (event index, step)
  std::vector<std::int64_t> later_min;  // smallest START step at or after each START
};

// Whether any record of the file may be a SessionLog event. Walks the framing without
// checking CRCs or copying records out, so that this look costs far less than the export
// pass. Up to the first bad CRC both see the same bytes; the export pass stops there, so
// what this sees after it can only turn a right "no" into a "yes" (time, not correctness).
bool file_may_hold_session_log(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // the export pass reports it
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buf(std::size_t{1} << 20);
  std::size_t have = 0, at = 0;  // bytes in buf; where the next record starts
  // Makes buf[at, at + need) hold file bytes; false at the end of the file.
  auto fill = [&](std::size_t need) {
    if (at + need <= have) return true;
    std::memmove(buf.data(), buf.data() + at, have - at);
    have -= at;
    at = 0;
    if (need > buf.size()) buf.resize(need);
    while (have < need) {
      const ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
      if (n <= 0) return false;
      have += static_cast<std::size_t>(n);
    }
    return true;
  };
  bool maybe = false;
  while (!maybe && fill(detail::kRecordHeaderSize)) {
    std::uint64_t length = 0;
    std::memcpy(&length, buf.data() + at, sizeof length);  // little-endian, as the format
    if (length > (std::uint64_t{1} << 32)) {
      maybe = true;  // not a length a sound record has; let the exact pass judge
      break;
    }
    const std::size_t record = detail::kRecordHeaderSize + static_cast<std::size_t>(length) + 4;
    if (!fill(record)) break;  // a truncated last record is never exported
    maybe = may_hold_session_log(std::string_view(buf.data() + at + detail::kRecordHeaderSize,
                                                  static_cast<std::size_t>(length)));
    at += record;
  }
  ::close(fd);
  return maybe;
}

std::optional<Restarts> restarts_that_purge(const Run& run) {
  bool unreadable = false;
  if (std::none_of(run.files.begin(), run.files.end(), file_may_hold_session_log)) return std::nullopt;

  Restarts restarts;
  bool purges = false;
  std::uint64_t index = 0;
  std::int64_t max_summary_step = std::numeric_limits<std::int64_t>::min();
  detail::ScannedEvent event;
  for_each_file(run, false, unreadable, [&](RecordReader& records) {
    std::string_view data;
    for (; records.next(data); ++index) {
      if (detail::scan_event(data, event)) break;  // the export pass stops there too
      if (event.what == Event::What::summary) max_summary_step = std::max(max_summary_step, event.step);
      if (event.what == Event::What::session_log && event.session_status == 1) {
        restarts.starts.emplace_back(index, event.step);
        purges |= event.step <= max_summary_step;
      }
    }
  });
  if (!purges) return std::nullopt;
  restarts.later_min.resize(restarts.starts.size());
  std::int64_t min_step = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = restarts.starts.size(); i-- > 0;) {
    min_step = std::min(min_step, restarts.starts[i].second);
    restarts.later_min[i] = min_step;
  }
  return restarts;
}

// JSON has no literal for NaN or infinities: they are spelled out as strings, as
// TensorBoard's own JSON endpoints do.
char* put_non_finite_json(char* p, double v) {
  const std::string_view text = std::isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

char* put_text(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

// Writes the rows of one run as its events are read.
class RunExporter {
 public:
  RunExporter(const Run& run, const ExportOptions& options, Output& out, bool& first_row)
      : options_(options), json_(options.format == ExportFormat::json), out_(out), first_row_(first_row) {
    run_field_ = json_ ? "{\"run\":" + json_string(run.name) + ",\"tag\":" : csv_field(run.name) + ",";
  }

  void add(const detail::ScannedEvent& event, bool dropped) {
    for (const detail::ScannedValue& v : event.values) {
      // Every tag is observed, dropped or unwanted, so that dashboards are decided as usual.
      const auto id = static_cast<std::uint32_t>(
          dashboards_.observe(v.tag, v.kind, v.has_metadata, v.plugin_name));
      if (id == tags_.size()) tags_.push_back(Tag{wanted(options_.tags, v.tag), false, {}});
      Tag& tag = tags_[id];
      if (tag.waiting && dashboards_.decided(id)) {
        tag.waiting = false;
        if (--waiting_ == 0) flush_pending();
      }
      if (dropped || !tag.wanted) continue;
      Point point{id, false, event.step, event.wall_time, 0};
      if (v.kind == SummaryValue::Kind::simple_value) {
        point.is_float = true;
        point.value = v.simple_value;
      } else if (v.kind == SummaryValue::Kind::tensor && v.tensor_is_number) {
        point.is_float = v.tensor_dtype == detail::kDtFloat;
        point.value = v.tensor_number;
      } else {
        continue;
      }
      if (!dashboards_.decided(id) && !tag.waiting) {
        // Rare: a tensor without metadata before the value that fixes its dashboard. Rows
        // wait, in order, until every waiting tag is decided (or the run ends).
        tag.waiting = true;
        ++waiting_;
      }
      if (waiting_ > 0) {
        pending_.push_back(point);
      } else {
        write(point);
      }
    }
  }

  void finish() {
    waiting_ = 0;
    flush_pending();
  }

 private:
  struct Tag {
    bool wanted;
    bool waiting;        // undecided, with rows in pending_
    std::string prefix;  // the row up to the step, once the tag is known to be a scalar
  };

  void flush_pending() {
    for (const Point& point : pending_) write(point);
    pending_.clear();
    pending_.shrink_to_fit();
  }

  void write(const Point& point) {
    Tag& tag = tags_[point.tag_id];
    if (dashboards_.dashboard(point.tag_id) != detail::kScalars) return;
    if (tag.prefix.empty()) {
      // Quoted once per tag instead of once per row.
      const std::string& name = dashboards_.tag(point.tag_id);
      tag.prefix = json_ ? run_field_ + json_string(name) + ",\"step\":" : run_field_ + csv_field(name) + ",";
    }
    if (json_) out_ << (first_row_ ? "\n" : ",\n");
    first_row_ = false;
    out_ << tag.prefix;
    char* p = out_.claim(3 * kMaxNumberChars + 64);
    p = std::to_chars(p, p + 24, point.step).ptr;
    p = put_text(p, json_ ? ",\"wall_time\":" : ",");
    p = json_ && !std::isfinite(point.wall_time) ? put_non_finite_json(p, point.wall_time)
                                                 : put_wall_time(p, point.wall_time);
    p = put_text(p, json_ ? ",\"value\":" : ",");
    if (json_ && !std::isfinite(point.value)) {
      p = put_non_finite_json(p, point.value);
    } else {
      p = point.is_float ? put_number(p, static_cast<float>(point.value)) : put_number(p, point.value);
    }
    p = put_text(p, json_ ? "}" : "\n");
    out_.commit(p);
  }

  const ExportOptions& options_;
  const bool json_;
  Output& out_;
  bool& first_row_;
  std::string run_field_;
  detail::TagDashboards dashboards_;
  std::vector<Tag> tags_;  // by tag id
  std::vector<Point> pending_;
  std::size_t waiting_ = 0;
};

struct RunOutcome {
  bool corrupt = false;
  bool unreadable = false;
};

RunOutcome export_run(const Run& run, const ExportOptions& options, Output& out, bool& first_row) {
  RunOutcome outcome;
  const std::optional<Restarts> restarts = restarts_that_purge(run);
  RunExporter exporter(run, options, out, first_row);
  detail::ScannedEvent event;
  std::uint64_t index = 0;
  std::size_t next_start = 0;
  for_each_file(run, true, outcome.unreadable, [&](RecordReader& records) {
    std::string_view data;
    std::uint64_t offset = 0;
    for (; records.next(data, &offset); ++index) {
      if (const char* error = detail::scan_event(data, event)) {
        std::cerr << "tblog: warning: " << printable(records.path()) << ":" << offset
                  << ": record does not decode as an Event (" << error
                  << "); skipping the rest of the file\n";
        outcome.corrupt = true;
        break;
      }
      if (event.what != Event::What::summary) continue;
      bool dropped = false;
      if (restarts) {
        while (next_start < restarts->starts.size() && restarts->starts[next_start].first <= index) ++next_start;
        dropped = next_start < restarts->starts.size() && event.step >= restarts->later_min[next_start];
      }
      exporter.add(event, dropped);
    }
    if (const auto& problem = records.problem()) {
      if (problem->kind == ReadProblem::Kind::corrupt) {
        std::cerr << "tblog: warning: " << printable(problem->to_string()) << "; skipping the rest of the file\n";
        outcome.corrupt = true;
      } else {
        std::cerr << "tblog: note: " << printable(problem->to_string()) << " (file still being written?)\n";
      }
    }
  });
  exporter.finish();
  return outcome;
}

}  // namespace

int run_export(const ExportOptions& options) {
  std::vector<ReadProblem> folders_unreadable;
  const std::vector<Run> runs = select_runs(options.logdir, options.runs, folders_unreadable);
  for (const ReadProblem& p : folders_unreadable) {
    std::cerr << "tblog: error: unreadable: " << printable(p.to_string()) << "\n";
  }
  bool unreadable = !folders_unreadable.empty();
  const bool json = options.format == ExportFormat::json;
  Output out;
  out << (json ? "[" : "run,tag,step,wall_time,value\n");
  bool first_row = true;
  bool corrupt = false;
  for (const Run& run : runs) {
    const RunOutcome outcome = export_run(run, options, out, first_row);
    corrupt |= outcome.corrupt;
    unreadable |= outcome.unreadable;
  }
  if (json) out << (first_row ? "]\n" : "\n]\n");
  out.flush();
  return unreadable ? kExitUsage : corrupt ? kExitCorrupt : kExitOk;
}

}  // namespace tblog::cli
