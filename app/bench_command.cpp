// `slotsim bench`: the same scene, seed and solver run over several layouts
// in one process, so every ratio in the table is between numbers measured
// side by side on the same machine state.
#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <functional>
#include <cstdio>
#include <iostream>
#include <memory>
#include <csignal>
#include <sstream>
#include <thread>

#include "app/claims_report.hpp"
#include "app/commands.hpp"
#include "app/exit_status.hpp"
#include "app/report_json.hpp"
#include "app/machine_info.hpp"
#include "app/output_file.hpp"
#include "app/run_plan.hpp"
#include "app/sim_options.hpp"
#include "sim/interrupt.hpp"
#include "sim/limits.hpp"
#include "lessons/lessons.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory_plan.hpp"
#include "sim/message.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/machine_load.hpp"
#include "sim/stats.hpp"
#include "sim/units.hpp"
#include "sim/step_phases.hpp"

namespace slotsim::app {
namespace {

// Two triad readings of one row further apart than this (higher / lower)
// are named under the table: its bounds then rest on the higher alone.
constexpr double kTriadSpread = 1.5;

struct BenchOptions {
  SimOptions sim;
  // Integers as text, converted by parse_count (see SimOptions).
  std::string steps_text = "5", repeats_text = "3", claims_big_text = "10000000", claims_sample_text = "100000";
  std::uint64_t steps = 5;
  int repeats = 3;
  std::string layouts = layout_names(",");  // every layout in the table
  std::string json, csv;
  bool claims = false;
  bool dry_run = false;
  std::size_t claims_big = 10000000;
  ClaimsOptions claims_opts;  // --claims-sample, --python, --python-quick
};

struct Result {
  Layout layout;
  std::size_t n = 0;
  double bytes_per_particle = 0;
  long long particle_bytes = 0, heap_peak = 0, rss = 0;
  double step_median = 0, step_min = 0, step_max = 0;
  StepTiming phases;  // phase_figure: medians, the sort's mean
  std::uint64_t hash = 0;
  bool complete = true;  // false if a signal stopped it part-way
  std::size_t repeats_done = 0;  // 0: stopped before its first timed step, no result
  // The solver's own floor on this machine, measured in this process.
  std::uint64_t interactions = 0;  // pair terms per force evaluation (direct, bh)
  double transform_ms = 0;         // pm: the FFT convolution alone, same plans
  Solver::KernelFloor kernel;      // bh: the pair kernels alone on flat lists, same interactions
  // Two triad readings, one right before this layout's timed steps and one
  // right after; the bandwidth floor is the higher.
  double triad_before_gbs = 0, triad_after_gbs = 0;
  double triad_gbs() const { return std::max(triad_before_gbs, triad_after_gbs); }
  // The machine while this row was timed: the 1-minute load average at its
  // start and end (the higher one), and whether its step times are the
  // scheduler's tick rather than its work (sim/machine_load.hpp).
  double load = 0;
  bool quantum = false;
};

Result run_layout(SimConfig cfg, Layout l, const BenchOptions& o, int index, int count) {
  cfg.layout = l;
  Result r;
  r.layout = l;
  // Hand the previous layout's freed pages back to the kernel first;
  // otherwise glibc keeps them and every later row would show the RSS of
  // the largest layout run so far.
  malloc_trim(0);
  mem::reset_peak();
  // With --ic the count is the file's (cfg.particles is -n's default).
  if (cfg.ic_file.empty())
    std::fprintf(stderr, "[%d/%d] %s: spawning %zu particles\n", index, count, std::string(layout_name(l)).c_str(),
                 cfg.particles);
  else
    std::fprintf(stderr, "[%d/%d] %s: loading the particles of %s\n", index, count,
                 std::string(layout_name(l)).c_str(), one_line(cfg.ic_file).c_str());
  System sys(cfg);
  sys.step();  // warm-up: first forces, page faults, caches
  // The bandwidth floor of this row, measured here rather than once per
  // run: on a shared VM the bandwidth a process gets drifts over a run
  // (64-80 GB/s between the rows of docs/bench/layouts_pm_1m.md, 1M
  // particles, whose 56 MB working set sits partly in a cache shared with
  // other guests), and a ratio is only worth its name if both sides saw the
  // same machine.
  std::fprintf(stderr, "[%d/%d] %s: measuring memory bandwidth (triad)\n", index, count,
               std::string(layout_name(l)).c_str());
  const std::size_t triad_bytes = std::max<std::size_t>(cfg.particles * 56, 64u << 20);
  r.triad_before_gbs = triad_bandwidth_gbs(triad_bytes);
  std::vector<double> medians;
  std::vector<StepTiming> all;
  r.load = load_average_1min();
  for (int rep = 0; rep < o.repeats && !interrupted(); ++rep) {
    std::vector<StepTiming> t;
    for (std::uint64_t k = 0; k < o.steps; ++k) {
      if (interrupted()) {
        r.complete = false;
        break;
      }
      sys.step();
      t.push_back(sys.last_timing());
      all.push_back(sys.last_timing());
    }
    if (t.empty()) break;
    // A repeat's figure carries its share of the sorts it ran
    // (step_figure): with --sort-every K a median alone left them out.
    medians.push_back(step_figure(t));
    std::fprintf(stderr, "[%d/%d] %s: repeat %d/%d  %.2f ms/step\n", index, count,
                 std::string(layout_name(l)).c_str(), rep + 1, o.repeats, medians.back());
  }
  r.load = std::max(r.load, load_average_1min());
  // A second reading after the steps, and the row is priced at the higher:
  // one reading alone once came out at 11.8 GB/s (best of 5) beside steps
  // that streamed faster than that, a floor above the step (0.66x). The
  // higher reading is the stricter floor, so a ratio cannot pass for met
  // on a triad that read low; a row whose two readings disagree by more
  // than kTriadSpread is named under the table. (Re-measuring until two
  // readings agree was the rejected alternative: on this VM's drift it
  // need not end.)
  std::fprintf(stderr, "[%d/%d] %s: measuring memory bandwidth again (triad)\n", index, count,
               std::string(layout_name(l)).c_str());
  r.triad_after_gbs = triad_bandwidth_gbs(triad_bytes);
  std::vector<double> totals;
  for (const StepTiming& t : all) totals.push_back(t.total_ms);
  r.quantum = quantum_bound(totals);
  for (const StepPhase& p : kStepPhases) r.phases.*p.field = phase_figure(all, p);
  r.repeats_done = medians.size();
  r.step_median = median(medians);
  r.step_min = medians.empty() ? 0 : *std::min_element(medians.begin(), medians.end());
  r.step_max = medians.empty() ? 0 : *std::max_element(medians.begin(), medians.end());
  if (medians.size() < static_cast<std::size_t>(o.repeats)) r.complete = false;
  const LayoutBytes b = sys.bytes();
  r.particle_bytes = b.total();
  r.bytes_per_particle = double(b.total()) / double(sys.size());
  r.n = sys.size();
  r.heap_peak = mem::heap_stats().peak_requested;
  r.rss = mem::rss_bytes();
  r.hash = sys.state_hash();
  r.interactions = sys.solver().interactions();
  if (sys.solver().has_forces())
    std::fprintf(stderr, "[%d/%d] %s: measuring the solver's floor\n", index, count, std::string(layout_name(l)).c_str());
  r.transform_ms = sys.solver().transform_floor_ms(5);
  r.kernel = sys.solver().kernel_floor(3);
  return r;
}

// The claims table lives in app/claims_report.cpp (shared with the GUI's
// Lessons panel through sim/lessons); this only forwards the options.
int run_claims(const BenchOptions& o) {
  ClaimsOptions c = o.claims_opts;
  c.big = o.claims_big;
  c.json = o.json;
  c.pairs = std::max(o.repeats, kDefaultPairs);  // the verdict rule's pairs (lessons/verdict.hpp)
  return run_claims_report(c);
}

int run_bench(BenchOptions& o) {
  finish_sim_options(o.sim);
  o.steps = parse_count(o.steps_text, "--steps", 1, kMaxSteps);
  o.repeats = static_cast<int>(parse_count(o.repeats_text, "--repeats", 1, kMaxRepeats));
  o.claims_big = parse_count(o.claims_big_text, "--claims-instances", 1, kMaxParticles);
  o.claims_opts.sample = parse_count(o.claims_sample_text, "--claims-sample", 100, kMaxParticles);
  // Flags of the claims report mean nothing without it: refused, as a
  // solver's flag is with another solver, rather than silently ignored.
  if (!o.claims)
    for (const char* f : {"--claims-instances", "--claims-sample", "--python", "--python-quick"})
      if (o.sim.given(f)) throw std::invalid_argument(std::string(f) + ": only with --claims");
  if (o.claims_opts.python_quick && !o.claims_opts.python) throw std::invalid_argument("--python-quick: only with --python");
  const auto layouts = parse_layout_list(o.layouts);
  if (o.sim.cfg.python_objects)
    for (Layout l : layouts)
      if (!traits(l).heap_objects) throw std::invalid_argument("--layouts: " + python_objects_refusal(l));
  check_not_empty(o.sim, "--json", o.json);
  check_not_empty(o.sim, "--csv", o.csv);
  const auto targets = check_writable_all({{"--json", o.json}, {"--csv", o.csv}});
  io::check_distinct_paths(targets, {{"--ic", o.sim.cfg.ic_file}});
  if (o.claims) return run_claims(o);
  SimConfig cfg = o.sim.cfg;
  if (cfg.threads > 0) omp_set_num_threads(cfg.threads);
  const int threads = omp_get_max_threads();

  // Every layout's store, the solver's buffers and the bandwidth buffer, in
  // one plan before the first of them is allocated.
  std::size_t planned = cfg.particles;
  if (!cfg.ic_file.empty()) {
    const InputSize in = inspect_input(cfg.ic_file);
    if (!in.sized)
      throw std::invalid_argument("--ic '" + cfg.ic_file + "': bench reads it once per layout, so it must be a "
                                  "regular file");
    planned = static_cast<std::size_t>(std::max<std::uint64_t>(1, in.particles));
  }
  RunShape shape = run_shape(cfg, planned);
  shape.steps = o.steps * static_cast<std::uint64_t>(o.repeats);
  shape.resident_bytes = double(mem::rss_bytes());
  // With --json - or --csv - the document owns stdout: the table goes to stderr.
  std::FILE* const text = on_stdout(targets) ? stderr : stdout;
  if (dry_run_or_check(plan_bench(shape, layouts, true), "this benchmark", o.dry_run, text)) return 0;
  install_interrupt_handlers();
  const double load_before = load_average_1min();

  std::vector<Result> res;
  int idx = 0;
  for (Layout l : layouts) {
    if (interrupted()) break;
    Result r = run_layout(cfg, l, o, ++idx, int(layouts.size()));
    const bool complete = r.complete;
    // A layout stopped before its first timed step has no figure (its row
    // would read 0 ms, with the hash of the warm-up alone): left out, and
    // layouts_done counts only the rows written.
    if (r.repeats_done > 0) res.push_back(std::move(r));
    if (!complete) break;
  }
  const double load_after = load_average_1min();
  const double load_max = std::max(load_before, load_after);
  const bool loaded = load_max > double(std::thread::hardware_concurrency());
  const int sig = interrupt_signal();
  const std::string status = sig ? "interrupted" : "ok";
  if (res.empty()) {
    std::fprintf(stderr, "slotsim bench: interrupted before the first layout finished a step; nothing to report\n");
    return exit_interrupted(sig);
  }

  const Result* dict = nullptr;
  const Result* soa = nullptr;
  for (const auto& r : res) {
    if (r.layout == Layout::Dict) dict = &r;
    if (r.layout == Layout::Soa) soa = &r;
  }
  for (const auto& r : res)
    if (r.complete && res[0].complete && r.hash != res[0].hash)
      throw std::runtime_error("layouts disagree on the final state: determinism broken");

  const double n = double(res[0].n);  // the loaded count with --ic
  // Bytes the kick and drift kernels move per step on soa: each kick reads
  // v and a, writes v (9 doubles); drift reads x and v, writes x (9).
  const bool forces = cfg.solver != "none";
  const double integ_bytes = n * 8 * (9 + (forces ? 18 : 0));
  auto bound_ms = [&](const Result& r) { return integ_bytes / (r.triad_gbs() * 1e9) * 1e3; };
  // The step's floor on this machine. pm: its FFT convolution timed alone
  // plus the bandwidth bound of everything that streams particles: the
  // integrator (above) and pm's own particle passes, at least 176 B per
  // particle (bucketing reads x, y, z, m and writes 40 B of sorted cells and
  // fractions; deposit and interpolation read those back; interpolation
  // writes a). direct and bh: the floor is per interaction, so the table
  // gives ns per pair term instead. bh: its pair kernels timed alone on
  // flat lists of the walk's own interactions (Solver::kernel_floor) plus
  // the integrator bound; the walk's ratio to those kernels (solve phase
  // against kernel time, the same as ns per interaction against the
  // kernels' ns per interaction) is a column of its own. direct: its solve
  // is the pair kernel itself, so no floor but ns per pair term. none: the
  // integrator bound alone.
  auto floor_ms = [&](const Result& r) {
    if (cfg.solver == "pm") return r.transform_ms + (176 * n) / (r.triad_gbs() * 1e9) * 1e3 + bound_ms(r);
    if (r.kernel.ms > 0) return r.kernel.ms + bound_ms(r);
    if (cfg.solver == "none") return bound_ms(r);
    return 0.0;
  };
  auto ns_per_interaction = [&](const Result& r) {
    return r.interactions > 0 ? r.phases.solve_ms * 1e6 / double(r.interactions) : 0.0;
  };
  auto kernel_ns = [&](const Result& r) {
    return r.interactions > 0 ? r.kernel.ms * 1e6 / double(r.interactions) : 0.0;
  };
  auto walk_ratio = [&](const Result& r) { return r.kernel.ms > 0 ? r.phases.solve_ms / r.kernel.ms : 0.0; };

  double bw_lo = res[0].triad_gbs(), bw_hi = bw_lo;
  for (const auto& r : res) {
    bw_lo = std::min(bw_lo, r.triad_gbs());
    bw_hi = std::max(bw_hi, r.triad_gbs());
  }
  std::fprintf(text, "%zu particles, scene %s, solver %s, %llu steps x %d repeats, %d threads; triad bandwidth %.1f-%.1f GB/s "
              "(measured before and after each row's steps; each row's bounds use the higher of its own two)\n\n",
              res[0].n, cfg.ic_file.empty() ? cfg.scene.c_str() : cfg.ic_file.c_str(), cfg.solver.c_str(), static_cast<unsigned long long>(o.steps),
              o.repeats, threads, bw_lo, bw_hi);
  // Phase columns come from the one phase table (sim/step_phases.hpp).
  // MiB, as every front end prints (sim/units.hpp); requested bytes.
  std::string head = "| layout | B/particle | particle MiB | peak heap MiB | RSS MiB | step ms median (min-max) |";
  std::string rule = "|---|---:|---:|---:|---:|---|";
  std::ostringstream csv;
  csv << "layout,bytes_per_particle,particle_mib,peak_heap_mib,rss_mib,step_ms_median,step_ms_min,step_ms_max";
  for (const StepPhase& p : kStepPhases) {
    head += " " + std::string(p.name) + " |";
    rule += "---:|";
    csv << ',' << p.name << "_ms";
  }
  head += " x dict | x soa | triad GB/s | integrator x bound | step x floor | ns/interaction | kernel ns/int | walk x kernel "
          "| state hash | load |";
  rule += "---:|---:|---:|---:|---:|---:|---:|---:|---|---:|";
  csv << ",ratio_dict,ratio_soa,triad_gbs,integrator_bound_ratio,floor_ms,floor_ratio,interactions,ns_per_interaction,"
         "kernel_ns_per_interaction,walk_kernel_ratio,state_hash,load_average,loaded,quantum_bound,triad_gbs_before,"
         "triad_gbs_after\n";
  std::fprintf(text, "%s\n%s\n", head.c_str(), rule.c_str());
  // A row whose steps are the scheduler's tick is no measurement: no ratio
  // is taken to or from it.
  const bool dict_ok = dict && !dict->quantum, soa_ok = soa && !soa->quantum;
  for (const auto& r : res) {
    const double rd = dict_ok && !r.quantum ? r.step_median / dict->step_median : 0;
    const double rs = soa_ok && !r.quantum ? r.step_median / soa->step_median : 0;
    const double integ_ratio = (r.phases.kick_ms + r.phases.drift_ms) / bound_ms(r);
    const double floor = floor_ms(r);
    const double floor_ratio = floor > 0 ? r.step_median / floor : 0;
    const double ns_int = ns_per_interaction(r);
    const double kns = kernel_ns(r), walk = walk_ratio(r);
    char floor_s[32] = "-", ns_s[32] = "-", rd_s[32] = "-", rs_s[32] = "-", kns_s[32] = "-", walk_s[32] = "-";
    if (floor > 0) std::snprintf(floor_s, sizeof floor_s, "%.2f", floor_ratio);
    if (ns_int > 0) std::snprintf(ns_s, sizeof ns_s, "%.2f", ns_int);
    if (kns > 0) std::snprintf(kns_s, sizeof kns_s, "%.3f", kns);
    if (walk > 0) std::snprintf(walk_s, sizeof walk_s, "%.2f", walk);
    if (rd > 0) std::snprintf(rd_s, sizeof rd_s, "%.3f", rd);
    if (rs > 0) std::snprintf(rs_s, sizeof rs_s, "%.3f", rs);
    char hash_hex[24];
    std::snprintf(hash_hex, sizeof hash_hex, "%016llx", static_cast<unsigned long long>(r.hash));
    const std::string name(layout_name(r.layout));
    char line[512];
    char step[96];
    if (r.quantum)
      std::snprintf(step, sizeof step, "scheduler tick (%.2f = %.0f x %.0f ms), not a result", r.step_median,
                    std::round(r.step_median / kSchedulerTickMs), kSchedulerTickMs);
    else std::snprintf(step, sizeof step, "%.2f (%.2f-%.2f)", r.step_median, r.step_min, r.step_max);
    std::snprintf(line, sizeof line, "| %s | %.1f | %.1f | %.1f | %.1f | %s |", name.c_str(), r.bytes_per_particle,
                  r.particle_bytes / kMiB, r.heap_peak / kMiB, r.rss / kMiB, step);
    std::string row = line;
    std::snprintf(line, sizeof line, "%s,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f", name.c_str(), r.bytes_per_particle,
                  r.particle_bytes / kMiB, r.heap_peak / kMiB, r.rss / kMiB, r.step_median, r.step_min, r.step_max);
    std::string crow = line;
    for (const StepPhase& p : kStepPhases) {
      std::snprintf(line, sizeof line, " %.2f |", r.phases.*p.field);
      row += line;
      std::snprintf(line, sizeof line, ",%.4f", r.phases.*p.field);
      crow += line;
    }
    std::snprintf(line, sizeof line, " %s | %s | %.1f | %.2f | %s | %s | %s | %s | %s%s | %.2f%s |\n", rd_s, rs_s,
                  r.triad_gbs(), integ_ratio, floor_s, ns_s, kns_s, walk_s, hash_hex, r.complete ? "" : " (partial)", r.load,
                  load_exceeds_cores(r.load) ? " (loaded)" : "");
    row += line;
    std::snprintf(line, sizeof line, ",%.4f,%.4f,%.3f,%.4f,%.4f,%.4f,%llu,%.4f,%.4f,%.4f,%s,%.2f,%d,%d,%.3f,%.3f\n", rd,
                  rs, r.triad_gbs(), integ_ratio, floor, floor_ratio, static_cast<unsigned long long>(r.interactions),
                  ns_int, kns, walk, hash_hex, r.load, load_exceeds_cores(r.load) ? 1 : 0, r.quantum ? 1 : 0,
                  r.triad_before_gbs, r.triad_after_gbs);
    crow += line;
    std::fputs(row.c_str(), text);
    csv << crow;
  }
  {
    // What each row stands for (the layout table's versions).
    std::string legend;
    for (const auto& r : res)
      legend += (legend.empty() ? "" : "; ") + std::string(layout_name(r.layout)) + ": " +
                std::string(traits(r.layout).cpython);
    std::fprintf(text, "\nlayouts: %s\n", legend.c_str());
  }
  // The summary lines quote soa's row (the layout the targets are set
  // for), else the first.
  const Result& ref = soa ? *soa : res[0];
  const std::string ref_name(layout_name(ref.layout));
  if (cfg.solver == "pm")
    std::fprintf(text, "\npm floor (%s row): FFT convolution alone %.2f ms (same plans and mesh) + particle passes and "
                "integrator at %.1f GB/s %.2f ms = %.2f ms\n",
                ref_name.c_str(), ref.transform_ms, ref.triad_gbs(), floor_ms(ref) - ref.transform_ms, floor_ms(ref));
  if (ref.kernel.ms > 0)
    std::fprintf(text, "\n%s floor (%s row): its pair kernels alone (%s), on flat lists captured from %zu of the call's groups "
                "(cache-resident, as in the walk), for the walk's %.3g interactions: %.3g node terms at %.3f ns + %.3g "
                "particle terms at %.3f ns = %.2f ms; + integrator at %.1f GB/s %.2f ms = %.2f ms. The walk (solve) "
                "%.2f ms, %.3f ns per interaction, is %.2fx the kernels\n",
                cfg.solver.c_str(), ref_name.c_str(), ref.kernel.kernel.c_str(), ref.kernel.sample_groups,
                double(ref.interactions), double(ref.kernel.node_terms), ref.kernel.node_ns,
                double(ref.kernel.particle_terms), ref.kernel.particle_ns, ref.kernel.ms, ref.triad_gbs(), bound_ms(ref),
                floor_ms(ref), ref.phases.solve_ms, ns_per_interaction(ref), walk_ratio(ref));
  if (soa)
    std::fprintf(text, "\nsoa integrator (kick+drift) %.2f ms vs bandwidth bound %.2f ms (%.0f MB moved at %.1f GB/s): %.2fx the bound\n",
                soa->phases.kick_ms + soa->phases.drift_ms, bound_ms(*soa), integ_bytes / 1e6, soa->triad_gbs(),
                (soa->phases.kick_ms + soa->phases.drift_ms) / bound_ms(*soa));
  std::string loaded_rows, quantum_rows, spread_rows;
  for (const auto& r : res) {
    const double lo = std::min(r.triad_before_gbs, r.triad_after_gbs);
    if (lo > 0 && r.triad_gbs() / lo > kTriadSpread) {
      char s[160];
      std::snprintf(s, sizeof s, "%s %.1f before, %.1f after", std::string(layout_name(r.layout)).c_str(),
                    r.triad_before_gbs, r.triad_after_gbs);
      spread_rows += (spread_rows.empty() ? "" : "; ") + std::string(s);
    }
    if (load_exceeds_cores(r.load)) loaded_rows += (loaded_rows.empty() ? "" : ", ") + std::string(layout_name(r.layout));
    if (r.quantum) quantum_rows += (quantum_rows.empty() ? "" : ", ") + std::string(layout_name(r.layout));
  }
  if (loaded || !loaded_rows.empty())
    std::fprintf(text, "\nwarning: load average %.2f exceeded the %u cores during the run (rows marked (loaded): %s): other "
                "work shared the machine, so these timings are not its own\n",
                load_max, std::thread::hardware_concurrency(), loaded_rows.empty() ? "none" : loaded_rows.c_str());
  if (!spread_rows.empty())
    std::fprintf(text, "\nwarning: the two triad readings of a row differed by more than %.1fx (%s GB/s): the "
                "bandwidth this machine granted moved during the row, and its bounds and floor use the higher reading\n",
                kTriadSpread, spread_rows.c_str());
  if (!quantum_rows.empty())
    std::fprintf(text, "\nwarning: the step times of %s are whole multiples of the %.0f-ms scheduler tick: the steps waited "
                "for the CPU, so they are not reported as results (no ratios)\n",
                quantum_rows.c_str(), kSchedulerTickMs);
  if (status != "ok")
    std::fprintf(text, "\nstatus: interrupted after %zu of %zu layouts (a row its layout did not finish is marked partial)\n",
                 res.size(), layouts.size());
  // Each output on its own: one that fails (a full disk) does not cost the
  // other; the exit status then says so (1).
  int failed_outputs = 0;
  auto attempt = [&](const char* flag, const std::function<void()>& write) {
    try {
      write();
    } catch (const std::exception& e) {
      ++failed_outputs;
      std::fprintf(stderr, "slotsim bench: %s not written: %s\n", flag, one_line(e.what()).c_str());
    }
  };
  if (!o.csv.empty()) attempt("--csv", [&] { write_file_atomic(o.csv, csv.str()); });
  if (!o.json.empty()) attempt("--json", [&] {
    const MachineInfo m = machine_info();
    Json j;
    j["machine"] = {{"cpu", m.cpu},
                    {"cores", m.cores},
                    {"mem_total_bytes", m.mem_total_bytes},
                    {"kernel", m.kernel},
                    {"compiler", m.compiler}};
    j["config"] = {{"scene", cfg.ic_file.empty() ? cfg.scene : "ic:" + cfg.ic_file},
                   {"particles", res[0].n},
                   {"solver", cfg.solver},
                   {"steps", o.steps},
                   {"repeats", o.repeats},
                   {"threads", threads},
                   {"dt", cfg.dt},
                   {"theta", cfg.force.theta},
                   {"grid", cfg.force.grid},
                   {"seed", cfg.seed}};
    j["status"] = status;
    j["layouts_done"] = res.size();
    j["layouts_requested"] = layouts.size();
    j["load_average_before"] = load_before;
    j["load_average_after"] = load_after;
    j["machine_loaded"] = loaded;
    // bandwidth_gbs and integrator_bound_ms: the soa row's (else the
    // first), kept for readers of the run-level fields; every row has its own.
    j["bandwidth_gbs"] = ref.triad_gbs();
    j["integrator_bytes_per_step"] = integ_bytes;
    j["integrator_bound_ms"] = bound_ms(ref);
    Json& results = j["results"] = Json::array();
    for (const auto& r : res) {
      Json row;
      row["layout"] = layout_name(r.layout);
      row["bytes_per_particle"] = r.bytes_per_particle;
      row["particle_bytes"] = r.particle_bytes;
      row["heap_peak_bytes"] = r.heap_peak;
      row["rss_bytes"] = r.rss;
      row["step_ms_median"] = r.step_median;
      row["step_ms_min"] = r.step_min;
      row["step_ms_max"] = r.step_max;
      row["phases_ms"] = phases_json(r.phases);
      if (dict_ok && !r.quantum) row["ratio_to_dict"] = r.step_median / dict->step_median;
      if (soa_ok && !r.quantum) row["ratio_to_soa"] = r.step_median / soa->step_median;
      row["load_average"] = r.load;
      row["loaded"] = load_exceeds_cores(r.load);
      row["quantum_bound"] = r.quantum;
      row["triad_gbs"] = r.triad_gbs();
      row["triad_gbs_before"] = r.triad_before_gbs;
      row["triad_gbs_after"] = r.triad_after_gbs;
      row["integrator_bound_ms"] = bound_ms(r);
      row["integrator_bound_ratio"] = (r.phases.kick_ms + r.phases.drift_ms) / bound_ms(r);
      char hh[24];
      std::snprintf(hh, sizeof hh, "%016llx", static_cast<unsigned long long>(r.hash));
      row["state_hash"] = hh;
      row["complete"] = r.complete;
      row["floor_ms"] = floor_ms(r);
      row["floor_ratio"] = floor_ms(r) > 0 ? r.step_median / floor_ms(r) : 0.0;
      row["transform_floor_ms"] = r.transform_ms;
      row["interactions"] = r.interactions;
      row["ns_per_interaction"] = ns_per_interaction(r);
      row["kernel_floor_ms"] = r.kernel.ms;
      row["kernel_ns_per_interaction"] = kernel_ns(r);
      row["walk_kernel_ratio"] = walk_ratio(r);
      row["kernel_variant"] = r.kernel.kernel;
      row["node_terms"] = r.kernel.node_terms;
      row["particle_terms"] = r.kernel.particle_terms;
      row["kernel_ns_per_node_term"] = r.kernel.node_ns;
      row["kernel_ns_per_particle_term"] = r.kernel.particle_ns;
      row["kernel_sample_groups"] = r.kernel.sample_groups;
      results.push_back(std::move(row));
    }
    write_file_atomic(o.json, io::report_text(j));
  });
  if (sig) {
    std::fprintf(stderr, "slotsim bench: interrupted by %s; outputs written with \"status\": \"interrupted\"\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return exit_interrupted(sig);
  }
  return failed_outputs ? kExitFailed : kExitOk;
}

}  // namespace

CLI::App* register_bench(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  o->sim.cfg.particles = 1000000;
  o->sim.cfg.solver = "none";
  CLI::App* cmd = app.add_subcommand("bench", "run the same work over several layouts and compare them");
  add_sim_options(cmd, o->sim);
  drop_layout_option(cmd);  // --layouts says which
  cmd->add_option("--steps", o->steps_text, "timed steps per repeat")->capture_default_str();
  cmd->add_option("--repeats", o->repeats_text,
                  "repeats per layout (the table shows median and min-max), 1 to " + std::to_string(kMaxRepeats))
      ->capture_default_str();
  cmd->add_option("--layouts", o->layouts, "comma-separated layouts to run, in order")->capture_default_str();
  cmd->add_option("--json", o->json, "write the results as JSON to FILE");
  cmd->add_option("--csv", o->csv, "write the table as CSV to FILE");
  cmd->add_flag("--dry-run", o->dry_run, "print the memory plan and exit without running");
  cmd->add_flag("--claims", o->claims, "print the lecture's claims beside values measured now");
  cmd->add_option("--claims-instances", o->claims_big_text, "instance count of the large-dict claim")
      ->capture_default_str();
  cmd->add_option("--claims-sample", o->claims_sample_text,
                  "particles per store for the claims' per-instance figures (at least 100)")
      ->capture_default_str();
  // The value is optional: `--python` alone measures the python3 on PATH;
  // a comma list those interpreters; `all` every one installed.
  cmd->add_option("--python", o->claims_opts.python_spec,
                  "with --claims: also measure real interpreters, one column each: the python3 on PATH (no value), "
                  "a comma-separated list (python3.8,/usr/bin/python3), or 'all' (PATH, pyenv and conda folders)")
      ->expected(0, 1);
  cmd->add_flag("--python-quick", o->claims_opts.python_quick,
                "with --python: the script's quick mode (seconds, rougher figures)");
  cmd->callback([o, cmd] {
    o->claims_opts.python = cmd->count("--python") > 0;
    const int rc = run_guarded("bench", [&] { return run_bench(*o); });
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
  return cmd;
}

}  // namespace slotsim::app
