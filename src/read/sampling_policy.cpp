#include "read/sampling_policy.hpp"

#include <charconv>

#include "tblog/error.hpp"

namespace tblog::detail {

std::size_t SamplingPolicy::capacity(std::string_view plugin_name, DataClass data_class) const {
  if (auto it = per_plugin.find(plugin_name); it != per_plugin.end()) return it->second;
  switch (data_class) {
    case DataClass::scalar:
      return scalars;
    case DataClass::blob_sequence:
      return blob_sequences;
    default:
      return tensors;
  }
}

void SamplingPolicy::apply(std::string_view spec) {
  while (!spec.empty()) {
    const std::size_t comma = spec.find(',');
    const std::string_view entry = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (entry.empty()) continue;
    const std::size_t eq = entry.find('=');
    const std::string_view plugin = entry.substr(0, eq);
    if (eq == std::string_view::npos || plugin.empty()) {
      throw Error("samples per plugin: '" + std::string(entry) + "' is not PLUGIN=COUNT or PLUGIN=all");
    }
    const std::string_view count = entry.substr(eq + 1);
    std::size_t n = 0;
    if (count == "all") {
      n = 0;
    } else {
      const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
      if (ec != std::errc() || end != count.data() + count.size() || n == 0) {
        throw Error("samples per plugin: '" + std::string(entry) +
                    "' needs a positive count or 'all' after '='");
      }
    }
    per_plugin[std::string(plugin)] = n;
  }
}

}  // namespace tblog::detail
