// `tblog export`: every scalar of a logdir as CSV or JSON.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "read/dashboard_of.hpp"
#include "read/event_scan.hpp"
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

// Points of one run whose tags land on the scalars dashboard, in file order. Collected
// before printing because a tag's dashboard may be fixed only by a later value, and a
// SessionLog START discards earlier points, as in TensorBoard.
struct RunScalars {
  detail::TagDashboards dashboards;
  std::vector<Point> points;
  bool corrupt = false;
  bool unreadable = false;
};

void read_run(const Run& run, const ExportOptions& options, RunScalars& out) {
  detail::ScannedEvent event;
  std::vector<bool> tag_wanted;  // by tag id

  // Reserving for the most points the files could hold spares the copies of a growing
  // vector; pages never written are never touched.
  std::uint64_t bytes = 0;
  for (const std::string& file : run.files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (!ec) bytes += size;
  }
  constexpr std::uint64_t kSmallestScalarRecord = 32;
  out.points.reserve(static_cast<std::size_t>(
      std::min<std::uint64_t>(bytes / kSmallestScalarRecord, std::uint64_t{1} << 24)));
  for (const std::string& file : run.files) {
    std::optional<RecordReader> opened;
    try {
      opened.emplace(file);
    } catch (const Error& e) {
      // A file that vanished or cannot be read spoils only itself.
      std::cerr << "tblog: error: unreadable: " << printable(unreadable_file(file, e).to_string()) << "\n";
      out.unreadable = true;
      continue;
    }
    RecordReader& records = *opened;
    std::string_view data;
    std::uint64_t offset = 0;
    while (records.next(data, &offset)) {
      if (const char* error = detail::scan_event(data, event)) {
        std::cerr << "tblog: warning: " << printable(file) << ":" << offset
                  << ": record does not decode as an Event (" << error
                  << "); skipping the rest of the file\n";
        out.corrupt = true;
        break;
      }
      if (event.what == Event::What::session_log && event.session_status == 1) {
        const std::int64_t restart = event.step;
        out.points.erase(std::remove_if(out.points.begin(), out.points.end(),
                                        [restart](const Point& p) { return p.step >= restart; }),
                         out.points.end());
        continue;
      }
      for (const detail::ScannedValue& v : event.values) {
        // Every tag is observed, wanted or not, so that dashboards are decided as usual.
        const auto id = static_cast<std::uint32_t>(
            out.dashboards.observe(v.tag, v.kind, v.has_metadata, v.plugin_name));
        if (id == tag_wanted.size()) tag_wanted.push_back(wanted(options.tags, v.tag));
        if (!tag_wanted[id]) continue;
        if (v.kind == SummaryValue::Kind::simple_value) {
          out.points.push_back(Point{id, true, event.step, event.wall_time, v.simple_value});
        } else if (v.kind == SummaryValue::Kind::tensor && v.tensor_is_number) {
          out.points.push_back(
              Point{id, v.tensor_dtype == detail::kDtFloat, event.step, event.wall_time, v.tensor_number});
        }
      }
    }
    if (const auto& problem = records.problem()) {
      if (problem->kind == ReadProblem::Kind::corrupt) {
        std::cerr << "tblog: warning: " << printable(problem->to_string()) << "; skipping the rest of the file\n";
        out.corrupt = true;
      } else {
        std::cerr << "tblog: note: " << printable(problem->to_string()) << " (file still being written?)\n";
      }
    }
  }
}

// JSON has no literal for NaN or infinities: they are spelled out as strings, as
// TensorBoard's own JSON endpoints do.
char* put_non_finite_json(char* p, double v) {
  const std::string_view text = std::isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

char* put_value(char* p, const Point& point, bool json) {
  if (json && !std::isfinite(point.value)) return put_non_finite_json(p, point.value);
  return point.is_float ? put_number(p, static_cast<float>(point.value)) : put_number(p, point.value);
}

char* put_text(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
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
    RunScalars scalars;
    read_run(run, options, scalars);
    corrupt |= scalars.corrupt;
    unreadable |= scalars.unreadable;

    // Each row's run and tag fields, quoted once per tag instead of once per row.
    const std::string run_field = json ? "{\"run\":" + json_string(run.name) + ",\"tag\":"
                                       : csv_field(run.name) + ",";
    std::vector<std::string> tag_fields(scalars.dashboards.size());
    for (std::size_t id = 0; id < tag_fields.size(); ++id) {
      if (scalars.dashboards.dashboard(id) != detail::kScalars) continue;
      tag_fields[id] = json ? run_field + json_string(scalars.dashboards.tag(id)) + ",\"step\":"
                            : run_field + csv_field(scalars.dashboards.tag(id)) + ",";
    }
    for (const Point& point : scalars.points) {
      const std::string& prefix = tag_fields[point.tag_id];
      if (prefix.empty()) continue;  // not on the scalars dashboard
      if (json) out << (first_row ? "\n" : ",\n");
      first_row = false;
      out << prefix;
      char* p = out.claim(3 * kMaxNumberChars + 64);
      p = std::to_chars(p, p + 24, point.step).ptr;
      p = put_text(p, json ? ",\"wall_time\":" : ",");
      p = json && !std::isfinite(point.wall_time) ? put_non_finite_json(p, point.wall_time)
                                                  : put_wall_time(p, point.wall_time);
      p = put_text(p, json ? ",\"value\":" : ",");
      p = put_value(p, point, json);
      p = put_text(p, json ? "}" : "\n");
      out.commit(p);
    }
  }
  if (json) out << (first_row ? "]\n" : "\n]\n");
  out.flush();
  return unreadable ? kExitUsage : corrupt ? kExitCorrupt : kExitOk;
}

}  // namespace tblog::cli
