#pragma once
// Threads that encode slow payloads (PNG, GIF) beside the writer thread, for
// WriterOptions::encoder_threads. The writer thread hands over a job and keeps the events'
// order itself: it appends each job's output when its turn comes.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kinds/payload.hpp"

namespace tblog::detail {

struct EncodeJob {
  Payload* payload = nullptr;  // owned by the writer thread, which waits for the job
  EncodeContext ctx;           // its string views point into tag and run_dir below
  std::string tag;
  std::string run_dir;
  std::string out;    // the encoded Summary.Value
  std::string error;  // what encode_value threw, when failed
  bool failed = false;
  bool done = false;  // guarded by the pool's mutex
};

class EncoderPool {
 public:
  explicit EncoderPool(std::size_t threads);
  ~EncoderPool();
  EncoderPool(const EncoderPool&) = delete;
  EncoderPool& operator=(const EncoderPool&) = delete;

  void submit(std::shared_ptr<EncodeJob> job);
  bool done(const EncodeJob& job);
  void wait(const EncodeJob& job);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::shared_ptr<EncodeJob>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tblog::detail
