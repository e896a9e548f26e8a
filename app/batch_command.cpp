// `slotsim batch`: a headless run with optional layout switches, printing
// progress and a summary, and writing JSON/CSV reports and a snapshot.
//
// Order of work, so that bad input costs nothing and nothing is lost:
//  1. every flag is converted and checked, and every output path resolved
//     and checked (and checked against the inputs and each other);
//  2. the memory plan of the whole run (every layout it will hold, each
//     switch's two-layout peak, solver buffers, per-step records) is checked
//     against available memory; --dry-run prints it and stops here;
//  3. the run; SIGINT/SIGTERM stop it after the current step, a non-finite
//     value stops it at the step that produced it;
//  4. every requested output is written, marked "ok", "interrupted" or
//     "diverged", and the exit status says which (0, 128 + signal, 3).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <csignal>
#include <optional>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/exit_status.hpp"
#include "app/output_file.hpp"
#include "app/report_json.hpp"
#include "app/step_report.hpp"
#include "app/run_plan.hpp"
#include "app/sim_options.hpp"
#include "app/step_heartbeat.hpp"
#include "app/switch_plan.hpp"
#include "sim/interrupt.hpp"
#include "sim/limits.hpp"
#include "app/snapshot_output.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/hdf5_snapshot.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/memory_plan.hpp"
#include "sim/solvers/pm/scene_occupancy.hpp"
#include "sim/units.hpp"
#include "sim/message.hpp"
#include "sim/stats.hpp"
#include "sim/step_phases.hpp"

namespace slotsim::app {
namespace {

struct BatchOptions {
  SimOptions sim;
  std::string steps_text = "10";
  std::uint64_t steps = 10;
  std::vector<std::string> switch_at;
  std::string json, csv, snapshot;
  bool quiet = false;
  bool dry_run = false;
  SnapshotOptions snap;  // --snapshot-every, --snapshot-fields, --restart
  std::string read_dict;  // --read-dict: "all" or a particle id ("" = none)
};

std::string hex(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

double mib(long long b) { return double(b) / kMiB; }  // sim/units.hpp: MiB, as every front end prints
// The HDF5 reader's process (hdf5_read.cpp): its slab buffers (records,
// positions, velocities and masses of up to 2^18 rows, 112 B a row) and
// libhdf5's own, about 6 MB; for a 4M-particle file its private pages
// peaked at 34 MB (bench/peak_rss.py).
double reader_bytes(std::size_t n) { return 6e6 + 112.0 * double(std::min<std::size_t>(n, 262144)); }
unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

// What an isolated pm mesh touches on the positions the run starts from
// (issue 20 item 8: priced by every row, the plan was 2.4x the peak of a
// Plummer sphere on the 256 mesh): a restart's or an --ic file's, read once
// more here (the run reads the file again when it builds its System), or a
// scene's, streamed twice without holding it. The occupancy prices what
// becomes resident; the solver still allocates its whole mesh (the force
// mesh's untouched pages are address space, not memory), and the System
// refuses a run whose allocations exceed the limit (System's own plan
// check, with the bound) whatever the particles occupy. So a run whose
// bound does not fit keeps the bound's plan, and is refused by it, as the
// run itself would be (a 1024^3 mesh: 56 GiB allocated, "class 7"), with
// no read or generation first.
std::optional<PmOccupancy> starting_occupancy(const SimConfig& cfg, const std::string& restart,
                                              const std::vector<ParticleRecord>& ic_records, const RunShape& shape) {
  if (cfg.solver != "pm" || cfg.force.periodic) return std::nullopt;
  if (!plan_run(shape).fits()) return std::nullopt;
  if (!ic_records.empty()) return pm_occupancy(ic_records.data(), ic_records.size(), cfg.force.grid);
  if (restart.empty() && cfg.ic_file.empty())
    return pm_occupancy_of_scene(cfg.scene, cfg.particles, cfg.seed, cfg.force.grid);
  std::vector<ParticleRecord> r;
  if (!restart.empty())
    r = read_restart_h5(restart).run.particles;
  else if (is_hdf5_path(cfg.ic_file))
    r = read_particles_h5(cfg.ic_file).particles;
  else
    r = read_particles_csv(cfg.ic_file);
  return pm_occupancy(r.data(), r.size(), cfg.force.grid);
}

int run_batch(BatchOptions& o) {
  SimOptions& so = o.sim;
  finish_sim_options(so);
  o.steps = parse_count(o.steps_text, "--steps", 0, kMaxSteps);
  const auto plan = parse_switches(o.switch_at, o.steps);
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"--json", o.json}, {"--csv", o.csv}, {"--snapshot", o.snapshot}};
  for (const auto& [flag, value] : outputs) check_not_empty(so, flag, value);
  const auto targets = check_writable_all(outputs);
  o.snap.quiet = o.quiet;
  check_snapshot_options(o.snap, o.snapshot, so.cfg);
  SimConfig& cfg = so.cfg;

  // Where the run starts, known before anything that scales is allocated:
  // a scene, an --ic file (HDF5: its header and dataset shapes; a regular
  // CSV: its lines), or a --restart snapshot's configuration and counts.
  std::optional<RestartHeader> restart;
  std::vector<ParticleRecord> ic_records;
  std::size_t n = cfg.particles;
  std::uint64_t start_step = 0;
  RunShape::Load load;
  bool pipe_input = false;
  if (!o.snap.restart.empty()) {
    restart = prepare_restart(o.snap, cfg);
    n = static_cast<std::size_t>(restart->particles);
    start_step = restart->snap.run.steps;
    if (start_step + o.steps > kMaxSteps)
      throw std::invalid_argument("--steps " + std::to_string(o.steps) + ": the snapshot is at step " +
                                  std::to_string(start_step) + ", and a run ends by step " + std::to_string(kMaxSteps));
    // hdf5_read.cpp: records (56 B), ids (read as 8 B, kept as 4), cached
    // forces (24), dynamic values and masks (9 each), the own-dict mask.
    const double kept = 56 + 4 + (restart->forces_cached ? 24 : 0) + 9.0 * double(restart->dynamic_attrs) +
                        (restart->own_dict ? 1 : 0);
    load.what = "--restart " + o.snap.restart;
    load.read_bytes_per_particle = kept + 8;
    load.read_fixed_bytes = reader_bytes(n);
    load.held_bytes_per_particle = kept;
    if (cfg.python_objects == restart->snap.cfg.python_objects) load.restored_layout = restart->snap.cfg.layout;
  } else {
    if (cfg.python_objects && !traits(cfg.layout).heap_objects)
      throw std::invalid_argument(python_objects_refusal(cfg.layout));
    if (!cfg.ic_file.empty()) {
      const InputSize in = inspect_input(cfg.ic_file);
      load.what = "--ic " + cfg.ic_file;
      if (in.sized) {
        n = static_cast<std::size_t>(in.particles);
        // Records (56 B); HDF5 sorts them by ParticleIDs in place, with
        // the ids (8 B) and the order (4 B) while it reads.
        load.read_bytes_per_particle = 56 + (in.has_ids ? 12 : 0);
        load.read_fixed_bytes = is_hdf5_path(cfg.ic_file) ? reader_bytes(n) : 0;
        load.held_bytes_per_particle = 56;
      } else {
        pipe_input = true;  // read below, once every check that needs no count has passed
      }
    }
  }
  if (cfg.python_objects)
    for (const auto& p : plan)
      if (!traits(p.to).heap_objects) throw std::invalid_argument("--switch-at: " + python_objects_refusal(p.to));
  // `p.__dict__` before the first step, on particle ID or on all of them
  // (its range is checked once the count is known).
  std::optional<std::size_t> read_dict_id;
  if (!o.read_dict.empty() && o.read_dict != "all")
    read_dict_id = static_cast<std::size_t>(parse_count(o.read_dict, "--read-dict", 0, kMaxParticles - 1));
  // `p.__dict__` on a layout without one raises AttributeError, as in
  // CPython: said now, not after the particles are made (the layout is the
  // one the run starts in, a restart's included).
  check_read_dict_layout(o.read_dict, cfg.layout);
  // Every output against every input and each other, the --snapshot-every
  // series included (by name: its files do not exist yet).
  const auto series = snapshot_series(o.snap, o.snapshot, start_step, o.steps, !restart);
  io::check_distinct_paths(targets, {{"--ic", cfg.ic_file}, {"--restart", o.snap.restart}}, series);
  if (pipe_input) {
    // A pipe or a device: no size to check. Read it now, after the checks
    // above (a refusal after reading would have consumed what the writer
    // sent; slotsim-mpi checks in the same order), with a cap of a quarter
    // of the limit (records take 56 B each; a CSV line is at least 14
    // bytes), before the plan of the rest.
    const double cap = 0.25 * 0.9 * double(mem::available_bytes());
    ic_records = read_particles_csv(cfg.ic_file, cap > 0 ? static_cast<std::uint64_t>(cap) : UINT64_MAX);
    n = ic_records.size();
    load.held_bytes_per_particle = 56;
  }
  if (read_dict_id && *read_dict_id >= n)
    throw std::invalid_argument("--read-dict: particle " + o.read_dict + " is out of range (" + std::to_string(n) +
                                " particles)");

  // With an output on stdout ('-') the document owns it: every text line
  // (the plan, switch lines, the summary) goes to stderr instead.
  std::FILE* const text = on_stdout(targets) ? stderr : stdout;

  // The memory plan, before anything that scales with the input.
  RunShape shape = run_shape(cfg, n);
  shape.load = load;
  shape.resident_bytes = double(mem::rss_bytes());
  for (const auto& p : plan) shape.switches.emplace_back(p.at, p.to);
  shape.steps = o.steps;
  // A restart's own-dict mask: at most every particle's dict comes back.
  shape.read_dict_all = o.read_dict == "all" || (restart && restart->own_dict);
  // HDF5 writes go through per-dataset buffers of up to 24 B per particle
  // (a device or stdout gets a temporary file first, streamed to it in 1 MB
  // pieces: nothing per particle).
  shape.output_bytes_per_particle = o.snapshot.empty() ? 0 : is_hdf5_path(o.snapshot) ? 24 : 8;
  shape.pm_occupancy = starting_occupancy(cfg, o.snap.restart, ic_records, shape);
  if (dry_run_or_check(plan_run(shape), "this run", o.dry_run, text)) return 0;

  install_interrupt_handlers();
  using Clock = std::chrono::steady_clock;
  auto last_print = Clock::now();
  const bool quiet = o.quiet;
  auto progress = [&](double f, const char* what) {
    // At most a line a second, except a start (fraction 0), which
    // announces work that may be long and reports nothing until it ends.
    if (quiet || (f > 0 && Clock::now() - last_print < std::chrono::seconds(1))) return;
    last_print = Clock::now();
    std::fprintf(stderr, "  %s %5.1f%%\n", what, 100 * f);
  };

  mem::reset_peak();
  const auto t_spawn = Clock::now();
  std::unique_ptr<System> sys_ptr = ic_records.empty()
                                        ? make_batch_system(o.snap, cfg, restart ? &*restart : nullptr, progress)
                                        : std::make_unique<System>(cfg, ic_records);
  ic_records = {};
  System& sys = *sys_ptr;
  const double spawn_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_spawn).count();
  if (!quiet && !restart)
    std::fprintf(stderr, "spawned %zu particles (%s, layout %s) in %.0f ms\n", sys.size(),
                 one_line(cfg.ic_file.empty() ? cfg.scene : cfg.ic_file).c_str(),
                 std::string(layout_name(sys.layout())).c_str(), spawn_ms);
  if (!o.read_dict.empty()) {
    const std::size_t made = read_dict_id ? std::size_t(sys.read_dict(*read_dict_id)) : sys.read_dict_all();
    if (!quiet) std::fprintf(stderr, "read __dict__ (%s): %zu dict(s) created\n", o.read_dict.c_str(), made);
  }
  // E0: a restart carries its run's (the energy error is then the whole
  // run's); a fresh run takes it now.
  const bool e0_carried = restart && sys.initial_energy().has_value();
  const Diagnostics d0 = e0_carried ? Diagnostics{} : sys.diagnostics(progress);
  const double e0 = *sys.initial_energy();

  std::vector<LayoutSegment> segments{{sys.layout(), 1, {}}};
  std::size_t next_switch = 0;
  auto apply_switches = [&](std::uint64_t at) {
    while (next_switch < plan.size() && plan[next_switch].at == at) {
      const Layout to = plan[next_switch++].to;
      const std::size_t before = sys.switches().size();
      sys.switch_layout(to, progress);
      if (sys.switches().size() == before) continue;  // already in that layout
      const SwitchRecord& r = sys.switches().back();
      std::fprintf(text, "switch at step %llu: %s -> %s in %.1f ms, %.1f MiB -> %.1f MiB\n", ull(at),
                   std::string(layout_name(r.from)).c_str(), std::string(layout_name(r.to)).c_str(), r.ms,
                   mib(r.bytes_before), mib(r.bytes_after));
      std::fflush(text);
      segments.push_back({to, at + 1, {}});
    }
  };

  std::string status = "ok", status_message;
  int exit_code = 0;
  std::vector<OutputFailure> failed;
  std::string stop_reason;  // why a "failed" run stopped early
  // A series file that cannot be written (a full disk) stops the run: the
  // outputs below are still written, marked "failed", and the exit is 1.
  auto series_due = [&]() {
    try {
      write_series_if_due(o.snap, o.snapshot, sys);
      return true;
    } catch (const io::OutputError& e) {
      status = "failed";
      const std::uint64_t done = sys.steps_done() - start_step;
      stop_reason = "the run stopped after " + std::to_string(done) + (done == 1 ? " step" : " steps") +
                    ": --snapshot-every not written: " + e.what();
      failed.push_back({"--snapshot-every", series_name(o.snapshot, sys.steps_done() / o.snap.every), e.what()});
      exit_code = kExitFailed;
      return false;
    }
  };
  bool running = restart || series_due();
  const auto t_run = Clock::now();
  StepHeartbeat heartbeat(!quiet, o.steps);  // a line while a step runs long
  std::uint64_t k = 0;
  for (; running && k < o.steps; ++k) {
    if (interrupted()) break;
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
    segments.back().steps.push_back(sys.last_timing());
    if (!series_due()) break;
    if (!quiet && (Clock::now() - last_print > std::chrono::seconds(1) || k + 1 == o.steps)) {
      last_print = Clock::now();
      const double el = std::chrono::duration<double>(Clock::now() - t_run).count();
      std::fprintf(stderr, "step %llu/%llu  %.2f ms/step  elapsed %.1f s  eta %.1f s\n", ull(k + 1), ull(o.steps),
                   sys.last_timing().total_ms, el, el / double(k + 1) * double(o.steps - k - 1));
    }
  }
  const std::uint64_t steps_here = sys.steps_done() - start_step;  // run in this process
  if (status == "failed") status_message = stop_reason;
  if (status == "ok" && interrupted()) {
    const int sig = interrupt_signal();
    status = "interrupted";
    status_message = std::string("interrupted by ") + (sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "a signal") +
                     " after " + std::to_string(steps_here) + " of " + std::to_string(o.steps) + " steps";
    exit_code = exit_interrupted(sig);
  } else if (status == "ok") {
    apply_switches(o.steps);
  } else if (status == "diverged") {
    exit_code = kExitDiverged;
  }
  if (!quiet && status != "ok") std::fprintf(stderr, "%s; computing the final report\n", status.c_str());
  const Diagnostics d1 = sys.diagnostics(progress);
  const mem::HeapStats heap = mem::heap_stats();
  const std::int64_t rss = mem::rss_bytes();
  const LayoutBytes b = sys.bytes();
  const double np = double(sys.size());
  const std::uint64_t hash = sys.state_hash();
  const double e_rel = e0 != 0 ? std::abs((d1.total() - e0) / e0) : 0.0;
  const int threads = omp_get_max_threads();
  const std::vector<StepTiming> all = all_steps(segments);
  const TimeStats total = step_stats(all);

  // The JSON report: first of the outputs, and written again (it is small)
  // if a later one fails, so it always says what was lost. On stdout it
  // cannot be written twice: there it comes last.
  auto report = [&]() {
    Json j;
    j["status"] = status;
    if (!status_message.empty()) j["status_message"] = one_line(status_message);
    if (!failed.empty()) {
      Json& f = j["outputs_failed"] = Json::array();
      for (const OutputFailure& x : failed) f.push_back({{"output", x.flag}, {"path", one_line(x.path)}, {"error", one_line(x.error)}});
    }
    j["steps_requested"] = o.steps;
    j["steps_done"] = steps_here;
    j["step"] = sys.steps_done();
    if (restart) {
      j["restarted_from"] = one_line(o.snap.restart);
      j["restart_step"] = start_step;
    }
    j["layout"] = layout_name(sys.layout());
    j["initial_layout"] = layout_name(cfg.layout);
    if (cfg.python_objects) {
      j["python_objects"] = true;
      j["python_objects_version"] = py_version_text(cfg.python_version);
    }
    j["particles"] = sys.size();
    j["scene"] = cfg.ic_file.empty() ? cfg.scene : "ic:" + cfg.ic_file;
    j["seed"] = cfg.seed;
    j["steps"] = steps_here;
    j["solver"] = cfg.solver;
    j["threads"] = threads;
    j["dt"] = cfg.dt;
    j["softening"] = cfg.force.softening;
    j["bytes_per_particle"] = double(b.total()) / np;
    // Every category, so the breakdown adds up to bytes_per_particle.
    Json& bd = j["bytes_breakdown"] = Json::object();
    for (const ByteCategory& cat : kByteCategories) {
      std::string key(cat.name);
      std::replace(key.begin(), key.end(), ' ', '_');
      bd[key] = double(b.*cat.field) / np;
    }
    j["own_dicts"] = sys.own_dicts();
    j["usable_bytes_per_particle"] = double(b.usable_total) / np;
    j["particle_bytes"] = b.total();
    j["particle_bytes_usable"] = b.usable_total;
    j["heap_current_bytes"] = heap.current_requested;
    j["heap_peak_bytes"] = heap.peak_requested;
    j["heap_current_usable_bytes"] = heap.current_usable;
    j["heap_peak_usable_bytes"] = heap.peak_usable;
    j["heap_live_blocks"] = heap.live_blocks;
    Json& cats = j["categories"] = Json::object();
    for (int c = 0; c < static_cast<int>(mem::Category::kCount); ++c)
      cats[std::string(mem::category_name(static_cast<mem::Category>(c)))] =
          mem::category_stats(static_cast<mem::Category>(c)).requested;
    j["rss_bytes"] = rss;
    Json& step_ms = j["step_ms"] = Json::array();
    for (const auto& s : all) step_ms.push_back(s.total_ms);
    j["step_ms_median"] = total.median;
    j["phases_ms_median"] = phases_json(phase_medians(all));
    j["phases_ms"] = phases_json(phase_figures(all));
    j["per_layout"] = per_layout_json(segments);
    j["spawn_ms"] = spawn_ms;
    // The run's E0: the snapshot's on a restart, so the error is the whole run's.
    j["energy_initial"] = e0;
    if (e0_carried) j["energy_initial_from"] = "snapshot";
    j["energy_final"] = d1.total();
    j["energy_rel_error"] = e_rel;
    j["kinetic_final"] = d1.kinetic;
    j["potential_final"] = d1.potential;
    // The method's text, and its error estimate as numbers (potential_error
    // relative, 0 for exact; potential_error_rms per particle, solver's
    // potential only; potential_targets, K of the exact sums behind it).
    j["potential_method"] = d1.potential_method;
    j["potential_error"] = d1.potential_error;
    j["potential_error_rms"] = d1.potential_error_rms;
    j["potential_targets"] = d1.potential_targets;
    j["momentum"] = {d1.px, d1.py, d1.pz};
    Json& sw = j["switches"] = Json::array();
    for (const auto& r : sys.switches())
      sw.push_back({{"from", layout_name(r.from)},
                    {"to", layout_name(r.to)},
                    {"at_step", r.at_step},
                    {"ms", r.ms},
                    {"bytes_before", r.bytes_before},
                    {"bytes_after", r.bytes_after}});
    j["state_hash"] = hex(hash);
    return io::report_text(j);
  };
  // Each output on its own: a failure is recorded, and the next is tried.
  auto attempt = [&](const char* flag, const std::string& path, const std::function<void()>& write) {
    return try_output(failed, flag, path, write);
  };
  // An output failure marks a run that was otherwise fine as "failed".
  auto note_failures = [&]() {
    if (failed.empty() || (status != "ok" && status != "failed")) return;
    status = "failed";
    status_message = stop_reason;
    for (const OutputFailure& f : failed)
      if (f.flag != "--snapshot-every")
        status_message += (status_message.empty() ? "" : "; ") + f.flag + " not written: " + f.error;
    exit_code = kExitFailed;
  };
  const bool json_on_stdout = on_stdout(targets, "--json");
  bool json_written = false;
  if (!o.json.empty() && !json_on_stdout) json_written = attempt("--json", o.json, [&] { write_file_atomic(o.json, report()); });
  const std::size_t failed_before = failed.size();
  if (!o.csv.empty()) attempt("--csv", o.csv, [&] { write_file_atomic(o.csv, steps_csv(segments)); });
  if (!o.snapshot.empty()) attempt("--snapshot", o.snapshot, [&] { write_final_snapshot(o.snap, o.snapshot, sys, status); });
  note_failures();
  if (failed.size() > failed_before && json_written)
    attempt("--json", o.json, [&] { write_file_atomic(o.json, report()); });  // now marked with the failure
  if (json_on_stdout) attempt("--json", o.json, [&] { write_file_atomic(o.json, report()); });
  note_failures();

  // The summary, last, so it can say what was written. Per-layout rows
  // first: with --switch-at one median across layouts would mix unlike costs.
  std::fputs(step_table(segments).c_str(), text);
  std::fprintf(text, "\n| quantity | value |\n|---|---|\n");
  std::fprintf(text, "| status | %s |\n", status.c_str());
  if (restart)
    std::fprintf(text, "| restarted from | %s at step %llu |\n", one_line(o.snap.restart).c_str(), ull(start_step));
  std::fprintf(text, "| layout (final) | %s (%s) |\n", std::string(layout_name(sys.layout())).c_str(),
               std::string(traits(sys.layout()).cpython).c_str());
  std::fprintf(text, "| particles | %zu |\n| solver | %s |\n| steps done | %llu of %llu%s |\n| threads | %d |\n",
               sys.size(), cfg.solver.c_str(), ull(steps_here), ull(o.steps),
               restart ? (" (now at step " + std::to_string(sys.steps_done()) + ")").c_str() : "", threads);
  // Every category of the one table (sim/layouts/layout.hpp) that holds
  // bytes, so the parts add up to the total (with --python-objects the
  // headers and floats were left out).
  std::string parts;
  for (const ByteCategory& cat : kByteCategories)
    if (b.*cat.field != 0) {
      char part[64];
      std::snprintf(part, sizeof part, "%s%s %.2f", parts.empty() ? "" : ", ", std::string(cat.name).c_str(),
                    double(b.*cat.field) / np);
      parts += part;
    }
  std::fprintf(text, "| bytes/particle (requested) | %.2f (%s) |\n", double(b.total()) / np, parts.c_str());
  std::fprintf(text, "| own dicts | %zu |\n", sys.own_dicts());
  std::fprintf(text, "| particle MiB | %.2f requested, %.2f usable |\n", mib(b.total()), mib(b.usable_total));
  std::fprintf(text, "| heap MiB now / peak (requested) | %.2f / %.2f |\n| RSS MiB | %.2f |\n",
               mib(heap.current_requested), mib(heap.peak_requested), mib(rss));
  std::fprintf(text, "| step ms, all layouts: median (min-max) | %.3f (%.3f-%.3f) |\n", total.median, total.min,
               total.max);
  std::fputs(energy_rows(e0, d1.total(), d1.potential_method, e0_carried, restart && !e0_carried, e_rel).c_str(), text);
  std::fprintf(text, "| momentum | (%.3e, %.3e, %.3e) |\n| state hash | %s |\n", d1.px, d1.py, d1.pz, hex(hash).c_str());
  for (const OutputFailure& f : failed)
    std::fprintf(text, "| not written | %s %s: %s |\n", f.flag.c_str(), one_line(f.path).c_str(), one_line(f.error).c_str());
  std::fflush(text);
  (void)d0;
  if (status != "ok")
    std::fprintf(stderr, "slotsim batch: %s: %s; outputs written with \"status\": \"%s\"%s\n", status.c_str(),
                 one_line(status_message).c_str(), status.c_str(), failed.empty() ? "" : " where they could be");
  return exit_code;
}

}  // namespace

CLI::App* register_batch(CLI::App& app) {
  auto o = std::make_shared<BatchOptions>();
  CLI::App* cmd = app.add_subcommand("batch", "run a simulation headless and report memory and timing");
  add_sim_options(cmd, o->sim);
  cmd->add_option("--steps", o->steps_text, "number of time steps")->capture_default_str();
  cmd->add_option("--switch-at", o->switch_at, "switch layout after STEP steps, e.g. 50:slots (repeatable)");
  cmd->add_option("--json", o->json, "write a JSON report to FILE ('-' = stdout)");
  cmd->add_option("--csv", o->csv, "write per-step timings as CSV to FILE ('-' = stdout)");
  cmd->add_option("--snapshot", o->snapshot,
                  "write the final particles to FILE: .h5/.hdf5 = HDF5 (Gadget layout), else CSV");
  add_snapshot_options(cmd, o->snap);
  cmd->add_flag("-q,--quiet", o->quiet, "no progress output (switch lines and the summary still go to stdout)");
  cmd->add_flag("--dry-run", o->dry_run, "print the memory plan and exit without running");
  cmd->add_option("--read-dict", o->read_dict,
                  "read __dict__ of particle ID, or 'all', before the first step (gives shared-keys particles a dict)")
      ->check(not_empty("'all' or a particle id"));
  cmd->callback([o] {
    const int rc = run_guarded("batch", [&] { return run_batch(*o); });
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
  return cmd;
}

}  // namespace slotsim::app
