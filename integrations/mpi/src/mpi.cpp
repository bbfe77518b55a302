// tblog::mpi::Session over MPI_COMM_WORLD.
#include "tblog/mpi.hpp"

// The C API only: Open MPI's and MPICH's C++ bindings would need their C++ libraries.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <climits>
#include <string>

#include "tblog/error.hpp"

namespace tblog::mpi {
namespace {

void check(int status, const char* what) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(std::string("MPI: ") + what + " failed: " + std::string(text, length));
}

void allreduce(void* data, std::size_t count, MPI_Datatype type) {
  // MPI counts are ints: larger buffers go in int-sized pieces.
  const std::size_t element = type == MPI_FLOAT ? sizeof(float) : sizeof(double);
  auto* bytes = static_cast<char*>(data);
  while (count > 0) {
    const int piece = count > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(count);
    check(MPI_Allreduce(MPI_IN_PLACE, bytes, piece, type, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    bytes += static_cast<std::size_t>(piece) * element;
    count -= static_cast<std::size_t>(piece);
  }
}

}  // namespace

Session::Session(int* argc, char*** argv) {
  int initialized = 0;
  check(MPI_Initialized(&initialized), "MPI_Initialized");
  if (initialized) throw Error("MPI: a tblog::mpi::Session (or MPI_Init) already exists in this process");
  check(MPI_Init(argc, argv), "MPI_Init");
  finalize_ = true;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

Session::Session() : Session(nullptr, nullptr) {}

Session::~Session() {
  if (finalize_) MPI_Finalize();
}

void Session::allreduce_sum(float* data, std::size_t count) const { allreduce(data, count, MPI_FLOAT); }

void Session::allreduce_sum(double* data, std::size_t count) const { allreduce(data, count, MPI_DOUBLE); }

void Session::barrier() const { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

}  // namespace tblog::mpi
