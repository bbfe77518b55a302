// `tblog`: inspect, export and verify TensorBoard logdirs.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"
#include "tblog/error.hpp"
#ifdef TBLOG_WITH_SERVER
#include "reload_option.hpp"
#include "tblog/data_server.hpp"
#endif

namespace {

constexpr const char* kExitCodes =
    "Exit status: 0 when all is sound, 1 when an event file is corrupt (whatever could be "
    "read is still used), 2 on bad arguments, a missing logdir, a --run that names no run, or "
    "a file or folder that cannot be read (permission denied).";

}  // namespace

int main(int argc, char** argv) {
  using namespace tblog::cli;
  CLI::App app{"Inspect, export and verify TensorBoard logdirs (folders of event files)."};
  app.name("tblog");
  // At most one; none is reported after parsing, so that an unknown word is named as such.
  app.require_subcommand(0, 1);
  app.footer(kExitCodes);

  InspectOptions inspect;
  CLI::App* inspect_cmd = app.add_subcommand(
      "inspect",
      "Per run: tags grouped by TensorBoard dashboard, event counts, step ranges, and "
      "first/last/min/max of each scalar.");
  inspect_cmd->add_option("logdir", inspect.logdir, "Folder of runs (searched recursively)")
      ->required();
  inspect_cmd->add_option("--run", inspect.runs, "Only this run (repeatable); a run is named by "
                                                 "its folder relative to LOGDIR, '.' for LOGDIR itself");
  inspect_cmd->footer(kExitCodes);

  ExportOptions exporting;
  CLI::App* export_cmd = app.add_subcommand(
      "export",
      "Every scalar as run, tag, step, wall_time, value. Numbers print in their shortest "
      "form that reads back exactly; non-finite values print as nan/inf in CSV and as the "
      "strings \"NaN\", \"Infinity\", \"-Infinity\" in JSON.");
  export_cmd->add_option("logdir", exporting.logdir, "Folder of runs (searched recursively)")
      ->required();
  export_cmd->add_option("--run", exporting.runs, "Only this run (repeatable)");
  export_cmd->add_option("--tag", exporting.tags, "Only this tag (repeatable)");
  std::string format = "csv";
  export_cmd->add_option("--format", format, "csv (header run,tag,step,wall_time,value) or "
                                             "json (an array of objects)")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  export_cmd->footer(kExitCodes);

  VerifyOptions verify;
  CLI::App* verify_cmd = app.add_subcommand(
      "verify",
      "Check both CRCs of every record of every event file, and that each record decodes as "
      "an Event. Prints file:offset and the problem for each bad file.");
  verify_cmd->add_option("logdir", verify.logdir, "Folder of runs (searched recursively)")
      ->required();
  verify_cmd->add_flag("-v,--verbose", verify.verbose, "Also print a line for each sound file");
  verify_cmd->footer(
      "Exit status: 0 when every file is sound, 1 when a file is corrupt (bad length CRC, bad "
      "data CRC, or a record that is not an Event), 2 on bad arguments, a missing logdir, or a "
      "file or folder that cannot be read (permission denied). A "
      "file that ends inside its last record is reported with the note \"truncated last "
      "record (file still being written?)\" and does not by itself make the exit status "
      "non-zero: TensorBoard reads such a file up to that record and retries later.");

#ifdef TBLOG_WITH_ONNX
  GraphOptions graph;
  CLI::App* graph_cmd = app.add_subcommand(
      "graph", "Write the graph of an ONNX model into a logdir, for TensorBoard's Graphs tab.");
  graph_cmd->add_option("model", graph.model, "An .onnx file")->required();
  graph_cmd->add_option("--logdir", graph.logdir, "Folder to write the event file into")->required();
  graph_cmd->add_option("--run", graph.run, "Run folder under the logdir (default: the logdir)");
  graph_cmd->footer("Exit status: 0 when written, 2 when the model cannot be read (nothing is "
                    "written then) or on bad arguments.");
#endif

#ifdef TBLOG_WITH_SERVER
  tblog::DataServerOptions serve;
  std::string serve_reload = "5";
  CLI::App* serve_cmd = app.add_subcommand(
      "serve",
      "Serve a logdir to TensorBoard over its gRPC data provider protocol, until stopped "
      "(Ctrl-C): tensorboard --grpc_data_provider=localhost:PORT shows it.");
  serve_cmd->add_option("logdir", serve.logdir, "Folder of runs (searched recursively)")
      ->required();
  serve_cmd->add_option("--host", serve.host, "Address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", serve.port, "Port to listen on; 0 picks a free one")
      ->capture_default_str();
  serve_cmd->add_option("--reload", serve_reload,
                        "Seconds between reloads (files read on, new runs picked up), or 'once'")
      ->capture_default_str();
  serve_cmd->add_option("--samples-per-plugin", serve.samples_per_plugin,
                        "Points kept per time series, e.g. scalars=1000,images=all (default: "
                        "1000 for scalars, 100 for tensors, 10 for blob sequences)");
  serve_cmd->add_flag("-v,--verbose", serve.verbosity, "Log each reload to stderr");
  serve_cmd->footer("Exit status: 0 when stopped by SIGINT or SIGTERM, 2 on bad arguments or "
                    "when the address cannot be bound. A logdir that does not exist yet is "
                    "served empty until it appears.");
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (*inspect_cmd) return run_inspect(inspect);
    if (*export_cmd) {
      exporting.format = format == "json" ? ExportFormat::json : ExportFormat::csv;
      return run_export(exporting);
    }
    if (*verify_cmd) return run_verify(verify);
#ifdef TBLOG_WITH_SERVER
    if (*serve_cmd) {
      serve.reload_seconds = tblog::data_server::parse_reload(serve_reload);
      return tblog::run_data_server(serve, false, "");
    }
#endif
#ifdef TBLOG_WITH_ONNX
    if (*graph_cmd) return run_graph(graph);
#endif
    std::cerr << "tblog: a subcommand is required: inspect, export, verify, graph or serve\n"
              << "Run with --help for more information.\n";
    return kExitUsage;
  } catch (const tblog::Error& e) {
    std::cerr << "tblog: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "tblog: error: " << e.what() << "\n";
    return kExitUsage;
  }
}
