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
#include <csignal>
#include <optional>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/output_file.hpp"
#include "app/report_json.hpp"
#include "app/run_plan.hpp"
#include "app/sim_options.hpp"
#include "app/switch_plan.hpp"
#include "sim/interrupt.hpp"
#include "app/snapshot_output.hpp"
#include "sim/io/csv.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/memory_plan.hpp"
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
unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

// Steps run in one layout: the per-layout rows of every report.
struct Segment {
  Layout layout;
  std::uint64_t first_step;  // 1-based number of its first step
  std::vector<StepTiming> steps;
};

int run_batch(BatchOptions& o) {
  SimOptions& so = o.sim;
  finish_sim_options(so);
  o.steps = parse_count(o.steps_text, "--steps", 0, kMaxSteps);
  const auto plan = parse_switches(o.switch_at, o.steps);
  if (so.cfg.python_objects && !traits(so.cfg.layout).heap_objects)
    throw std::invalid_argument(python_objects_refusal(so.cfg.layout));
  if (so.cfg.python_objects)
    for (const auto& p : plan)
      if (!traits(p.to).heap_objects) throw std::invalid_argument("--switch-at: " + python_objects_refusal(p.to));
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"--json", o.json}, {"--csv", o.csv}, {"--snapshot", o.snapshot}};
  for (const auto& [flag, value] : outputs) check_not_empty(so, flag, value);
  const auto targets = check_writable_all(outputs);
  o.snap.quiet = o.quiet;
  check_snapshot_options(o.snap, o.snapshot, so.cfg);
  io::check_distinct_paths(targets, {{"--ic", so.cfg.ic_file}, {"--restart", o.snap.restart}});
  SimConfig& cfg = so.cfg;
  // `p.__dict__` before the first step, on particle ID or on all of them.
  std::optional<std::size_t> read_dict_id;
  if (!o.read_dict.empty() && o.read_dict != "all") {
    const auto& t = o.read_dict;
    if (t.find_first_not_of("0123456789") != std::string::npos || t.size() > 18)
      throw std::invalid_argument("--read-dict: expected 'all' or a particle id, got '" + t + "'");
    read_dict_id = std::stoull(t);
    if (cfg.ic_file.empty() && *read_dict_id >= cfg.particles)
      throw std::invalid_argument("--read-dict: particle " + t + " is out of range (" +
                                  std::to_string(cfg.particles) + " particles)");
  }

  // The memory plan, before anything that scales with the input.
  std::vector<ParticleRecord> ic_records;
  std::size_t n = cfg.particles;
  std::uint64_t input_bytes = 0;
  // A restart or --ic: HDF5 says how many particles in its header, a regular
  // CSV file is counted line by line, neither is read yet.
  if (const std::string& input = o.snap.restart.empty() ? cfg.ic_file : o.snap.restart; !input.empty()) {
    const InputSize in = inspect_input(input);
    if (in.sized) {
      n = static_cast<std::size_t>(std::max<std::uint64_t>(1, in.particles));
      input_bytes = std::max<std::uint64_t>(1, in.bytes);
    } else {
      // No size to check: read it with a cap of a quarter of the limit
      // (records take 56 B each; a CSV line is at least 14 bytes).
      const double cap = 0.25 * 0.9 * double(mem::available_bytes());
      ic_records = read_particles_csv(input, cap > 0 ? static_cast<std::uint64_t>(cap) : UINT64_MAX);
      n = ic_records.size();
    }
  }
  RunShape shape = run_shape(cfg, n);
  shape.ic_file_bytes = input_bytes;
  for (const auto& p : plan) shape.switches.emplace_back(p.at, p.to);
  shape.steps = o.steps;
  // HDF5 writes go through per-dataset buffers of up to 24 B per particle.
  shape.output_bytes_per_particle = o.snapshot.empty() ? 0 : is_hdf5_path(o.snapshot) ? 24 : 8;
  if (dry_run_or_check(plan_run(shape), "this run", o.dry_run)) return 0;

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
  std::unique_ptr<System> sys_ptr = ic_records.empty() ? make_batch_system(o.snap, cfg, so.layout, progress)
                                                       : std::make_unique<System>(cfg, ic_records);
  ic_records = {};
  System& sys = *sys_ptr;
  const double spawn_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_spawn).count();
  if (!quiet)
    std::fprintf(stderr, "spawned %zu particles (%s, layout %s) in %.0f ms\n", sys.size(),
                 one_line(cfg.ic_file.empty() ? cfg.scene : cfg.ic_file).c_str(),
                 std::string(layout_name(sys.layout())).c_str(), spawn_ms);
  if (!o.read_dict.empty()) {
    const std::size_t made = read_dict_id ? std::size_t(sys.read_dict(*read_dict_id)) : sys.read_dict_all();
    if (!quiet) std::fprintf(stderr, "read __dict__ (%s): %zu dict(s) created\n", o.read_dict.c_str(), made);
  }
  const Diagnostics d0 = sys.diagnostics(progress);

  std::vector<Segment> segments{{sys.layout(), 1, {}}};
  std::size_t next_switch = 0;
  auto apply_switches = [&](std::uint64_t at) {
    while (next_switch < plan.size() && plan[next_switch].at == at) {
      const Layout to = plan[next_switch++].to;
      const std::size_t before = sys.switches().size();
      sys.switch_layout(to, progress);
      if (sys.switches().size() == before) continue;  // already in that layout
      const SwitchRecord& r = sys.switches().back();
      std::printf("switch at step %llu: %s -> %s in %.1f ms, %.1f MiB -> %.1f MiB\n", ull(at),
                  std::string(layout_name(r.from)).c_str(), std::string(layout_name(r.to)).c_str(), r.ms,
                  mib(r.bytes_before), mib(r.bytes_after));
      std::fflush(stdout);
      segments.push_back({to, at + 1, {}});
    }
  };

  std::string status = "ok", status_message;
  int exit_code = 0;
  if (o.snap.restart.empty()) write_series_if_due(o.snap, o.snapshot, sys);
  const auto t_run = Clock::now();
  std::uint64_t k = 0;
  for (; k < o.steps; ++k) {
    if (interrupted()) break;
    apply_switches(k);
    try {
      sys.step();
    } catch (const Diverged& e) {
      status = "diverged";
      status_message = e.what();
      break;
    }
    segments.back().steps.push_back(sys.last_timing());
    write_series_if_due(o.snap, o.snapshot, sys);
    if (!quiet && (Clock::now() - last_print > std::chrono::seconds(1) || k + 1 == o.steps)) {
      last_print = Clock::now();
      const double el = std::chrono::duration<double>(Clock::now() - t_run).count();
      std::fprintf(stderr, "step %llu/%llu  %.2f ms/step  elapsed %.1f s  eta %.1f s\n", ull(k + 1), ull(o.steps),
                   sys.last_timing().total_ms, el, el / double(k + 1) * double(o.steps - k - 1));
    }
  }
  if (status == "ok" && interrupted()) {
    const int sig = interrupt_signal();
    status = "interrupted";
    status_message = std::string("interrupted by ") + (sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "a signal") +
                     " after " + std::to_string(sys.steps_done()) + " of " + std::to_string(o.steps) + " steps";
    exit_code = 128 + sig;
  } else if (status == "ok") {
    apply_switches(o.steps);
  } else {
    exit_code = 3;
  }
  const bool diverged = status == "diverged";
  if (!quiet && status != "ok") std::fprintf(stderr, "%s; computing the final report\n", status.c_str());
  const Diagnostics d1 = sys.diagnostics(progress);
  const mem::HeapStats heap = mem::heap_stats();
  const std::int64_t rss = mem::rss_bytes();
  const LayoutBytes b = sys.bytes();
  const double np = double(sys.size());
  const std::uint64_t hash = sys.state_hash();
  const double e_rel = d0.total() != 0 ? std::abs((d1.total() - d0.total()) / d0.total()) : 0.0;
  const int threads = omp_get_max_threads();
  std::vector<StepTiming> all;
  for (const auto& s : segments) all.insert(all.end(), s.steps.begin(), s.steps.end());
  const TimeStats total = step_stats(all);

  try {
    write_final_snapshot(o.snap, o.snapshot, sys, diverged);
  } catch (const std::exception& e) {
    if (!diverged) throw;
    // A diverged state the format cannot hold must not cost the reports.
    std::fprintf(stderr, "slotsim batch: snapshot not written: %s\n", one_line(e.what()).c_str());
  }

  // Per-layout rows first: with --switch-at one median across layouts would
  // mix unlike costs.
  std::printf("| layout | steps | step ms median | min | max | latest |");
  for (const auto& ph : kStepPhases) std::printf(" %s |", std::string(ph.name).c_str());
  std::printf("\n|---|---:|---:|---:|---:|---:|");
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) std::printf("---:|");
  std::printf("\n");
  for (const auto& s : segments) {
    if (s.steps.empty()) continue;
    const TimeStats t = step_stats(s.steps);
    const auto pm = phase_medians(s.steps);
    std::printf("| %s | %zu | %.3f | %.3f | %.3f | %.3f |", std::string(layout_name(s.layout)).c_str(), t.count,
                t.median, t.min, t.max, t.latest);
    for (double v : pm) std::printf(" %.3f |", v);
    std::printf("\n");
  }
  std::printf("\n| quantity | value |\n|---|---|\n");
  std::printf("| status | %s |\n", status.c_str());
  std::printf("| layout (final) | %s (%s) |\n", std::string(layout_name(sys.layout())).c_str(),
              std::string(traits(sys.layout()).cpython).c_str());
  std::printf("| particles | %zu |\n| solver | %s |\n| steps done | %llu of %llu |\n| threads | %d |\n", sys.size(),
              cfg.solver.c_str(), ull(sys.steps_done()), ull(o.steps), threads);
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
  std::printf("| bytes/particle (requested) | %.2f (%s) |\n", double(b.total()) / np, parts.c_str());
  std::printf("| own dicts | %zu |\n", sys.own_dicts());
  std::printf("| particle MiB | %.2f requested, %.2f usable |\n", mib(b.total()), mib(b.usable_total));
  std::printf("| heap MiB now / peak (requested) | %.2f / %.2f |\n| RSS MiB | %.2f |\n", mib(heap.current_requested),
              mib(heap.peak_requested), mib(rss));
  std::printf("| step ms, all layouts: median (min-max) | %.3f (%.3f-%.3f) |\n", total.median, total.min, total.max);
  std::printf("| energy initial / final | %.10g / %.10g (%s) |\n| rel. energy error | %.3e |\n", d0.total(),
              d1.total(), d1.potential_method.c_str(), e_rel);
  std::printf("| momentum | (%.3e, %.3e, %.3e) |\n| state hash | %s |\n", d1.px, d1.py, d1.pz, hex(hash).c_str());
  std::fflush(stdout);

  if (!o.json.empty()) {
    Json j;
    j["status"] = status;
    if (!status_message.empty()) j["status_message"] = one_line(status_message);
    j["steps_requested"] = o.steps;
    j["steps_done"] = sys.steps_done();
    j["layout"] = layout_name(sys.layout());
    j["initial_layout"] = layout_name(cfg.layout);
    if (cfg.python_objects) {
      j["python_objects"] = true;
      j["python_objects_version"] = py_version_text(cfg.python_version);
    }
    j["particles"] = sys.size();
    j["scene"] = cfg.ic_file.empty() ? cfg.scene : "ic:" + cfg.ic_file;
    j["seed"] = cfg.seed;
    j["steps"] = sys.steps_done();
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
    Json& per = j["per_layout"] = Json::array();
    for (const auto& s : segments) {
      const TimeStats t = step_stats(s.steps);
      per.push_back({{"layout", layout_name(s.layout)},
                     {"first_step", s.first_step},
                     {"steps", t.count},
                     {"step_ms_median", t.median},
                     {"step_ms_min", t.min},
                     {"step_ms_max", t.max},
                     {"step_ms_latest", t.latest},
                     {"phases_ms_median", phases_json(phase_medians(s.steps))}});
    }
    j["spawn_ms"] = spawn_ms;
    j["energy_initial"] = d0.total();
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
    write_file_atomic(o.json, io::report_text(j));
  }
  if (!o.csv.empty()) {
    std::ostringstream c;
    c << "step,layout,step_ms";
    for (const auto& ph : kStepPhases) c << ',' << ph.name << "_ms";
    c << '\n';
    for (const auto& s : segments)
      for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const auto& p = s.steps[i];
        char line[64];
        std::snprintf(line, sizeof line, "%llu,%s,%.6f", ull(s.first_step + i), std::string(layout_name(s.layout)).c_str(),
                      p.total_ms);
        c << line;
        for (const auto& ph : kStepPhases) {
          std::snprintf(line, sizeof line, ",%.6f", p.*ph.field);
          c << line;
        }
        c << '\n';
      }
    write_file_atomic(o.csv, c.str());
  }
  if (status != "ok")
    std::fprintf(stderr, "slotsim batch: %s: %s; outputs written with \"status\": \"%s\"\n", status.c_str(),
                 one_line(status_message).c_str(), status.c_str());
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
                  "read __dict__ of particle ID, or 'all', before the first step (gives shared-keys particles a dict)");
  cmd->callback([o] {
    const int rc = run_guarded("batch", [&] { return run_batch(*o); });
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
  return cmd;
}

}  // namespace slotsim::app
