// Custom scalars: the layout, a serialized Layout in a rank-0 DT_STRING tensor under the tag
// custom_scalars__config__ and plugin "custom_scalars" (empty content), as PyTorch writes it.
// Multiline chart tags are regular expressions, which the dashboard matches in the browser;
// they are checked here with ECMAScript syntax, the browser's.
#include <memory>
#include <regex>
#include <string>
#include <utility>

#include "format/plugin_names.hpp"
#include "kinds/dashboard_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/plugins.pb.h"
#include "tblog/summary.pb.h"

namespace tblog::detail {
namespace {

class CustomScalarsPayload final : public Payload {
 public:
  explicit CustomScalarsPayload(CustomScalarLayout layout) : layout_(std::move(layout)) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    pb::Layout layout;
    for (const CustomScalarCategory& c : layout_.categories) {
      pb::Category* category = layout.add_category();
      category->set_title(c.title);
      category->set_closed(c.closed);
      for (const CustomScalarChart& ch : c.charts) {
        pb::Chart* chart = category->add_chart();
        chart->set_title(ch.title);
        if (!ch.multiline_tags.empty()) {
          for (const std::string& tag : ch.multiline_tags) chart->mutable_multiline()->add_tag(tag);
        } else {
          for (const MarginSeries& s : ch.margin_series) {
            auto* series = chart->mutable_margin()->add_series();
            series->set_value(s.value);
            series->set_lower(s.lower);
            series->set_upper(s.upper);
          }
        }
      }
    }
    pb::Summary::Value value;
    value.set_tag(ctx.tag.data(), ctx.tag.size());
    if (ctx.first_in_file) {
      value.mutable_metadata()->mutable_plugin_data()->set_plugin_name(std::string(kCustomScalars));
    }
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(pb::DT_STRING);
    tensor->mutable_tensor_shape();  // rank 0
    tensor->add_string_val(layout.SerializeAsString());
    value.AppendToString(&out);
  }

 private:
  CustomScalarLayout layout_;
};

}  // namespace

std::unique_ptr<Payload> make_custom_scalars_payload(const CustomScalarLayout& layout) {
  if (layout.categories.empty()) throw Error("add_custom_scalars: layout.categories is empty");
  for (std::size_t i = 0; i < layout.categories.size(); ++i) {
    const CustomScalarCategory& c = layout.categories[i];
    const std::string where = "add_custom_scalars: layout.categories[" + std::to_string(i) + "]";
    if (c.title.empty()) throw Error(where + ".title is empty");
    if (c.charts.empty()) throw Error(where + ".charts is empty");
    for (std::size_t j = 0; j < c.charts.size(); ++j) {
      const CustomScalarChart& ch = c.charts[j];
      const std::string chart = where + ".charts[" + std::to_string(j) + "]";
      if (ch.multiline_tags.empty() == ch.margin_series.empty()) {
        throw Error(chart + " must have either multiline_tags or margin_series (it has " +
                    (ch.multiline_tags.empty() ? "neither" : "both") + ")");
      }
      for (std::size_t k = 0; k < ch.multiline_tags.size(); ++k) {
        const std::string& tag = ch.multiline_tags[k];
        const std::string what = chart + ".multiline_tags[" + std::to_string(k) + "]";
        if (tag.empty()) throw Error(what + " is empty");
        try {
          std::regex check(tag, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          throw Error(what + " '" + tag + "' is not a valid regular expression: " + e.what());
        }
      }
      for (std::size_t k = 0; k < ch.margin_series.size(); ++k) {
        const MarginSeries& s = ch.margin_series[k];
        const std::string what = chart + ".margin_series[" + std::to_string(k) + "]";
        if (s.value.empty()) throw Error(what + ".value is empty");
        if (s.lower.empty()) throw Error(what + ".lower is empty");
        if (s.upper.empty()) throw Error(what + ".upper is empty");
      }
    }
  }
  return std::make_unique<CustomScalarsPayload>(layout);
}

}  // namespace tblog::detail
