// Run under mpiexec with 2 or more ranks: every rank's buffers come back holding the sums
// over all ranks. Exits non-zero on the first wrong element.
#include <cstdio>
#include <vector>

#include "tblog/mpi.hpp"

int main(int argc, char** argv) {
  tblog::mpi::Session mpi(&argc, &argv);
  if (mpi.size() < 2) {
    std::fprintf(stderr, "mpi_test: expected at least 2 ranks, got %d\n", mpi.size());
    return 1;
  }
  const int n = mpi.size();
  // Element i of rank r holds r + i; the sum over ranks is n*i + n(n-1)/2.
  std::vector<float> floats(1000);
  std::vector<double> doubles(7);
  for (std::size_t i = 0; i < floats.size(); ++i) floats[i] = static_cast<float>(mpi.rank() + i);
  for (std::size_t i = 0; i < doubles.size(); ++i) doubles[i] = mpi.rank() + 0.5 * i;
  mpi.allreduce_sum(floats.data(), floats.size());
  mpi.allreduce_sum(doubles.data(), doubles.size());
  const double rank_sum = n * (n - 1) / 2.0;
  for (std::size_t i = 0; i < floats.size(); ++i) {
    if (floats[i] != static_cast<float>(n * static_cast<double>(i) + rank_sum)) {
      std::fprintf(stderr, "rank %d: float sum %zu is %g\n", mpi.rank(), i, floats[i]);
      return 1;
    }
  }
  for (std::size_t i = 0; i < doubles.size(); ++i) {
    if (doubles[i] != n * 0.5 * i + rank_sum) {
      std::fprintf(stderr, "rank %d: double sum %zu is %g\n", mpi.rank(), i, doubles[i]);
      return 1;
    }
  }
  mpi.barrier();
  if (mpi.rank() == 0) std::printf("allreduce over %d ranks: ok\n", n);
  return 0;
}
