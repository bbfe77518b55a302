// Embeddings for TensorBoard's projector. No event: files in the run folder.
// - `<step, 5 digits>/<tag>/tensors.bin`: the matrix as little-endian float32, its shape in
//   the config's tensor_shape. The projector reads it with one numpy call, where a TSV of
//   the same matrix is parsed line by line in Python. It tries TSV first and falls back to
//   binary only when the file is not UTF-8 text, so a matrix whose bytes happen to read as
//   UTF-8 text up to the first line break (say, all zeros) is written as TSV instead.
// - `.../tensors.tsv` when asked for (EmbeddingOptions::tensor_as_tsv): PyTorch's form.
// - `.../metadata.tsv`: one label a line for one column; a header row first for several.
// - `.../sprite.png`: the label images on a square grid (ceil(sqrt(n)) a row), row-major.
// - `projector_config.pbtxt`: one EmbeddingInfo per (tag, step), named "<tag>:<step>" as
//   PyTorch names it. The config on disk is read, updated and rewritten through a
//   temporary file and a rename, so TensorBoard never reads half a config and embeddings of
//   earlier calls (and earlier writers of the run) accumulate.
#include <google/protobuf/text_format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "kinds/image_grid.hpp"
#include "kinds/png_encoder.hpp"
#include "tblog/error.hpp"
#include "tblog/file_system.hpp"
#include "tblog/plugins.pb.h"
#include "format/utf8.hpp"

namespace tblog::detail {
namespace {

// The projector draws the sprite as one WebGL texture; 8192 pixels a side is the limit it
// documents.
constexpr std::int64_t kMaxSpriteSide = 8192;
// TensorBoard reads text in chunks of this many characters before parsing any line.
constexpr std::size_t kTextReadChunk = std::size_t{16} << 20;

// Writes `data` to `path` through `path.tmp` and a rename, so readers see the old file or
// the new one, never half of it. On failure `path` is untouched and the temp file removed.
Status write_atomically(FileSystem& fs, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  std::unique_ptr<WritableFile> file;
  Status st = fs.open_overwrite(tmp, &file);
  if (!st.ok()) return st;
  st = file->append(data);
  const Status closed = file->close();
  if (st.ok()) st = closed;
  if (st.ok()) st = fs.rename(tmp, path);
  if (!st.ok()) fs.remove(tmp);
  return st;
}

// Whether TensorBoard's TSV reader gives up on these bytes with a decoding error (and so
// reads them as binary) before it parses a line: its first non-empty line must not be
// UTF-8, and must start within the first chunk it decodes.
bool reads_as_binary(const std::string& bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t begin = 0;
  while (begin < bytes.size() && begin < kTextReadChunk) {
    const void* nl = std::memchr(s + begin, '\n', bytes.size() - begin);
    const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const unsigned char*>(nl) - s)
                               : bytes.size();
    if (end > begin) {
      const std::string_view line(bytes.data() + begin, std::min(end, kTextReadChunk) - begin);
      return first_invalid_utf8(line) != line.size();
    }
    begin = end + 1;
  }
  return false;
}

std::string tsv_of(const std::vector<float>& m, std::size_t cols) {
  std::string out;
  out.reserve(m.size() * 12);
  char buf[32];
  for (std::size_t i = 0; i < m.size(); ++i) {
    const auto r = std::to_chars(buf, buf + sizeof buf, m[i]);
    out.append(buf, r.ptr);
    out.push_back((i + 1) % cols == 0 ? '\n' : '\t');
  }
  return out;
}

std::string step_folder(std::int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05lld", static_cast<long long>(step));
  return buf;
}

class EmbeddingPayload final : public Payload {
 public:
  EmbeddingPayload(std::vector<float> matrix, std::size_t rows, std::size_t cols,
                   std::string metadata_tsv, Pixels sprite, std::int64_t sprite_columns,
                   std::string tag, std::int64_t step, EmbeddingOptions options)
      : matrix_(std::move(matrix)), rows_(rows), cols_(cols),
        metadata_tsv_(std::move(metadata_tsv)), sprite_(std::move(sprite)),
        sprite_columns_(sprite_columns), tag_(std::move(tag)), step_(step),
        options_(options) {}

  Output output() const override { return Output::none; }

  // Payload's contract: a failure throws tblog::Error (and loses only this embedding).
  void encode_value(const EncodeContext& ctx, std::string&) override {
    write_files(ctx.file_system ? *ctx.file_system : *FileSystem::posix(), ctx)
        .throw_if_error();
  }

  std::size_t memory_bytes() const override {
    return sizeof(*this) + heap_bytes(matrix_) + heap_bytes(metadata_tsv_) +
           heap_bytes(sprite_.data) + heap_bytes(tag_);
  }
 private:
  Status write_files(FileSystem& fs, const EncodeContext& ctx) const {
    const std::string run_dir(ctx.run_dir);
    const std::string config_path = run_dir + "/" + std::string(kProjectorConfigFile);

    pb::ProjectorConfig config;
    FileInfo existing;
    Status st = fs.stat(config_path, &existing);
    if (!st.ok()) return st;
    if (existing.exists) {
      std::string text;
      st = fs.read_file(config_path, &text);
      if (!st.ok()) return st;
      if (!google::protobuf::TextFormat::ParseFromString(text, &config)) {
        return Status::error(ErrorCode::corrupt, 0,
                             "'" + config_path + "' is not a projector config; embedding '" +
                                 tag_ + "' left out");
      }
    }

    const std::string folder = step_folder(step_) + "/" + tag_;
    st = fs.make_directories(run_dir + "/" + folder);
    if (!st.ok()) return st;

    pb::EmbeddingInfo info;
    info.set_tensor_name(tag_ + ":" + step_folder(step_));
    info.add_tensor_shape(static_cast<std::uint32_t>(rows_));
    info.add_tensor_shape(static_cast<std::uint32_t>(cols_));
    std::string tensor_file;
    std::string binary;
    if (!options_.tensor_as_tsv) {
      binary.assign(reinterpret_cast<const char*>(matrix_.data()), matrix_.size() * sizeof(float));
    }
    if (!options_.tensor_as_tsv && reads_as_binary(binary)) {
      tensor_file = folder + "/tensors.bin";
      st = write_atomically(fs, run_dir + "/" + tensor_file, binary);
    } else {
      tensor_file = folder + "/tensors.tsv";
      st = write_atomically(fs, run_dir + "/" + tensor_file, tsv_of(matrix_, cols_));
    }
    if (!st.ok()) return st;
    info.set_tensor_path(tensor_file);
    if (!metadata_tsv_.empty()) {
      const std::string path = folder + "/metadata.tsv";
      st = write_atomically(fs, run_dir + "/" + path, metadata_tsv_);
      if (!st.ok()) return st;
      info.set_metadata_path(path);
    }
    if (!sprite_.data.empty()) {
      const std::string path = folder + "/sprite.png";
      const std::int64_t side = sprite_columns_;
      const std::string png =
          encode_png(sprite_.data.data(), static_cast<int>(sprite_.height * side),
                     static_cast<int>(sprite_.width * side), static_cast<int>(sprite_.channels),
                     ctx.png_compression_level);
      st = write_atomically(fs, run_dir + "/" + path, png);
      if (!st.ok()) return st;
      info.mutable_sprite()->set_image_path(path);
      info.mutable_sprite()->add_single_image_dim(static_cast<std::uint32_t>(sprite_.width));
      info.mutable_sprite()->add_single_image_dim(static_cast<std::uint32_t>(sprite_.height));
    }

    bool replaced = false;
    for (auto& e : *config.mutable_embeddings()) {
      if (e.tensor_name() == info.tensor_name()) {
        e = info;
        replaced = true;
      }
    }
    if (!replaced) *config.add_embeddings() = info;
    std::string text;
    google::protobuf::TextFormat::PrintToString(config, &text);
    return write_atomically(fs, config_path, text);
  }

  std::vector<float> matrix_;
  std::size_t rows_;
  std::size_t cols_;
  std::string metadata_tsv_;
  Pixels sprite_;  // the whole sprite grid as one image (count 1)
  std::int64_t sprite_columns_;
  std::string tag_;
  std::int64_t step_;
  EmbeddingOptions options_;
};

void check_label(const std::string& label, const std::string& what) {
  if (label.find_first_of("\t\n\r") != std::string::npos) {
    throw Error("add_embedding: " + what + " '" + label +
                "' holds a tab or line break, which would break the metadata TSV");
  }
}

std::string metadata_tsv(const EmbeddingMetadata& m, std::size_t rows) {
  if (m.columns.empty()) {
    if (!m.column_names.empty()) {
      throw Error("add_embedding: metadata.column_names is given but metadata.columns is empty");
    }
    return {};
  }
  for (std::size_t c = 0; c < m.columns.size(); ++c) {
    if (m.columns[c].size() != rows) {
      throw Error("add_embedding: metadata.columns[" + std::to_string(c) + "] has " +
                  std::to_string(m.columns[c].size()) + " labels but the matrix has " +
                  std::to_string(rows) + " rows; give one label per row");
    }
  }
  const bool header = m.columns.size() > 1;
  if (header && m.column_names.size() != m.columns.size()) {
    throw Error("add_embedding: metadata has " + std::to_string(m.columns.size()) +
                " columns but " + std::to_string(m.column_names.size()) +
                " column_names; several columns need one name each (the header row)");
  }
  if (!header && m.column_names.size() > 1) {
    throw Error("add_embedding: metadata has one column but " +
                std::to_string(m.column_names.size()) + " column_names");
  }
  std::string out;
  if (header) {
    for (std::size_t c = 0; c < m.column_names.size(); ++c) {
      check_label(m.column_names[c], "metadata.column_names[" + std::to_string(c) + "]");
      if (c) out.push_back('\t');
      out.append(m.column_names[c]);
    }
    out.push_back('\n');
  }
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < m.columns.size(); ++c) {
      const std::string& label = m.columns[c][r];
      if (label.find_first_of("\t\n\r") != std::string::npos) {
        check_label(label, "metadata.columns[" + std::to_string(c) + "][" + std::to_string(r) + "]");
      }
      if (c) out.push_back('\t');
      out.append(label);
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

std::unique_ptr<Payload> make_embedding_payload(const MatrixView& matrix,
                                                const EmbeddingMetadata& metadata,
                                                const ImageBatchView& label_images,
                                                std::string_view tag, std::int64_t step,
                                                const EmbeddingOptions& options) {
  if (matrix.rows == 0 || matrix.cols == 0) {
    throw Error("add_embedding: matrix is empty (" + std::to_string(matrix.rows) + " x " +
                std::to_string(matrix.cols) + "); it needs at least one row and one column");
  }
  if (matrix.data == nullptr) throw Error("add_embedding: matrix.data is null");
  if (matrix.rows > 0xFFFFFFFFu || matrix.cols > 0xFFFFFFFFu ||
      matrix.rows > (std::size_t{1} << 40) / matrix.cols) {
    throw Error("add_embedding: matrix " + std::to_string(matrix.rows) + " x " +
                std::to_string(matrix.cols) + " is too large");
  }
  // Path components of the tag become folders inside the run.
  std::size_t start = 0;
  const std::string tag_str(tag);
  for (;;) {
    const std::size_t slash = tag_str.find('/', start);
    const std::string part = tag_str.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      throw Error("add_embedding: tag '" + tag_str +
                  "' has an empty, '.' or '..' path component; it names a folder in the run");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }

  const std::size_t count = matrix.rows * matrix.cols;
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(matrix.data[i])) {
      throw Error("add_embedding: matrix element [" + std::to_string(i / matrix.cols) + ", " +
                  std::to_string(i % matrix.cols) + "] is not finite");
    }
  }
  std::string tsv = metadata_tsv(metadata, matrix.rows);

  Pixels sprite;
  std::int64_t columns = 0;
  if (label_images.data != nullptr || label_images.count != 0 || label_images.size != 0) {
    Pixels images = batch_pixels(label_images, "add_embedding: label_images");
    if (static_cast<std::size_t>(images.count) != matrix.rows) {
      throw Error("add_embedding: label_images has " + std::to_string(images.count) +
                  " images but the matrix has " + std::to_string(matrix.rows) +
                  " rows; give one image per row");
    }
    const GridLayout grid = GridLayout::square(images.count);
    columns = grid.columns;
    if (images.height * columns > kMaxSpriteSide || images.width * columns > kMaxSpriteSide) {
      throw Error("add_embedding: label_images would make a sprite of " +
                  std::to_string(images.width * columns) + " x " +
                  std::to_string(images.height * columns) + " pixels; the projector takes at most " +
                  std::to_string(kMaxSpriteSide) + " a side (use smaller images)");
    }
    // Lay the images out on the grid now; the writer thread only encodes the PNG.
    const auto h = static_cast<std::size_t>(images.height);
    const auto w = static_cast<std::size_t>(images.width);
    const auto c = static_cast<std::size_t>(images.channels);
    sprite.count = 1;
    sprite.height = images.height;
    sprite.width = images.width;
    sprite.channels = images.channels;
    sprite.data.assign(h * static_cast<std::size_t>(grid.rows) * w *
                           static_cast<std::size_t>(grid.columns) * c,
                       0);
    for (std::int64_t k = 0; k < images.count; ++k) {
      copy_image_hwc(&images.data[static_cast<std::size_t>(k) * h * w * c], h, w, c,
                     /*channels_first=*/false, &sprite.data[grid.pixel_offset(k, 0, h, w) * c],
                     w * static_cast<std::size_t>(grid.columns));
    }
  }

  std::vector<float> copy(matrix.data, matrix.data + count);
  return std::make_unique<EmbeddingPayload>(std::move(copy), matrix.rows, matrix.cols,
                                            std::move(tsv), std::move(sprite), columns, tag_str,
                                            step, options);
}

}  // namespace tblog::detail
