// SummaryWriter::add_graph: the graph is validated and copied on the caller's thread and
// serialized into Event.graph_def on the writer thread.
#include "kinds/core_kinds.hpp"
#include "kinds/payload.hpp"
#include "write/summary_writer_impl.hpp"
#include "tblog/graph.hpp"
#include "format/wire_writer.hpp"

namespace tblog {
namespace {

class GraphPayload : public detail::Payload {
 public:
  explicit GraphPayload(Graph graph) : graph_(std::move(graph)) {}
  Output output() const override { return Output::event_fields; }
  void encode_value(const detail::EncodeContext&, std::string& out) override {
    detail::wire::append_bytes(out, 4, graph_.to_graph_def());  // Event.graph_def
  }

  std::size_t memory_bytes() const override {
    // A node's name, op, inputs and attributes: a few hundred bytes is typical.
    return sizeof(*this) + graph_.nodes().size() * (sizeof(GraphNode) + 256);
  }
 private:
  Graph graph_;
};

}  // namespace

void SummaryWriter::add_graph(const Graph& graph) { add_graph(graph, GraphOptions{}); }

void SummaryWriter::add_graph(const Graph& graph, const GraphOptions& options) {
  impl().check_open();
  if (graph.empty()) throw Error("graph has no nodes");
  std::string first_dangling;
  const std::size_t dangling = detail::check_graph(graph, !options.strict, &first_dangling);
  impl_->enqueue_payload(nullptr, 0, std::make_unique<GraphPayload>(graph));
  if (dangling > 0) {
    impl_->warn_("graph: " + std::to_string(dangling) + " input(s) name no node (first: " +
                 first_dangling +
                 "); written as they are, TensorBoard draws them (GraphOptions::strict rejects "
                 "them)");
  }
}

}  // namespace tblog
