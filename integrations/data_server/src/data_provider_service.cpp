#include "data_provider_service.hpp"

#include <algorithm>
#include <set>
#include <type_traits>
#include <unordered_set>

#include "blob_key.hpp"
#include "read/downsample.hpp"

namespace tblog::data_server {

namespace td = tensorboard::data;
using detail::DataClass;
using detail::RunLoader;
using detail::TimeSeries;

namespace {

// ReadBlob's chunks: well under the 256 MiB a TensorBoard client accepts per message.
constexpr std::size_t kBlobChunk = std::size_t{8} << 20;

// A RunTagFilter: an absent part matches everything, a present one only its names.
class SeriesFilter {
 public:
  explicit SeriesFilter(const td::RunTagFilter& f) {
    if (f.has_runs()) runs_.emplace(f.runs().names().begin(), f.runs().names().end());
    if (f.has_tags()) tags_.emplace(f.tags().names().begin(), f.tags().names().end());
  }
  bool run(const std::string& name) const { return !runs_ || runs_->count(name) > 0; }
  bool tag(const std::string& name) const { return !tags_ || tags_->count(name) > 0; }

 private:
  std::optional<std::unordered_set<std::string>> runs_;
  std::optional<std::unordered_set<std::string>> tags_;
};

grpc::Status check_plugin(const td::PluginFilter& filter) {
  if (filter.plugin_name().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "plugin_filter.plugin_name is required"};
  }
  return grpc::Status::OK;
}

template <typename Request>
grpc::Status check_read(const Request& request) {
  if (auto status = check_plugin(request.plugin_filter()); !status.ok()) return status;
  if (!request.has_downsample()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "downsample is required"};
  }
  if (request.downsample().num_points() < 0) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "downsample.num_points must not be negative (got " +
                std::to_string(request.downsample().num_points()) + ")"};
  }
  return grpc::Status::OK;
}

void fill_metadata(const TimeSeries& s, tensorboard::SummaryMetadata* out) {
  const auto& m = s.metadata();
  out->mutable_plugin_data()->set_plugin_name(m.plugin_name);
  out->mutable_plugin_data()->set_content(m.plugin_content);
  out->set_display_name(m.display_name);
  out->set_summary_description(m.description);
  out->set_data_class(static_cast<tensorboard::DataClass>(m.data_class));
}

// Calls `each(run, series)` for every series the request selects that has points, run by
// run (sorted) under the run's lock; `run_done` after each run that had some.
template <typename Each, typename RunStart>
void for_each_series(const detail::LogdirLoader& loader, const std::string& plugin,
                     DataClass data_class, const td::RunTagFilter& filter_proto,
                     RunStart run_start, Each each) {
  const SeriesFilter filter(filter_proto);
  for (const auto& run : loader.runs()) {
    if (!filter.run(run->name())) continue;
    const auto lock = run->lock_shared();
    bool started = false;
    for (const auto& [tag, series] : run->series()) {
      if (series.data_class() != data_class || series.metadata().plugin_name != plugin ||
          series.size() == 0 || !filter.tag(tag)) {
        continue;
      }
      if (!started) {
        run_start(*run);
        started = true;
      }
      each(series);
    }
  }
}

// A blob sequence's points as TensorBoard reads them: one per step (the first read), by step.
std::vector<const detail::BlobSequencePoint*> blob_points(const TimeSeries& s) {
  std::vector<const detail::BlobSequencePoint*> points;
  points.reserve(s.blob_sequences().size());
  for (const auto& p : s.blob_sequences()) points.push_back(&p);
  std::stable_sort(points.begin(), points.end(),
                   [](const auto* a, const auto* b) { return a->step < b->step; });
  points.erase(std::unique(points.begin(), points.end(),
                           [](const auto* a, const auto* b) { return a->step == b->step; }),
               points.end());
  return points;
}

// The frame of every List* and Read* answer: an entry per run with selected series, and in
// it an entry per series with its tag; `fill(tag_entry, series, run_name)` adds the rest.
template <typename Request, typename Response, typename Fill>
void answer_per_series(const detail::LogdirLoader& loader, const Request& request,
                       DataClass data_class, Response* response, Fill fill) {
  typename Response::RunEntry* entry = nullptr;
  for_each_series(
      loader, request.plugin_filter().plugin_name(), data_class, request.run_tag_filter(),
      [&](const RunLoader& run) {
        entry = response->add_runs();
        entry->set_run_name(run.name());
      },
      [&](const TimeSeries& s) {
        auto* tag = entry->add_tags();
        tag->set_tag_name(s.tag());
        fill(*tag, s, entry->run_name());
      });
}

// The List* answers: per series its maxima and metadata (blob sequences also their longest
// sequence).
template <typename Request, typename Response>
grpc::Status list_series(const detail::LogdirLoader& loader, const Request& request,
                         DataClass data_class, Response* response) {
  if (auto status = check_plugin(request.plugin_filter()); !status.ok()) return status;
  answer_per_series(loader, request, data_class, response,
                    [](auto& tag, const TimeSeries& s, const std::string&) {
                      auto* metadata = tag.mutable_metadata();
                      metadata->set_max_step(s.max_step());
                      metadata->set_max_wall_time(s.max_wall_time());
                      if constexpr (std::is_same_v<Response, td::ListBlobSequencesResponse>) {
                        metadata->set_max_length(s.max_length());
                      }
                      fill_metadata(s, metadata->mutable_summary_metadata());
                    });
  return grpc::Status::OK;
}

}  // namespace

grpc::Status DataProviderService::GetExperiment(grpc::ServerContext*,
                                                const td::GetExperimentRequest*,
                                                td::GetExperimentResponse* response) {
  response->set_data_location(loader_.logdir());
  return grpc::Status::OK;
}

grpc::Status DataProviderService::ListPlugins(grpc::ServerContext*, const td::ListPluginsRequest*,
                                              td::ListPluginsResponse* response) {
  // Every plugin some series names, as TensorBoard's own loader lists them (including those
  // whose series have no data class, which no read reaches).
  std::set<std::string> names;
  for (const auto& run : loader_.runs()) {
    const auto lock = run->lock_shared();
    for (const auto& [tag, series] : run->series()) {
      if (!series.metadata().plugin_name.empty()) names.insert(series.metadata().plugin_name);
    }
  }
  for (const auto& name : names) response->add_plugins()->set_name(name);
  return grpc::Status::OK;
}

grpc::Status DataProviderService::ListRuns(grpc::ServerContext*, const td::ListRunsRequest*,
                                           td::ListRunsResponse* response) {
  for (const auto& run : loader_.runs()) {
    auto* out = response->add_runs();
    out->set_name(run->name());
    const auto lock = run->lock_shared();
    out->set_start_time(run->start_time().value_or(0.0));
  }
  return grpc::Status::OK;
}

grpc::Status DataProviderService::ListScalars(grpc::ServerContext*,
                                              const td::ListScalarsRequest* request,
                                              td::ListScalarsResponse* response) {
  return list_series(loader_, *request, DataClass::scalar, response);
}

grpc::Status DataProviderService::ReadScalars(grpc::ServerContext*,
                                              const td::ReadScalarsRequest* request,
                                              td::ReadScalarsResponse* response) {
  if (auto status = check_read(*request); !status.ok()) return status;
  const std::int64_t k = request->downsample().num_points();
  answer_per_series(loader_, *request, DataClass::scalar, response,
                    [k](auto& tag, const TimeSeries& s, const std::string&) {
                      auto* data = tag.mutable_data();
                      const auto& points = s.scalars();
                      const auto indices = detail::downsample_indices(points.size(), k);
                      const int n = static_cast<int>(indices.size());
                      data->mutable_step()->Reserve(n);
                      data->mutable_wall_time()->Reserve(n);
                      data->mutable_value()->Reserve(n);
                      for (std::size_t i : indices) {
                        data->add_step(points[i].step);
                        data->add_wall_time(points[i].wall_time);
                        data->add_value(static_cast<float>(points[i].value));
                      }
                    });
  return grpc::Status::OK;
}

grpc::Status DataProviderService::ListTensors(grpc::ServerContext*,
                                              const td::ListTensorsRequest* request,
                                              td::ListTensorsResponse* response) {
  return list_series(loader_, *request, DataClass::tensor, response);
}

grpc::Status DataProviderService::ReadTensors(grpc::ServerContext*,
                                              const td::ReadTensorsRequest* request,
                                              td::ReadTensorsResponse* response) {
  if (auto status = check_read(*request); !status.ok()) return status;
  const std::int64_t k = request->downsample().num_points();
  bool bad_tensor = false;
  answer_per_series(loader_, *request, DataClass::tensor, response,
                    [k, &bad_tensor](auto& tag, const TimeSeries& s, const std::string&) {
                      auto* data = tag.mutable_data();
                      const auto& points = s.tensors();
                      for (std::size_t i : detail::downsample_indices(points.size(), k)) {
                        data->add_step(points[i].step);
                        data->add_wall_time(points[i].wall_time);
                        // Stored as the file's own TensorProto bytes: the same wire format.
                        if (!data->add_value()->ParseFromString(points[i].tensor)) bad_tensor = true;
                      }
                    });
  if (bad_tensor) return {grpc::StatusCode::INTERNAL, "a stored tensor did not decode"};
  return grpc::Status::OK;
}

grpc::Status DataProviderService::ListBlobSequences(grpc::ServerContext*,
                                                    const td::ListBlobSequencesRequest* request,
                                                    td::ListBlobSequencesResponse* response) {
  return list_series(loader_, *request, DataClass::blob_sequence, response);
}

grpc::Status DataProviderService::ReadBlobSequences(grpc::ServerContext*,
                                                    const td::ReadBlobSequencesRequest* request,
                                                    td::ReadBlobSequencesResponse* response) {
  if (auto status = check_read(*request); !status.ok()) return status;
  const std::int64_t k = request->downsample().num_points();
  answer_per_series(
      loader_, *request, DataClass::blob_sequence, response,
      [k](auto& tag, const TimeSeries& s, const std::string& run_name) {
        auto* data = tag.mutable_data();
        const auto points = blob_points(s);
        for (std::size_t i : detail::downsample_indices(points.size(), k)) {
          const auto& p = *points[i];
          data->add_step(p.step);
          data->add_wall_time(p.wall_time);
          auto* refs = data->add_values();
          for (std::size_t b = 0; b < p.blobs.size(); ++b) {
            refs->add_blob_refs()->set_blob_key(encode_blob_key({run_name, s.tag(), p.step, b}));
          }
        }
      });
  return grpc::Status::OK;
}

grpc::Status DataProviderService::ReadBlob(grpc::ServerContext*, const td::ReadBlobRequest* request,
                                           grpc::ServerWriter<td::ReadBlobResponse>* writer) {
  const auto key = decode_blob_key(request->blob_key());
  if (!key) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "'" + request->blob_key() + "' is not a blob key of this server"};
  }
  const auto not_found = [&](const std::string& why) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "blob key '" + request->blob_key() + "': " + why);
  };
  const auto run = loader_.run(key->run);
  if (!run) return not_found("no run '" + key->run + "'");
  std::string blob;
  {
    const auto lock = run->lock_shared();
    const auto it = run->series().find(key->tag);
    if (it == run->series().end() || it->second.data_class() != DataClass::blob_sequence) {
      return not_found("no blob sequence '" + key->tag + "' in run '" + key->run + "'");
    }
    // The first point at that step, as ReadBlobSequences listed it.
    const detail::BlobSequencePoint* point = nullptr;
    for (const auto& p : it->second.blob_sequences()) {
      if (p.step == key->step) {
        point = &p;
        break;
      }
    }
    if (point == nullptr) return not_found("no point at step " + std::to_string(key->step));
    if (key->index >= point->blobs.size()) {
      return not_found("no blob " + std::to_string(key->index) + " at step " +
                       std::to_string(key->step));
    }
    blob = point->blobs[key->index];
  }
  td::ReadBlobResponse chunk;
  for (std::size_t at = 0; at < blob.size(); at += kBlobChunk) {
    chunk.set_data(blob.substr(at, kBlobChunk));
    if (!writer->Write(chunk)) break;  // the client went away
  }
  return grpc::Status::OK;
}

}  // namespace tblog::data_server
