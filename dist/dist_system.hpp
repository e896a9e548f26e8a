#pragma once
// One simulation spread over the ranks of a communicator. Each rank holds a
// sim::System of its segment of the global storage order (segments.hpp), in
// the run's layout, with a distributed solver (solvers.hpp) in place of the
// serial one; the integrator, the layouts, the switches and the divergence
// checks are the serial System's own code, on each rank's share. What spans
// ranks is here: the step's agreement, the state hash and the energy
// diagnostic (both with the serial bits: ordered_fold), the byte totals.
//
// Every member function that is not const is collective: every rank calls
// it at the same point. Errors are agreed (comm.hpp): a failure on one rank
// is the same exception on all.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dist/comm.hpp"
#include "dist/segments.hpp"
#include "sim/layouts/layout_bytes.hpp"
#include "sim/system.hpp"

namespace slotsim::dist {

// This rank's part of a run read from a file: its particles (global storage
// positions seg.begin(rank) ..), their global ids, and the restart state.
struct LocalPart {
  RestoredRun run;                  // run.ids empty: ids are in gids
  std::vector<std::uint32_t> gids;  // gids[k]: global id of local particle k; empty = begin(rank) + k
};

class DistSystem {
 public:
  // A fresh run of cfg.scene (cfg.particles particles), this rank's segment.
  DistSystem(Comm& comm, const SimConfig& cfg, const ProgressFn& progress = {});
  // From particles already divided among the ranks (an --ic file scattered
  // from rank 0, a restart's hyperslabs): n particles in all.
  DistSystem(Comm& comm, const SimConfig& cfg, std::size_t n, LocalPart part);
  DistSystem(const DistSystem&) = delete;
  DistSystem& operator=(const DistSystem&) = delete;

  // One step on every rank. Throws Diverged on every rank alike: the
  // message and id() of the particle with the lowest global id among those
  // that went non-finite, on whichever rank it is.
  void step();
  void switch_layout(Layout to, const ProgressFn& progress = {});
  // FNV-1a over every particle in global id order: System::state_hash()'s
  // value for the same particles.
  std::uint64_t state_hash();
  // System::diagnostics() over all ranks: exact below the exact limit, the
  // solver's potential or a sampled one above, with the serial sums' bits
  // wherever the serial method is exact (the sampled K is measured here).
  Diagnostics diagnostics();
  // The run's E0 (set by the first diagnostics()) and the sampled
  // potential's size, written into snapshots as System's are.
  std::optional<double> initial_energy() const { return e0_; }
  std::size_t energy_sample() const { return sample_k_; }
  // ensure_forces() on every rank (a snapshot's cached accelerations).
  void ensure_forces();

  std::size_t size() const { return seg_.n; }
  std::size_t local_size() const { return sys_->size(); }
  std::size_t first() const { return seg_.begin(comm_.rank()); }
  const Segments& segments() const { return seg_; }
  std::uint32_t gid(std::size_t k) const {
    return gids_.empty() ? static_cast<std::uint32_t>(first() + k) : gids_[k];
  }
  bool identity_ids() const { return gids_.empty(); }  // this rank's ids are begin..end in order
  System& local() { return *sys_; }
  const System& local() const { return *sys_; }
  Comm& comm() { return comm_; }
  Layout layout() const { return sys_->layout(); }
  std::uint64_t steps_done() const { return sys_->steps_done(); }
  double sim_time() const { return sys_->sim_time(); }

  // Sums over every rank (bytes, own dicts).
  LayoutBytes bytes_total();
  std::uint64_t own_dicts_total();
  // Whether every rank's ids are in storage order (no permutation anywhere).
  bool all_identity_ids();

 private:
  void init();
  Comm& comm_;
  Segments seg_;
  std::unique_ptr<System> sys_;
  std::vector<std::uint32_t> gids_;
  std::size_t sample_k_ = 0;  // sampled-potential targets, fixed at the first diagnostics()
  std::optional<double> e0_;  // initial_energy()
  Diagnostics compute_diagnostics();
};

}  // namespace slotsim::dist
