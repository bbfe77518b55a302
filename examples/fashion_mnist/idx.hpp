#pragma once
// Fashion-MNIST from its gzipped IDX files (train-images-idx3-ubyte.gz, ...), as Debian's
// dataset-fashion-mnist installs them under /usr/share/datasets/fashion-mnist.
#include <cstdint>
#include <string>
#include <vector>

namespace fashion_mnist {

constexpr const char* kDefaultDataDir = "/usr/share/datasets/fashion-mnist";

// An IDX file of unsigned bytes: its dimensions and its data, row-major.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
};

// Reads a gzipped (or plain) IDX file of unsigned bytes, at most max_items along the first
// dimension (0: all). Throws tblog::Error naming the path and what is wrong with it.
IdxArray read_idx(const std::string& path, std::int64_t max_items = 0);

struct DataSet {
  std::int64_t count = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> images;  // count x rows x cols, 0 (background) .. 255
  std::vector<std::uint8_t> labels;  // count, 0 .. 9
};

// The training (60,000) or test (10,000) set, its first max_samples only if non-zero.
// A missing file is an error naming the Debian package that installs the data set.
DataSet load(const std::string& dir, bool train, std::int64_t max_samples = 0);

}  // namespace fashion_mnist
