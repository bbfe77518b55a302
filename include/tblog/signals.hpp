#pragma once
// Opt-in: flush every open SummaryWriter when the process gets SIGTERM or SIGINT, then let
// the signal do what it would have done (by default, end the process).
//
// Without it, a SIGTERM (a scheduler ending the job) or a Ctrl-C loses what was added since the
// last flush, up to flush_secs' worth, because the writer thread dies with the process.
//
// Safe in a signal handler: the handler itself only write(2)s the signal number to a pipe
// (async-signal-safe) and returns; a watcher thread reads it, calls SummaryWriter::flush_all(),
// puts back the disposition the signal had before, and sends the signal again. A second signal
// while the flush runs (a second Ctrl-C) puts the old disposition back and re-raises at once
// from the handler (sigaction and raise are async-signal-safe too), so a stalled disk cannot
// keep the process from ending.
#include "tblog/export.hpp"

namespace tblog {

// Installs the handlers (once; later calls do nothing). Throws tblog::Error (ErrorCode::io)
// if the pipe, the thread or the handlers cannot be set up.
TBLOG_API void flush_writers_on_termination_signals();

}  // namespace tblog
