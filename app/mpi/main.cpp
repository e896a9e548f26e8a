// slotsim-mpi: batch and bench across the ranks of an MPI job (one process
// per rank, started by mpirun or srun). The flags are slotsim's; what
// differs is in docs/DISTRIBUTED.md. Every rank parses the same command
// line; rank 0 alone prints help, errors and reports.
//
// Exit statuses are the serial slotsim's (one table, sim/exit_status.hpp
// and app/exit_status.hpp). Errors end every rank the same way: an error agreed by all ranks
// (dist::AgreedError) is printed once, by rank 0, and every rank exits
// with its code after MPI_Finalize. An error only one rank saw outside an
// agreement would leave the others waiting in a collective call: that rank
// prints it and calls MPI_Abort, which ends the whole job (no hang).
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "app/exit_status.hpp"
#include "app/mpi/commands.hpp"
#include "dist/comm.hpp"
#include "sim/message.hpp"

int main(int argc, char** argv) {
  // Open MPI's MPI-IO: ROMIO rather than the default ompio, unless the user
  // chose (a set OMPI_MCA_io wins). Parallel HDF5 on ompio can hang in
  // collective writes (HDF5 issue #1227), and ompio probes the machine with
  // hwloc, whose GL plugin talks to any X server it finds. Read by the
  // library at MPI_Init, in this process; other MPIs ignore it.
  setenv("OMPI_MCA_io", "romio321", 0);
  // hwloc's GL plugin (loaded by Open MPI's components) opens every X
  // display it finds to look for GPUs, and a display with access control
  // answers with a line on stderr per process; slotsim uses no GPU.
  setenv("HWLOC_COMPONENTS", "-gl", 0);
  int provided = 0;
  // FUNNELED: OpenMP threads compute inside a rank, only the main thread
  // calls MPI.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int code = 0;
  {
    slotsim::dist::Comm comm(MPI_COMM_WORLD);
    CLI::App app{"slotsim-mpi: slotsim's batch and bench across MPI ranks (same flags, same bits as slotsim)"};
    app.require_subcommand(1, 1);
    int run_code = 0;
    slotsim::app::mpi::register_batch(app, comm, run_code);
    slotsim::app::mpi::register_bench(app, comm, run_code);
    try {
      app.parse(argc, argv);
      code = run_code;
    } catch (const CLI::ParseError& e) {
      // Every rank parsed the same arguments and failed alike: rank 0
      // speaks, all exit with the serial front end's status (the one table,
      // app/exit_status.hpp: 2 for a bad flag, never CLI11's 104-114).
      code = slotsim::app::exit_status_of(app, e, comm.root() ? &std::cout : nullptr,
                                          comm.root() ? &std::cerr : nullptr, "slotsim-mpi");
    }
  }
  MPI_Finalize();
  return code;
}
