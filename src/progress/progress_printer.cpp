// ProgressPrinter: CNTK's console lines, and a progress bar on a terminal.
#include <unistd.h>

#include <algorithm>
#include <cstdarg>

#include "tblog/progress.hpp"

namespace tblog {
namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, args);
  va_end(args);
  return buf;
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::optional<std::int64_t> freq, std::int64_t first,
                                 std::string tag, std::string log_to_file,
                                 std::optional<int> rank, std::int64_t num_epochs,
                                 bool metric_is_pct)
    : ProgressWriter(freq, first, rank),
      tag_prefix_(tag.empty() ? std::string() : "[" + tag + "] "),
      num_epochs_(num_epochs),
      metric_is_pct_(metric_is_pct) {
  if (num_epochs < 0) throw Error("num_epochs " + std::to_string(num_epochs) + " is negative");
  if (!active()) return;
  if (!log_to_file.empty()) {
    const Status st = FileSystem::posix()->open_append(log_to_file, &log_file_);
    if (!st.ok()) throw Error(ErrorCode::io, "log file: " + st.message());
  } else {
    bar_ = num_epochs_ > 0 && ::isatty(::fileno(stdout));
  }
  every_update_ = bar_;
  epoch_start_ = last_bar_ = std::chrono::steady_clock::now();
}

ProgressPrinter::~ProgressPrinter() {
  if (bar_drawn_) emit("\n");
}

void ProgressPrinter::emit(const std::string& text) {
  // Console output: a line that cannot be written is not worth stopping training for.
  if (log_file_) {
    log_file_->append(text);
    log_file_->flush();
  } else {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
  }
}

std::string ProgressPrinter::metric_text(double avg) const {
  return metric_is_pct_ ? format("%.2f%%", avg * 100.0) : format("%.6f", avg);
}

void ProgressPrinter::print_line(const std::string& line) {
  std::string text;
  if (bar_drawn_) {
    text = "\r\033[K";  // the bar's line gives way to the record
    bar_drawn_ = false;
  }
  emit(text + line + "\n");
}

void ProgressPrinter::on_training_update(std::int64_t first_update, std::int64_t last_update,
                                         const Sums& window) {
  const auto n = static_cast<double>(window.samples);
  print_line(format(" Minibatch[%4lld-%4lld]: loss = %.6f * %lld, metric = %s * %lld;",
                    static_cast<long long>(first_update), static_cast<long long>(last_update),
                    window.loss / n, static_cast<long long>(window.samples),
                    metric_text(window.metric / n).c_str(),
                    static_cast<long long>(window.samples)));
}

void ProgressPrinter::on_training_summary(const Sums& epoch, double seconds) {
  const auto n = static_cast<double>(epoch.samples);
  const std::string epoch_label =
      num_epochs_ > 0 ? format("%lld of %lld", static_cast<long long>(training_summaries()),
                               static_cast<long long>(num_epochs_))
                      : format("%lld", static_cast<long long>(training_summaries()));
  print_line(format("Finished Epoch[%s]: %sloss = %.6f * %lld, metric = %s * %lld %.1fs (%.1f samples/s);",
                    epoch_label.c_str(), tag_prefix_.c_str(), epoch.loss / n,
                    static_cast<long long>(epoch.samples), metric_text(epoch.metric / n).c_str(),
                    static_cast<long long>(epoch.samples), seconds,
                    seconds > 0 ? n / seconds : 0.0));
  epoch_samples_ = 0;
  epoch_start_ = std::chrono::steady_clock::now();
}

void ProgressPrinter::on_test_summary(const Sums& test, std::int64_t minibatches, double) {
  const auto n = static_cast<double>(test.samples);
  print_line(format("Finished Evaluation [%lld]: %sMinibatch[1-%lld]: metric = %s * %lld;",
                    static_cast<long long>(test_summaries()), tag_prefix_.c_str(),
                    static_cast<long long>(minibatches), metric_text(test.metric / n).c_str(),
                    static_cast<long long>(test.samples)));
}

void ProgressPrinter::on_setting(std::string_view key, double value) {
  print_line(format("%s%.*s = %g", tag_prefix_.c_str(), static_cast<int>(key.size()), key.data(),
                    value));
}

void ProgressPrinter::write_value(std::string_view tag, double value, std::int64_t step) {
  if (!active()) return;
  print_line(format("%s%.*s = %g (step %lld)", tag_prefix_.c_str(), static_cast<int>(tag.size()),
                    tag.data(), value, static_cast<long long>(step)));
}

void ProgressPrinter::on_every_update(std::int64_t samples) {
  epoch_samples_ += samples;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_bar_ < std::chrono::milliseconds(200)) return;  // a few redraws a second
  last_bar_ = now;
  draw_progress_bar();
}

void ProgressPrinter::draw_progress_bar() {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
  const double rate = seconds > 0 ? static_cast<double>(epoch_samples_) / seconds : 0.0;
  std::string line = format("Epoch %lld/%lld ", static_cast<long long>(training_summaries() + 1),
                            static_cast<long long>(num_epochs_));
  if (epoch_size_ > 0) {
    const double done = std::min(1.0, static_cast<double>(epoch_samples_) / static_cast<double>(epoch_size_));
    const int width = 30;
    const int filled = static_cast<int>(done * width);
    line += "[" + std::string(filled, '=') + (filled < width ? ">" : "") +
            std::string(width - filled - (filled < width ? 1 : 0), ' ') + "] ";
    line += format("%3.0f%% ", done * 100.0);
    const double eta = rate > 0 ? static_cast<double>(epoch_size_ - epoch_samples_) / rate : 0.0;
    line += format("%.1f samples/s ETA %.0fs", rate, std::max(0.0, eta));
  } else {
    line += format("%lld samples %.1f samples/s", static_cast<long long>(epoch_samples_), rate);
  }
  emit("\r\033[K" + line);
  bar_drawn_ = true;
}

}  // namespace tblog
