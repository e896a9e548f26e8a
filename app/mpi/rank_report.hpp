#pragma once
// One row per rank for slotsim-mpi's reports (batch and bench): what the
// rank held, how long its phases took and what it sent and received. A
// fixed-size record, gathered to rank 0 with one MPI_Allgather.
#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "app/report_json.hpp"
#include "dist/comm.hpp"
#include "dist/dist_system.hpp"
#include "sim/step_phases.hpp"

namespace slotsim::app::mpi {

struct RankRow {
  int rank = 0;
  char host[64] = {};
  std::uint64_t particles = 0;
  double particle_bytes = 0, particle_bytes_usable = 0;
  double heap_peak = 0, rss = 0;
  double spawn_ms = 0;
  std::uint64_t steps = 0;  // steps timed
  double step_ms_median = 0;
  std::array<double, kStepPhases.size()> phases_ms{};  // medians, kStepPhases order
  // Communication while stepping (from the first step to the last) and in
  // the set-up before it (spawn, restart, the first energy diagnostic).
  std::uint64_t comm_bytes_sent = 0, comm_bytes_received = 0, comm_calls = 0;
  double comm_seconds = 0;
  std::uint64_t setup_bytes_received = 0;
  double setup_comm_seconds = 0;
};

// This rank's row (local figures only: no communication).
RankRow rank_row(int rank, dist::DistSystem& sys, const std::vector<StepTiming>& steps, const dist::CommStats& setup,
                 const dist::CommStats& stepping, double spawn_ms);
// The table every rank's row makes (printed by rank 0).
void print_rank_table(const std::vector<RankRow>& rows, std::FILE* out = stdout);
// The JSON array of the rows.
Json ranks_json(const std::vector<RankRow>& rows);

}  // namespace slotsim::app::mpi
