// `tblog graph MODEL.onnx --logdir DIR [--run NAME]`: an ONNX model's graph into a logdir.
#include <iostream>

#include "commands.hpp"
#include "tblog/onnx.hpp"
#include "tblog/summary_writer.hpp"

namespace tblog::cli {

int run_graph(const GraphOptions& options) {
  // Load first: a model that fails to load leaves the logdir untouched.
  const Graph graph = onnx::load_graph(options.model);
  const std::string run_dir = options.run.empty() ? options.logdir : options.logdir + "/" + options.run;
  SummaryWriter writer(run_dir);
  writer.add_graph(graph);
  writer.close();
  std::cout << "wrote the graph of " << options.model << " (" << graph.size() << " nodes) to "
            << writer.file_path() << "\n";
  return kExitOk;
}

}  // namespace tblog::cli
