#pragma once
// Progress writers with CNTK's semantics: a training loop reports each minibatch's sums,
// and each writer decides when to record averages (TensorBoard, console, ...).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/export.hpp"
#include "tblog/file_system.hpp"
#include "tblog/graph.hpp"
#include "tblog/image.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog {

// The rank of this process in a distributed job, from the first of OMPI_COMM_WORLD_RANK,
// PMIX_RANK, PMI_RANK, SLURM_PROCID, RANK that is set; 0 when none is.
TBLOG_API int rank_from_environment();

// Thread safety: a progress writer belongs to the training loop's thread; calls from
// several threads need the caller's own lock. Distinct writers are independent.
class TBLOG_API ProgressWriter {
 public:
  // freq: N > 0 records every N-th update (and each of the first `first`); 0 records
  // updates 1, 2, 4, 8, ...; nullopt records summaries only. Updates are counted from 1
  // since the last summary. rank: a non-zero rank makes the writer inert; nullopt reads it
  // from the environment (rank_from_environment).
  ProgressWriter(std::optional<std::int64_t> freq, std::int64_t first = 0,
                 std::optional<int> rank = std::nullopt);
  virtual ~ProgressWriter();
  ProgressWriter(const ProgressWriter&) = delete;
  ProgressWriter& operator=(const ProgressWriter&) = delete;

  // After each training minibatch: its sample count and the sums of loss and metric over
  // its samples (so averages weigh samples). 0 samples: ignored. Negative, or
  // a count since the last summary past INT64_MAX: tblog::Error, and nothing is counted.
  void update_training(std::int64_t samples, double loss_sum, double metric_sum) {
    if (samples <= 0) {
      if (samples < 0) reject_negative_samples(samples);
      return;
    }
    // The epoch's count holds the window's: checking it keeps both from overflowing.
    if (samples > std::numeric_limits<std::int64_t>::max() - epoch_.samples) {
      reject_sample_overflow(samples, epoch_.samples);
    }
    window_.add(samples, loss_sum, metric_sum);
    epoch_.add(samples, loss_sum, metric_sum);
    ++updates_since_summary_;
    ++total_updates_;
    if (every_update_) on_every_update(samples);
    if (--updates_until_record_ <= 0 || updates_since_summary_ <= first_) record_training_window();
  }
  // Records averages over everything since the last training summary.
  void summarize_training_progress();

  void update_test(std::int64_t samples, double metric_sum);
  void summarize_test_progress();

  // A scalar at a step of the caller's choosing.
  virtual void write_value(std::string_view tag, double value, std::int64_t step) = 0;
  // A batch of images (float in [0,1] or uint8; NCHW or NHWC) at the step given.
  virtual void write_image(std::string_view tag, const ImageBatchView& batch, std::int64_t step);
  // A learner setting (learning rate, momentum, ...), kept and recorded as a scalar at the
  // current training step.
  void write(std::string_view key, double value);

  bool active() const { return active_; }
  int rank() const { return rank_; }
  std::int64_t total_updates() const { return total_updates_; }
  std::int64_t training_summaries() const { return training_summaries_; }
  std::int64_t test_summaries() const { return test_summaries_; }

 protected:
  struct Sums {
    std::int64_t samples = 0;
    double loss = 0;
    double metric = 0;
    void add(std::int64_t n, double l, double m) {
      samples += n;
      loss += l;
      metric += m;
    }
  };
  // Called on rank 0 only. first/last: 1-based update numbers since the last summary.
  virtual void on_training_update(std::int64_t first_update, std::int64_t last_update,
                                  const Sums& window) = 0;
  virtual void on_training_summary(const Sums& epoch, double seconds) = 0;
  virtual void on_test_summary(const Sums& test, std::int64_t minibatches, double seconds) = 0;
  virtual void on_setting(std::string_view key, double value) = 0;
  // Called after every training update when every_update_ is set (a progress bar).
  virtual void on_every_update(std::int64_t /*samples*/) {}
  bool every_update_ = false;

 private:
  void record_training_window();
  void schedule_next_record();
  [[noreturn]] static void reject_negative_samples(std::int64_t samples);
  [[noreturn]] static void reject_sample_overflow(std::int64_t samples, std::int64_t so_far);

  std::optional<std::int64_t> freq_;
  std::int64_t first_;
  int rank_;
  bool active_;

  Sums window_;
  Sums epoch_;
  Sums test_;
  std::int64_t window_first_update_ = 1;
  std::int64_t updates_since_summary_ = 0;
  std::int64_t updates_until_record_ = 0;
  std::int64_t next_geometric_ = 1;
  std::int64_t total_updates_ = 0;
  std::int64_t training_summaries_ = 0;
  std::int64_t test_summaries_ = 0;
  std::int64_t test_minibatches_ = 0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point test_start_;
  bool test_started_ = false;
};

// Writes progress to TensorBoard: minibatch/avg_loss and minibatch/avg_metric at the total
// update count, summary/avg_loss and summary/avg_metric at the 1-based summary count, the
// test metric, learner settings, values and images, and the model's graph (recorded at the
// start of training) when one is given.
class TBLOG_API TensorBoardProgressWriter : public ProgressWriter {
 public:
  TensorBoardProgressWriter(std::optional<std::int64_t> freq, const std::string& log_dir,
                            std::optional<int> rank = std::nullopt, const Graph* model = nullptr,
                            WriterOptions options = {});
  ~TensorBoardProgressWriter() override;

  void write_value(std::string_view tag, double value, std::int64_t step) override;
  void write_image(std::string_view tag, const ImageBatchView& batch, std::int64_t step) override;
  // Everything recorded so far is on disk.
  void flush();
  // The underlying writer, for any other kind of data; nullptr on a non-zero rank.
  SummaryWriter* summary_writer() { return writer_.get(); }

 protected:
  void on_training_update(std::int64_t first_update, std::int64_t last_update,
                          const Sums& window) override;
  void on_training_summary(const Sums& epoch, double seconds) override;
  void on_test_summary(const Sums& test, std::int64_t minibatches, double seconds) override;
  void on_setting(std::string_view key, double value) override;

 private:
  std::unique_ptr<SummaryWriter> writer_;
};

// CNTK's console lines:
//    Minibatch[  11-  20]: loss = 0.642318 * 640, metric = 21.40% * 640;
//   Finished Epoch[1 of 10]: [Training] loss = 0.525100 * 60000, metric = 18.60% * 60000 12.3s (4878.0 samples/s);
// and, on a terminal with num_epochs known, a progress bar with rate and ETA.
class TBLOG_API ProgressPrinter : public ProgressWriter {
 public:
  // log_to_file: write to this file instead of stdout. num_epochs: 0 if unknown.
  // metric_is_pct: print the metric as a percentage.
  ProgressPrinter(std::optional<std::int64_t> freq = std::nullopt, std::int64_t first = 0,
                  std::string tag = "", std::string log_to_file = "",
                  std::optional<int> rank = std::nullopt, std::int64_t num_epochs = 0,
                  bool metric_is_pct = true);
  ~ProgressPrinter() override;

  void write_value(std::string_view tag, double value, std::int64_t step) override;
  // For the progress bar: samples in one epoch, if known.
  void set_epoch_size(std::int64_t samples) { epoch_size_ = samples; }

 protected:
  void on_training_update(std::int64_t first_update, std::int64_t last_update,
                          const Sums& window) override;
  void on_training_summary(const Sums& epoch, double seconds) override;
  void on_test_summary(const Sums& test, std::int64_t minibatches, double seconds) override;
  void on_setting(std::string_view key, double value) override;
  void on_every_update(std::int64_t samples) override;

 private:
  void print_line(const std::string& line);
  void emit(const std::string& text);  // to the log file, else stdout
  void draw_progress_bar();
  std::string metric_text(double avg) const;

  std::string tag_prefix_;
  std::unique_ptr<WritableFile> log_file_;  // null: stdout
  bool bar_ = false;
  bool bar_drawn_ = false;
  std::int64_t num_epochs_;
  bool metric_is_pct_;
  std::int64_t epoch_size_ = 0;
  std::int64_t epoch_samples_ = 0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_bar_;
};

}  // namespace tblog
