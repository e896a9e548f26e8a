#pragma once
// Requests from the window thread (overlay, keys, script) to the simulation
// thread, applied between steps in the order posted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "sim/layouts/layout.hpp"
#include "lessons/lessons.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::host {

// Every command declares, beside its fields, its name (which its result
// carries, so a message never has to be matched to its command by text) and
// how its result line reports bytes. One place per command, read by the
// handlers (host/command_handlers.hpp) and the message writer; the rejected
// alternative, a switch over the variant index in each consumer, is how the
// old 137-line visitor grew.
enum class Report {
  Silent,      // not logged: pause/step toggles would flood the message list
  Plain,       // "<what> (12 ms)"
  Transition,  // "... : 288.0 -> 64.0 B/particle"
  Delta,       // "... : +80 B, now 72.00 B/particle"
  Inherit,     // "... : before -> subclass -> after B/particle"
};

namespace cmd {
struct SwitchLayout {
  static constexpr std::string_view kName = "switch-layout";
  static constexpr Report kReport = Report::Transition;
  Layout to;
};
// New particles; the layout, solver and dt stay as they are.
struct Respawn {
  static constexpr std::string_view kName = "respawn";
  static constexpr Report kReport = Report::Plain;
  std::string scene;
  std::size_t particles;
  std::uint64_t seed;
  std::optional<double> dt = std::nullopt;  // set: use this dt (the scene's default, from the panel)
};
struct SetSolver {
  static constexpr std::string_view kName = "set-solver";
  static constexpr Report kReport = Report::Plain;
  std::string name;
  ForceParams force;
};
struct SetDt {
  static constexpr std::string_view kName = "set-dt";
  static constexpr Report kReport = Report::Plain;
  double dt;
};
// On particle `id`, or on all particles when id is empty. `op` turns the
// set into `del p.name` or a `p.__dict__` read (name and value unused).
enum class AttrOp { Set, Delete, ReadDict };
struct SetAttr {
  static constexpr std::string_view kName = "set-attr";
  static constexpr Report kReport = Report::Delta;
  std::optional<std::size_t> id;
  std::string name;
  double value;
  AttrOp op = AttrOp::Set;
};
// The inheritance-rule preset (lessons/inheritance.hpp): the particles become
// instances of a subclass without __slots__ whose __init__ sets `name`.
struct Inherit {
  static constexpr std::string_view kName = "inherit";
  static constexpr Report kReport = Report::Inherit;
  std::string name;
  double value;
};
struct SetThreads {
  static constexpr std::string_view kName = "set-threads";
  static constexpr Report kReport = Report::Plain;
  int threads;  // 0 = OpenMP default
};
// `toggle`: flip whatever the state is when it is applied (Space and the
// Pause button), so two quick presses are a pause and a resume even when
// the second comes before the first is shown. `paused` is then unused.
struct SetPaused {
  static constexpr std::string_view kName = "set-paused";
  static constexpr Report kReport = Report::Silent;
  bool paused;
  bool toggle = false;
};
struct StepOnce {
  static constexpr std::string_view kName = "step-once";
  static constexpr Report kReport = Report::Silent;};
// The speed control: at most this many steps per published frame (the
// simulation then waits for the next 1/60 s slot), 0 = as fast as it goes.
// Steps a frame may run (the script's `speed`; the slider offers 0-64): far
// above what any frame can do, and it fits the command's int.
inline constexpr int kMaxStepsPerFrame = 1000000;
struct SetSpeed {
  static constexpr std::string_view kName = "set-speed";
  static constexpr Report kReport = Report::Plain;
  int steps_per_frame;
};
// Runs sim/lessons' measurements here, between steps, so they neither race
// the steps for the CPU nor block the window.
struct MeasureLessons {
  static constexpr std::string_view kName = "measure-lessons";
  static constexpr Report kReport = Report::Plain;
  LessonOptions options;
};
// Writes an HDF5 snapshot of the live state (sim/io/hdf5_snapshot.hpp)
// here, between steps, so the file is one consistent step.
struct SaveSnapshot {
  static constexpr std::string_view kName = "save-snapshot";
  static constexpr Report kReport = Report::Plain;
  std::string path;  // as given (relative to the working directory); empty: a new name in `dir`
  std::string dir = {};  // the output folder (host/output_dir.hpp), created if needed
};
}  // namespace cmd

using SimCommand = std::variant<cmd::SwitchLayout, cmd::Respawn, cmd::SetSolver, cmd::SetDt,
                                cmd::SetAttr, cmd::Inherit, cmd::SetThreads, cmd::SetPaused,
                                cmd::StepOnce, cmd::MeasureLessons, cmd::SaveSnapshot, cmd::SetSpeed>;

// The variant index of command type T, so a result can say which command it
// belongs to without a string compare (CommandResult::is<T>()).
template <class T, class V = SimCommand>
struct command_index;
template <class T, class... Ts>
struct command_index<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    constexpr bool same[] = {std::is_same_v<T, Ts>...};
    std::size_t i = 0;
    while (!same[i]) ++i;
    return i;
  }();
};
template <class T>
inline constexpr std::size_t command_index_v = command_index<T>::value;

inline std::string_view command_name(const SimCommand& c) {
  return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::kName; }, c);
}

}  // namespace slotsim::host
