// Gzipped IDX reading with zlib (gzread reads plain files as well).
#include "idx.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "tblog/error.hpp"

namespace fashion_mnist {
namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

void read_exactly(gzFile f, const std::string& path, void* out, std::size_t bytes, const char* what) {
  auto* p = static_cast<unsigned char*>(out);
  while (bytes > 0) {
    const unsigned chunk = bytes > (1u << 30) ? (1u << 30) : static_cast<unsigned>(bytes);
    const int got = gzread(f, p, chunk);
    if (got <= 0) {
      int code = 0;
      const char* message = gzerror(f, &code);
      throw tblog::Error("IDX file '" + path + "': cannot read its " + what + ": " +
                         (got == 0 ? std::string("the file ends early") : std::string(message)));
    }
    p += got;
    bytes -= static_cast<std::size_t>(got);
  }
}

}  // namespace

IdxArray read_idx(const std::string& path, std::int64_t max_items) {
  if (max_items < 0) throw tblog::Error("read_idx: max_items is negative: " + std::to_string(max_items));
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw tblog::Error("cannot open IDX file '" + path + "': " + std::strerror(errno));
  unsigned char magic[4];
  read_exactly(file.get(), path, magic, 4, "header");
  // Two zero bytes, the element type (0x08: unsigned byte), the number of dimensions.
  if (magic[0] != 0 || magic[1] != 0) throw tblog::Error("'" + path + "' is not an IDX file (bad magic number)");
  if (magic[2] != 0x08) {
    throw tblog::Error("IDX file '" + path + "' holds element type " + std::to_string(magic[2]) +
                       "; only unsigned bytes (8) are supported");
  }
  if (magic[3] == 0) throw tblog::Error("IDX file '" + path + "' has no dimensions");
  IdxArray out;
  std::int64_t total = 1;
  for (int i = 0; i < magic[3]; ++i) {
    unsigned char be[4];
    read_exactly(file.get(), path, be, 4, "dimensions");
    const std::int64_t dim = (std::int64_t{be[0]} << 24) | (be[1] << 16) | (be[2] << 8) | be[3];
    if (i == 0 && max_items > 0 && dim > max_items) {
      out.dims.push_back(max_items);
    } else {
      out.dims.push_back(dim);
    }
    total *= out.dims.back();
  }
  out.data.resize(static_cast<std::size_t>(total));
  read_exactly(file.get(), path, out.data.data(), out.data.size(), "data");
  return out;
}

DataSet load(const std::string& dir, bool train, std::int64_t max_samples) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = dir + "/" + prefix + "-images-idx3-ubyte.gz";
  const std::string labels_path = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  for (const auto& path : {images_path, labels_path}) {
    if (!std::filesystem::exists(path)) {
      throw tblog::Error("Fashion-MNIST file '" + path +
                         "' is missing: install the Debian package dataset-fashion-mnist "
                         "(apt-get install dataset-fashion-mnist), or set dataDir to a folder "
                         "holding the gzipped IDX files");
    }
  }
  IdxArray images = read_idx(images_path, max_samples);
  IdxArray labels = read_idx(labels_path, max_samples);
  if (images.dims.size() != 3) throw tblog::Error("'" + images_path + "' is not a 3-D array of images");
  if (labels.dims.size() != 1) throw tblog::Error("'" + labels_path + "' is not a 1-D array of labels");
  if (images.dims[0] != labels.dims[0]) {
    throw tblog::Error("'" + images_path + "' holds " + std::to_string(images.dims[0]) + " images but '" +
                       labels_path + "' " + std::to_string(labels.dims[0]) + " labels");
  }
  for (const std::uint8_t label : labels.data) {
    if (label > 9) throw tblog::Error("'" + labels_path + "' holds label " + std::to_string(label) + ", not 0..9");
  }
  DataSet set;
  set.count = images.dims[0];
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  set.images = std::move(images.data);
  set.labels = std::move(labels.data);
  return set;
}

}  // namespace fashion_mnist
