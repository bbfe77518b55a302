#pragma once
// How many points of each time series a loader keeps: by data class, with per-plugin
// overrides (`--samples-per-plugin scalars=1000,images=all`).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace tblog::detail {

enum class DataClass { unknown = 0, scalar = 1, tensor = 2, blob_sequence = 3 };

struct SamplingPolicy {
  // 0 keeps every point.
  std::size_t scalars = 1000;
  std::size_t tensors = 100;
  std::size_t blob_sequences = 10;
  std::map<std::string, std::size_t, std::less<>> per_plugin;

  std::size_t capacity(std::string_view plugin_name, DataClass data_class) const;

  // Applies "plugin=N|all,..." (empty: no change). Throws tblog::Error naming the bad entry.
  void apply(std::string_view spec);
};

}  // namespace tblog::detail
