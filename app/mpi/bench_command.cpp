// `slotsim-mpi bench`: slotsim bench's layout table across the ranks of an
// MPI job, plus the per-rank table batch prints (particles, bytes, RSS,
// phase times, communication) for each layout. Every row's state hash must
// agree, as in the serial bench; the hash is also the serial binary's.
// The step time of a row is the slowest rank's median (a step ends when its
// last rank does).
#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <sstream>
#include <thread>

#include "app/machine_info.hpp"
#include "app/mpi/commands.hpp"
#include "sim/exit_status.hpp"
#include "app/mpi/rank_report.hpp"
#include "app/output_file.hpp"
#include "app/report_json.hpp"
#include "app/run_plan.hpp"
#include "app/sim_options.hpp"
#include "dist/dist_system.hpp"
#include "dist/pm_plan.hpp"
#include "dist/rank_plan.hpp"
#include "dist/solvers.hpp"
#include "sim/interrupt.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/message.hpp"
#include "sim/stats.hpp"

namespace slotsim::app::mpi {
namespace {

using dist::Comm;
using dist::DistSystem;

struct BenchOptions {
  SimOptions sim;
  // Integers as text, converted by parse_count as the serial bench does, so
  // both say the same about the same bad value (CLI11's range check said
  // "Value 0 not in range 1 to ...").
  std::string steps_text = "5", repeats_text = "3";
  std::uint64_t steps = 5;
  int repeats = 3;
  std::string layouts = layout_names(",");
  std::string json, csv;
  bool dry_run = false;
};

struct Row {
  Layout layout;
  double bytes_per_particle = 0;
  double particle_bytes = 0;
  double step_median = 0, step_min = 0, step_max = 0;  // slowest rank's
  std::uint64_t hash = 0;
  bool complete = true;
  std::size_t repeats_done = 0;  // 0: stopped before its first timed step, no result
  std::vector<RankRow> ranks;
};

Row run_layout(Comm& comm, SimConfig cfg, Layout l, const BenchOptions& o, int index, int count) {
  cfg.layout = l;
  Row r;
  r.layout = l;
  malloc_trim(0);
  mem::reset_peak();
  const bool say = comm.root();
  const std::string name(layout_name(l));
  if (say) std::fprintf(stderr, "[%d/%d] %s: spawning %zu particles on %d ranks\n", index, count, name.c_str(),
                        cfg.particles, comm.size());
  const auto t0 = std::chrono::steady_clock::now();
  DistSystem sys(comm, cfg);
  const double spawn_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  sys.step();  // warm-up
  const dist::CommStats setup = comm.stats();
  comm.reset_stats();
  std::vector<double> medians;
  std::vector<StepTiming> all;
  for (int rep = 0; rep < o.repeats; ++rep) {
    std::vector<double> t;
    for (std::uint64_t k = 0; k < o.steps; ++k) {
      if (comm.max(static_cast<std::uint64_t>(interrupt_signal()))) {
        r.complete = false;
        break;
      }
      sys.step();
      t.push_back(sys.local().last_timing().total_ms);
      all.push_back(sys.local().last_timing());
    }
    if (t.empty()) break;
    medians.push_back(comm.max(median(t)));
    if (say)
      std::fprintf(stderr, "[%d/%d] %s: repeat %d/%d  %.2f ms/step (slowest rank)\n", index, count, name.c_str(),
                   rep + 1, o.repeats, medians.back());
    if (!r.complete) break;
  }
  if (medians.size() < static_cast<std::size_t>(o.repeats)) r.complete = false;
  r.repeats_done = medians.size();
  r.step_median = median(medians);
  r.step_min = medians.empty() ? 0 : *std::min_element(medians.begin(), medians.end());
  r.step_max = medians.empty() ? 0 : *std::max_element(medians.begin(), medians.end());
  const dist::CommStats stepping = comm.stats();
  const LayoutBytes b = sys.bytes_total();
  r.particle_bytes = double(b.total());
  r.bytes_per_particle = double(b.total()) / double(sys.size());
  r.hash = sys.state_hash();
  r.ranks = comm.allgather(rank_row(comm.rank(), sys, all, setup, stepping, spawn_ms));
  return r;
}

std::string hex(std::uint64_t h) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

int run_bench(Comm& comm, BenchOptions& o) {
  std::vector<Layout> layouts;
  bool stdout_taken = false;  // a document on stdout owns it
  dist::agree(comm, [&] {
    finish_sim_options(o.sim);
    o.steps = parse_count(o.steps_text, "--steps", 1, kMaxSteps);
    o.repeats = static_cast<int>(parse_count(o.repeats_text, "--repeats", 1, kMaxRepeats));
    layouts = parse_layout_list(o.layouts);
    if (o.sim.cfg.python_objects)
      for (Layout l : layouts)
        if (!traits(l).heap_objects) throw std::invalid_argument("--layouts: " + python_objects_refusal(l));
    if (!o.sim.cfg.ic_file.empty())
      throw std::invalid_argument("--ic: slotsim-mpi bench runs scenes only (use batch --ic)");
    if (o.sim.cfg.sort_every > 0)
      throw std::invalid_argument("--sort-every: not supported by slotsim-mpi; run it with the serial slotsim");
    check_not_empty(o.sim, "--json", o.json);
    check_not_empty(o.sim, "--csv", o.csv);
    const auto targets = check_writable_all({{"--json", o.json}, {"--csv", o.csv}});
    io::check_distinct_paths(targets, {});
    stdout_taken = on_stdout(targets);
    dist::check_decomposition(o.sim.cfg.solver, o.sim.cfg.force, comm.size());
  });
  // A document on stdout owns it; the table goes to stderr (as serial bench).
  std::FILE* const text = stdout_taken ? stderr : stdout;
  SimConfig cfg = o.sim.cfg;
  if (cfg.threads > 0) omp_set_num_threads(cfg.threads);
  const int threads = omp_get_max_threads();
  const dist::Segments seg(cfg.particles, comm.size());
  RunShape shape = run_shape(cfg, seg.count(comm.rank()));
  shape.steps = o.steps * static_cast<std::uint64_t>(o.repeats);
  shape.exact_potential_max = SIZE_MAX;
  shape.solver_items = dist::dist_solver_items(cfg.solver, cfg.force, seg, comm.rank());
  if (cfg.solver == "pm")
    dist::agree(comm, [&] {
      shape.solver_items.push_back(dist::pm_import_item(
          dist::pm_imports_of_scene(cfg, comm.size())[std::size_t(comm.rank())], seg.max_count()));
    });
  dist::agree(comm, [&] {
    dist::check_rank_plans(comm, plan_bench(shape, layouts, false), seg.count(comm.rank()), "this benchmark",
                           o.dry_run);
  });
  if (o.dry_run) return 0;
  install_interrupt_handlers();
  const double load_before = load_average_1min();
  std::vector<Row> res;
  int idx = 0;
  try {
    for (Layout l : layouts) {
      if (comm.max(static_cast<std::uint64_t>(interrupt_signal()))) break;
      Row r = run_layout(comm, cfg, l, o, ++idx, int(layouts.size()));
      const bool complete = r.complete;
      // A layout stopped before its first timed step has no figure: its
      // row read 0 ms and the hash of the warm-up alone (the serial bench's
      // rule; the count is agreed, so every rank keeps the same rows).
      if (r.repeats_done > 0) res.push_back(std::move(r));
      if (!complete) break;
    }
  } catch (const Diverged& e) {
    // Every rank throws it at the same phase of the same step (DistSystem
    // agrees on each check), so the job ends as one: rank 0's line, exit 3
    // on every rank, as the serial bench. Left to the guard as an error of
    // one rank, it went through MPI_Abort, one line per rank.
    throw dist::AgreedError(kExitDiverged, e.what());
  }
  const double load_after = load_average_1min();
  const int sig = static_cast<int>(comm.max(static_cast<std::uint64_t>(interrupt_signal())));
  if (res.empty()) {
    if (comm.root()) std::fprintf(stderr, "slotsim-mpi bench: interrupted before the first layout; nothing to report\n");
    return 128 + sig;
  }
  for (const auto& r : res)
    if (r.complete && res[0].complete && r.hash != res[0].hash)
      throw dist::AgreedError(1, "layouts disagree on the final state: determinism broken");
  dist::agree(comm, [&] {
    if (!comm.root()) return;
    const Row* dict = nullptr;
    for (const auto& r : res)
      if (r.layout == Layout::Dict) dict = &r;
    std::fprintf(text, "%zu particles, scene %s, solver %s, %llu steps x %d repeats, %d ranks x %d threads; load %.2f -> %.2f\n\n",
                cfg.particles, cfg.scene.c_str(), cfg.solver.c_str(), static_cast<unsigned long long>(o.steps),
                o.repeats, comm.size(), threads, load_before, load_after);
    std::string head = "| layout | B/particle | particle MB (all ranks) | largest rank MB | step ms median (min-max) |";
    std::string rule = "|---|---:|---:|---:|---|";
    std::ostringstream csv;
    csv << "layout,ranks,bytes_per_particle,particle_mb,largest_rank_mb,step_ms_median,step_ms_min,step_ms_max";
    for (const StepPhase& p : kStepPhases) {
      head.append(" ").append(p.name).append(" |");
      rule += "---:|";
      csv << ',' << p.name << "_ms";
    }
    head += " comm MB/step | comm ms/step | x dict | state hash |";
    rule += "---:|---:|---:|---|";
    csv << ",comm_mb_per_step,comm_ms_per_step,ratio_dict,state_hash\n";
    std::fprintf(text, "(phases and comm: the slowest rank's medians)\n%s\n%s\n", head.c_str(), rule.c_str());
    for (const auto& r : res) {
      double largest = 0, comm_mb = 0, comm_ms = 0;
      std::array<double, kStepPhases.size()> ph{};
      for (const auto& k : r.ranks) {
        largest = std::max(largest, k.particle_bytes);
        const double per = k.steps ? 1.0 / double(k.steps) : 0.0;
        comm_mb = std::max(comm_mb, double(k.comm_bytes_received) * per / 1e6);
        comm_ms = std::max(comm_ms, k.comm_seconds * 1e3 * per);
        for (std::size_t p = 0; p < ph.size(); ++p) ph[p] = std::max(ph[p], k.phases_ms[p]);
      }
      char rd[32] = "-";
      if (dict) std::snprintf(rd, sizeof rd, "%.3f", r.step_median / dict->step_median);
      const std::string name(layout_name(r.layout));
      std::fprintf(text, "| %s | %.1f | %.1f | %.1f | %.2f (%.2f-%.2f) |", name.c_str(), r.bytes_per_particle,
                  r.particle_bytes / 1e6, largest / 1e6, r.step_median, r.step_min, r.step_max);
      csv << name << ',' << comm.size() << ',' << r.bytes_per_particle << ',' << r.particle_bytes / 1e6 << ','
          << largest / 1e6 << ',' << r.step_median << ',' << r.step_min << ',' << r.step_max;
      for (double v : ph) {
        std::fprintf(text, " %.2f |", v);
        csv << ',' << v;
      }
      std::fprintf(text, " %.3f | %.3f | %s | %s%s |\n", comm_mb, comm_ms, rd, hex(r.hash).c_str(),
                  r.complete ? "" : " (partial)");
      csv << ',' << comm_mb << ',' << comm_ms << ',' << (dict ? r.step_median / dict->step_median : 0.0) << ','
          << hex(r.hash) << '\n';
    }
    for (const auto& r : res) {
      std::fprintf(text, "\n%s: ", std::string(layout_name(r.layout)).c_str());
      print_rank_table(r.ranks, text);
    }
    if (sig) std::fprintf(text, "\nstatus: interrupted after %zu of %zu layouts (last row partial)\n", res.size(), layouts.size());
    std::fflush(text);
    if (!o.csv.empty()) write_file_atomic(o.csv, csv.str());
    if (!o.json.empty()) {
      const MachineInfo m = machine_info();
      Json j;
      j["machine"] = {{"cpu", m.cpu}, {"cores", m.cores}, {"mem_total_bytes", m.mem_total_bytes},
                      {"kernel", m.kernel}, {"compiler", m.compiler}};
      j["config"] = {{"scene", cfg.scene}, {"particles", cfg.particles}, {"solver", cfg.solver},
                     {"steps", o.steps}, {"repeats", o.repeats}, {"mpi_ranks", comm.size()},
                     {"threads", threads}, {"dt", cfg.dt}, {"theta", cfg.force.theta},
                     {"grid", cfg.force.grid}, {"periodic", cfg.force.periodic}, {"seed", cfg.seed}};
      j["status"] = sig ? "interrupted" : "ok";
      j["layouts_done"] = res.size();
      j["layouts_requested"] = layouts.size();
      j["load_average_before"] = load_before;
      j["load_average_after"] = load_after;
      Json& results = j["results"] = Json::array();
      for (const auto& r : res) {
        Json row;
        row["layout"] = layout_name(r.layout);
        row["bytes_per_particle"] = r.bytes_per_particle;
        row["particle_bytes"] = r.particle_bytes;
        row["step_ms_median"] = r.step_median;
        row["step_ms_min"] = r.step_min;
        row["step_ms_max"] = r.step_max;
        row["state_hash"] = hex(r.hash);
        row["complete"] = r.complete;
        row["ranks"] = ranks_json(r.ranks);
        results.push_back(std::move(row));
      }
      write_file_atomic(o.json, io::report_text(j));
    }
  });
  if (sig) {
    if (comm.root())
      std::fprintf(stderr, "slotsim-mpi bench: interrupted by %s; outputs written with \"status\": \"interrupted\"\n",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return 128 + sig;
  }
  return 0;
}

}  // namespace

CLI::App* register_bench(CLI::App& app, Comm& comm, int& code) {
  auto o = std::make_shared<BenchOptions>();
  o->sim.cfg.particles = 1000000;
  o->sim.cfg.solver = "none";
  CLI::App* cmd = app.add_subcommand("bench", "run the same work over several layouts across the MPI ranks");
  add_sim_options(cmd, o->sim);
  drop_layout_option(cmd);  // --layouts says which
  // The serial bench's ranges (parse_count in run): an unbounded --steps
  // times --repeats overflowed the plan.
  cmd->add_option("--steps", o->steps_text, "timed steps per repeat")->capture_default_str();
  cmd->add_option("--repeats", o->repeats_text,
                  "repeats per layout (the table shows median and min-max), 1 to " + std::to_string(kMaxRepeats))
      ->capture_default_str();
  cmd->add_option("--layouts", o->layouts, "comma-separated layouts to run, in order")->capture_default_str();
  cmd->add_option("--json", o->json, "write the results as JSON to FILE (one row per rank and layout)");
  cmd->add_option("--csv", o->csv, "write the layout table as CSV to FILE");
  cmd->add_flag("--dry-run", o->dry_run, "print every rank's memory plan and exit without running");
  cmd->callback([o, &comm, &code] { code = run_guarded_mpi(comm, "bench", [&] { return run_bench(comm, *o); }); });
  return cmd;
}

}  // namespace slotsim::app::mpi
