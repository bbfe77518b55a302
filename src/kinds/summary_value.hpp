#pragma once
// How every kind's Summary.Value starts: the tag, and the plugin's metadata on the tag's
// first value in a file only (TensorBoard takes a tag's plugin from its first value).
#include <string>
#include <string_view>

#include "format/plugin_names.hpp"
#include "kinds/payload.hpp"
#include "tblog/summary.pb.h"

namespace tblog::detail {

// content: the plugin's serialized PluginData message; empty for plugins at content
// version 0 with nothing to say (text, images, histograms).
inline pb::Summary::Value start_value(const EncodeContext& ctx, std::string_view plugin_name,
                                      const std::string& content = std::string()) {
  pb::Summary::Value value;
  value.set_tag(ctx.tag.data(), ctx.tag.size());
  if (ctx.first_in_file) {
    auto* plugin = value.mutable_metadata()->mutable_plugin_data();
    plugin->set_plugin_name(std::string(plugin_name));
    plugin->set_content(content);
  }
  return value;
}

}  // namespace tblog::detail
