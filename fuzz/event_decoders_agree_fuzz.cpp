// libFuzzer target: arbitrary bytes as one record's data, through both Event decoders, which
// must agree: scan_event (the lean wire scanner behind verify and export) accepts exactly
// what parse_event (protobuf) accepts, and where both accept they give the same event kind,
// step, wall time, and per value the same tag, kind, plugin and scalar value (simple_value,
// or a tensor holding one number, as export and inspect read them). Any difference aborts
// with both readings.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "format/tensor_elements.hpp"
#include "read/event_scan.hpp"
#include "tblog/reader.hpp"

namespace {

using tblog::SummaryValue;

[[noreturn]] void disagree(std::string_view record, const char* what, const std::string& scanned,
                           const std::string& parsed) {
  std::fprintf(stderr, "scan_event and parse_event disagree on %s (%zu-byte record)\n", what,
               record.size());
  std::fprintf(stderr, "  scan_event:  %s\n  parse_event: %s\n", scanned.c_str(), parsed.c_str());
  std::abort();
}

std::string show(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }
// Conversions may canonicalize a NaN's payload; any NaN equals any NaN here.
bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || same_bits(a, b); }

// The tensor's one number, as `tblog inspect` reads it from parse_event's value.
bool parsed_number(const tblog::TensorValue& t, double& out) {
  if (t.dtype == tblog::detail::kDtString || t.num_elements() != 1) return false;
  try {
    const std::vector<double> values = t.as_doubles();
    if (values.size() != 1) return false;
    out = values[0];
    return true;
  } catch (const tblog::Error&) {
    return false;
  }
}

void compare(std::string_view record, const tblog::detail::ScannedEvent& s, const tblog::Event& p) {
  if (s.what != p.what) {
    disagree(record, "what the event holds", std::to_string(static_cast<int>(s.what)),
             std::to_string(static_cast<int>(p.what)));
  }
  if (s.step != p.step) disagree(record, "step", std::to_string(s.step), std::to_string(p.step));
  if (!same_bits(s.wall_time, p.wall_time)) {
    disagree(record, "wall_time", show(s.wall_time), show(p.wall_time));
  }
  if (s.what == tblog::Event::What::session_log && s.session_status != p.session_status) {
    disagree(record, "session status", std::to_string(s.session_status),
             std::to_string(p.session_status));
  }
  if (s.what == tblog::Event::What::tagged_run_metadata && s.run_metadata_tag != p.run_metadata_tag) {
    disagree(record, "run metadata tag", std::string(s.run_metadata_tag), p.run_metadata_tag);
  }
  if (s.values.size() != p.values.size()) {
    disagree(record, "the number of values", std::to_string(s.values.size()),
             std::to_string(p.values.size()));
  }
  for (std::size_t i = 0; i < s.values.size(); ++i) {
    const tblog::detail::ScannedValue& a = s.values[i];
    const SummaryValue& b = p.values[i];
    if (a.tag != b.tag) disagree(record, "a tag", std::string(a.tag), b.tag);
    if (a.kind != b.kind) {
      disagree(record, "a value's kind", std::to_string(static_cast<int>(a.kind)),
               std::to_string(static_cast<int>(b.kind)));
    }
    if (a.has_metadata != b.has_metadata || a.plugin_name != b.plugin_name) {
      disagree(record, "a value's plugin",
               (a.has_metadata ? "metadata, plugin '" : "no metadata, plugin '") +
                   std::string(a.plugin_name) + "'",
               (b.has_metadata ? "metadata, plugin '" : "no metadata, plugin '") + b.plugin_name + "'");
    }
    if (a.kind == SummaryValue::Kind::simple_value && !same_bits(a.simple_value, b.simple_value)) {
      disagree(record, "a simple_value", show(a.simple_value), show(b.simple_value));
    }
    if (a.kind == SummaryValue::Kind::tensor) {
      if (a.tensor_dtype != b.tensor.dtype) {
        disagree(record, "a tensor's dtype", std::to_string(a.tensor_dtype),
                 std::to_string(b.tensor.dtype));
      }
      double number = 0;
      const bool is_number = parsed_number(b.tensor, number);
      if (a.tensor_is_number != is_number) {
        disagree(record, "whether a tensor is one number", a.tensor_is_number ? "yes" : "no",
                 is_number ? "yes" : "no");
      }
      if (is_number && !same_number(a.tensor_number, number)) {
        disagree(record, "a tensor's number", show(a.tensor_number), show(number));
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  tblog::detail::ScannedEvent scanned;
  const char* scan_error = tblog::detail::scan_event(record, scanned);
  tblog::Event parsed;
  std::string parse_error;
  try {
    parsed = tblog::parse_event(record);
  } catch (const tblog::Error& e) {
    parse_error = e.what();
  }
  const bool scan_ok = scan_error == nullptr;
  const bool parse_ok = parse_error.empty();
  if (scan_ok != parse_ok) {
    disagree(record, "whether the record is an Event",
             scan_ok ? std::string("accepts") : std::string("rejects: ") + scan_error,
             parse_ok ? std::string("accepts") : "rejects: " + parse_error);
  }
  if (scan_ok) compare(record, scanned, parsed);
  return 0;
}
