// PR curves: a DT_FLOAT tensor of shape [6, num_thresholds] (rows TP, FP, TN, FN, precision,
// recall) under plugin "pr_curves" with PrCurvePluginData{num_thresholds}, as TensorBoard's
// pr_curve summary and PyTorch's add_pr_curve compute it: a prediction p falls in bucket
// floor(p * (num_thresholds - 1)); threshold i counts the (weighted) predictions in buckets
// >= i; precision = TP / max(TP + FP, 1e-7), recall = TP / max(TP + FN, 1e-7).
//
// The buckets are counted on the caller's thread, in the same pass that checks the input:
// that pass reads every prediction anyway, and the payload then holds 2 x num_thresholds
// numbers instead of a copy of millions of predictions.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/plugins.pb.h"
#include "tblog/summary.pb.h"
#include "kinds/summary_value.hpp"

namespace tblog::detail {
namespace {

constexpr double kMinimumCount = 1e-7;

class PrCurvePayload final : public Payload {
 public:
  explicit PrCurvePayload(std::vector<float> rows) : rows_(std::move(rows)) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    const std::size_t n = rows_.size() / 6;
    pb::PrCurvePluginData data;  // content version 0
    data.set_num_thresholds(static_cast<std::uint32_t>(n));
    pb::Summary::Value value = start_value(ctx, kPrCurves, data.SerializeAsString());
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(pb::DT_FLOAT);
    tensor->mutable_tensor_shape()->add_dim()->set_size(6);
    tensor->mutable_tensor_shape()->add_dim()->set_size(static_cast<std::int64_t>(n));
    // x86-64 and ARM64 are little-endian, the byte order tensor_content asks for.
    tensor->mutable_tensor_content()->assign(reinterpret_cast<const char*>(rows_.data()),
                                             rows_.size() * sizeof(float));
    value.AppendToString(&out);
  }

  std::size_t memory_bytes() const override { return sizeof(*this) + heap_bytes(rows_); }
 private:
  std::vector<float> rows_;  // 6 x n, row-major
};

// Rows from per-bucket weighted counts of positives and negatives.
std::vector<float> curve_from_buckets(const std::vector<double>& tp_bucket,
                                      const std::vector<double>& fp_bucket) {
  const std::size_t n = tp_bucket.size();
  std::vector<double> tp(n), fp(n);
  double tp_sum = 0, fp_sum = 0;
  for (std::size_t i = n; i-- > 0;) {
    tp_sum += tp_bucket[i];
    fp_sum += fp_bucket[i];
    tp[i] = tp_sum;
    fp[i] = fp_sum;
  }
  std::vector<float> rows(6 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double tn = fp[0] - fp[i];
    const double fn = tp[0] - tp[i];
    rows[0 * n + i] = static_cast<float>(tp[i]);
    rows[1 * n + i] = static_cast<float>(fp[i]);
    rows[2 * n + i] = static_cast<float>(tn);
    rows[3 * n + i] = static_cast<float>(fn);
    rows[4 * n + i] = static_cast<float>(tp[i] / std::max(kMinimumCount, tp[i] + fp[i]));
    rows[5 * n + i] = static_cast<float>(tp[i] / std::max(kMinimumCount, tp[i] + fn));
  }
  return rows;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::unique_ptr<Payload> make_pr_curve_payload(const std::vector<std::uint8_t>& labels,
                                               const std::vector<float>& predictions,
                                               int num_thresholds,
                                               const std::vector<float>& weights) {
  if (num_thresholds < 2 || num_thresholds > kMaxPrThresholds) {
    throw Error("add_pr_curve: num_thresholds " + std::to_string(num_thresholds) +
                " is outside 2.." + std::to_string(kMaxPrThresholds));
  }
  if (predictions.empty()) throw Error("add_pr_curve: predictions is empty");
  if (labels.size() != predictions.size()) {
    throw Error("add_pr_curve: labels has " + std::to_string(labels.size()) +
                " entries but predictions has " + std::to_string(predictions.size()) +
                "; they must be the same length");
  }
  if (!weights.empty() && weights.size() != predictions.size()) {
    throw Error("add_pr_curve: weights has " + std::to_string(weights.size()) +
                " entries but predictions has " + std::to_string(predictions.size()) +
                "; give one weight per prediction, or none");
  }
  const std::size_t n = static_cast<std::size_t>(num_thresholds);
  const float scale = static_cast<float>(num_thresholds - 1);
  std::vector<double> tp_bucket(n, 0.0), fp_bucket(n, 0.0);
  const std::size_t count = predictions.size();
  const float* p = predictions.data();
  const std::uint8_t* l = labels.data();
  if (weights.empty()) {
    // Unweighted counts fit exactly in integers; the loop stays branch-light.
    std::vector<std::uint64_t> pos(n, 0), all(n, 0);
    for (std::size_t i = 0; i < count; ++i) {
      const float x = p[i];
      if (!(x >= 0.0f && x <= 1.0f)) {
        throw Error("add_pr_curve: predictions[" + std::to_string(i) + "] is " + number(x) +
                    "; predictions must be in [0, 1]");
      }
      const auto b = static_cast<std::size_t>(x * scale);
      all[b] += 1;
      pos[b] += l[i] != 0;
    }
    for (std::size_t b = 0; b < n; ++b) {
      tp_bucket[b] = static_cast<double>(pos[b]);
      fp_bucket[b] = static_cast<double>(all[b] - pos[b]);
    }
  } else {
    const float* w = weights.data();
    for (std::size_t i = 0; i < count; ++i) {
      const float x = p[i];
      if (!(x >= 0.0f && x <= 1.0f)) {
        throw Error("add_pr_curve: predictions[" + std::to_string(i) + "] is " + number(x) +
                    "; predictions must be in [0, 1]");
      }
      if (!(w[i] >= 0.0f) || std::isinf(w[i])) {
        throw Error("add_pr_curve: weights[" + std::to_string(i) + "] is " + number(w[i]) +
                    "; weights must be finite and >= 0");
      }
      const auto b = static_cast<std::size_t>(x * scale);
      if (l[i] != 0) {
        tp_bucket[b] += w[i];
      } else {
        fp_bucket[b] += w[i];
      }
    }
  }
  return std::make_unique<PrCurvePayload>(curve_from_buckets(tp_bucket, fp_bucket));
}

std::unique_ptr<Payload> make_pr_curve_raw_payload(const PrCurveCounts& counts) {
  const std::size_t n = counts.true_positives.size();
  if (n < 2 || n > static_cast<std::size_t>(kMaxPrThresholds)) {
    throw Error("add_pr_curve_raw: counts.true_positives has " + std::to_string(n) +
                " entries; the number of thresholds must be in 2.." +
                std::to_string(kMaxPrThresholds));
  }
  struct Row {
    const char* name;
    const std::vector<double>* values;
    bool ratio;  // precision and recall are in [0, 1]
  };
  const Row rows[6] = {{"true_positives", &counts.true_positives, false},
                       {"false_positives", &counts.false_positives, false},
                       {"true_negatives", &counts.true_negatives, false},
                       {"false_negatives", &counts.false_negatives, false},
                       {"precision", &counts.precision, true},
                       {"recall", &counts.recall, true}};
  std::vector<float> out;
  out.reserve(6 * n);
  for (const Row& row : rows) {
    if (row.values->size() != n) {
      throw Error(std::string("add_pr_curve_raw: counts.") + row.name + " has " +
                  std::to_string(row.values->size()) + " entries but counts.true_positives has " +
                  std::to_string(n) + "; all six must be the same length");
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double v = (*row.values)[i];
      const bool ok = row.ratio ? (v >= 0.0 && v <= 1.0) : (v >= 0.0 && std::isfinite(v));
      if (!ok) {
        throw Error(std::string("add_pr_curve_raw: counts.") + row.name + "[" +
                    std::to_string(i) + "] is " + number(v) +
                    (row.ratio ? "; it must be in [0, 1]" : "; counts must be finite and >= 0"));
      }
      out.push_back(static_cast<float>(v));
    }
  }
  return std::make_unique<PrCurvePayload>(std::move(out));
}

}  // namespace tblog::detail
