// tblog-data-server: the data server binary TensorBoard launches itself
// (TENSORBOARD_DATA_SERVER_BINARY=... tensorboard --logdir DIR --load_fast=true), with the
// flags TensorBoard passes it: --logdir=, --reload=, --samples-per-plugin=, --port=0,
// --port-file=, --die-after-stdin, --error-file=, --verbose.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "reload_option.hpp"
#include "tblog/data_server.hpp"

int main(int argc, char** argv) {
  tblog::DataServerOptions options;
  std::string reload = "5";
  std::string error_file;
  bool die_after_stdin = false;
  std::int64_t verbose = 0;

  CLI::App app{"Serve a logdir to TensorBoard over its gRPC data provider protocol (the data "
               "server TensorBoard launches with --load_fast=true)."};
  app.name("tblog-data-server");
  app.add_option("--logdir", options.logdir, "Folder of runs (searched recursively)")->required();
  app.add_option("--reload", reload, "Seconds between reloads, or 'once'")->capture_default_str();
  app.add_option("--samples-per-plugin", options.samples_per_plugin,
                 "Points kept per time series, e.g. scalars=1000,images=all");
  app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "Port to listen on; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--port-file", options.port_file,
                 "Once serving, write the port and a newline to this file");
  app.add_flag("--die-after-stdin", die_after_stdin, "Exit when stdin closes");
  app.add_option("--error-file", error_file, "Write the reason to this file if startup fails");
  app.add_flag("-v,--verbose", verbose, "Log each reload to stderr (repeatable)");
  // TensorBoard appends --extra_data_server_flags as they are: flags of other data servers
  // are named and ignored, not fatal.
  app.allow_extras();

  const auto fail = [&](const std::string& message) {
    std::cerr << "tblog-data-server: " << message << "\n";
    if (!error_file.empty()) std::ofstream(error_file, std::ios::trunc) << message << "\n";
    return 2;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // --error-file may come after the bad flag: look for it among the arguments.
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg.rfind("--error-file=", 0) == 0) error_file = arg.substr(13);
      if (arg == "--error-file" && i + 1 < argc) error_file = argv[i + 1];
    }
    return fail(std::string("bad arguments: ") + e.what());
  }
  for (const auto& extra : app.remaining()) {
    std::cerr << "tblog-data-server: ignoring unknown argument '" << extra << "'\n";
  }
  try {
    options.reload_seconds = tblog::data_server::parse_reload(reload);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  options.verbosity = static_cast<int>(verbose);
  return tblog::run_data_server(options, die_after_stdin, error_file);
}
