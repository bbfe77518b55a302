#pragma once
// ONNX models as tblog graphs (component tblog::onnx, built when ONNX is found).
#include <string>

#include "tblog/export.hpp"
#include "tblog/graph.hpp"

namespace tblog::onnx {

// Loads an ONNX model file and converts its graph:
//  - graph inputs become Placeholder nodes;
//  - initializers become Parameter nodes (floating-point tensors of more than one element:
//    trained weights) or Const nodes (the rest, with their value when it is small);
//  - each ONNX node becomes one node with its op type, attributes as attrs, and output shapes
//    and dtype from ONNX shape inference;
//  - the subgraphs of If, Loop and Scan become nested scopes under their node;
//  - '/'-separated names (as PyTorch's exporter writes them) become scopes.
// Throws tblog::Error naming the file and what failed for a file that is not ONNX.
TBLOG_API Graph load_graph(const std::string& path);

// The same, from a serialized ModelProto already in memory; `name` is used in errors.
TBLOG_API Graph graph_from_model(const std::string& bytes, const std::string& name = "model");

}  // namespace tblog::onnx
