#include "read/dashboard_of.hpp"

#include <algorithm>

namespace tblog::detail {

std::optional<std::string_view> decided_plugin(SummaryValue::Kind kind, bool has_metadata,
                                               std::string_view plugin_name) {
  switch (kind) {
    case SummaryValue::Kind::simple_value:
      return kScalars;
    case SummaryValue::Kind::image:
      return kImages;
    case SummaryValue::Kind::histogram:
      return kHistograms;
    case SummaryValue::Kind::audio:
      return kAudio;
    default:
      if (has_metadata) return plugin_name;
      return std::nullopt;
  }
}

std::size_t TagDashboards::find_or_add(std::string_view tag) {
  for (std::size_t id : recent_) {
    if (id < tags_.size() && tags_[id].tag == tag) return id;
  }
  std::size_t id;
  if (auto it = index_.find(tag); it != index_.end()) {
    id = it->second;
  } else {
    id = tags_.size();
    tags_.push_back(Entry{std::string(tag), std::string(), false});
    index_.emplace(tags_.back().tag, id);
  }
  recent_[next_recent_] = id;
  next_recent_ = (next_recent_ + 1) % std::size(recent_);
  return id;
}

std::size_t TagDashboards::observe(std::string_view tag, SummaryValue::Kind kind,
                                   bool has_metadata, std::string_view plugin_name) {
  const std::size_t id = find_or_add(tag);
  Entry& entry = tags_[id];
  if (!entry.decided) {
    if (auto plugin = decided_plugin(kind, has_metadata, plugin_name)) {
      entry.dashboard.assign(plugin->data(), plugin->size());
      entry.decided = true;
    }
  }
  return id;
}

void TagDashboards::observe_event(const Event& event) {
  switch (event.what) {
    case Event::What::graph_def:
      has_graph_ = true;
      break;
    case Event::What::tagged_run_metadata:
      if (std::find(run_metadata_tags_.begin(), run_metadata_tags_.end(),
                    event.run_metadata_tag) == run_metadata_tags_.end()) {
        run_metadata_tags_.push_back(event.run_metadata_tag);
      }
      break;
    default:
      break;
  }
}

std::map<std::string, std::vector<std::string>> TagDashboards::tags_by_dashboard() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const Entry& e : tags_) out[e.dashboard].push_back(e.tag);
  if (has_graph_) out[std::string(kGraphs)].push_back(std::string(kRunGraphTag));
  for (const auto& tag : run_metadata_tags_) out[std::string(kRunMetadata)].push_back(tag);
  for (auto& [dashboard, tags] : out) std::sort(tags.begin(), tags.end());
  return out;
}

}  // namespace tblog::detail
