#include "read/time_series.hpp"

#include <algorithm>

namespace tblog::detail {

void TimeSeries::purge_from(std::int64_t step) {
  const auto keep = [step](const auto& p) { return p.step < step; };
  if (scalars_.keep_if(keep) + tensors_.keep_if(keep) + blobs_.keep_if(keep) == 0) return;
  // The maxima are those of what is left: the purged points belonged to an abandoned run.
  max_step_ = std::numeric_limits<std::int64_t>::min();
  max_wall_time_ = -std::numeric_limits<double>::infinity();
  max_length_ = 0;
  for (const auto& p : scalars_.points()) note(p.step, p.wall_time, 1);
  for (const auto& p : tensors_.points()) note(p.step, p.wall_time, 1);
  for (const auto& p : blobs_.points()) {
    note(p.step, p.wall_time, static_cast<std::int64_t>(p.blobs.size()));
  }
}

}  // namespace tblog::detail
