// TensorBoardProgressWriter: progress records as scalars in event files (rank 0 only).
#include "tblog/progress.hpp"

namespace tblog {

TensorBoardProgressWriter::TensorBoardProgressWriter(std::optional<std::int64_t> freq,
                                                     const std::string& log_dir,
                                                     std::optional<int> rank,
                                                     const Graph* model, WriterOptions options)
    : ProgressWriter(freq, 0, rank) {
  // Other ranks create nothing: one event file per job.
  if (!active()) return;
  writer_ = std::make_unique<SummaryWriter>(log_dir, std::move(options));
  if (model != nullptr) writer_->add_graph(*model);
}

TensorBoardProgressWriter::~TensorBoardProgressWriter() = default;

void TensorBoardProgressWriter::write_value(std::string_view tag, double value,
                                            std::int64_t step) {
  if (writer_) writer_->add_scalar(tag, value, step);
}

void TensorBoardProgressWriter::write_image(std::string_view tag, const ImageBatchView& batch,
                                            std::int64_t step) {
  if (writer_) writer_->add_images(tag, batch, step);
}

void TensorBoardProgressWriter::flush() {
  if (writer_) writer_->flush();
}

void TensorBoardProgressWriter::on_training_update(std::int64_t, std::int64_t,
                                                   const Sums& window) {
  const auto samples = static_cast<double>(window.samples);
  writer_->add_scalar("minibatch/avg_loss", window.loss / samples, total_updates());
  writer_->add_scalar("minibatch/avg_metric", window.metric / samples, total_updates());
}

void TensorBoardProgressWriter::on_training_summary(const Sums& epoch, double) {
  const auto samples = static_cast<double>(epoch.samples);
  writer_->add_scalar("summary/avg_loss", epoch.loss / samples, training_summaries());
  writer_->add_scalar("summary/avg_metric", epoch.metric / samples, training_summaries());
}

void TensorBoardProgressWriter::on_test_summary(const Sums& test, std::int64_t, double) {
  const double metric = test.metric / static_cast<double>(test.samples);
  // Once training has run, the test metric lines up with the training curves' steps.
  if (total_updates() > 0) {
    writer_->add_scalar("minibatch/test_avg_metric", metric, total_updates());
  } else {
    writer_->add_scalar("summary/test_avg_metric", metric, test_summaries());
  }
}

void TensorBoardProgressWriter::on_setting(std::string_view key, double value) {
  writer_->add_scalar(key, value, total_updates());
}

}  // namespace tblog
