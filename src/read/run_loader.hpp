#pragma once
// One run kept in memory as TensorBoard's loaders keep it: its event files read in name
// order and read on from where reading stopped, each Event turned into points of time
// series (legacy summaries converted as TensorBoard converts them), reservoirs bounding
// memory, and a SessionLog START purging what it abandons.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "read/event_scan.hpp"
#include "read/problem_log.hpp"
#include "read/sampling_policy.hpp"
#include "read/time_series.hpp"

namespace tblog::pb {
class Event;
class Summary_Value;
}  // namespace tblog::pb

namespace tblog::detail {

class RunLoader {
 public:
  RunLoader(std::string name, std::string path, const SamplingPolicy& sampling);
  RunLoader(const RunLoader&) = delete;
  RunLoader& operator=(const RunLoader&) = delete;

  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }

  // Reads what `files` (the run's event files, in TensorBoard's order) gained since the
  // last call. A file ending inside a record is read up to it and retried next time; a
  // corrupt record is reported and the rest of its file skipped from then on; a file that
  // cannot be opened is reported and tried again next time. Files no longer listed are
  // forgotten (their points stay). Not to be called from two threads at once.
  void load(const std::vector<std::string>& files, ProblemLog& problems);

  // The series and start time, read under lock_shared() (load() takes the lock exclusively
  // in short stretches, so readers are answered while a large run loads).
  std::shared_lock<std::shared_mutex> lock_shared() const {
    return std::shared_lock<std::shared_mutex>(mutex_);
  }
  // Sorted by tag.
  const std::map<std::string, TimeSeries, std::less<>>& series() const { return series_; }
  // Wall time of the first event read (TensorBoard's run start time).
  std::optional<double> start_time() const { return start_time_; }

  // Counters for tests and benchmarks (under lock_shared()).
  std::uint64_t events_read() const { return events_read_; }

 private:
  struct FileState {
    std::uint64_t offset = 0;  // just past the last sound record read
    bool dead = false;         // a corrupt record was met: nothing more is read
  };

  void read_file(const std::string& file, FileState& state, ProblemLog& problems);
  // False when the record is not a valid Event (`why` says what is wrong).
  bool ingest(std::string_view record, const char** why);
  bool ingest_scalars_fast();
  void ingest_slow(const pb::Event& event);
  void ingest_value(const pb::Event& event, const pb::Summary_Value& value);
  TimeSeries* find(std::string_view tag);
  template <typename Point>
  void add(TimeSeries& series, Point point) {
    if (series.add(std::move(point))) dirty_.push_back(&series);
  }
  void compact_dirty();
  TimeSeries& create(std::string tag, SeriesMetadata metadata);
  void purge_from(std::int64_t step);

  std::string name_;
  std::string path_;
  const SamplingPolicy& sampling_;
  std::map<std::string, FileState> files_;

  mutable std::shared_mutex mutex_;
  std::map<std::string, TimeSeries, std::less<>> series_;
  std::unordered_map<std::string_view, TimeSeries*> index_;  // keys: the map's own tags
  std::optional<double> start_time_;
  std::uint64_t events_read_ = 0;
  ScannedEvent scanned_;
  std::vector<TimeSeries*> resolved_;  // the fast path's series, one per value
  TimeSeries* last_series_ = nullptr;  // of the last value read: the start of the next_hint chain
  std::vector<TimeSeries*> dirty_;     // series to compact before readers see them
};

}  // namespace tblog::detail
