#pragma once
// A data server in the test process, on a free port, and a gRPC client of it.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "data_provider/data_provider.grpc.pb.h"
#include "tblog/data_server.hpp"

namespace tblog::test {

namespace td = tensorboard::data;

struct ServedLogdir {
  explicit ServedLogdir(const std::string& logdir, const std::string& samples = "",
                        double reload_seconds = 0) {
    DataServerOptions options;
    options.logdir = logdir;
    options.port = 0;
    options.reload_seconds = reload_seconds;
    options.samples_per_plugin = samples;
    server = std::make_unique<DataServer>(options);
    server->wait_loaded();
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(256 << 20);
    stub = td::TensorBoardDataProvider::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(server->port()), grpc::InsecureChannelCredentials(), args));
  }

  std::unique_ptr<DataServer> server;
  std::unique_ptr<td::TensorBoardDataProvider::Stub> stub;
};

// Calls one unary RPC on a stub (a reference) with a fresh context; gives its status.
#define TBLOG_CALL(stub, Method, request, response) \
  [&] {                                            \
    grpc::ClientContext context__;                 \
    return (stub).Method(&context__, request, &(response)); \
  }()

}  // namespace tblog::test
