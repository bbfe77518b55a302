#pragma once
// tblog::mpi: what a data-parallel training loop needs from MPI, with no MPI types in sight:
// the job's rank and size, and element-wise sums of float and double buffers across ranks.
#include <cstddef>

#include "tblog/export.hpp"

namespace tblog::mpi {

// Initializes MPI on construction and finalizes it on destruction; one per process.
// Run without mpirun, it is a job of one rank. Errors throw tblog::Error.
class TBLOG_API Session {
 public:
  Session(int* argc, char*** argv);
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Replaces data[i] on every rank by the sum of data[i] over all ranks.
  void allreduce_sum(float* data, std::size_t count) const;
  void allreduce_sum(double* data, std::size_t count) const;
  void barrier() const;

 private:
  int rank_ = 0;
  int size_ = 1;
  bool finalize_ = false;
};

}  // namespace tblog::mpi
