#pragma once
// One handler per simulation command. Each applies its one action to the
// System and fills in the result that names it; apply_command() brackets any
// handler with what every command reports (bytes before and after, time,
// the exception text on failure, the bytes suffix its kReport asks for).
//
// The handlers run on the simulation thread but do not know it: what they
// need from it (a busy label, a progress callback, one timed step) comes in
// through CommandContext, and what the thread must do afterwards (restart
// its step statistics, its clock) goes back as flags. So each is tested on a
// plain System (tests/host/command_handlers_test.cpp). Rejected: handlers as
// SimThread members, which kept the 22-member object as every handler's
// state and needed a thread to test one.
#include <functional>
#include <memory>
#include <vector>

#include "host/sim_command.hpp"
#include "host/sim_frame.hpp"
#include "lessons/lessons.hpp"
#include "sim/system.hpp"

namespace slotsim::host {

struct CommandContext {
  explicit CommandContext(std::unique_ptr<System>& s) : system(s) {}

  // Owned by the caller. Respawn replaces it; it is null afterwards only if
  // a failed respawn could not restore the previous scene either.
  std::unique_ptr<System>& system;

  // Thread services (each may be empty in a test: then a no-op).
  std::function<void(const std::string& label)> busy;     // show a progress bar
  std::function<void()> indeterminate;                    // ... with no fraction
  std::function<ProgressFn(bool cancellable)> progress;   // for long System work
  std::function<void()> step;                             // one timed step

  // Thread settings a command changes.
  bool paused = false;
  int steps_per_frame = 0;
  std::shared_ptr<const std::vector<Lesson>> lessons;

  // What the thread must do once the handler returned (or threw).
  bool restart_timing = false;  // new layout or solver: step statistics restart
  bool forces_stale = false;    // the next step computes forces from scratch
  bool energy_stale = false;    // the energy reference E0 no longer applies: take a new one
  bool respawned = false;       // new particles: simulated time and energy restart

  ProgressFn progress_fn(bool cancellable = false) const {
    return progress ? progress(cancellable) : ProgressFn{};
  }
  void set_busy(const std::string& label) const {
    if (busy) busy(label);
  }
};

// The action as a script writes it: set-attr, del-attr and read-dict for
// the three kinds of cmd::SetAttr, the command's kName otherwise.
std::string action_name(const SimCommand& c);

// "spawning collision: 1,000,000 particles in dict": the busy label of a
// spawn, which the Time panel shows while the first particles are made.
std::string spawn_label(const std::string& scene, std::size_t n, Layout l);

CommandResult handle(const cmd::SwitchLayout& c, CommandContext& ctx);
CommandResult handle(const cmd::Respawn& c, CommandContext& ctx);
CommandResult handle(const cmd::SetSolver& c, CommandContext& ctx);
CommandResult handle(const cmd::SetDt& c, CommandContext& ctx);
CommandResult handle(const cmd::SetAttr& c, CommandContext& ctx);
CommandResult handle(const cmd::Inherit& c, CommandContext& ctx);
CommandResult handle(const cmd::SetThreads& c, CommandContext& ctx);
CommandResult handle(const cmd::SetPaused& c, CommandContext& ctx);
CommandResult handle(const cmd::StepOnce& c, CommandContext& ctx);
CommandResult handle(const cmd::MeasureLessons& c, CommandContext& ctx);
CommandResult handle(const cmd::SaveSnapshot& c, CommandContext& ctx);
CommandResult handle(const cmd::SetSpeed& c, CommandContext& ctx);

// Runs the command's handler: the result has seq, the command's index and
// name, ok/text (a std::exception becomes ok = false with its what()),
// bytes before/after, n, layout_after, ms, and the text's suffix. Exceptions
// that are not std::exception (the thread's cancellation) pass through.
CommandResult apply_command(const SimCommand& c, std::uint64_t seq, CommandContext& ctx);

// Whether a command's result goes to the message list (kReport != Silent).
bool logged(const CommandResult& r);

}  // namespace slotsim::host
