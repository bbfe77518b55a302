// A child process for the reliability tests: a writer that can be killed or run beside
// others. Modes:
//   test_child kill LOGDIR          scalars (and an image every 50 steps) until killed;
//                                   prints "ready" once its writer exists, then "flushed N"
//                                   after each flush() covering steps < N
//   test_child write LOGDIR TAG N   N scalars under TAG, then exits
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tblog/summary_writer.hpp"

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string mode = argv[1];
  tblog::WriterOptions options;
  options.flush_secs = 1;
  tblog::SummaryWriter writer(argv[2], options);
  if (mode == "write" && argc == 5) {
    const long n = std::atol(argv[4]);
    for (long i = 0; i < n; ++i) writer.add_scalar(argv[3], static_cast<double>(i), i);
    writer.close();
    return 0;
  }
  if (mode != "kill") return 2;
  std::printf("ready\n");  // the writer and its file exist
  std::fflush(stdout);
  std::vector<std::uint8_t> pixels(32 * 32 * 3);
  for (std::int64_t step = 0;; ++step) {
    writer.add_scalar("x", static_cast<double>(step), step);
    if (step % 50 == 0) {
      for (auto& p : pixels) p = static_cast<std::uint8_t>(p + step);
      writer.add_image("img", tblog::ImageView(pixels, tblog::ImageLayout::HWC, 32, 32, 3), step);
    }
    if (step % 200 == 199) {
      writer.flush();
      std::printf("flushed %lld\n", static_cast<long long>(step + 1));
      std::fflush(stdout);
    }
    if (step % 20 == 0) ::usleep(100);  // a training loop, not a tight spin
  }
}
