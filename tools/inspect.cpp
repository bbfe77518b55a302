// `tblog inspect`: what TensorBoard would show for a logdir, run by run, in text.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include "commands.hpp"
#include "read/dashboard_of.hpp"
#include "kinds/dashboard_kinds.hpp"
#include "output.hpp"
#include "runs.hpp"
#include "format/tensor_elements.hpp"
#include "tblog/reader.hpp"

namespace tblog::cli {
namespace {

struct Steps {
  std::uint64_t events = 0;
  std::int64_t min_step = 0;
  std::int64_t max_step = 0;

  void add(std::int64_t step) {
    if (events == 0 || step < min_step) min_step = step;
    if (events == 0 || step > max_step) max_step = step;
    ++events;
  }
};

struct Numbers {
  std::uint64_t count = 0;
  bool is_float = true;  // every value came as a float, so print them as floats
  double first = 0, last = 0;
  double min = NAN, max = NAN;  // over the non-NaN values

  void add(double v, bool from_float) {
    if (count == 0) first = v;
    last = v;
    is_float &= from_float;
    if (!std::isnan(v)) {
      if (std::isnan(min) || v < min) min = v;
      if (std::isnan(max) || v > max) max = v;
    }
    ++count;
  }
};

struct TagStats {
  Steps steps;
  Numbers numbers;
};

struct RunStats {
  std::uint64_t events = 0;
  Steps steps;
  double first_wall_time = 0, last_wall_time = 0;
  std::string file_version;
  std::string writer;
  detail::TagDashboards dashboards;
  std::vector<TagStats> tags;                 // by tag id
  std::map<std::string, Steps> other_tags;    // graphs and run metadata, by "dashboard\0tag"
  std::vector<std::int64_t> restarts;         // steps of SessionLog START events
  std::vector<ReadProblem> problems;
};

std::string other_key(std::string_view dashboard, std::string_view tag) {
  std::string key(dashboard);
  key += '\0';
  key.append(tag.data(), tag.size());
  return key;
}

void add_event(RunStats& run, const Event& e) {
  if (run.events == 0) run.first_wall_time = e.wall_time;
  run.last_wall_time = e.wall_time;
  ++run.events;
  if (e.what != Event::What::file_version) run.steps.add(e.step);
  if (run.file_version.empty()) run.file_version = e.file_version;
  if (run.writer.empty()) run.writer = e.source_writer;
  run.dashboards.observe_event(e);
  switch (e.what) {
    case Event::What::graph_def:
      run.other_tags[other_key(detail::kGraphs, detail::kRunGraphTag)].add(e.step);
      return;
    case Event::What::tagged_run_metadata:
      run.other_tags[other_key(detail::kRunMetadata, e.run_metadata_tag)].add(e.step);
      return;
    case Event::What::session_log:
      if (e.session_status == 1) run.restarts.push_back(e.step);
      return;
    default:
      break;
  }
  for (const SummaryValue& v : e.values) {
    const std::size_t id = run.dashboards.observe(v);
    if (id == run.tags.size()) run.tags.emplace_back();
    TagStats& stats = run.tags[id];
    stats.steps.add(e.step);
    if (v.kind == SummaryValue::Kind::simple_value) {
      stats.numbers.add(v.simple_value, true);
    } else if (v.kind == SummaryValue::Kind::tensor && v.tensor.dtype != detail::kDtString &&
               v.tensor.num_elements() == 1) {
      try {
        const std::vector<double> values = v.tensor.as_doubles();
        if (values.size() == 1) stats.numbers.add(values[0], v.tensor.dtype == detail::kDtFloat);
      } catch (const Error&) {
        // Not a number the scalars dashboard could plot; the tag still counts its events.
      }
    }
  }
}

// TensorBoard's restart rule: a SessionLog START at step s drops the summaries read before it
// whose step is >= s. `restarts` holds (event index, step) of each START, in order; an event
// is dropped when a later START has a step at or below its own.
class PurgeFilter {
 public:
  explicit PurgeFilter(std::vector<std::pair<std::uint64_t, std::int64_t>> restarts)
      : restarts_(std::move(restarts)), later_min_(restarts_.size()) {
    std::int64_t min_step = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = restarts_.size(); i-- > 0;) {
      min_step = std::min(min_step, restarts_[i].second);
      later_min_[i] = min_step;
    }
  }
  bool dropped(std::uint64_t index, const Event& e) {
    while (next_ < restarts_.size() && restarts_[next_].first <= index) ++next_;
    return next_ < restarts_.size() && e.what == Event::What::summary && e.step >= later_min_[next_];
  }

 private:
  std::vector<std::pair<std::uint64_t, std::int64_t>> restarts_;
  std::vector<std::int64_t> later_min_;  // smallest START step at or after each restart
  std::size_t next_ = 0;
};

// One pass over a run's files. Without a filter it also notes whether a restart drops
// anything, so that the common run (no restart) is read once.
RunStats read_run_once(const Run& run, PurgeFilter* filter,
                       std::vector<std::pair<std::uint64_t, std::int64_t>>* restarts,
                       bool* purges) {
  RunStats stats;
  std::uint64_t index = 0;
  std::int64_t max_summary_step = std::numeric_limits<std::int64_t>::min();
  for (const std::string& file : run.files) {
    try {
      EventFileReader reader(file);
      Event e;
      for (; reader.next(e); ++index) {
        if (filter && filter->dropped(index, e)) continue;
        if (!filter) {
          if (e.what == Event::What::summary) max_summary_step = std::max(max_summary_step, e.step);
          if (e.what == Event::What::session_log && e.session_status == 1) {
            restarts->emplace_back(index, e.step);
            *purges |= e.step <= max_summary_step;
          }
        }
        add_event(stats, e);
      }
      if (reader.problem()) stats.problems.push_back(*reader.problem());
    } catch (const Error& e) {
      // A file that vanished or cannot be read spoils only itself.
      stats.problems.push_back(unreadable_file(file, e));
    }
  }
  return stats;
}

RunStats run_stats(const Run& run) {
  std::vector<std::pair<std::uint64_t, std::int64_t>> restarts;
  bool purges = false;
  RunStats stats = read_run_once(run, nullptr, &restarts, &purges);
  if (!purges) return stats;
  PurgeFilter filter(std::move(restarts));
  return read_run_once(run, &filter, nullptr, nullptr);
}

std::string format_time(double wall_time) {
  const auto seconds = static_cast<std::time_t>(std::floor(wall_time));
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm)) return "?";
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void print_step_range(Output& out, const Steps& s) {
  if (s.min_step == s.max_step) {
    out << " step " << s.min_step;
  } else {
    out << " steps " << s.min_step << ".." << s.max_step;
  }
}

void print_steps(Output& out, const Steps& s) {
  out << "  " << s.events << (s.events == 1 ? " event," : " events,");
  print_step_range(out, s);
}

void print_number(Output& out, double v, bool is_float) {
  char buf[kMaxNumberChars];
  out << (is_float ? format_number(buf, static_cast<float>(v)) : format_number(buf, v));
}

// Dashboards in the order TensorBoard shows its tabs; other plugins follow by name.
int dashboard_rank(const std::string& name) {
  static const std::string_view order[] = {
      detail::kScalars,        detail::kImages, detail::kHistograms, detail::kAudio,
      detail::kText,           detail::kPrCurves, detail::kHparams,  detail::kCustomScalars,
      detail::kMesh,           detail::kGraphs, detail::kRunMetadata};
  for (std::size_t i = 0; i < std::size(order); ++i) {
    if (name == order[i]) return static_cast<int>(i);
  }
  return name.empty() ? 1000 : 100;
}

void print_run(Output& out, const Run& run, const RunStats& stats) {
  out << "run " << printable(run.name) << "  (" << printable(run.path) << ")\n";
  out << "  " << run.files.size() << (run.files.size() == 1 ? " event file, " : " event files, ")
      << stats.events << " events";
  if (stats.steps.events > 0) {
    out << ",";
    print_step_range(out, stats.steps);
  }
  out << "\n";
  if (stats.events > 0) {
    out << "  wall time " << format_time(stats.first_wall_time) << " .. "
        << format_time(stats.last_wall_time) << "\n";
  }
  if (!stats.file_version.empty() || !stats.writer.empty()) {
    out << "  file version " << (stats.file_version.empty() ? "?" : printable(stats.file_version));
    if (!stats.writer.empty()) out << ", writer " << printable(stats.writer);
    out << "\n";
  }
  for (std::int64_t step : stats.restarts) {
    out << "  restart (SessionLog START) at step " << step
        << ": earlier data at steps >= " << step << " is discarded, as TensorBoard does\n";
  }

  // dashboard -> (tag -> stats)
  std::map<std::string, std::map<std::string, const TagStats*>> by_dashboard;
  for (std::size_t id = 0; id < stats.dashboards.size(); ++id) {
    by_dashboard[stats.dashboards.dashboard(id)][stats.dashboards.tag(id)] = &stats.tags[id];
  }
  std::map<std::string, std::map<std::string, const Steps*>> others;
  for (const auto& [key, steps] : stats.other_tags) {
    const std::size_t split = key.find('\0');
    others[key.substr(0, split)][key.substr(split + 1)] = &steps;
  }
  std::vector<std::string> names;
  for (const auto& entry : by_dashboard) names.push_back(entry.first);
  for (const auto& entry : others) names.push_back(entry.first);
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    const int ra = dashboard_rank(a), rb = dashboard_rank(b);
    return ra != rb ? ra < rb : a < b;
  });
  names.erase(std::unique(names.begin(), names.end()), names.end());

  for (const std::string& name : names) {
    std::size_t count = 0;
    if (auto it = by_dashboard.find(name); it != by_dashboard.end()) count += it->second.size();
    if (auto it = others.find(name); it != others.end()) count += it->second.size();
    out << "  " << (name.empty() ? std::string("(no plugin)") : printable(name)) << " (" << count
        << (count == 1 ? " tag)\n" : " tags)\n");
    if (auto it = by_dashboard.find(name); it != by_dashboard.end()) {
      for (const auto& [tag, tag_stats] : it->second) {
        out << "    " << printable(tag);
        print_steps(out, tag_stats->steps);
        const Numbers& n = tag_stats->numbers;
        if (name == detail::kScalars && n.count > 0) {
          out << ", first ";
          print_number(out, n.first, n.is_float);
          out << ", last ";
          print_number(out, n.last, n.is_float);
          out << ", min ";
          print_number(out, n.min, n.is_float);
          out << ", max ";
          print_number(out, n.max, n.is_float);
        }
        out << "\n";
      }
    }
    if (auto it = others.find(name); it != others.end()) {
      for (const auto& [tag, steps] : it->second) {
        out << "    " << printable(tag);
        print_steps(out, *steps);
        out << "\n";
      }
    }
  }
  // The projector reads its config beside the event files, not from them.
  std::vector<detail::ProjectorEmbedding> embeddings;
  try {
    embeddings = detail::projector_embeddings(run.path);
  } catch (const Error& e) {
    out << "  projector: " << printable(e.what()) << "\n";
  }
  if (!embeddings.empty()) {
    out << "  projector (" << embeddings.size()
        << (embeddings.size() == 1 ? " embedding)\n" : " embeddings)\n");
    for (const auto& e : embeddings) {
      out << "    " << printable(e.tensor_name) << "  ";
      for (std::size_t i = 0; i < e.tensor_shape.size(); ++i) {
        out << (i ? " x " : "") << static_cast<std::int64_t>(e.tensor_shape[i]);
      }
      out << (e.tensor_shape.empty() ? "" : ", ") << printable(e.tensor_path)
          << (e.tensor_found ? "" : " (missing)") << (e.has_metadata ? ", metadata" : "")
          << (e.has_sprite ? ", sprite" : "") << "\n";
    }
  }
  for (const ReadProblem& p : stats.problems) {
    switch (p.kind) {
      case ReadProblem::Kind::corrupt:
        out << "  corrupt: " << printable(p.to_string()) << "\n";
        break;
      case ReadProblem::Kind::unreadable:
        out << "  unreadable: " << printable(p.to_string()) << "\n";
        break;
      case ReadProblem::Kind::truncated:
        out << "  note: " << printable(p.to_string()) << " (file still being written?)\n";
        break;
    }
  }
}

}  // namespace

int run_inspect(const InspectOptions& options) {
  std::vector<ReadProblem> unreadable;
  const std::vector<Run> runs = select_runs(options.logdir, options.runs, unreadable);
  Output out;
  for (const ReadProblem& p : unreadable) out << "unreadable: " << printable(p.to_string()) << "\n";
  bool corrupt = false;
  bool cannot_read = !unreadable.empty();
  std::size_t shown = 0;
  for (const Run& run : runs) {
    const RunStats stats = run_stats(run);
    if (shown++ > 0 || !unreadable.empty()) out << "\n";
    print_run(out, run, stats);
    for (const ReadProblem& p : stats.problems) {
      corrupt |= p.kind == ReadProblem::Kind::corrupt;
      cannot_read |= p.kind == ReadProblem::Kind::unreadable;
    }
  }
  if (shown == 0) out << "no event files under " << printable(options.logdir) << "\n";
  out.flush();
  return cannot_read ? kExitUsage : corrupt ? kExitCorrupt : kExitOk;
}

}  // namespace tblog::cli
