// SummaryWriter::add_graph: the graph is validated and copied on the caller's thread and
// serialized into Event.graph_def on the writer thread.
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

 private:
  Graph graph_;
};

}  // namespace

void SummaryWriter::add_graph(const Graph& graph) {
  impl_->check_open();
  if (graph.empty()) throw Error("graph has no nodes");
  graph.validate();
  impl_->enqueue_payload(nullptr, 0, std::make_unique<GraphPayload>(graph));
}

}  // namespace tblog
