#pragma once
// An Event record decoded into the protobuf message itself, checked as parse_event checks
// it: for readers that keep parts of it as they are (a tensor's exact bytes, plugin content).
#include <string_view>

#include "tblog/event.pb.h"
#include "tblog/reader.hpp"
#include "tblog/summary.pb.h"

namespace tblog::detail {

// Decodes `record` into `out`. Returns nullptr, or what is wrong with the record (the same
// text parse_event's error gives).
const char* parse_event_proto(std::string_view record, pb::Event& out);

// A TensorProto as the plain struct parse_event gives.
TensorValue tensor_value_of(const pb::TensorProto& tensor);

}  // namespace tblog::detail
