// ProgressWriter: CNTK's schedule of minibatch records and summaries, and the rank rule.
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "tblog/progress.hpp"

namespace tblog {
namespace {
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

int rank_from_environment() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID", "RANK"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    char* end = nullptr;
    errno = 0;
    const long rank = std::strtol(value, &end, 10);
    // Out of int's range is an error too: 4294967296 must not become rank 0 in a second process.
    if (*end != '\0' || rank < 0 || errno == ERANGE || rank > std::numeric_limits<int>::max()) {
      throw Error(std::string("environment variable ") + name + "='" + value +
                  "' is not a rank (an integer in 0.." +
                  std::to_string(std::numeric_limits<int>::max()) + ")");
    }
    return static_cast<int>(rank);
  }
  return 0;
}

ProgressWriter::ProgressWriter(std::optional<std::int64_t> freq, std::int64_t first,
                               std::optional<int> rank)
    : freq_(freq), first_(first), rank_(rank ? *rank : rank_from_environment()),
      active_(rank_ == 0) {
  if (freq_ && *freq_ < 0) throw Error("freq " + std::to_string(*freq_) + " is negative");
  if (first_ < 0) throw Error("first " + std::to_string(first_) + " is negative");
  if (rank_ < 0) throw Error("rank " + std::to_string(rank_) + " is negative");
  schedule_next_record();
  epoch_start_ = std::chrono::steady_clock::now();
}

ProgressWriter::~ProgressWriter() = default;

void ProgressWriter::reject_negative_samples(std::int64_t samples) {
  throw Error("samples " + std::to_string(samples) + " is negative");
}

void ProgressWriter::reject_sample_overflow(std::int64_t samples, std::int64_t so_far) {
  throw Error("samples " + std::to_string(samples) + " added to the " + std::to_string(so_far) +
              " counted since the last summary overflows a 64-bit count");
}

void ProgressWriter::schedule_next_record() {
  if (!freq_) {
    updates_until_record_ = kNever;
  } else if (*freq_ == 0) {
    // Geometric: the next record at twice the current update count (1, 2, 4, 8, ...).
    updates_until_record_ = next_geometric_ - updates_since_summary_;
  } else {
    updates_until_record_ = *freq_;
  }
}

void ProgressWriter::record_training_window() {
  if (updates_until_record_ <= 0) {
    if (freq_ && *freq_ == 0) next_geometric_ *= 2;
    schedule_next_record();
  }
  if (active_) on_training_update(window_first_update_, updates_since_summary_, window_);
  window_ = Sums{};
  window_first_update_ = updates_since_summary_ + 1;
}

void ProgressWriter::summarize_training_progress() {
  if (epoch_.samples == 0) return;  // nothing trained since the last summary
  ++training_summaries_;
  if (active_) on_training_summary(epoch_, seconds_since(epoch_start_));
  epoch_ = Sums{};
  window_ = Sums{};
  updates_since_summary_ = 0;
  window_first_update_ = 1;
  next_geometric_ = 1;
  schedule_next_record();
  epoch_start_ = std::chrono::steady_clock::now();
}

void ProgressWriter::update_test(std::int64_t samples, double metric_sum) {
  if (samples <= 0) {
    if (samples < 0) reject_negative_samples(samples);
    return;
  }
  if (samples > std::numeric_limits<std::int64_t>::max() - test_.samples) {
    reject_sample_overflow(samples, test_.samples);
  }
  if (!test_started_) {
    test_started_ = true;
    test_start_ = std::chrono::steady_clock::now();
  }
  test_.add(samples, 0.0, metric_sum);
  ++test_minibatches_;
}

void ProgressWriter::summarize_test_progress() {
  if (test_.samples == 0) return;
  ++test_summaries_;
  if (active_) on_test_summary(test_, test_minibatches_, seconds_since(test_start_));
  test_ = Sums{};
  test_minibatches_ = 0;
  test_started_ = false;
}

void ProgressWriter::write_image(std::string_view, const ImageBatchView&, std::int64_t) {}

void ProgressWriter::write(std::string_view key, double value) {
  if (key.empty()) throw Error("setting key is empty");
  if (active_) on_setting(key, value);
}

}  // namespace tblog
