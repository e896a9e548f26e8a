#pragma once
// slotsim-mpi's subcommands. Each callback runs the command on every rank
// and stores its exit status in `code` (the same on every rank).
#include <CLI/CLI.hpp>

#include "dist/comm.hpp"

namespace slotsim::app::mpi {

CLI::App* register_batch(CLI::App& app, dist::Comm& comm, int& code);
CLI::App* register_bench(CLI::App& app, dist::Comm& comm, int& code);

// Runs body() on every rank: an agreed error (or one every rank threw
// alike, inside agree()) is printed by rank 0 as one line "slotsim-mpi
// <cmd>: error: ..." and becomes the exit status; an error this rank saw
// alone is printed with its rank and ends the job (MPI_Abort).
int run_guarded_mpi(dist::Comm& comm, const char* cmd, const std::function<int()>& body);

}  // namespace slotsim::app::mpi
