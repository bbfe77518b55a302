#pragma once
// TensorBoard's plugin names, as its plugins register them: the writer puts them in
// SummaryMetadata.plugin_data.plugin_name, and the reader decides dashboards by them.
#include <string_view>

namespace tblog::detail {

inline constexpr std::string_view kScalars = "scalars";
inline constexpr std::string_view kImages = "images";
inline constexpr std::string_view kHistograms = "histograms";
inline constexpr std::string_view kAudio = "audio";
inline constexpr std::string_view kText = "text";
inline constexpr std::string_view kPrCurves = "pr_curves";
inline constexpr std::string_view kHparams = "hparams";
inline constexpr std::string_view kCustomScalars = "custom_scalars";
inline constexpr std::string_view kMesh = "mesh";
inline constexpr std::string_view kGraphs = "graphs";
inline constexpr std::string_view kRunMetadata = "graph_tagged_run_metadata";

}  // namespace tblog::detail
