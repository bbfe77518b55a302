// Meshes: one event with a value per component, tags <tag>_VERTEX, <tag>_FACE and
// <tag>_COLOR, each a tensor of shape [1, n, 3] under plugin "mesh" with MeshPluginData
// {name: tag, content_type, json_config, shape, components: bitmask of the components sent}.
// All three are DT_FLOAT, as PyTorch writes them and TensorBoard reads them back; face
// indices are exact in a float up to 2^24, so meshes are limited to 2^24 vertices.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "format/plugin_names.hpp"
#include "kinds/dashboard_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/event.pb.h"
#include "tblog/plugins.pb.h"
#include "tblog/summary.pb.h"

namespace tblog::detail {
namespace {

constexpr std::size_t kMaxMeshVertices = std::size_t{1} << 24;

class MeshPayload final : public Payload {
 public:
  MeshPayload(std::vector<float> vertices, std::vector<std::int32_t> faces,
              std::vector<std::uint8_t> colors, std::string config)
      : vertices_(std::move(vertices)), faces_(std::move(faces)), colors_(std::move(colors)),
        config_(std::move(config)) {}

  Output output() const override { return Output::event_fields; }

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    std::uint32_t components = 1u << pb::MeshPluginData::VERTEX;
    if (!faces_.empty()) components |= 1u << pb::MeshPluginData::FACE;
    if (!colors_.empty()) components |= 1u << pb::MeshPluginData::COLOR;

    pb::Event event;
    pb::Summary* summary = event.mutable_summary();
    add(ctx, summary, pb::MeshPluginData::VERTEX, "_VERTEX", vertices_, components);
    if (!faces_.empty()) add(ctx, summary, pb::MeshPluginData::FACE, "_FACE", faces_, components);
    if (!colors_.empty()) {
      add(ctx, summary, pb::MeshPluginData::COLOR, "_COLOR", colors_, components);
    }
    event.AppendToString(&out);  // only field 5 is set
  }

  std::size_t memory_bytes() const override {
    return sizeof(*this) + heap_bytes(vertices_) + heap_bytes(faces_) + heap_bytes(colors_) +
           heap_bytes(config_);
  }
 private:
  template <typename T>
  void add(const EncodeContext& ctx, pb::Summary* summary, pb::MeshPluginData::ContentType type,
           const char* suffix, const std::vector<T>& data, std::uint32_t components) {
    const auto n = static_cast<std::int64_t>(data.size() / 3);
    pb::Summary::Value* value = summary->add_value();
    value->set_tag(std::string(ctx.tag) + suffix);
    if (ctx.first_in_file) {
      pb::MeshPluginData meta;  // content version 0
      meta.set_name(std::string(ctx.tag));
      meta.set_content_type(type);
      meta.set_json_config(config_);
      meta.add_shape(1);
      meta.add_shape(n);
      meta.add_shape(3);
      meta.set_components(components);
      auto* plugin = value->mutable_metadata()->mutable_plugin_data();
      plugin->set_plugin_name(std::string(kMesh));
      plugin->set_content(meta.SerializeAsString());
    }
    auto* tensor = value->mutable_tensor();
    tensor->set_dtype(pb::DT_FLOAT);
    auto* shape = tensor->mutable_tensor_shape();
    shape->add_dim()->set_size(1);
    shape->add_dim()->set_size(n);
    shape->add_dim()->set_size(3);
    std::string* content = tensor->mutable_tensor_content();
    content->resize(data.size() * sizeof(float));
    auto* f = reinterpret_cast<float*>(content->data());
    for (std::size_t i = 0; i < data.size(); ++i) f[i] = static_cast<float>(data[i]);
  }

  std::vector<float> vertices_;
  std::vector<std::int32_t> faces_;
  std::vector<std::uint8_t> colors_;
  std::string config_;
};

// A recursive-descent check of RFC 8259's grammar.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool document() {
    space();
    if (!value(0)) return false;
    space();
    return i_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 256;
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  bool digits() {
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }
  bool number() {
    eat('-');
    if (eat('0')) {
      // no leading zeros
    } else if (!digits()) {
      return false;
    }
    if (eat('.') && !digits()) return false;
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    return true;
  }
  bool string() {
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k, ++i_) {
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool value(int depth) {
    if (depth > kMaxDepth || i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      space();
      if (eat(close)) return true;
      for (;;) {
        if (c == '{') {
          if (!string()) return false;
          space();
          if (!eat(':')) return false;
          space();
        }
        if (!value(depth + 1)) return false;
        space();
        if (eat(close)) return true;
        if (!eat(',')) return false;
        space();
      }
    }
    if (c == '"') return string();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return number();
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

bool is_valid_json(std::string_view json) { return JsonChecker(json).document(); }

std::unique_ptr<Payload> make_mesh_payload(const std::vector<float>& vertices,
                                           const std::vector<std::int32_t>& faces,
                                           const std::vector<std::uint8_t>& colors,
                                           std::string_view config_json) {
  if (vertices.empty()) throw Error("add_mesh: vertices is empty");
  if (vertices.size() % 3 != 0) {
    throw Error("add_mesh: vertices has " + std::to_string(vertices.size()) +
                " floats, not a multiple of 3 (x, y, z per vertex)");
  }
  const std::size_t n = vertices.size() / 3;
  if (n > kMaxMeshVertices) {
    throw Error("add_mesh: vertices has " + std::to_string(n) + " vertices; at most " +
                std::to_string(kMaxMeshVertices) + " are supported");
  }
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    if (!std::isfinite(vertices[i])) {
      throw Error("add_mesh: vertices[" + std::to_string(i) + "] is not finite");
    }
  }
  if (faces.size() % 3 != 0) {
    throw Error("add_mesh: faces has " + std::to_string(faces.size()) +
                " indices, not a multiple of 3 (three vertices per face)");
  }
  for (std::size_t i = 0; i < faces.size(); ++i) {
    if (faces[i] < 0 || static_cast<std::size_t>(faces[i]) >= n) {
      throw Error("add_mesh: faces[" + std::to_string(i) + "] = " + std::to_string(faces[i]) +
                  " is not a vertex index (there are " + std::to_string(n) + " vertices)");
    }
  }
  if (!colors.empty() && colors.size() != vertices.size()) {
    throw Error("add_mesh: colors has " + std::to_string(colors.size()) + " entries but " +
                std::to_string(n) + " vertices need " + std::to_string(vertices.size()) +
                " (RGB per vertex), or none");
  }
  std::string config = config_json.empty() ? std::string("{}") : std::string(config_json);
  if (!is_valid_json(config)) {
    throw Error("add_mesh: config_json is not valid JSON: '" + config.substr(0, 80) + "'");
  }
  // TensorBoard's mesh plugin reads it as the scene's settings object (camera, lights, ...).
  if (config[config.find_first_not_of(" \t\r\n")] != '{') {
    throw Error("add_mesh: config_json is valid JSON but not an object: '" +
                config.substr(0, 80) + "'");
  }
  return std::make_unique<MeshPayload>(vertices, faces, colors, std::move(config));
}

}  // namespace tblog::detail
