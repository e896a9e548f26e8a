#include "app/snapshot_output.hpp"

#include "sim/units.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "app/output_file.hpp"
#include "app/sim_options.hpp"
#include "sim/io/csv.hpp"

namespace slotsim::app {
namespace {

std::string hex(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Writes one file, atomically, by extension, and prints its progress line.
void write_one(const SnapshotOptions& o, const std::string& path, System& sys, bool diverged = false) {
  const auto t0 = std::chrono::steady_clock::now();
  long long bytes = -1;
  if (is_hdf5_path(path)) {
    write_file_atomic_with(path, [&](const std::string& tmp) { bytes = write_snapshot_h5(tmp, sys, o.fields); });
  } else {
    write_particles_csv(path, sys.size(), [&](std::size_t i) { return sys.particle(i); }, diverged);
    std::error_code ec;
    const auto sz = std::filesystem::file_size(path, ec);
    bytes = ec ? -1 : static_cast<long long>(sz);
  }
  if (o.quiet) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "snapshot %s: step %llu, %.1f MiB in %.0f ms (%.0f MiB/s)\n", path.c_str(),
               static_cast<unsigned long long>(sys.steps_done()), double(bytes) / kMiB, s * 1e3,
               s > 0 ? double(bytes) / kMiB / s : 0.0);
}

}  // namespace

void add_snapshot_options(CLI::App* cmd, SnapshotOptions& o) {
  o.cmd = cmd;
  cmd->add_option("--snapshot-every", o.every,
                  "also write a numbered series every K steps (out_000.h5, out_001.h5, ... from --snapshot)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--snapshot-fields", o.fields_spec,
                  "extra HDF5 snapshot datasets: acc (accelerations), pot (potential), e.g. acc,pot");
  cmd->add_option("--restart", o.restart, "continue the run saved in a slotsim HDF5 snapshot (--steps more steps)");
}

std::string series_name(const std::string& snapshot, std::uint64_t index) {
  const std::filesystem::path p(snapshot);
  char num[32];
  std::snprintf(num, sizeof num, "_%03llu", static_cast<unsigned long long>(index));
  return (p.parent_path() / (p.stem().string() + num + p.extension().string())).string();
}

void check_snapshot_options(SnapshotOptions& o, const std::string& snapshot, const SimConfig& cfg) {
  o.fields = parse_snapshot_fields(o.fields_spec);
  if (o.every > 0 && snapshot.empty())
    throw std::invalid_argument("--snapshot-every needs --snapshot FILE to name the series after");
  if (!o.fields_spec.empty() && !is_hdf5_path(snapshot))
    throw std::invalid_argument("--snapshot-fields needs an HDF5 --snapshot (FILE.h5); CSV holds only x..mass");
  if (o.fields.potential && o.restart.empty() && cfg.ic_file.empty() && cfg.particles > kPotentialMaxParticles)
    throw std::invalid_argument("--snapshot-fields pot: the potential is an exact O(N^2) pair sum, limited to " +
                                std::to_string(kPotentialMaxParticles) + " particles (-n is " +
                                std::to_string(cfg.particles) + ")");
  if (!o.restart.empty() && !is_hdf5_path(o.restart))
    throw std::invalid_argument("--restart '" + o.restart + "': expected a slotsim HDF5 snapshot (.h5)");
  if (o.every > 0) check_writable(series_name(snapshot, 0), "--snapshot-every");
}

void check_restart_flags(const SnapshotOptions& o) {
  // The snapshot fixes everything that shapes the trajectory; a flag that
  // changed one of them would silently make the "continuation" another run.
  // Refusing is clearer than letting them override. Safe to give: --steps
  // (more steps), --layout (all layouts give the same bits), --threads (the
  // solvers are bit-identical across thread counts), --switch-at, outputs.
  for (const char* f : {"--scene", "--ic", "--particles", "--solver", "--dt", "--softening", "--theta", "--grid",
                        "--periodic", "--box", "--seed", "--sort-every"}) {
    const CLI::Option* opt = o.cmd ? o.cmd->get_option_no_throw(f) : nullptr;
    if (opt && opt->count() > 0)
      throw std::invalid_argument(std::string(f) + " cannot be combined with --restart: the snapshot fixes it " +
                                  "(a restart continues the same run; start a new run instead)");
  }
}

std::unique_ptr<System> make_batch_system(SnapshotOptions& o, SimConfig& cfg, const std::string& layout_flag,
                                          const ProgressFn& progress) {
  if (o.restart.empty()) {
    auto sys = std::make_unique<System>(cfg, progress);
    if (o.fields.potential && sys->size() > kPotentialMaxParticles)
      throw std::invalid_argument("--snapshot-fields pot: limited to " + std::to_string(kPotentialMaxParticles) +
                                  " particles, " + cfg.ic_file + " has " + std::to_string(sys->size()));
    return sys;
  }
  check_restart_flags(o);
  RestartSnapshot snap = read_restart_h5(o.restart);
  const CLI::Option* threads = o.cmd ? o.cmd->get_option_no_throw("--threads") : nullptr;
  const CLI::Option* layout = o.cmd ? o.cmd->get_option_no_throw("--layout") : nullptr;
  const bool layout_given = layout && layout->count() > 0;
  if (threads && threads->count() > 0) snap.cfg.threads = cfg.threads;
  const Layout to = layout_given ? layout_or_throw(layout_flag) : snap.cfg.layout;
  cfg = snap.cfg;
  auto sys = std::make_unique<System>(cfg, snap.run);
  // A cheap end-to-end check of the reader: the restored particles must
  // hash to what the writer saw.
  const std::uint64_t h = sys->state_hash();
  if (h != snap.state_hash)
    throw SnapshotError(o.restart + ": restored state hash " + hex(h) + " differs from the snapshot's " +
                        hex(snap.state_hash));
  if (o.fields.potential && sys->size() > kPotentialMaxParticles)
    throw std::invalid_argument("--snapshot-fields pot: limited to " + std::to_string(kPotentialMaxParticles) +
                                " particles, the snapshot has " + std::to_string(sys->size()));
  if (to != sys->layout()) {
    sys->switch_layout(to, progress);
    cfg.layout = to;
  }
  if (!o.quiet)
    std::fprintf(stderr, "restarted from %s at step %llu (time %.6g, layout %s, solver %s)\n", o.restart.c_str(),
                 static_cast<unsigned long long>(sys->steps_done()), sys->sim_time(),
                 std::string(layout_name(sys->layout())).c_str(), cfg.solver.c_str());
  return sys;
}

void write_final_snapshot(const SnapshotOptions& o, const std::string& path, System& sys, bool diverged) {
  if (!path.empty()) write_one(o, path, sys, diverged);
}

void write_series_if_due(const SnapshotOptions& o, const std::string& snapshot, System& sys) {
  if (o.every == 0) return;
  const std::uint64_t s = sys.steps_done();
  if (s % o.every != 0) return;
  write_one(o, series_name(snapshot, s / o.every), sys);
}

}  // namespace slotsim::app
