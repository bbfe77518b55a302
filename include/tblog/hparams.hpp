#pragma once
// Arguments of SummaryWriter::add_hparams (the HParams dashboard).
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace tblog {

// An hparam's value: a string, a number or a bool. Integers are stored as numbers, as
// TensorBoard has no integer type.
struct HParamValue {
  std::variant<std::string, double, bool> value;

  HParamValue(const char* s) : value(std::string(s)) {}
  HParamValue(std::string s) : value(std::move(s)) {}
  HParamValue(std::string_view s) : value(std::string(s)) {}
  HParamValue(bool b) : value(b) {}
  template <typename T,
            std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  HParamValue(T v) : value(static_cast<double>(v)) {}
};

// The values the HParams dashboard offers as filters for one hparam: either discrete
// values (all of the hparam's kind) or, for numbers, an interval.
struct HParamDomain {
  std::string name;  // an hparam of the call
  std::string display_name;
  std::string description;
  std::vector<HParamValue> values;  // discrete domain
  bool has_interval = false;        // interval domain [min_value, max_value]
  double min_value = 0;
  double max_value = 0;
};

// How the HParams dashboard labels one metric.
struct HParamMetricInfo {
  std::string name;  // a metric of the call (a key of metrics, or one of metric_tags)
  std::string display_name;
  std::string description;
};

enum class SessionStatus { unknown, success, failure, running };

struct HParamsOptions {
  // Empty: the session is the writer's own run, so no extra run appears. Otherwise the
  // session is the sub-run `<logdir>/<run_name>` (PyTorch's layout: one run per trial).
  std::string run_name;
  // Metrics whose values are scalars logged with add_scalar under these tags in the
  // session's run; the dashboard shows their last value. Nothing is written for them.
  std::vector<std::string> metric_tags;
  std::int64_t step = 0;  // step of the metric values written as scalars
  // Sessions of one group are aggregated in the dashboard; empty: the run's name.
  std::string group_name;
  // Written as the session end's status; running writes an end with STATUS_RUNNING and no end
  // time (TensorBoard shows a session without an end as unknown). TensorBoard keeps the first
  // end of a run, so a running session cannot be marked finished later by this writer.
  SessionStatus status = SessionStatus::success;
  // The experiment (hparam and metric lists) goes with the session. Turn off to let
  // TensorBoard gather the experiment from all sessions of the logdir.
  bool write_experiment = true;
  std::string description;                   // of the experiment
  std::vector<HParamDomain> hparam_domains;   // optional, per hparam
  std::vector<HParamMetricInfo> metric_infos; // optional, per metric
};

}  // namespace tblog
