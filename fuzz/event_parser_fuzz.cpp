// libFuzzer target: arbitrary bytes as one record's data, through both Event decoders (the
// protobuf one and the lean wire scanner used by verify and export).
#include <cstdint>
#include <string_view>

#include "read/event_scan.hpp"
#include "tblog/graph.hpp"
#include "tblog/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  tblog::detail::ScannedEvent scanned;
  tblog::detail::scan_event(record, scanned);
  try {
    const tblog::Event event = tblog::parse_event(record);
    if (event.what == tblog::Event::What::graph_def) tblog::Graph::from_graph_def(event.graph_def);
    for (const auto& v : event.values) {
      if (v.kind == tblog::SummaryValue::Kind::tensor && v.tensor.dtype != 7) {
        try {
          v.tensor.as_doubles();
        } catch (const tblog::Error&) {
        }
      }
    }
  } catch (const tblog::Error&) {
  }
  return 0;
}
