#pragma once
// One time series of a run (a tag) as TensorBoard's data providers see it: the summary
// metadata of its first value, its data class, and a reservoir of its points.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "read/reservoir.hpp"
#include "read/sampling_policy.hpp"

namespace tblog::detail {

struct SeriesMetadata {
  std::string plugin_name;
  std::string plugin_content;
  std::string display_name;
  std::string description;
  DataClass data_class = DataClass::unknown;
};

struct ScalarPoint {
  std::int64_t step = 0;
  double wall_time = 0;
  double value = 0;
};

struct TensorPoint {
  std::int64_t step = 0;
  double wall_time = 0;
  std::string tensor;  // a serialized TensorProto, as TensorBoard's protocol sends it
};

struct BlobSequencePoint {
  std::int64_t step = 0;
  double wall_time = 0;
  std::vector<std::string> blobs;
};

class TimeSeries {
 public:
  TimeSeries(std::string tag, SeriesMetadata metadata, std::size_t capacity, std::uint64_t seed)
      : tag_(std::move(tag)),
        metadata_(std::move(metadata)),
        scalars_(capacity, seed),
        tensors_(capacity, seed),
        blobs_(capacity, seed) {}

  const std::string& tag() const { return tag_; }
  const SeriesMetadata& metadata() const { return metadata_; }
  DataClass data_class() const { return metadata_.data_class; }

  // Each returns true when compact() is due before the points are read.
  bool add(ScalarPoint p) {
    note(p.step, p.wall_time, 1);
    return scalars_.add(p);
  }
  bool add(TensorPoint p) {
    note(p.step, p.wall_time, 1);
    return tensors_.add(std::move(p));
  }
  bool add(BlobSequencePoint p) {
    note(p.step, p.wall_time, static_cast<std::int64_t>(p.blobs.size()));
    return blobs_.add(std::move(p));
  }
  void compact() {
    scalars_.compact();
    tensors_.compact();
    blobs_.compact();
  }

  // The series whose value followed this one's in the last event that had both: runs
  // cycle through their tags, so this predicts the next lookup without hashing.
  TimeSeries* next_hint = nullptr;

  // TensorBoard's restart rule: drops the points at step >= `step`.
  void purge_from(std::int64_t step);

  const std::vector<ScalarPoint>& scalars() const { return scalars_.points(); }
  const std::vector<TensorPoint>& tensors() const { return tensors_.points(); }
  const std::vector<BlobSequencePoint>& blob_sequences() const { return blobs_.points(); }

  std::size_t size() const {
    return scalars_.points().size() + tensors_.points().size() + blobs_.points().size();
  }
  // Maxima over every point added (and not purged since), not only those sampled.
  std::int64_t max_step() const { return max_step_; }
  double max_wall_time() const { return max_wall_time_; }
  std::int64_t max_length() const { return max_length_; }

 private:
  void note(std::int64_t step, double wall_time, std::int64_t length) {
    if (step > max_step_) max_step_ = step;
    if (wall_time > max_wall_time_) max_wall_time_ = wall_time;
    if (length > max_length_) max_length_ = length;
  }

  std::string tag_;
  SeriesMetadata metadata_;
  Reservoir<ScalarPoint> scalars_;
  Reservoir<TensorPoint> tensors_;
  Reservoir<BlobSequencePoint> blobs_;
  std::int64_t max_step_ = std::numeric_limits<std::int64_t>::min();
  double max_wall_time_ = -std::numeric_limits<double>::infinity();
  std::int64_t max_length_ = 0;
};

}  // namespace tblog::detail
