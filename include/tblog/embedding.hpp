#pragma once
// Arguments of SummaryWriter::add_embedding (the Projector).
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace tblog {

// A row-major rows x cols matrix of floats (add_embedding). Not owned; copied by the call.
struct MatrixView {
  const float* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;

  MatrixView() = default;
  MatrixView(const float* d, std::size_t r, std::size_t c) : data(d), rows(r), cols(c) {}
  MatrixView(const std::vector<float>& v, std::size_t r, std::size_t c)
      : data(v.data()), rows(r), cols(c) {}
  MatrixView(const std::vector<float>&&, std::size_t, std::size_t) = delete;  // would dangle
};

// Labels of an embedding's points, one value per row of the matrix in each column.
struct EmbeddingMetadata {
  std::vector<std::string> column_names;         // one name per column; unused for one column
  std::vector<std::vector<std::string>> columns;

  EmbeddingMetadata() = default;
  // One column of labels: written without a header row, as TensorBoard expects.
  EmbeddingMetadata(std::vector<std::string> labels) { columns.push_back(std::move(labels)); }
};

struct EmbeddingOptions {
  // The tensor file: binary float32 with its shape in the config loads fast in TensorBoard's
  // projector; TSV is the text form PyTorch writes.
  bool tensor_as_tsv = false;
};

}  // namespace tblog
