// flush_writers_on_termination_signals: a self-pipe from the signal handler to a watcher thread,
// which flushes every writer and then lets the signal take its course.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "tblog/error.hpp"
#include "tblog/signals.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT};

int g_pipe[2] = {-1, -1};
struct sigaction g_previous[NSIG];
std::atomic<bool> g_flushing{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the handler needs a lock-free flag");

extern "C" void on_termination_signal(int sig) {
  if (g_flushing.exchange(true)) {
    // A second signal while the flush runs: do not wait for it.
    ::sigaction(sig, &g_previous[sig], nullptr);
    ::raise(sig);
    return;
  }
  const int saved_errno = errno;
  const auto byte = static_cast<unsigned char>(sig);
  ssize_t ignored = ::write(g_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved_errno;
}

bool install_handler(int sig) {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_termination_signal;
  ::sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  return ::sigaction(sig, &action, nullptr) == 0;
}

void watch() {
  for (;;) {
    unsigned char byte = 0;
    const ssize_t n = ::read(g_pipe[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1) return;
    const int sig = byte;
    SummaryWriter::flush_all();
    // What the signal would have done without us: by default, end the process.
    ::sigaction(sig, &g_previous[sig], nullptr);
    ::kill(::getpid(), sig);
    // Still here: the old disposition ignored or handled the signal. Watch for the next one.
    install_handler(sig);
    g_flushing.store(false);
  }
}

}  // namespace

void flush_writers_on_termination_signals() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) {
      throw Error(ErrorCode::io, std::string("cannot make the signal pipe: ") + std::strerror(errno));
    }
    std::thread(watch).detach();
    for (int sig : kSignals) {
      if (::sigaction(sig, nullptr, &g_previous[sig]) != 0) {
        throw Error(ErrorCode::io, std::string("cannot read the disposition of ") +
                                       ::strsignal(sig) + ": " + std::strerror(errno));
      }
      // A signal the process ignores (nohup's SIGINT, say) stays ignored.
      if (g_previous[sig].sa_handler == SIG_IGN) continue;
      if (!install_handler(sig)) {
        throw Error(ErrorCode::io, std::string("cannot install the flush handler for ") +
                                       ::strsignal(sig) + ": " + std::strerror(errno));
      }
    }
  });
}

}  // namespace tblog
