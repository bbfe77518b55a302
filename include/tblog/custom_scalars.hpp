#pragma once
// Arguments of SummaryWriter::add_custom_scalars (the Custom Scalars dashboard).
#include <string>
#include <vector>

namespace tblog {

// add_custom_scalars: a chart shows either several tags on one plot (multiline_tags, each a
// regular expression matched against tags) or series with a band (margin_series).
struct MarginSeries {
  std::string value;  // scalar tags
  std::string lower;
  std::string upper;
};
struct CustomScalarChart {
  std::string title;
  std::vector<std::string> multiline_tags;
  std::vector<MarginSeries> margin_series;
};
struct CustomScalarCategory {
  std::string title;
  std::vector<CustomScalarChart> charts;
  bool closed = false;  // shown collapsed
};
struct CustomScalarLayout {
  std::vector<CustomScalarCategory> categories;
};

}  // namespace tblog
