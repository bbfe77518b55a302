#pragma once
// A lean decoder of Event records for the paths that must run at millions of events per
// second: it decodes only what scalar export needs, straight off the wire, without
// allocating per event, and checks on the way that the record is well-formed protobuf with
// the shape of an Event (what `tblog verify` needs). Strings are views into the record.
#include <cstdint>
#include <string_view>
#include <vector>

#include "tblog/reader.hpp"

namespace tblog::detail {

struct ScannedValue {
  std::string_view tag;
  SummaryValue::Kind kind = SummaryValue::Kind::none;
  bool has_metadata = false;
  std::string_view plugin_name;
  float simple_value = 0;
  // A tensor holding exactly one number (what the scalars dashboard plots).
  bool tensor_is_number = false;
  int tensor_dtype = 0;
  double tensor_number = 0;
};

struct ScannedEvent {
  double wall_time = 0;
  std::int64_t step = 0;
  Event::What what = Event::What::none;
  int session_status = 0;
  std::string_view run_metadata_tag;
  std::vector<ScannedValue> values;  // reused from event to event
};

// Decodes `record` into `out`. Returns nullptr, or what is wrong with the record. Accepts
// exactly what parse_event accepts (string fields must be UTF-8, as protobuf requires) and
// reads the same step, wall time, tags, plugins and scalar values (a fuzz target checks).
const char* scan_event(std::string_view record, ScannedEvent& out);

}  // namespace tblog::detail
