#pragma once
// TensorBoard's data provider service over a LogdirLoader: each answer is built from the
// runs as loaded at that moment.
#include "data_provider/data_provider.grpc.pb.h"
#include "read/logdir_loader.hpp"

namespace tblog::data_server {

class DataProviderService final : public tensorboard::data::TensorBoardDataProvider::Service {
 public:
  explicit DataProviderService(const detail::LogdirLoader& loader) : loader_(loader) {}

  grpc::Status GetExperiment(grpc::ServerContext*, const tensorboard::data::GetExperimentRequest*,
                             tensorboard::data::GetExperimentResponse*) override;
  grpc::Status ListPlugins(grpc::ServerContext*, const tensorboard::data::ListPluginsRequest*,
                           tensorboard::data::ListPluginsResponse*) override;
  grpc::Status ListRuns(grpc::ServerContext*, const tensorboard::data::ListRunsRequest*,
                        tensorboard::data::ListRunsResponse*) override;
  grpc::Status ListScalars(grpc::ServerContext*, const tensorboard::data::ListScalarsRequest*,
                           tensorboard::data::ListScalarsResponse*) override;
  grpc::Status ReadScalars(grpc::ServerContext*, const tensorboard::data::ReadScalarsRequest*,
                           tensorboard::data::ReadScalarsResponse*) override;
  grpc::Status ListTensors(grpc::ServerContext*, const tensorboard::data::ListTensorsRequest*,
                           tensorboard::data::ListTensorsResponse*) override;
  grpc::Status ReadTensors(grpc::ServerContext*, const tensorboard::data::ReadTensorsRequest*,
                           tensorboard::data::ReadTensorsResponse*) override;
  grpc::Status ListBlobSequences(grpc::ServerContext*,
                                 const tensorboard::data::ListBlobSequencesRequest*,
                                 tensorboard::data::ListBlobSequencesResponse*) override;
  grpc::Status ReadBlobSequences(grpc::ServerContext*,
                                 const tensorboard::data::ReadBlobSequencesRequest*,
                                 tensorboard::data::ReadBlobSequencesResponse*) override;
  grpc::Status ReadBlob(grpc::ServerContext*, const tensorboard::data::ReadBlobRequest*,
                        grpc::ServerWriter<tensorboard::data::ReadBlobResponse>*) override;

 private:
  const detail::LogdirLoader& loader_;
};

}  // namespace tblog::data_server
