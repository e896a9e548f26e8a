#pragma once
// Requests from the window thread (overlay, keys, script) to the simulation
// thread, applied between steps in the order posted.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "sim/layouts/layout.hpp"
#include "sim/lessons.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::host {

namespace cmd {
struct SwitchLayout {
  Layout to;
};
// New particles; the layout, solver and dt stay as they are.
struct Respawn {
  std::string scene;
  std::size_t particles;
  std::uint64_t seed;
  std::optional<double> dt = std::nullopt;  // set: use this dt (the scene's default, from the panel)
};
struct SetSolver {
  std::string name;
  ForceParams force;
};
struct SetDt {
  double dt;
};
// On particle `id`, or on all particles when id is empty. `op` turns the
// set into `del p.name` or a `p.__dict__` read (name and value unused).
enum class AttrOp { Set, Delete, ReadDict };
struct SetAttr {
  std::optional<std::size_t> id;
  std::string name;
  double value;
  AttrOp op = AttrOp::Set;
};
// The inheritance-rule preset (sim/inheritance.hpp): the particles become
// instances of a subclass without __slots__ whose __init__ sets `name`.
struct Inherit {
  std::string name;
  double value;
};
struct SetThreads {
  int threads;  // 0 = OpenMP default
};
struct SetPaused {
  bool paused;
};
struct StepOnce {};
// The speed control: at most this many steps per published frame (the
// simulation then waits for the next 1/60 s slot), 0 = as fast as it goes.
struct SetSpeed {
  int steps_per_frame;
};
// Runs sim/lessons' measurements here, between steps, so they neither race
// the steps for the CPU nor block the window.
struct MeasureLessons {
  LessonOptions options;
};
// Writes an HDF5 snapshot of the live state (sim/io/hdf5_snapshot.hpp)
// here, between steps, so the file is one consistent step.
struct SaveSnapshot {
  std::string path;  // empty: slotsim-step<N>.h5, N the step it holds
};
}  // namespace cmd

using SimCommand = std::variant<cmd::SwitchLayout, cmd::Respawn, cmd::SetSolver, cmd::SetDt,
                                cmd::SetAttr, cmd::Inherit, cmd::SetThreads, cmd::SetPaused,
                                cmd::StepOnce, cmd::MeasureLessons, cmd::SaveSnapshot, cmd::SetSpeed>;

}  // namespace slotsim::host
