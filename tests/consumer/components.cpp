// Calls into each component it was built with: proof that find_package(tblog COMPONENTS ...)
// gives targets that compile, link and run.
#include <tblog/tblog.hpp>

#include <cstdio>

#ifdef TBLOG_CONSUMER_ONNX
#include <tblog/onnx.hpp>
#endif
#ifdef TBLOG_CONSUMER_MPI
#include <tblog/mpi.hpp>
#endif
#ifdef TBLOG_CONSUMER_TORCH
#include <ATen/ATen.h>
#include <tblog/torch.hpp>
#endif

int main(int argc, char** argv) {
#ifdef TBLOG_CONSUMER_ONNX
  try {
    tblog::onnx::graph_from_model("not a model");
    std::fprintf(stderr, "consumer: tblog::onnx took bytes that are not a model\n");
    return 1;
  } catch (const tblog::Error&) {
  }
#endif
#ifdef TBLOG_CONSUMER_MPI
  tblog::mpi::Session session(&argc, &argv);  // without mpirun: a job of one rank
  double value = 1.5;
  session.allreduce_sum(&value, 1);
  if (value != 1.5 * session.size()) {
    std::fprintf(stderr, "consumer: tblog::mpi summed %g\n", value);
    return 1;
  }
#endif
#ifdef TBLOG_CONSUMER_TORCH
  // Two samples, the second misclassified.
  const at::Tensor output = at::tensor({0.9f, 0.1f, 0.8f, 0.2f}).reshape({2, 2});
  const at::Tensor targets = at::tensor({0, 1}, at::kLong);
  if (tblog::torch::classification_errors(output, targets) != 1.0) {
    std::fprintf(stderr, "consumer: tblog::torch counted the errors wrong\n");
    return 1;
  }
#endif
  (void)argc;
  (void)argv;
  std::printf("consumer components ok\n");
  return 0;
}
