#pragma once
// Encoding Events straight into an event file's write buffer, framed as records.
#include <cstdint>
#include <string>
#include <string_view>

namespace tblog::detail {

struct TagEntry;

// Appends the Event fields every event starts with: wall_time (1) and step (2).
void append_event_header(std::string& out, double wall_time, std::int64_t step);

// Appends `summary` (5) holding one already-serialized Summary.Value.
void append_summary_field(std::string& out, std::string_view value_bytes);

// A whole framed record: Event{wall_time, file_version: "brain.Event:2", source_metadata}.
std::string file_version_record(double wall_time);

// A whole framed record: Event{wall_time, step, session_log{status: START}}. Readers drop the
// points read before it whose step is at least `step` (WriterOptions::purge_step).
void append_session_start_record(std::string& out, double wall_time, std::int64_t step);

// kinds/scalar.cpp: a whole framed record Event{wall_time, step, summary{value{tag,
// simple_value}}}, encoded by hand: the writer thread's hot path.
void append_scalar_record(std::string& out, double wall_time, std::int64_t step,
                          const TagEntry& tag, float value);

}  // namespace tblog::detail
