#pragma once
// The gravity-solver family. A solver sees positions and masses as plain
// arrays gathered from the store (the gather is the layout's cost and is
// timed separately); it never sees the store itself. That keeps every solver
// layout-independent, which is what makes the state hash identical across
// layouts. The rejected alternative, templating each solver over the store,
// would multiply compile time by five and make the tree and mesh codes pay
// the dict probe inside their inner loops, hiding their own cost.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/extent.hpp"

namespace slotsim {

// Particle-mesh grid limits (cells per side), shared by the solver's check
// and every front end that offers the setting.
inline constexpr int kPmMinGrid = 16, kPmMaxGrid = 1024;

// Up to this many particles the energy diagnostic sums every pair; above
// it, it asks the solver for its potential (Solver::potentials) or samples.
// The default of SimConfig::exact_potential_max and RunShape's.
inline constexpr std::size_t kExactPotentialMax = 20000;

struct ForceParams {
  double softening = 0.01;  // Plummer softening length epsilon
  double theta = 0.7;       // Barnes-Hut opening angle
  int grid = 128;           // particle-mesh cells per side
  bool periodic = false;    // particle-mesh: periodic box instead of isolated
  double box = 0;           // periodic box side; 0 = fit to particles
};

struct Sources {
  const double* x;
  const double* y;
  const double* z;
  const double* m;
  std::size_t n;
  // When not null: the extent of these n positions, exactly (the step's
  // drift takes it while writing them; see extent.hpp). bounding_cube()
  // uses it instead of a pass of its own: 6-8 ms of a pm step at 10M.
  const Extent* extent = nullptr;
};

struct Accels {
  double* ax;
  double* ay;
  double* az;
};

// Sub-phases a solver may report, in milliseconds. Solvers without a phase
// leave it at zero.
struct SolverPhases {
  double build_ms = 0;        // tree build / mass deposit
  double solve_ms = 0;        // tree walk / FFT convolution / pair sum
  double interpolate_ms = 0;  // mesh -> particle interpolation
};

class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string_view name() const = 0;
  // Writes a (G = 1) into acc for every source. Deterministic: for a fixed
  // input and thread count the output is bit-identical between calls.
  virtual void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) = 0;
  // Whether accelerations() does anything (false for `none`: free streaming).
  virtual bool has_forces() const { return true; }
  // Pair terms (particle-particle or particle-node) the last call summed,
  // or 0 for a solver that does not sum pairs (pm, none). bench divides the
  // solve time by it: ns per interaction is that machine's floor for a
  // pair-summing solver, comparable across runs and machines.
  virtual std::uint64_t interactions() const { return 0; }
  // The part of a call that no layout and no particle count changes, timed
  // alone on this machine: for pm the FFT convolution on the same plans and
  // mesh as the last call (median of `repeats`); 0 where there is none. Call
  // it after accelerations() (or potentials()); it clobbers the solver's scratch mesh, which
  // the next call rebuilds from scratch anyway.
  virtual double transform_floor_ms(int /*repeats*/) { return 0; }
  // The pair kernels alone, timed on this machine for the last
  // accelerations() call's interactions (bh): the same kernel entry points
  // and list types as the walk, run over flat lists captured from that
  // call's own groups, for as many node terms and particle terms as the walk
  // summed. What the walk costs beyond it (descent, opening tests, gathering
  // the lists and targets, writing the results) is the walk's overhead.
  // Zero everywhere for solvers without such kernels. Call it after
  // accelerations(); it reuses the solver's scratch, so it changes no later
  // result.
  struct KernelFloor {
    std::string kernel;               // the variant timed (e.g. "avx512")
    std::uint64_t node_terms = 0;     // the last call's target x node terms
    std::uint64_t particle_terms = 0; // ... and target x particle terms
    double node_ns = 0, particle_ns = 0;  // wall ns per term, all threads, median of repeats
    double ms = 0;  // node_terms * node_ns + particle_terms * particle_ns, in ms
    std::size_t sample_groups = 0;    // groups whose lists were captured
  };
  virtual KernelFloor kernel_floor(int /*repeats*/) { return {}; }
  // Whether potentials() computes anything. Asked before a call so that a
  // caller can say what it is about to do (the GUI's activity line).
  virtual bool has_potentials() const { return false; }
  // Writes phi_i = -sum_{j != i} m_j / sqrt(r_ij^2 + eps^2) (G = 1, the
  // softening of the forces) for every source into phi, computed the
  // solver's own way, with the approximation of its forces: the tree walk
  // with the same opening criterion (bh), the mesh potential of the same
  // convolution with the same CIC weights (pm). Returns false, leaving phi
  // untouched, where there is none (has_potentials() is false). Same
  // determinism as accelerations(). Costs about one force call; it reuses
  // the solver's scratch (which every call rebuilds), so it never changes
  // the result of a later accelerations(), and it leaves interactions()
  // at the last accelerations() call's count. Used by the energy
  // diagnostic above SimConfig::exact_potential_max (System::diagnostics()).
  virtual bool potentials(const Sources& /*src*/, double* /*phi*/) { return false; }

  // Forces on the sources [first, first + count) only, from all of src:
  // acc has count entries (source i's at acc.ax[i - first]), each the same
  // bits as accelerations() gives it. For the distributed bh, where every
  // rank holds every source but computes its own targets (dist/). The
  // default computes all of them into scratch; bh walks only the tree
  // nodes holding such targets.
  virtual void accelerations_of(const Sources& src, std::size_t first, std::size_t count, Accels& acc,
                                SolverPhases& phases);
  // potentials() of the same subset (phi has count entries); false where
  // there are none.
  virtual bool potentials_of(const Sources& src, std::size_t first, std::size_t count, double* phi);
};

// Creates a solver by name; throws std::invalid_argument naming the valid
// choices for an unknown name.
std::unique_ptr<Solver> make_solver(std::string_view name, const ForceParams& p);
std::vector<std::string> solver_names();
// "direct, none, bh, pm": the registry's names, in its order.
std::string solver_names_text();

// The ForceParams fields a solver reads. The registry says which solver
// reads which, so every message that names the solvers a setting applies to
// ("--theta means nothing for --solver pm (it applies to bh)") is derived
// from it.
enum class SolverParam { Softening, Theta, Grid, Periodic, Box };
// The solvers that read `p`, in registry order.
std::vector<std::string> solvers_using(SolverParam p);
// Whether solver `name` reads `p` (false for a name the registry lacks):
// the one question the command line and a restart file both ask.
bool solver_uses(const std::string& name, SolverParam p);

}  // namespace slotsim
