#include "app/snapshot_output.hpp"

#include "sim/units.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "app/output_file.hpp"
#include "app/sim_options.hpp"
#include "sim/io/csv.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/limits.hpp"
#include "sim/message.hpp"

namespace slotsim::app {
namespace {

std::string hex(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Writes one file, atomically, by extension, and prints its progress line.
void write_one(const SnapshotOptions& o, const std::string& path, System& sys, const std::string& status = "ok") {
  const auto t0 = std::chrono::steady_clock::now();
  long long bytes = -1;
  if (is_hdf5_path(path)) {
    write_file_atomic_with(path, [&](const std::string& tmp) { bytes = write_snapshot_h5(tmp, sys, o.fields, status); });
  } else {
    write_particles_csv(path, sys.size(), [&](std::size_t i) { return sys.particle(i); }, status == "diverged");
    std::error_code ec;
    const auto sz = std::filesystem::file_size(path, ec);
    bytes = ec ? -1 : static_cast<long long>(sz);
  }
  if (o.quiet) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "snapshot %s: step %llu, %.1f MiB in %.0f ms (%.0f MiB/s)\n", one_line(path).c_str(),
               static_cast<unsigned long long>(sys.steps_done()), double(bytes) / kMiB, s * 1e3,
               s > 0 ? double(bytes) / kMiB / s : 0.0);
}

}  // namespace

void add_snapshot_options(CLI::App* cmd, SnapshotOptions& o) {
  o.cmd = cmd;
  cmd->add_option("--snapshot-every", o.every_text,
                  "also write a numbered series every K steps (out_000.h5, out_001.h5, ... from --snapshot)");
  cmd->add_option("--snapshot-fields", o.fields_spec,
                  "extra HDF5 snapshot datasets: acc (accelerations), pot (potential), e.g. acc,pot")
      ->check(not_empty("acc, pot or acc,pot"));
  cmd->add_option("--restart", o.restart, "continue the run saved in a slotsim HDF5 snapshot (--steps more steps)");
}

std::string series_name(const std::string& snapshot, std::uint64_t index) {
  return io::OutputSeries{"--snapshot-every", snapshot}.name(index);
}

std::vector<io::OutputSeries> snapshot_series(const SnapshotOptions& o, const std::string& snapshot,
                                              std::uint64_t start, std::uint64_t steps, bool fresh) {
  if (o.every == 0) return {};
  // write_series_if_due writes index s/K after every step s that K divides,
  // and a fresh run index 0 before its first step.
  io::OutputSeries s{"--snapshot-every", snapshot, fresh ? start / o.every : start / o.every + 1,
                     (start + steps) / o.every};
  if (s.first <= s.last) check_writable(s.name(s.last), "--snapshot-every");
  return {s};
}

void check_snapshot_options(SnapshotOptions& o, const std::string& snapshot, const SimConfig& cfg) {
  o.every = parse_count(o.every_text, "--snapshot-every", 0, kMaxSteps);
  o.fields = parse_snapshot_fields(o.fields_spec);
  if (o.every > 0 && snapshot.empty())
    throw std::invalid_argument("--snapshot-every needs --snapshot FILE to name the series after");
  if (!o.fields_spec.empty() && snapshot.empty())
    throw std::invalid_argument("--snapshot-fields needs an HDF5 --snapshot FILE.h5 to write the fields into");
  if (!o.fields_spec.empty() && !is_hdf5_path(snapshot))
    throw std::invalid_argument("--snapshot-fields needs an HDF5 --snapshot (FILE.h5); CSV holds only x..mass");
  if (o.fields.potential && o.restart.empty() && cfg.ic_file.empty() && cfg.particles > kPotentialMaxParticles)
    throw std::invalid_argument("--snapshot-fields pot: the potential is an exact O(N^2) pair sum, limited to " +
                                std::to_string(kPotentialMaxParticles) + " particles (-n is " +
                                std::to_string(cfg.particles) + ")");
  if (!o.restart.empty() && !is_hdf5_path(o.restart))
    throw std::invalid_argument("--restart '" + o.restart + "': expected a slotsim HDF5 snapshot (.h5)");
  // A series is files beside --snapshot: "-" or a device has no name to
  // number ("-_000.h5" in the working directory, "/dev/null_000").
  if (o.every > 0 && (snapshot == "-" || io::check_output(snapshot, "--snapshot").kind != io::OutputKind::File))
    throw std::invalid_argument("--snapshot-every needs --snapshot to be a file to number the series after, not '" +
                                snapshot + "'");
}

void check_restart_flags(const SnapshotOptions& o) {
  // The snapshot fixes everything that shapes the trajectory; a flag that
  // changed one of them would silently make the "continuation" another run.
  // Refusing is clearer than letting them override. Safe to give: --steps
  // (more steps), --layout (all layouts give the same bits), --threads (the
  // solvers are bit-identical across thread counts), --python-objects (the
  // objects' memory, not their values), --switch-at, outputs.
  for (const char* f : {"--scene", "--ic", "--particles", "--solver", "--dt", "--softening", "--theta", "--grid",
                        "--periodic", "--box", "--seed", "--sort-every"}) {
    const CLI::Option* opt = o.cmd ? o.cmd->get_option_no_throw(f) : nullptr;
    if (opt && opt->count() > 0)
      throw std::invalid_argument(std::string(f) + " cannot be combined with --restart: the snapshot fixes it " +
                                  "(a restart continues the same run; start a new run instead)");
  }
}

RestartHeader prepare_restart(const SnapshotOptions& o, SimConfig& cfg) {
  check_restart_flags(o);
  auto given = [&](const char* f) {
    const CLI::Option* opt = o.cmd ? o.cmd->get_option_no_throw(f) : nullptr;
    return opt && opt->count() > 0;
  };
  // The configuration and counts only: the plan is checked before the
  // particles are read.
  RestartHeader h = inspect_restart_h5(o.restart);
  SimConfig next = h.snap.cfg;
  if (given("--layout")) next.layout = cfg.layout;
  if (given("--threads")) next.threads = cfg.threads;
  // A --python-objects run restarts with its objects; the flag turns them
  // on for a run that had none. Checked against the layout the restart
  // will hold (the snapshot's, or --layout), not the CLI's default.
  next.python_objects = h.snap.cfg.python_objects || cfg.python_objects;
  // ... of the snapshot's CPython, unless --python-objects[=VERSION] names one.
  next.python_version = given("--python-objects") ? cfg.python_version : h.snap.cfg.python_version;
  if (next.python_objects && !traits(next.layout).heap_objects)
    throw std::invalid_argument(python_objects_refusal(next.layout) +
                                (given("--layout") ? "" : " (the snapshot's layout; --layout picks another)"));
  // --python-objects turning on restores the particles straight into the
  // layout asked for (make_batch_system), not the snapshot's and then a
  // switch, which would drop what that layout cannot hold: so what the file
  // adds must fit that layout, said now and naming the file (it failed
  // after the particles were made, with the run's AttributeError).
  if (next.python_objects != h.snap.cfg.python_objects && next.layout != h.snap.cfg.layout) {
    const std::string l(layout_name(next.layout));
    switch (cannot_hold(next.layout, h.own_dict, h.dynamic_attrs > 0)) {
      case Unholdable::OwnDicts:
        throw std::invalid_argument(o.restart + ": its particles have their own __dict__, which --python-objects "
                                    "restores in layout " + l + ", which has none");
      case Unholdable::DynamicAttrs:
        throw std::invalid_argument(o.restart + ": its particles have attributes beyond the declared ones, which "
                                    "--python-objects restores in layout " + l + ", which has none");
      case Unholdable::Nothing:
        break;
    }
  }
  cfg = next;
  return h;
}

std::unique_ptr<System> make_batch_system(const SnapshotOptions& o, const SimConfig& cfg, const RestartHeader* restart,
                                          const ProgressFn& progress) {
  if (!restart) {
    auto sys = std::make_unique<System>(cfg, progress);
    if (o.fields.potential && sys->size() > kPotentialMaxParticles)
      throw std::invalid_argument("--snapshot-fields pot: limited to " + std::to_string(kPotentialMaxParticles) +
                                  " particles, " + cfg.ic_file + " has " + std::to_string(sys->size()));
    return sys;
  }
  std::unique_ptr<System> sys;
  {
    RestartSnapshot snap = read_restart_h5(o.restart);
    // The file must still be the one the plan was made from.
    if (snap.state_hash != restart->snap.state_hash || snap.run.particles.size() != restart->particles)
      throw SnapshotError(o.restart + ": the file changed while it was read");
    // Restored in the snapshot's layout, which reproduces its storage
    // exactly; --layout switches afterwards, below, once the restored state
    // is freed. --python-objects turning on needs a store made with it:
    // that one is restored in the layout the flags ask for.
    SimConfig at = cfg;
    if (cfg.python_objects == snap.cfg.python_objects) at.layout = snap.cfg.layout;
    sys = std::make_unique<System>(at, snap.run);
    // A cheap end-to-end check of the reader: the restored particles must
    // hash to what the writer saw.
    const std::uint64_t h = sys->state_hash();
    if (h != snap.state_hash)
      throw SnapshotError(o.restart + ": restored state hash " + hex(h) + " differs from the snapshot's " +
                          hex(snap.state_hash));
  }
  if (o.fields.potential && sys->size() > kPotentialMaxParticles)
    throw std::invalid_argument("--snapshot-fields pot: limited to " + std::to_string(kPotentialMaxParticles) +
                                " particles, the snapshot has " + std::to_string(sys->size()));
  if (cfg.layout != sys->layout()) sys->switch_layout(cfg.layout, progress);
  if (!o.quiet)
    print_restarted(o.restart, sys->steps_done(), sys->sim_time(), sys->layout(), cfg.solver,
                    cfg.python_objects ? ", --python-objects" : "", restart->snap.status);
  return sys;
}

void print_restarted(const std::string& path, std::uint64_t step, double time, Layout layout,
                     const std::string& solver, const std::string& extra, const std::string& status) {
  std::fprintf(stderr, "restarted from %s at step %llu (time %.6g, layout %s, solver %s%s%s)\n", one_line(path).c_str(),
               static_cast<unsigned long long>(step), time, std::string(layout_name(layout)).c_str(), solver.c_str(),
               extra.c_str(), status != "ok" ? (", snapshot marked " + status).c_str() : "");
}

void write_final_snapshot(const SnapshotOptions& o, const std::string& path, System& sys, const std::string& status) {
  if (!path.empty()) write_one(o, path, sys, status);
}

void write_series_if_due(const SnapshotOptions& o, const std::string& snapshot, System& sys) {
  if (o.every == 0) return;
  const std::uint64_t s = sys.steps_done();
  if (s % o.every != 0) return;
  write_one(o, series_name(snapshot, s / o.every), sys);
}

}  // namespace slotsim::app
