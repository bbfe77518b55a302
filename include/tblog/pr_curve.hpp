#pragma once
// Arguments of SummaryWriter::add_pr_curve_raw (the PR Curves dashboard).
#include <vector>

namespace tblog {

// Counts per threshold for add_pr_curve_raw: all six of the same length (the number of
// thresholds, at least 2); entry i is at threshold i / (length - 1).
struct PrCurveCounts {
  std::vector<double> true_positives;
  std::vector<double> false_positives;
  std::vector<double> true_negatives;
  std::vector<double> false_negatives;
  std::vector<double> precision;
  std::vector<double> recall;
};

}  // namespace tblog
