// `tblog verify`: checks every record of every event file of a logdir.
#include <iostream>

#include "commands.hpp"
#include "read/event_scan.hpp"
#include "output.hpp"
#include "runs.hpp"
#include "tblog/reader.hpp"

namespace tblog::cli {
namespace {

struct FileReport {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;  // through the last sound record
  std::optional<ReadProblem> problem;
};

// Reads records until the end or the first problem: after a bad CRC the framing can no
// longer be trusted, so nothing after it is read (TensorBoard stops there too).
FileReport verify_file(const std::string& path) {
  FileReport report;
  RecordReader records(path);
  detail::ScannedEvent event;
  std::string_view data;
  std::uint64_t offset = 0;
  while (records.next(data, &offset)) {
    if (const char* error = detail::scan_event(data, event)) {
      ReadProblem p;
      p.kind = ReadProblem::Kind::corrupt;
      p.file = path;
      p.offset = offset;
      p.message = std::string("record does not decode as an Event: ") + error;
      report.problem = std::move(p);
      report.bytes = offset;
      return report;
    }
    ++report.records;
  }
  report.problem = records.problem();
  report.bytes = records.bytes_read();
  return report;
}

}  // namespace

int run_verify(const VerifyOptions& options) {
  std::vector<ReadProblem> folders_unreadable;
  const std::vector<Run> runs = select_runs(options.logdir, {}, folders_unreadable);
  Output out;
  std::uint64_t files = 0, records = 0, bytes = 0, corrupt = 0, truncated = 0;
  std::uint64_t unreadable = folders_unreadable.size();
  for (const ReadProblem& p : folders_unreadable) out << "unreadable: " << printable(p.to_string()) << "\n";
  for (const Run& run : runs) {
    for (const std::string& file : run.files) {
      FileReport report;
      ++files;
      try {
        report = verify_file(file);
      } catch (const Error& e) {
        // A file that cannot be opened or read is a finding, not a reason to stop; it is not
        // corrupt: its bytes were never seen.
        out << "unreadable: " << printable(unreadable_file(file, e).to_string()) << "\n";
        ++unreadable;
        continue;
      }
      records += report.records;
      bytes += report.bytes;
      if (!report.problem) {
        if (options.verbose) out << "ok: " << printable(file) << " (" << report.records << " records)\n";
      } else if (report.problem->kind == ReadProblem::Kind::truncated) {
        ++truncated;
        out << "note: " << printable(report.problem->to_string()) << " (file still being written?)\n";
      } else {
        ++corrupt;
        out << "corrupt: " << printable(report.problem->to_string()) << "\n";
      }
    }
  }
  if (files == 0) {
    out << "no event files under " << printable(options.logdir) << "\n";
    out.flush();
    return unreadable > 0 ? kExitUsage : kExitOk;
  }
  out << "verified " << files << (files == 1 ? " event file, " : " event files, ") << records
      << " records, " << bytes << " bytes: ";
  if (corrupt == 0 && truncated == 0 && unreadable == 0) {
    out << "all sound\n";
  } else {
    out << corrupt << " corrupt, " << truncated << " with a truncated last record";
    if (unreadable > 0) out << ", " << unreadable << " unreadable";
    out << "\n";
  }
  out.flush();
  return unreadable > 0 ? kExitUsage : corrupt > 0 ? kExitCorrupt : kExitOk;
}

}  // namespace tblog::cli
