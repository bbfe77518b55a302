#include "write/encoder_pool.hpp"

#include <exception>

namespace tblog::detail {

EncoderPool::EncoderPool(std::size_t threads) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

EncoderPool::~EncoderPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void EncoderPool::submit(std::shared_ptr<EncodeJob> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

bool EncoderPool::done(const EncodeJob& job) {
  std::lock_guard<std::mutex> lock(mu_);
  return job.done;
}

void EncoderPool::wait(const EncodeJob& job) {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return job.done; });
}

void EncoderPool::run() {
  for (;;) {
    std::shared_ptr<EncodeJob> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every job handed over is done
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    // Whatever encoding throws (a bad value, no memory) loses this value only; the writer
    // thread reports it when the job's turn comes.
    try {
      job->payload->encode_value(job->ctx, job->out);
    } catch (const std::exception& e) {
      job->failed = true;
      try {
        job->error = e.what();
      } catch (...) {
      }
    } catch (...) {
      job->failed = true;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job->done = true;
    }
    done_cv_.notify_all();
  }
}

}  // namespace tblog::detail
