// `slotsim-mpi batch`: slotsim batch across the ranks of an MPI job. Same
// flags, same order of work, same outputs (plus one row per rank in the
// reports), same final state hash as the serial binary:
//  1. every flag and output is checked on every rank (agreed: a path one
//     node cannot write ends all ranks alike);
//  2. each rank's memory plan, checked per node (dist/rank_plan.hpp);
//     --dry-run prints them and stops;
//  3. the run: each rank steps its segment (dist::DistSystem). SIGINT or
//     SIGTERM stop every rank after the same step (the signal is agreed at
//     each step's start), a non-finite value on any rank stops all of them
//     at the step that produced it;
//  4. the snapshot is written by all ranks together (parallel HDF5), the
//     JSON and CSV reports by rank 0, each on its own (one that cannot be
//     written costs that one alone), marked "ok", "interrupted", "diverged"
//     or "failed" (an output lost); the exit status (0, 128 + signal, 3, 1)
//     is every rank's.
//
// Not supported here (refused with one line): --sort-every (a Morton
// reorder of the global order across ranks), CSV snapshots (the parallel
// writer is HDF5's), dynamic attributes in a --restart file.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>

#include "app/mpi/commands.hpp"
#include "app/mpi/rank_report.hpp"
#include "app/output_file.hpp"
#include "app/report_json.hpp"
#include "app/step_report.hpp"
#include "app/run_plan.hpp"
#include "app/sim_options.hpp"
#include "app/step_heartbeat.hpp"
#include "app/snapshot_output.hpp"
#include "app/switch_plan.hpp"
#include "dist/dist_system.hpp"
#include "dist/parallel_snapshot.hpp"
#include "dist/pm_plan.hpp"
#include "dist/rank_plan.hpp"
#include "dist/solvers.hpp"
#include "sim/exit_status.hpp"
#include "sim/interrupt.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/hdf5_snapshot.hpp"
#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/message.hpp"
#include "sim/stats.hpp"
#include "sim/step_phases.hpp"

namespace slotsim::app::mpi {
namespace {

using dist::Comm;
using dist::DistSystem;

struct BatchOptions {
  SimOptions sim;
  std::string steps_text = "10";
  std::uint64_t steps = 10;
  std::vector<std::string> switch_at;
  std::string json, csv, snapshot;
  bool quiet = false;
  bool dry_run = false;
  SnapshotOptions snap;
  std::string read_dict;
};

std::string hex(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}
double mb(double b) { return b / 1e6; }
unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

// Writes one HDF5 snapshot with every rank and reports it from rank 0.
// `status` is the run's, stored as /slotsim/status: the final snapshot of
// an interrupted or diverged run says so, as the serial one does (the
// writer's default "ok" was rejected for it: a restart could not tell a
// finished run from a stopped one). Series files, written between steps,
// are "ok".
void write_snapshot(Comm& comm, const BatchOptions& o, const std::string& path, DistSystem& sys,
                    const std::string& status = "ok") {
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t h = sys.state_hash();
  const long long bytes = dist::write_snapshot_parallel(comm, path, sys, o.snap.fields, h, status);
  if (o.quiet || !comm.root()) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "snapshot %s: step %llu, %.1f MB in %.0f ms (%.0f MB/s, %d ranks)\n", path.c_str(),
               ull(sys.steps_done()), double(bytes) / 1e6, s * 1e3, s > 0 ? double(bytes) / 1e6 / s : 0.0,
               comm.size());
}

void write_series_if_due(Comm& comm, const BatchOptions& o, DistSystem& sys) {
  if (o.snap.every == 0) return;
  const std::uint64_t s = sys.steps_done();
  if (s % o.snap.every != 0) return;
  write_snapshot(comm, o, series_name(o.snapshot, s / o.snap.every), sys);
}

// The checks of the serial batch, on every rank, plus what slotsim-mpi
// cannot do. Fills `plan`, `stdout_taken` (an output is stdout) and
// `json_stdout` (that output is --json's, under any name for stdout: it is
// written last) and returns the particle read for --read-dict.
std::optional<std::size_t> check_flags(Comm& comm, BatchOptions& o, std::vector<PlannedSwitch>& plan,
                                       bool& stdout_taken, bool& json_stdout) {
  SimOptions& so = o.sim;
  SimConfig& cfg = so.cfg;
  finish_sim_options(so);
  o.steps = parse_count(o.steps_text, "--steps", 0, kMaxSteps);
  plan = parse_switches(o.switch_at, o.steps);
  if (cfg.python_objects && !traits(cfg.layout).heap_objects)
    throw std::invalid_argument(python_objects_refusal(cfg.layout));
  if (cfg.python_objects)
    for (const auto& p : plan)
      if (!traits(p.to).heap_objects) throw std::invalid_argument("--switch-at: " + python_objects_refusal(p.to));
  if (cfg.sort_every > 0)
    throw std::invalid_argument("--sort-every: not supported by slotsim-mpi (a Morton reorder would have to sort "
                                "the global order across ranks); run it with the serial slotsim");
  if (!o.snapshot.empty() && !is_hdf5_path(o.snapshot))
    throw std::invalid_argument("--snapshot '" + o.snapshot + "': slotsim-mpi writes HDF5 snapshots only (FILE.h5)");
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"--json", o.json}, {"--csv", o.csv}, {"--snapshot", o.snapshot}};
  for (const auto& [flag, value] : outputs) check_not_empty(so, flag, value);
  const auto targets = check_writable_all(outputs);
  stdout_taken = on_stdout(targets);
  json_stdout = on_stdout(targets, "--json");
  o.snap.quiet = o.quiet;
  check_snapshot_options(o.snap, o.snapshot, cfg);
  // A restart's step, from the snapshot's header (every rank reads it, as
  // each reads the particle count below): the --snapshot-every series of a
  // restart starts after it.
  std::uint64_t start_step = 0;
  Layout start_layout = cfg.layout;  // the layout the run starts in
  if (!o.snap.restart.empty()) {
    check_restart_flags(o.snap);
    const auto head = inspect_restart_h5(o.snap.restart);
    start_step = head.snap.run.steps;
    if (!so.given("--layout")) start_layout = head.snap.cfg.layout;
    if (start_step + o.steps > kMaxSteps)
      throw std::invalid_argument("--steps " + std::to_string(o.steps) + ": the snapshot is at step " +
                                  std::to_string(start_step) + ", and a run ends by step " + std::to_string(kMaxSteps));
  }
  // Every output against every input and each other, the --snapshot-every
  // series included (by name: its files do not exist yet), as the serial
  // batch checks them. Checking the single paths alone was rejected: a
  // series file then silently replaced a report or the --restart input.
  const auto series = snapshot_series(o.snap, o.snapshot, start_step, o.steps, o.snap.restart.empty());
  io::check_distinct_paths(targets, {{"--ic", cfg.ic_file}, {"--restart", o.snap.restart}}, series);
  if (o.snap.restart.empty()) dist::check_decomposition(cfg.solver, cfg.force, comm.size());
  std::optional<std::size_t> id;
  if (!o.read_dict.empty() && o.read_dict != "all") {
    const auto& t = o.read_dict;
    if (t.find_first_not_of("0123456789") != std::string::npos || t.size() > 18)
      throw std::invalid_argument("--read-dict: expected 'all' or a particle id, got '" + t + "'");
    id = std::stoull(t);
    if (cfg.ic_file.empty() && o.snap.restart.empty() && *id >= cfg.particles)
      throw std::invalid_argument("--read-dict: particle " + t + " is out of range (" +
                                  std::to_string(cfg.particles) + " particles)");
  }
  check_read_dict_layout(o.read_dict, start_layout);
  return id;
}

int run_batch(Comm& comm, BatchOptions& o) {
  std::vector<PlannedSwitch> plan;
  std::optional<std::size_t> read_dict_id;
  bool stdout_taken = false, json_stdout = false;
  dist::agree(comm, [&] { read_dict_id = check_flags(comm, o, plan, stdout_taken, json_stdout); });
  // With a document on stdout ('-', or another name of it) the document
  // owns it, and the text (plan, switch lines, summary) goes to stderr, as
  // in the serial batch; it used to go to stdout too, and the JSON read
  // from there did not parse.
  std::FILE* const text = stdout_taken ? stderr : stdout;
  SimConfig& cfg = o.sim.cfg;
  const bool root = comm.root();
  const bool say = root && !o.quiet;

  // How many particles, before anything scales with them. --ic: rank 0
  // sizes the file (and later reads it whole and hands each rank its
  // segment); --restart: every rank reads the header.
  std::size_t n = cfg.particles;
  std::uint64_t ic_bytes = 0;
  std::vector<ParticleRecord> ic_records;  // rank 0, --ic
  dist::agree(comm, [&] {
    if (!o.snap.restart.empty()) {
      n = snapshot_particle_count(o.snap.restart);
    } else if (!cfg.ic_file.empty() && root) {
      const InputSize in = inspect_input(cfg.ic_file);
      if (in.sized) {
        n = static_cast<std::size_t>(std::max<std::uint64_t>(1, in.particles));
        ic_bytes = std::max<std::uint64_t>(1, in.bytes);
      } else {
        const double cap = 0.25 * 0.9 * double(mem::available_bytes());
        ic_records = read_particles_csv(cfg.ic_file, cap > 0 ? static_cast<std::uint64_t>(cap) : UINT64_MAX);
        n = ic_records.size();
      }
    }
  });
  comm.bcast(n, 0);
  comm.bcast(ic_bytes, 0);
  // What the plan is of: the flags' run, or the snapshot's (which fixes
  // the solver; --layout and --threads may still override it).
  SimConfig planned = cfg;
  if (!o.snap.restart.empty()) {
    dist::agree(comm, [&] {
      planned = read_restart_h5(o.snap.restart, RowSlice{0, 0}).cfg;
      if (o.sim.given("--layout")) planned.layout = cfg.layout;
      dist::check_decomposition(planned.solver, planned.force, comm.size());
    });
  }

  // Each rank's plan: its segment in every layout the run holds, the
  // distributed solver's buffers, pm's imports, and on rank 0 the --ic
  // records.
  const dist::Segments seg(std::max<std::size_t>(n, 1), comm.size());
  const std::size_t mine = seg.count(comm.rank());
  RunShape shape = run_shape(planned, mine);
  for (const auto& p : plan) shape.switches.emplace_back(p.at, p.to);
  shape.steps = o.steps;
  if (root && ic_bytes > 0) {
    // Rank 0 holds the --ic records while its store fills, as the serial
    // batch plans them (sim/memory_plan.hpp, RunShape::Load).
    shape.load.what = "--ic " + cfg.ic_file;
    shape.load.held_bytes_per_particle = 56;
  }
  shape.output_bytes_per_particle = o.snapshot.empty() ? 0 : 24;
  shape.exact_potential_max = n > cfg.exact_potential_max ? 0 : SIZE_MAX;
  shape.solver_items = dist::dist_solver_items(planned.solver, planned.force, seg, comm.rank());
  // pm's imports depend on where the particles are: a dry run of a scene
  // streams it to count them; otherwise they are counted from the
  // particles once spawned or loaded, and checked before the first step.
  const bool is_pm = planned.solver == "pm";
  std::vector<std::uint64_t> imports;  // a dry run of a pm scene: every rank's
  if (is_pm && o.dry_run) {
    dist::agree(comm, [&] {
      if (cfg.ic_file.empty() && o.snap.restart.empty()) {
        imports = dist::pm_imports_of_scene(cfg, comm.size());
        shape.solver_items.push_back(dist::pm_import_item(imports[std::size_t(comm.rank())], seg.max_count()));
      } else
        shape.solver_items.push_back({"pm: imported particles (counted once the file is read: planned here at "
                                      "twice an even share)",
                                      2 * dist::kPmImportBytes * double(seg.max_count())});
    });
  }
  std::vector<dist::RankPeak> peaks;
  dist::agree(comm, [&] {
    peaks = dist::check_rank_plans(comm, plan_run(shape), mine, "this run", o.dry_run);
  });
  if (o.dry_run) {
    if (root && !imports.empty()) {
      std::fprintf(text, "\npm: particles each rank imports (its x-slab's buckets; an even share is %zu):\n| rank | planes "
                  "| imports | x even share |\n|---:|---|---:|---:|\n",
                  seg.max_count());
      for (int r = 0; r < comm.size(); ++r)
        std::fprintf(text, "| %d | %d-%d | %llu | %.2f |\n", r, dist::pm_plane(planned.force.grid, comm.size(), r),
                    dist::pm_plane(planned.force.grid, comm.size(), r + 1) - 1, ull(imports[std::size_t(r)]),
                    double(imports[std::size_t(r)]) / double(std::max<std::size_t>(1, seg.max_count())));
    }
    return 0;
  }

  install_interrupt_handlers();
  using Clock = std::chrono::steady_clock;
  auto last_print = Clock::now();
  auto progress = [&](double f, const char* what) {
    if (!say || (f > 0 && Clock::now() - last_print < std::chrono::seconds(1))) return;
    last_print = Clock::now();
    std::fprintf(stderr, "  %s %5.1f%%\n", what, 100 * f);
  };

  mem::reset_peak();
  const auto t_spawn = Clock::now();
  std::unique_ptr<DistSystem> sys_ptr;
  if (!o.snap.restart.empty()) {
    dist::RestartPart r = dist::read_restart_part(comm, o.snap.restart);
    const Layout saved = r.cfg.layout;
    const int threads = cfg.threads;
    const bool threads_given = o.sim.given("--threads");
    const bool layout_given = o.sim.given("--layout");
    const Layout to = layout_given ? cfg.layout : saved;
    cfg = r.cfg;
    if (threads_given) cfg.threads = threads;
    sys_ptr = std::make_unique<DistSystem>(comm, cfg, r.n, std::move(r.part));
    const std::uint64_t h = sys_ptr->state_hash();
    if (h != r.state_hash)
      throw dist::AgreedError(2, o.snap.restart + ": restored state hash " + hex(h) + " differs from the snapshot's " +
                                     hex(r.state_hash));
    if (to != sys_ptr->layout()) {
      sys_ptr->switch_layout(to, progress);
      cfg.layout = to;
    }
    if (say)
      print_restarted(o.snap.restart, sys_ptr->steps_done(), sys_ptr->sim_time(), sys_ptr->layout(), cfg.solver,
                      ", " + std::to_string(comm.size()) + " ranks", r.status);
  } else if (!cfg.ic_file.empty()) {
    // Rank 0 reads the whole file (as the serial loader does) and each rank
    // receives its segment.
    dist::agree(comm, [&] {
      if (!root || !ic_records.empty()) return;
      if (is_hdf5_path(cfg.ic_file)) {
        GadgetParticles g = read_particles_h5(cfg.ic_file);
        if (!g.note.empty()) std::fprintf(stderr, "note: %s\n", g.note.c_str());
        ic_records = std::move(g.particles);
      } else {
        ic_records = read_particles_csv(cfg.ic_file);
      }
      if (ic_records.empty()) throw std::invalid_argument("loading " + cfg.ic_file + ": no particles");
    });
    // The plan counted a CSV file's lines, an upper bound of its particles.
    std::size_t got = ic_records.size();
    comm.bcast(got, 0);
    if (got > n)
      throw dist::AgreedError(1, cfg.ic_file + ": read " + std::to_string(got) + " particles, planned at most " +
                                     std::to_string(n) + " (did the file change?)");
    n = got;
    const dist::Segments loaded(n, comm.size());
    std::vector<std::size_t> counts(static_cast<std::size_t>(comm.size()), 0);
    if (root)
      for (int r = 0; r < comm.size(); ++r) counts[std::size_t(r)] = loaded.count(r);
    dist::LocalPart part;
    part.run.particles = comm.alltoallv(ic_records.data(), counts);
    ic_records = {};
    cfg.particles = n;
    sys_ptr = std::make_unique<DistSystem>(comm, cfg, n, std::move(part));
  } else {
    sys_ptr = std::make_unique<DistSystem>(comm, cfg, progress);
  }
  DistSystem& sys = *sys_ptr;
  const double spawn_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_spawn).count();
  if (is_pm) {
    // The imports of the particles as they are, before the first step
    // allocates them (the solver checks every later step's itself).
    const std::size_t k = sys.local_size();
    std::vector<double> x(k), y(k), z(k), m(k);
    sys.local().store().visit([&](const auto& st) { kernels::gather(st, x.data(), y.data(), z.data(), m.data()); });
    imports = dist::pm_imports(comm, sys.local().config().force, {x.data(), y.data(), z.data(), m.data(), k});
    shape.solver_items.push_back(dist::pm_import_item(imports[std::size_t(comm.rank())], sys.segments().max_count()));
    dist::agree(comm, [&] { dist::check_rank_plans(comm, plan_run(shape), k, "this run", false); });
  }
  if (say)
    std::fprintf(stderr, "spawned %zu particles (%s, layout %s) on %d ranks in %.0f ms\n", sys.size(),
                 one_line(cfg.ic_file.empty() ? cfg.scene : cfg.ic_file).c_str(),
                 std::string(layout_name(sys.layout())).c_str(), comm.size(), spawn_ms);
  if (!o.read_dict.empty()) {
    std::uint64_t made = 0;
    dist::agree(comm, [&] {
      if (read_dict_id) {
        if (*read_dict_id >= sys.size())
          throw std::invalid_argument("--read-dict: particle " + o.read_dict + " is out of range (" +
                                      std::to_string(sys.size()) + " particles)");
        for (std::size_t k = 0; k < sys.local_size(); ++k)
          if (sys.gid(k) == *read_dict_id) made += sys.local().read_dict(k);
      } else {
        made = sys.local().read_dict_all();
      }
    });
    made = comm.sum(made);
    if (say) std::fprintf(stderr, "read __dict__ (%s): %llu dict(s) created\n", o.read_dict.c_str(), ull(made));
  }
  // E0: a restart carries its run's (restored by DistSystem from the
  // snapshot, so the energy error is the whole run's, as in the serial
  // batch); a fresh run, or a snapshot without one, takes it now. Taking
  // it from the restored state was rejected: the report of a restart then
  // measured only its own steps and disagreed with the serial restart's.
  const bool restarted = !o.snap.restart.empty();
  const bool e0_carried = restarted && sys.initial_energy().has_value();
  if (!e0_carried) sys.diagnostics();
  const double e0 = *sys.initial_energy();
  const std::uint64_t start_step = sys.steps_done();  // the snapshot's step on a restart, else 0
  const dist::CommStats comm_setup = comm.stats();
  comm.reset_stats();

  std::vector<LayoutSegment> segments{{sys.layout(), 1, {}}};
  std::size_t next_switch = 0;
  auto apply_switches = [&](std::uint64_t at) {
    while (next_switch < plan.size() && plan[next_switch].at == at) {
      const Layout to = plan[next_switch++].to;
      const std::size_t before = sys.local().switches().size();
      const double bytes_before = double(sys.bytes_total().total());
      const auto t0 = Clock::now();
      sys.switch_layout(to, progress);
      const double ms = comm.max(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (sys.local().switches().size() == before) continue;
      const SwitchRecord& r = sys.local().switches().back();
      const double bytes_after = double(sys.bytes_total().total());
      if (root) {
        std::fprintf(text, "switch at step %llu: %s -> %s in %.1f ms, %.1f MB -> %.1f MB (all ranks)\n", ull(at),
                    std::string(layout_name(r.from)).c_str(), std::string(layout_name(r.to)).c_str(), ms,
                    mb(bytes_before), mb(bytes_after));
        std::fflush(text);
      }
      segments.push_back({to, at + 1, {}});
    }
  };

  std::string status = "ok", status_message;
  int exit_code = 0, sig = 0;
  // A snapshot that cannot be written (a full disk) stops the run there, as
  // in the serial batch: every other output is still written, the report
  // marked "failed" with what was lost, exit 1. It used to end the job with
  // the error alone, and the JSON and CSV of the run were lost. Every rank
  // sees the same failure (the writer agrees on its errors), so every rank
  // takes the same path.
  std::vector<OutputFailure> outputs_failed;  // as the serial report's outputs_failed
  auto snapshot_failed = [&](const char* flag, const std::string& path, const std::exception& e,
                             const std::string& before = "") {
    outputs_failed.push_back({flag, path, e.what()});
    const std::string what = before + std::string(flag) + " not written: " + one_line(e.what());
    status_message += (status_message.empty() ? "" : "; ") + what;
    if (status == "ok") {
      status = "failed";
      exit_code = kExitFailed;
    }
  };
  auto series = [&] {
    try {
      write_series_if_due(comm, o, sys);
      return true;
    } catch (const std::exception& e) {
      const std::uint64_t done = sys.steps_done() - start_step;
      snapshot_failed("--snapshot-every", series_name(o.snapshot, sys.steps_done() / o.snap.every), e,
                      "the run stopped after " + std::to_string(done) + (done == 1 ? " step: " : " steps: "));
      return false;
    }
  };
  const bool running = !o.snap.restart.empty() || series();  // the series' file before step 1
  const auto t_run = Clock::now();
  StepHeartbeat heartbeat(say, o.steps);  // rank 0's lines while a step runs long
  for (std::uint64_t k = 0; running && k < o.steps; ++k) {
    // Every rank stops at the same step: the first signal any rank saw.
    sig = static_cast<int>(comm.max(static_cast<std::uint64_t>(interrupt_signal())));
    if (sig) break;
    apply_switches(k);
    heartbeat.begin(k);
    try {
      sys.step();
    } catch (const Diverged& e) {
      heartbeat.end();
      status = "diverged";
      status_message = e.what();
      break;
    }
    heartbeat.end();
    segments.back().steps.push_back(sys.local().last_timing());
    if (!series()) break;
    if (say && (Clock::now() - last_print > std::chrono::seconds(1) || k + 1 == o.steps)) {
      last_print = Clock::now();
      const double el = std::chrono::duration<double>(Clock::now() - t_run).count();
      std::fprintf(stderr, "step %llu/%llu  %.2f ms/step  elapsed %.1f s  eta %.1f s\n", ull(k + 1), ull(o.steps),
                   sys.local().last_timing().total_ms, el, el / double(k + 1) * double(o.steps - k - 1));
    }
  }
  if (status == "ok" && sig == 0) sig = static_cast<int>(comm.max(static_cast<std::uint64_t>(interrupt_signal())));
  // Steps run by this process: a restart's report counts them as the
  // serial one does (steps_done), and says where they began (step).
  const std::uint64_t steps_here = sys.steps_done() - start_step;
  if (status == "ok" && sig) {
    status = "interrupted";
    status_message = std::string("interrupted by ") + (sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "a signal") +
                     " after " + std::to_string(steps_here) + " of " + std::to_string(o.steps) + " steps";
    exit_code = 128 + sig;
  } else if (status == "ok") {
    apply_switches(o.steps);
  } else if (status == "diverged") {
    exit_code = kExitDiverged;
  }
  const dist::CommStats comm_steps = comm.stats();
  if (say && status != "ok") std::fprintf(stderr, "%s; computing the final report\n", status.c_str());
  const Diagnostics d1 = sys.diagnostics();
  const std::uint64_t hash = sys.state_hash();
  const LayoutBytes b = sys.bytes_total();
  const std::uint64_t own_dicts = sys.own_dicts_total();

  if (!o.snapshot.empty()) {
    try {
      write_snapshot(comm, o, o.snapshot, sys, status);
    } catch (const std::exception& e) {
      // A diverged state the format cannot hold must not cost the reports
      // either. It is recorded in outputs_failed (the status stays
      // "diverged") and said in the last line, as the serial batch does:
      // one line on stderr.
      if (status == "diverged")
        outputs_failed.push_back({"--snapshot", o.snapshot, e.what()});
      else
        snapshot_failed("--snapshot", o.snapshot, e);
    }
  }

  const std::vector<StepTiming> all = all_steps(segments);
  const RankRow mine_row = rank_row(comm.rank(), sys, all, comm_setup, comm_steps, spawn_ms);
  const std::vector<RankRow> rows = comm.allgather(mine_row);
  const int threads = omp_get_max_threads();
  const double np = double(sys.size());
  const double e_rel = e0 != 0 ? std::abs((d1.total() - e0) / e0) : 0.0;

  // The reports, rank 0's: each output on its own, as the serial batch
  // writes them: a failure is recorded (outputs_failed, "failed" for a run
  // that was otherwise fine) and the next output is still tried; a JSON
  // written before a later output failed is written again, marked. It used
  // to write the JSON, then let the CSV's error end the job, so the JSON
  // said "ok" and a failed JSON cost the CSV. The summary comes last, so it
  // can say what was not written.
  double max_particle = 0, max_rss = 0;
  for (const auto& r : rows) {
    max_particle = std::max(max_particle, r.particle_bytes);
    max_rss = std::max(max_rss, r.rss);
  }
  // The snapshots' failures so far are in status_message already (a
  // diverged run's refused snapshot is in outputs_failed alone: the
  // status and its message stay the divergence's).
  std::size_t noted = outputs_failed.size();
  auto note_failures = [&] {
    for (; noted < outputs_failed.size(); ++noted) {
      if (status != "ok" && status != "failed") continue;  // diverged, interrupted: that status stays
      status = "failed";
      exit_code = kExitFailed;
      const OutputFailure& x = outputs_failed[noted];
      status_message += (status_message.empty() ? "" : "; ") + x.flag + " not written: " + one_line(x.error);
    }
  };
  dist::agree(comm, [&] {
    if (!root) return;
    const TimeStats total = step_stats(all);
    auto report = [&] {
      Json j;
      j["status"] = status;
      if (!status_message.empty()) j["status_message"] = one_line(status_message);
      if (!outputs_failed.empty()) {  // as the serial report's
        Json& f = j["outputs_failed"] = Json::array();
        for (const OutputFailure& x : outputs_failed)
          f.push_back({{"output", x.flag}, {"path", one_line(x.path)}, {"error", one_line(x.error)}});
      }
      j["steps_requested"] = o.steps;
      j["steps_done"] = steps_here;
      j["step"] = sys.steps_done();
      if (restarted) {
        j["restarted_from"] = one_line(o.snap.restart);
        j["restart_step"] = start_step;
      }
      j["layout"] = layout_name(sys.layout());
      j["initial_layout"] = layout_name(segments.front().layout);
      if (cfg.python_objects) j["python_objects"] = true;
      j["particles"] = sys.size();
      j["scene"] = cfg.ic_file.empty() ? cfg.scene : "ic:" + cfg.ic_file;
      j["seed"] = cfg.seed;
      j["steps"] = steps_here;
      j["solver"] = cfg.solver;
      j["mpi_ranks"] = comm.size();
      j["threads"] = threads;
      j["dt"] = cfg.dt;
      j["softening"] = cfg.force.softening;
      j["bytes_per_particle"] = double(b.total()) / np;
      Json& bd = j["bytes_breakdown"] = {{"objects", double(b.objects) / np},
                                         {"tables", double(b.tables) / np},
                                         {"index", double(b.index) / np},
                                         {"columns", double(b.columns) / np},
                                         {"shared_keys", double(b.shared_keys) / np}};
      if (cfg.python_objects) {
        bd["py_headers"] = double(b.py_headers) / np;
        bd["floats"] = double(b.floats) / np;
      }
      j["own_dicts"] = own_dicts;
      j["usable_bytes_per_particle"] = double(b.usable_total) / np;
      j["particle_bytes"] = b.total();
      j["particle_bytes_usable"] = b.usable_total;
      j["particle_bytes_max_rank"] = max_particle;
      j["rss_bytes_max_rank"] = max_rss;
      Json& step_ms = j["step_ms"] = Json::array();
      for (const auto& s : all) step_ms.push_back(s.total_ms);
      j["step_ms_median"] = total.median;
      j["phases_ms_median"] = phases_json(phase_medians(all));
      j["phases_ms"] = phases_json(phase_figures(all));
      j["per_layout"] = per_layout_json(segments);
      j["spawn_ms"] = spawn_ms;
      j["energy_initial"] = e0;
      if (e0_carried) j["energy_initial_from"] = "snapshot";
      j["energy_final"] = d1.total();
      j["energy_rel_error"] = e_rel;
      j["kinetic_final"] = d1.kinetic;
      j["potential_final"] = d1.potential;
      j["potential_method"] = d1.potential_method;
      j["potential_error"] = d1.potential_error;
      j["potential_error_rms"] = d1.potential_error_rms;
      j["potential_targets"] = d1.potential_targets;
      j["momentum"] = {d1.px, d1.py, d1.pz};
      Json& sw = j["switches"] = Json::array();
      for (const auto& r : sys.local().switches())
        sw.push_back({{"from", layout_name(r.from)},
                      {"to", layout_name(r.to)},
                      {"at_step", r.at_step},
                      {"ms", r.ms},
                      {"bytes_before", r.bytes_before},
                      {"bytes_after", r.bytes_after}});
      j["ranks"] = ranks_json(rows);
      j["state_hash"] = hex(hash);
      return io::report_text(j);
    };
    auto attempt = [&](const char* flag, const std::string& path, const std::string& content) {
      return try_output(outputs_failed, flag, path, [&] { write_file_atomic(path, content); });
    };
    bool json_written = false;
    if (!o.json.empty() && !json_stdout) json_written = attempt("--json", o.json, report());
    const std::size_t failed_before = outputs_failed.size();
    if (!o.csv.empty()) attempt("--csv", o.csv, steps_csv(segments));
    note_failures();
    if (outputs_failed.size() > failed_before && json_written) attempt("--json", o.json, report());
    if (json_stdout) attempt("--json", o.json, report());
    note_failures();

    std::fputs(step_table(segments).c_str(), text);
    std::fprintf(text, "\n(rank 0's step times; every rank's are in the per-rank table)\n");
    std::fprintf(text, "\n| quantity | value |\n|---|---|\n");
    std::fprintf(text, "| status | %s |\n", status.c_str());
    if (restarted)
      std::fprintf(text, "| restarted from | %s at step %llu |\n", one_line(o.snap.restart).c_str(), ull(start_step));
    std::fprintf(text, "| layout (final) | %s |\n", std::string(layout_name(sys.layout())).c_str());
    std::fprintf(text, "| particles | %zu |\n| solver | %s |\n| steps done | %llu of %llu%s |\n| ranks | %d |\n"
                "| threads per rank | %d |\n",
                sys.size(), cfg.solver.c_str(), ull(steps_here), ull(o.steps),
                restarted ? (" (now at step " + std::to_string(sys.steps_done()) + ")").c_str() : "", comm.size(),
                threads);
    std::fprintf(text, "| bytes/particle | %.2f (objects %.2f, tables %.2f, index %.2f, columns %.2f) |\n",
                double(b.total()) / np, double(b.objects) / np, double(b.tables) / np, double(b.index) / np,
                double(b.columns) / np);
    std::fprintf(text, "| own dicts | %llu |\n", ull(own_dicts));
    std::fprintf(text, "| particle MB, all ranks | %.2f requested, %.2f usable |\n", mb(double(b.total())),
                mb(double(b.usable_total)));
    std::fprintf(text, "| particle MB, largest rank | %.2f |\n| RSS MB, largest rank | %.2f |\n", mb(max_particle),
                mb(max_rss));
    std::fprintf(text, "| step ms, all layouts: median (min-max) | %.3f (%.3f-%.3f) |\n", total.median, total.min, total.max);
    std::fputs(energy_rows(e0, d1.total(), d1.potential_method, e0_carried, restarted && !e0_carried, e_rel).c_str(), text);
    std::fprintf(text, "| momentum | (%.3e, %.3e, %.3e) |\n| state hash | %s |\n", d1.px, d1.py, d1.pz, hex(hash).c_str());
    for (const OutputFailure& x : outputs_failed)
      std::fprintf(text, "| not written | %s %s: %s |\n", x.flag.c_str(), one_line(x.path).c_str(),
                   one_line(x.error).c_str());
    std::fputc('\n', text);
    print_rank_table(rows, text);
    std::fflush(text);
  });
  // Every rank returns what rank 0 found (an output failure is its alone).
  exit_code = static_cast<int>(comm.max(static_cast<std::uint64_t>(exit_code)));
  if (root && status != "ok")
    std::fprintf(stderr, "slotsim-mpi batch: %s: %s; outputs written with \"status\": \"%s\"%s\n", status.c_str(),
                 one_line(status_message).c_str(), status.c_str(), outputs_failed.empty() ? "" : " where they could be");
  return exit_code;
}

}  // namespace

CLI::App* register_batch(CLI::App& app, Comm& comm, int& code) {
  auto o = std::make_shared<BatchOptions>();
  CLI::App* cmd = app.add_subcommand("batch", "run a simulation across the MPI ranks and report memory and timing");
  add_sim_options(cmd, o->sim);
  cmd->add_option("--steps", o->steps_text, "number of time steps")->capture_default_str();
  cmd->add_option("--switch-at", o->switch_at,
                  "switch layout after STEP steps, e.g. 50:slots (repeatable; every rank switches)");
  cmd->add_option("--json", o->json, "write a JSON report to FILE ('-' = stdout), with one row per rank");
  cmd->add_option("--csv", o->csv, "write rank 0's per-step timings as CSV to FILE ('-' = stdout)");
  cmd->add_option("--snapshot", o->snapshot, "write the final particles to FILE.h5 (parallel HDF5, Gadget layout)");
  add_snapshot_options(cmd, o->snap);
  cmd->add_flag("-q,--quiet", o->quiet, "no progress output (switch lines and the summary still print: to stdout, or to stderr when a report is on stdout)");
  cmd->add_flag("--dry-run", o->dry_run, "print every rank's memory plan and exit without running");
  cmd->add_option("--read-dict", o->read_dict,
                  "read __dict__ of particle ID, or 'all', before the first step (gives shared-keys particles a dict)")
      ->check(not_empty("'all' or a particle id"));
  cmd->callback([o, &comm, &code] { code = run_guarded_mpi(comm, "batch", [&] { return run_batch(comm, *o); }); });
  return cmd;
}

}  // namespace slotsim::app::mpi
