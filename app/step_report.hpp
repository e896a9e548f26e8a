#pragma once
// What batch reports about its steps, the same for `slotsim batch` and
// `slotsim-mpi batch` (rank 0's steps there): the steps grouped by the
// layout they ran in, the summary table, the per-step CSV and the JSON's
// per-layout rows; and the summary's two energy rows. One copy, so the two front ends cannot drift apart (they
// were two copies of the same three blocks until a change to one of them,
// the sort's figure, had to be made twice).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/json.hpp"
#include "sim/layouts/traits.hpp"
#include "sim/system.hpp"

namespace slotsim::app {

// Steps run in one layout: the per-layout rows of every report.
struct LayoutSegment {
  Layout layout;
  std::uint64_t first_step;  // 1-based number of its first step
  std::vector<StepTiming> steps;
};

// Every segment's steps, in order.
std::vector<StepTiming> all_steps(const std::vector<LayoutSegment>& segments);

// The summary's per-layout table (markdown): step median, min, max, latest,
// then each phase's figure (sim/step_phases.hpp phase_figure: its median;
// the sort, which runs on one step in --sort-every, its mean per step,
// since its median reads 0 whenever it runs on fewer than half the steps).
std::string step_table(const std::vector<LayoutSegment>& segments);

// --csv: one row per step, its number, layout, total and every phase.
std::string steps_csv(const std::vector<LayoutSegment>& segments);

// The JSON's "per_layout" array.
io::Json per_layout_json(const std::vector<LayoutSegment>& segments);

// The summary's "energy initial / final" and "rel. energy error" rows.
// e0_carried: E0 is the snapshot's run's; restart_without_e0: a restart
// whose snapshot had none (the error then counts from the restart). An
// energy that overflows a double (masses near 1e300, say) leaves no error
// to measure: said in words rather than as a bare nan (the JSON's
// non-finite numbers are null).
std::string energy_rows(double e0, double e_final, const std::string& method, bool e0_carried,
                        bool restart_without_e0, double e_rel);

}  // namespace slotsim::app
