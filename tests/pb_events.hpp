#pragma once
// Events built with protobuf directly, independent of tblog's writer, for reader and CLI tests.
#include <cstdint>
#include <string>

#include "tblog/event.pb.h"

namespace tblog::test {

inline pb::Event file_version_event(double wall_time = 1700000000.0) {
  pb::Event e;
  e.set_wall_time(wall_time);
  e.set_file_version("brain.Event:2");
  return e;
}

inline pb::Event scalar_event(double wall_time, std::int64_t step, const std::string& tag, float v) {
  pb::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* value = e.mutable_summary()->add_value();
  value->set_tag(tag);
  value->set_simple_value(v);
  return e;
}

}  // namespace tblog::test
