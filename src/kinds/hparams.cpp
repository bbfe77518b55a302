// HParams: what TensorBoard's hparams plugin reads. Three values, each an empty DT_FLOAT
// tensor of shape [0] whose SummaryMetadata carries the data (HParamsPluginData, content
// version 0): the experiment (hparam and metric lists), the session start (the hparams) and
// the session end (status). The plugin keeps only the first metadata of a tag in a run, so
// a run holds one session; the metadata goes with every one of these values.
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "format/plugin_names.hpp"
#include "kinds/dashboard_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/plugins.pb.h"
#include "tblog/summary.pb.h"

namespace tblog::detail {
namespace {

// One session, copied from the call; the three payloads share it.
struct Session {
  std::map<std::string, HParamValue> hparams;
  std::vector<std::string> metric_names;  // metrics' keys, then metric_tags
  HParamsOptions options;
  double wall_time = 0;
};

enum class Part { experiment, session_start, session_end };

google::protobuf::Value to_proto_value(const HParamValue& v) {
  google::protobuf::Value out;
  if (const auto* s = std::get_if<std::string>(&v.value)) {
    out.set_string_value(*s);
  } else if (const auto* d = std::get_if<double>(&v.value)) {
    out.set_number_value(*d);
  } else {
    out.set_bool_value(std::get<bool>(v.value));
  }
  return out;
}

pb::HParamDataType data_type(const HParamValue& v) {
  switch (v.value.index()) {
    case 0: return pb::DATA_TYPE_STRING;
    case 1: return pb::DATA_TYPE_FLOAT64;
    default: return pb::DATA_TYPE_BOOL;
  }
}

const char* kind_name(const HParamValue& v) {
  switch (v.value.index()) {
    case 0: return "a string";
    case 1: return "a number";
    default: return "a bool";
  }
}

pb::SessionStatus to_proto(SessionStatus s) {
  switch (s) {
    case SessionStatus::success: return pb::STATUS_SUCCESS;
    case SessionStatus::failure: return pb::STATUS_FAILURE;
    case SessionStatus::running: return pb::STATUS_RUNNING;
    case SessionStatus::unknown: break;
  }
  return pb::STATUS_UNKNOWN;
}

pb::Experiment make_experiment(const Session& s) {
  pb::Experiment experiment;
  experiment.set_description(s.options.description);
  experiment.set_time_created_secs(s.wall_time);
  for (const auto& [name, value] : s.hparams) {
    pb::HParamInfo* info = experiment.add_hparam_infos();
    info->set_name(name);
    info->set_type(data_type(value));
    for (const HParamDomain& d : s.options.hparam_domains) {
      if (d.name != name) continue;
      info->set_display_name(d.display_name);
      info->set_description(d.description);
      if (d.has_interval) {
        info->mutable_domain_interval()->set_min_value(d.min_value);
        info->mutable_domain_interval()->set_max_value(d.max_value);
      } else if (!d.values.empty()) {
        for (const HParamValue& v : d.values) {
          *info->mutable_domain_discrete()->add_values() = to_proto_value(v);
        }
      }
    }
  }
  for (const std::string& name : s.metric_names) {
    pb::MetricInfo* info = experiment.add_metric_infos();
    info->mutable_name()->set_tag(name);
    for (const HParamMetricInfo& m : s.options.metric_infos) {
      if (m.name != name) continue;
      info->set_display_name(m.display_name);
      info->set_description(m.description);
    }
  }
  return experiment;
}

class HParamsPayload final : public Payload {
 public:
  HParamsPayload(std::shared_ptr<const Session> session, Part part)
      : session_(std::move(session)), part_(part) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    pb::HParamsPluginData data;
    const Session& s = *session_;
    switch (part_) {
      case Part::experiment:
        *data.mutable_experiment() = make_experiment(s);
        break;
      case Part::session_start: {
        pb::SessionStartInfo* start = data.mutable_session_start_info();
        for (const auto& [name, value] : s.hparams) {
          (*start->mutable_hparams())[name] = to_proto_value(value);
        }
        start->set_group_name(s.options.group_name);
        start->set_start_time_secs(s.wall_time);
        break;
      }
      case Part::session_end:
        data.mutable_session_end_info()->set_status(to_proto(s.options.status));
        // A running session has not ended: no end time.
        if (s.options.status != SessionStatus::running) {
          data.mutable_session_end_info()->set_end_time_secs(s.wall_time);
        }
        break;
    }
    pb::Summary::Value value;
    value.set_tag(ctx.tag.data(), ctx.tag.size());
    // Always: the data is in the metadata, not in the tensor.
    auto* plugin = value.mutable_metadata()->mutable_plugin_data();
    plugin->set_plugin_name(std::string(kHparams));
    plugin->set_content(data.SerializeAsString());
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(pb::DT_FLOAT);
    tensor->mutable_tensor_shape()->add_dim()->set_size(0);
    value.AppendToString(&out);
  }

 private:
  std::shared_ptr<const Session> session_;
  Part part_;
};

void check_domain(const HParamDomain& d, const HParamValue& value) {
  const std::string where = "add_hparams: options.hparam_domains['" + d.name + "']";
  if (d.has_interval) {
    if (!d.values.empty()) throw Error(where + " has both values and an interval; give one");
    if (value.value.index() != 1) {
      throw Error(where + " is an interval, but hparams['" + d.name + "'] is " +
                  kind_name(value) + "; intervals are for numbers");
    }
    if (!std::isfinite(d.min_value) || !std::isfinite(d.max_value) || d.min_value > d.max_value) {
      throw Error(where + " interval [" + std::to_string(d.min_value) + ", " +
                  std::to_string(d.max_value) + "] is not a finite, ordered interval");
    }
    const double v = std::get<double>(value.value);
    if (v < d.min_value || v > d.max_value) {
      throw Error("add_hparams: hparams['" + d.name + "'] = " + std::to_string(v) +
                  " is outside its interval in options.hparam_domains");
    }
    return;
  }
  bool found = false;
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    const HParamValue& v = d.values[i];
    if (v.value.index() != value.value.index()) {
      throw Error(where + ".values[" + std::to_string(i) + "] is " + kind_name(v) +
                  ", but hparams['" + d.name + "'] is " + kind_name(value));
    }
    if (v.value.index() == 1 && !std::isfinite(std::get<double>(v.value))) {
      throw Error(where + ".values[" + std::to_string(i) + "] is not finite");
    }
    if (v.value == value.value) found = true;
  }
  if (!d.values.empty() && !found) {
    throw Error("add_hparams: hparams['" + d.name +
                "'] is not one of its values in options.hparam_domains");
  }
}

}  // namespace

HParamsPayloads make_hparams_payloads(const std::map<std::string, HParamValue>& hparams,
                                      const std::map<std::string, double>& metrics,
                                      const HParamsOptions& options, double wall_time) {
  if (hparams.empty()) throw Error("add_hparams: hparams is empty");
  for (const auto& [name, value] : hparams) {
    if (name.empty()) throw Error("add_hparams: a name in hparams is empty");
    if (const auto* d = std::get_if<double>(&value.value); d && !std::isfinite(*d)) {
      throw Error("add_hparams: hparams['" + name + "'] is " + std::to_string(*d) +
                  "; numbers must be finite");
    }
  }
  auto session = std::make_shared<Session>();
  std::set<std::string> metric_names;
  for (const auto& [name, value] : metrics) {
    if (name.empty()) throw Error("add_hparams: a name in metrics is empty");
    metric_names.insert(name);
    session->metric_names.push_back(name);
  }
  for (const std::string& tag : options.metric_tags) {
    if (tag.empty()) throw Error("add_hparams: a name in options.metric_tags is empty");
    if (!metric_names.insert(tag).second) {
      throw Error("add_hparams: metric '" + tag +
                  "' is both in metrics and options.metric_tags (or twice in metric_tags)");
    }
    session->metric_names.push_back(tag);
  }
  std::set<std::string> seen;
  for (const HParamDomain& d : options.hparam_domains) {
    auto it = hparams.find(d.name);
    if (it == hparams.end()) {
      throw Error("add_hparams: options.hparam_domains names '" + d.name +
                  "', which is not in hparams");
    }
    if (!seen.insert(d.name).second) {
      throw Error("add_hparams: options.hparam_domains names '" + d.name + "' twice");
    }
    check_domain(d, it->second);
  }
  seen.clear();
  for (const HParamMetricInfo& m : options.metric_infos) {
    if (metric_names.count(m.name) == 0) {
      throw Error("add_hparams: options.metric_infos names '" + m.name +
                  "', which is neither in metrics nor in options.metric_tags");
    }
    if (!seen.insert(m.name).second) {
      throw Error("add_hparams: options.metric_infos names '" + m.name + "' twice");
    }
  }

  session->hparams = hparams;
  session->options = options;
  session->wall_time = wall_time;
  HParamsPayloads out;
  if (options.write_experiment) {
    out.experiment = std::make_unique<HParamsPayload>(session, Part::experiment);
  }
  out.session_start = std::make_unique<HParamsPayload>(session, Part::session_start);
  // Always, running included: TensorBoard takes a session's status from its SessionEndInfo
  // and shows a session without one as unknown, so running is an end record with
  // STATUS_RUNNING (and no end time).
  out.session_end = std::make_unique<HParamsPayload>(session, Part::session_end);
  return out;
}

}  // namespace tblog::detail
