#pragma once
// Event records for the benchmarks' generated logdirs, serialized the way protobuf serializes
// them, without going through the writer being measured.
#include <cstdint>
#include <string>
#include <string_view>

#include "format/wire_writer.hpp"

namespace tblog::bench {

// Event{wall_time=1, step=2, summary=5{value=1{<value_msg>}}}: one serialized Summary.Value.
inline std::string summary_event(double wall_time, std::int64_t step, std::string_view value_msg) {
  namespace wire = tblog::detail::wire;
  std::string summary;
  wire::append_bytes(summary, 1, value_msg);
  std::string event;
  wire::append_double(event, 1, wall_time);
  if (step != 0) wire::append_int64(event, 2, step);
  wire::append_bytes(event, 5, summary);
  return event;
}

}  // namespace tblog::bench
