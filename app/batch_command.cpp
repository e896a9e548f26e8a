// `slotsim batch`: a headless run with optional layout switches, printing
// progress and a summary, and writing JSON/CSV reports and a snapshot.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/json.hpp"
#include "app/output_file.hpp"
#include "app/sim_options.hpp"
#include "sim/io/csv.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/stats.hpp"

namespace slotsim::app {
namespace {

struct BatchOptions {
  SimOptions sim;
  std::uint64_t steps = 10;
  std::vector<std::string> switch_at;
  std::string json, csv, snapshot;
  bool quiet = false;
  std::string read_dict;  // --read-dict: "all" or a particle id ("" = none)
};

struct PlannedSwitch {
  std::uint64_t at;
  Layout to;
};

std::vector<PlannedSwitch> parse_switches(const std::vector<std::string>& specs, std::uint64_t steps) {
  std::vector<PlannedSwitch> out;
  for (const auto& s : specs) {
    const auto colon = s.find(':');
    if (colon == std::string::npos)
      throw std::invalid_argument("--switch-at '" + s + "': expected STEP:LAYOUT, e.g. 50:slots");
    const std::string step_s = s.substr(0, colon);
    std::uint64_t step = 0;
    std::size_t used = 0;
    try {
      step = std::stoull(step_s, &used);
    } catch (...) {
      used = 0;
    }
    if (step_s.empty() || used != step_s.size() || step_s[0] == '-')
      throw std::invalid_argument("--switch-at '" + s + "': '" + step_s + "' is not a step number");
    if (step > steps)
      throw std::invalid_argument("--switch-at '" + s + "': step " + step_s + " is after the last step (" +
                                  std::to_string(steps) + ")");
    out.push_back({step, layout_or_throw(s.substr(colon + 1))});
  }
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return out;
}

std::string hex(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

double mb(long long b) { return double(b) / 1e6; }

int run_batch(BatchOptions& o) {
  finish_sim_options(o.sim);
  const auto plan = parse_switches(o.switch_at, o.steps);
  check_writable(o.json, "--json");
  check_writable(o.csv, "--csv");
  check_writable(o.snapshot, "--snapshot");
  SimConfig& cfg = o.sim.cfg;
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

  using Clock = std::chrono::steady_clock;
  auto last_print = Clock::now();
  const bool quiet = o.quiet;
  auto progress = [&](double f, const char* what) {
    if (quiet || Clock::now() - last_print < std::chrono::seconds(1)) return;
    last_print = Clock::now();
    std::fprintf(stderr, "  %s %5.1f%%\n", what, 100 * f);
  };

  mem::reset_peak();
  const auto t_spawn = Clock::now();
  System sys(cfg, progress);
  const double spawn_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_spawn).count();
  if (!quiet)
    std::fprintf(stderr, "spawned %zu particles (%s, layout %s) in %.0f ms\n", sys.size(),
                 cfg.ic_file.empty() ? cfg.scene.c_str() : cfg.ic_file.c_str(),
                 std::string(layout_name(sys.layout())).c_str(), spawn_ms);
  // Every planned switch must fit before the first step runs, so a run is
  // never lost hours in. While switching, the old layout is still there; the
  // store measured now (layout `start`) is already out of MemAvailable.
  {
    Layout prev = sys.layout();
    const double start = measured_bytes_per_particle(prev);
    for (const auto& p : plan) {
      const double extra = (measured_bytes_per_particle(prev) - start) * double(sys.size());
      check_memory(p.to, sys.size(), static_cast<long long>(std::max(0.0, extra)),
                   "--switch-at " + std::to_string(p.at) + ":" + std::string(layout_name(p.to)));
      prev = p.to;
    }
  }
  if (!o.read_dict.empty()) {
    const std::size_t made = read_dict_id ? std::size_t(sys.read_dict(*read_dict_id)) : sys.read_dict_all();
    if (!quiet) std::fprintf(stderr, "read __dict__ (%s): %zu dict(s) created\n", o.read_dict.c_str(), made);
  }
  const Diagnostics d0 = sys.diagnostics();

  std::vector<double> step_ms;
  std::vector<StepTiming> phases;
  step_ms.reserve(o.steps);
  std::size_t next_switch = 0;
  auto apply_switches = [&](std::uint64_t at) {
    while (next_switch < plan.size() && plan[next_switch].at == at) {
      const Layout to = plan[next_switch++].to;
      sys.switch_layout(to, progress);
      const SwitchRecord& r = sys.switches().empty() ? SwitchRecord{} : sys.switches().back();
      if (!quiet && r.to == to && r.at_step == at)
        std::fprintf(stderr, "switch at step %llu: %s -> %s in %.1f ms, %.1f MB -> %.1f MB\n",
                     static_cast<unsigned long long>(at), std::string(layout_name(r.from)).c_str(),
                     std::string(layout_name(r.to)).c_str(), r.ms, mb(r.bytes_before), mb(r.bytes_after));
    }
  };
  const auto t_run = Clock::now();
  for (std::uint64_t k = 0; k < o.steps; ++k) {
    apply_switches(k);
    sys.step();
    step_ms.push_back(sys.last_timing().total_ms);
    phases.push_back(sys.last_timing());
    if (!quiet && (Clock::now() - last_print > std::chrono::seconds(1) || k + 1 == o.steps)) {
      last_print = Clock::now();
      const double el = std::chrono::duration<double>(Clock::now() - t_run).count();
      std::fprintf(stderr, "step %llu/%llu  %.2f ms/step  elapsed %.1f s  eta %.1f s\n",
                   static_cast<unsigned long long>(k + 1), static_cast<unsigned long long>(o.steps),
                   step_ms.back(), el, el / double(k + 1) * double(o.steps - k - 1));
    }
  }
  apply_switches(o.steps);
  const Diagnostics d1 = sys.diagnostics();
  const mem::HeapStats heap = mem::heap_stats();
  const std::int64_t rss = mem::rss_bytes();
  const LayoutBytes b = sys.bytes();
  const double n = double(sys.size());
  const std::uint64_t hash = sys.state_hash();
  const double e_rel = d0.total() != 0 ? std::abs((d1.total() - d0.total()) / d0.total()) : 0.0;
  auto phase_median = [&](double StepTiming::*f) { return median_of(phases, f); };
  const int threads = omp_get_max_threads();

  if (!o.snapshot.empty())
    write_particles_csv(o.snapshot, sys.size(), [&](std::size_t i) { return sys.particle(i); });

  std::printf("| quantity | value |\n|---|---|\n");
  std::printf("| layout | %s |\n", std::string(layout_name(sys.layout())).c_str());
  std::printf("| particles | %zu |\n| solver | %s |\n| steps | %llu |\n| threads | %d |\n", sys.size(),
              cfg.solver.c_str(), static_cast<unsigned long long>(o.steps), threads);
  std::printf("| bytes/particle | %.2f (objects %.2f, tables %.2f, index %.2f, columns %.2f) |\n",
              double(b.total()) / n, double(b.objects) / n, double(b.tables) / n, double(b.index) / n,
              double(b.columns) / n);
  std::printf("| own dicts | %zu |\n", sys.own_dicts());
  std::printf("| particle MB | %.2f requested, %.2f usable |\n", mb(b.total()), mb(b.usable_total));
  std::printf("| heap MB now / peak | %.2f / %.2f |\n| RSS MB | %.2f |\n", mb(heap.current_requested),
              mb(heap.peak_requested), mb(rss));
  std::printf("| step ms median (min-max) | %.3f (%.3f-%.3f) |\n", median(step_ms),
              step_ms.empty() ? 0.0 : *std::min_element(step_ms.begin(), step_ms.end()),
              step_ms.empty() ? 0.0 : *std::max_element(step_ms.begin(), step_ms.end()));
  std::printf("| energy initial / final | %.10g / %.10g (%s) |\n| rel. energy error | %.3e |\n",
              d0.total(), d1.total(), d1.potential_method.c_str(), e_rel);
  std::printf("| momentum | (%.3e, %.3e, %.3e) |\n| state hash | %s |\n", d1.px, d1.py, d1.pz,
              hex(hash).c_str());

  if (!o.json.empty()) {
    Json j;
    j.begin_object();
    j.field("layout", layout_name(sys.layout())).field("particles", sys.size());
    j.field("scene", cfg.ic_file.empty() ? cfg.scene : "ic:" + cfg.ic_file).field("seed", cfg.seed);
    j.field("steps", o.steps).field("solver", cfg.solver).field("threads", threads);
    j.field("dt", cfg.dt).field("softening", cfg.force.softening);
    j.field("bytes_per_particle", double(b.total()) / n);
    j.key("bytes_breakdown").begin_object();
    j.field("objects", double(b.objects) / n).field("tables", double(b.tables) / n);
    j.field("index", double(b.index) / n).field("columns", double(b.columns) / n);
    j.field("shared_keys", double(b.shared_keys) / n);
    j.end_object();
    j.field("own_dicts", sys.own_dicts());
    j.field("usable_bytes_per_particle", double(b.usable_total) / n);
    j.field("particle_bytes", b.total()).field("particle_bytes_usable", b.usable_total);
    j.field("heap_current_bytes", heap.current_requested).field("heap_peak_bytes", heap.peak_requested);
    j.field("heap_current_usable_bytes", heap.current_usable).field("heap_peak_usable_bytes", heap.peak_usable);
    j.field("heap_live_blocks", heap.live_blocks);
    j.key("categories").begin_object();
    for (int c = 0; c < static_cast<int>(mem::Category::kCount); ++c)
      j.field(mem::category_name(static_cast<mem::Category>(c)),
              mem::category_stats(static_cast<mem::Category>(c)).requested);
    j.end_object();
    j.field("rss_bytes", rss);
    j.key("step_ms").begin_array();
    for (double v : step_ms) j.value(v);
    j.end_array();
    j.field("step_ms_median", median(step_ms));
    j.key("phases_ms_median").begin_object();
    j.field("gather", phase_median(&StepTiming::gather_ms)).field("build", phase_median(&StepTiming::build_ms));
    j.field("solve", phase_median(&StepTiming::solve_ms));
    j.field("interpolate", phase_median(&StepTiming::interpolate_ms));
    j.field("kick", phase_median(&StepTiming::kick_ms)).field("drift", phase_median(&StepTiming::drift_ms));
    j.end_object();
    j.field("spawn_ms", spawn_ms);
    j.field("energy_initial", d0.total()).field("energy_final", d1.total()).field("energy_rel_error", e_rel);
    j.field("kinetic_final", d1.kinetic).field("potential_final", d1.potential);
    j.field("potential_method", d1.potential_method);
    j.key("momentum").begin_array().value(d1.px).value(d1.py).value(d1.pz).end_array();
    j.key("switches").begin_array();
    for (const auto& r : sys.switches()) {
      j.begin_object();
      j.field("from", layout_name(r.from)).field("to", layout_name(r.to)).field("at_step", r.at_step);
      j.field("ms", r.ms).field("bytes_before", r.bytes_before).field("bytes_after", r.bytes_after);
      j.end_object();
    }
    j.end_array();
    j.field("state_hash", hex(hash));
    j.end_object();
    write_file_atomic(o.json, j.str() + "\n");
  }
  if (!o.csv.empty()) {
    std::ostringstream c;
    c << "step,step_ms,gather_ms,build_ms,solve_ms,interpolate_ms,kick_ms,drift_ms\n";
    for (std::size_t k = 0; k < phases.size(); ++k) {
      const auto& p = phases[k];
      char line[256];
      std::snprintf(line, sizeof line, "%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", k + 1, p.total_ms,
                    p.gather_ms, p.build_ms, p.solve_ms, p.interpolate_ms, p.kick_ms, p.drift_ms);
      c << line;
    }
    write_file_atomic(o.csv, c.str());
  }
  return 0;
}

}  // namespace

CLI::App* register_batch(CLI::App& app) {
  auto o = std::make_shared<BatchOptions>();
  CLI::App* cmd = app.add_subcommand("batch", "run a simulation headless and report memory and timing");
  add_sim_options(cmd, o->sim);
  cmd->add_option("--steps", o->steps, "number of time steps")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--switch-at", o->switch_at, "switch layout after STEP steps, e.g. 50:slots (repeatable)");
  cmd->add_option("--json", o->json, "write a JSON report to FILE");
  cmd->add_option("--csv", o->csv, "write per-step timings as CSV to FILE");
  cmd->add_option("--snapshot", o->snapshot, "write the final particles as CSV to FILE");
  cmd->add_flag("-q,--quiet", o->quiet, "no progress output");
  cmd->add_option("--read-dict", o->read_dict,
                  "read __dict__ of particle ID, or 'all', before the first step (gives shared-keys particles a dict)");
  cmd->callback([o] {
    const int rc = run_guarded("batch", [&] { return run_batch(*o); });
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
  return cmd;
}

}  // namespace slotsim::app
