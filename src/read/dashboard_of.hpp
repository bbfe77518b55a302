#pragma once
// Which TensorBoard dashboard each tag of a run lands on, decided the way TensorBoard's own
// loader decides it. `tblog inspect`, `tblog export` and the tests all go through this.
#include <array>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "format/plugin_names.hpp"
#include "tblog/reader.hpp"

namespace tblog::detail {

// The tag TensorBoard gives a run's Event.graph_def.
inline constexpr std::string_view kRunGraphTag = "__run_graph__";

// Each tag's dashboard within one run. TensorBoard keeps only the first SummaryMetadata a
// tag comes with (writers send it once per tag; a restarted writer sends it again), so the
// first value that carries a decision fixes the tag's dashboard. Legacy values decide by
// their kind whatever metadata they carry: simple_value -> scalars, image -> images,
// histo -> histograms, audio -> audio. A tensor decides by its metadata's plugin_name; one
// without metadata decides nothing, and a tag that never gets a decision has no dashboard.
class TagDashboards {
 public:
  // Notes one summary value. Returns the tag's id: dense, in order of first appearance.
  std::size_t observe(std::string_view tag, SummaryValue::Kind kind, bool has_metadata,
                      std::string_view plugin_name);
  std::size_t observe(const SummaryValue& value) {
    return observe(value.tag, value.kind, value.has_metadata, value.plugin_name);
  }
  // Notes the non-summary content of an Event: graph_def and tagged_run_metadata.
  void observe_event(const Event& event);

  std::size_t size() const { return tags_.size(); }
  const std::string& tag(std::size_t id) const { return tags_[id].tag; }
  // The plugin name of the tag's dashboard; empty while (or if) none is decided.
  const std::string& dashboard(std::size_t id) const { return tags_[id].dashboard; }
  // Whether a value has fixed the tag's dashboard (later values cannot change it).
  bool decided(std::size_t id) const { return tags_[id].decided; }

  // Summary tags by dashboard (sorted), plus "graphs" and "graph_tagged_run_metadata" for
  // the Events that carry those. Tags without a dashboard are listed under "".
  std::map<std::string, std::vector<std::string>> tags_by_dashboard() const;

 private:
  struct Entry {
    std::string tag;
    std::string dashboard;
    bool decided = false;
  };
  std::size_t find_or_add(std::string_view tag);

  std::deque<Entry> tags_;  // a deque, so the keys of index_ stay valid as it grows
  std::unordered_map<std::string_view, std::size_t> index_;
  // Ids of recently seen tags: runs cycle through a few tags, and comparing against those
  // is cheaper than hashing (export does this for millions of values).
  std::size_t recent_[4] = {0, 0, 0, 0};
  std::size_t next_recent_ = 0;
  bool has_graph_ = false;
  std::vector<std::string> run_metadata_tags_;
};

// The plugin a value decides for its tag (empty: metadata without a plugin, so no
// dashboard), or nothing when the value decides nothing.
std::optional<std::string_view> decided_plugin(SummaryValue::Kind kind, bool has_metadata,
                                               std::string_view plugin_name);

}  // namespace tblog::detail
