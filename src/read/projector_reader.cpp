// Reading a run's projector config back, for `tblog inspect` and the tests: the projector
// lists the embeddings of projector_config.pbtxt, which lives beside the event files.
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/plugins.pb.h"

namespace tblog::detail {

std::vector<ProjectorEmbedding> projector_embeddings(const std::string& run_dir) {
  namespace fs = std::filesystem;
  const fs::path config_path = fs::path(run_dir) / std::string(kProjectorConfigFile);
  std::error_code ec;
  if (!fs::is_regular_file(config_path, ec)) return {};
  std::ifstream in(config_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw Error(ErrorCode::io, "cannot read '" + config_path.string() + "'");
  pb::ProjectorConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &config)) {
    throw Error(ErrorCode::corrupt, "'" + config_path.string() + "' is not a projector config");
  }
  std::vector<ProjectorEmbedding> out;
  for (const pb::EmbeddingInfo& e : config.embeddings()) {
    ProjectorEmbedding p;
    p.tensor_name = e.tensor_name();
    p.tensor_shape.assign(e.tensor_shape().begin(), e.tensor_shape().end());
    p.tensor_path = e.tensor_path();
    p.tensor_found = !p.tensor_path.empty() && fs::is_regular_file(fs::path(run_dir) / p.tensor_path, ec);
    p.has_metadata = !e.metadata_path().empty();
    p.has_sprite = e.has_sprite() && !e.sprite().image_path().empty();
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tblog::detail
