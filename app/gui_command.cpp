// `slotsim gui` (also what `slotsim` with no subcommand runs): the window,
// its overlay and the scripted/recorded runs the GUI test uses.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "app/commands.hpp"
#include "sim/interrupt.hpp"
#include "app/output_file.hpp"
#include "app/sim_options.hpp"
#include "host/script.hpp"
#include "sim/layouts/traits.hpp"
#include "render/screenshot.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/solver.hpp"
#include "host/output_dir.hpp"
#include "host/script.hpp"
#include "ui/gui.hpp"

namespace slotsim::app {
namespace {

struct GuiCommandOptions {
  SimOptions sim;
  ui::GuiOptions gui;
  std::string script;
  std::string render = "auto";
};

// `pm` when it can be built: it is the solver that stays interactive at a
// million particles; without it nothing else would, so free streaming.
std::string default_solver() {
  try {
    make_solver("pm", ForceParams{});
    return "pm";
  } catch (const std::exception&) {
    return "none";
  }
}

int run_gui_command(GuiCommandOptions& o, const CLI::App& cmd) {
  o.sim.strict_solver_flags = false;  // the solver can be switched in the window
  // The GUI starts where a learner starts: a plain Python class (`dict`),
  // and with the scene's own time step, unless the flags say otherwise.
  if (cmd.get_option("--layout")->count() == 0) o.sim.layout = "dict";
  const bool dt_given = cmd.get_option("--dt")->count() > 0;
  finish_sim_options(o.sim);
  if (!dt_given && o.sim.cfg.ic_file.empty())
    for (const auto& s : scene_list())
      if (s.name == o.sim.cfg.scene) o.sim.cfg.dt = s.default_dt;
  // The energy readout is measured again whenever it would fall 2 s behind
  // (host/sim_thread.cpp), so each measurement must be cheap: its exact
  // sums (which check the solver's potential, or sample it) get 0.1 s on
  // this machine instead of batch's 1 s: 64 targets or a few more at a
  // million particles. The estimate of the potential's error is then
  // coarser, and the panel prints it beside the energy.
  o.sim.cfg.diagnostic_budget_s = 0.1;
  // For the same reason the exact pair sum stops at 5,000 particles here
  // (12.5 million pair terms, ~30 ms) instead of batch's 20,000 (~0.5 s, 16x
  // more, which at 20,000 particles took most of the simulation thread's
  // time and made every command wait behind it). Above, the solver's
  // potential (bh, pm) or a sample stands in, with its error estimate shown.
  o.sim.cfg.exact_potential_max = 5000;
  o.gui.sim = o.sim.cfg;
  if (cmd.get_option("--out-dir")->count() > 0) host::check_output_dir(o.gui.out_dir, "--out-dir");
  try {
    o.gui.script = host::parse_script(o.script);
  } catch (const host::ScriptError& e) {
    throw std::invalid_argument(e.what());  // bad input: exit status 2
  }
  if (!o.gui.screenshot.empty()) {
    render::check_screenshot_name(o.gui.screenshot);
    check_writable(o.gui.screenshot, "--screenshot");
  }
  if (!o.gui.frame_log.empty()) check_writable(o.gui.frame_log, "--frame-log");
  if (!o.gui.widget_map.empty()) check_writable(o.gui.widget_map, "--widget-map");
  o.gui.render = o.render == "points"  ? ui::RenderChoice::Points
                 : o.render == "splat" ? ui::RenderChoice::Splat
                                       : ui::RenderChoice::Auto;
  // SFML aborts the process when it cannot reach an X server; say why
  // instead, after every other flag has been checked.
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display)
    throw std::runtime_error("no display (DISPLAY is not set): run it under `xvfb-run -a`, or use `slotsim batch`");
  install_interrupt_handlers();
  const int rc = ui::run_gui(o.gui);
  if (const int sig = interrupt_signal()) {
    std::fprintf(stderr, "slotsim gui: closed by %s\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return 128 + sig;
  }
  return rc;
}

}  // namespace

CLI::App* register_gui(CLI::App& app) {
  auto o = std::make_shared<GuiCommandOptions>();
  // A million: the product is about millions of particles. What keeps it
  // moving on two cores with software OpenGL (frames drawn only when
  // something changed, the energy measured cheaply, ...) is in docs/GUI.md
  // with its measured figures. Respawn goes to 10,000,000.
  o->sim.cfg.particles = 1000000;
  // The opening scene is the collision: two spheres that visibly fall
  // together from the first seconds and merge within the first minute. The
  // Plummer sphere (batch's default) is in equilibrium and looks like a
  // still ball.
  o->sim.cfg.scene = "collision";
  o->sim.cfg.solver = default_solver();
  CLI::App* cmd = app.add_subcommand("gui", "open the interactive window (the default)");
  add_sim_options(cmd, o->sim);
  // The shown defaults are set here too: the shared options captured
  // batch's (soa, 0.001), which the GUI replaces when the flag is absent.
  cmd->get_option("--layout")
      ->description("particle layout: " + layout_names_with_versions() + " (dict is the default here: a plain Python class)")
      ->default_str("dict");
  cmd->get_option("--dt")
      ->description("time step (default: the scene's own, e.g. 0.08 for collision)")
      ->default_str("scene's own");
  cmd->get_option("--particles")
      ->description("number of particles (up to 10,000,000 in the window's Respawn)");
  cmd->add_option("--frames", o->gui.frames, "quit after N frames (once the scene is loaded and "
                                             "--script has finished); 0 = run until closed")
      ->capture_default_str()
      // Bounded before CLI11 converts: it took a value past a long's range
      // (9223372036854775808), wrapped, and its Range check did the same.
      ->transform(whole_number(static_cast<std::uint64_t>(std::numeric_limits<long>::max())));
  cmd->add_option("--screenshot", o->gui.screenshot,
                  "save the last frame to FILE (.png, .bmp, .tga or .jpg)");
  // The actions come from the parser's own table (host/script.cpp).
  cmd->add_option("--script", o->script,
                  "timed actions, e.g. 'at 30 layout slots; at 60 set-attr charge 1.0; at 90 "
                  "screenshot a.png'; actions: " + host::script_help() + "; see docs/GUI.md");
  cmd->add_option("--render", o->render,
                  "points, splat, or auto (splat on software OpenGL such as llvmpipe)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "points", "splat"}));
  cmd->add_option("--frame-log", o->gui.frame_log,
                  "write one CSV row per frame (flushed as written): frame, frame_ms, sim_step_ms, "
                  "layout, bytes_per_particle, busy, particles, layout_bytes, heap_bytes, steps, paused, "
                  "overlay, cam_yaw, cam_pitch, cam_distance, cam_x, cam_y, cam_z, timing_layout, "
                  "timing_steps, sim_time, dt, drawn (0: nothing new, not drawn), work_ms (the frame without its sleep), "
                  "energy_age_s (how old the shown energy figure is), load (1-minute load average)");
  // 30, not 60: on software OpenGL (llvmpipe) a frame costs the CPU the
  // simulation thread steps on. Measured at 200,000 particles (dict, pm,
  // 2 cores, Xvfb, median): 119 ms per step with the window at 60 fps, 83 ms
  // at 30, 81 ms at 15 (docs/GUI.md). 30 keeps orbiting smooth.
  cmd->add_option("--fps", o->gui.fps, "frame rate cap of the window (1 to 240); each frame costs CPU that the "
                                       "simulation shares on software OpenGL")
      ->capture_default_str()
      ->transform(whole_number())
      ->check(CLI::Range(1u, 240u));
  cmd->add_option("--widget-map", o->gui.widget_map,
                  "keep FILE up to date with the window rectangles of the main controls (lines NAME X0 Y0 X1 Y1), "
                  "for tools that drive the window with real input");
  cmd->add_option("--ui-scale", o->gui.ui_scale,
                  "text and panel scale, 0.75 to 3 (default: from the window size, 1.0 at 1280x800; also the "
                  "window's View section and Ctrl+= / Ctrl+-)")
      ->check(decimal_number())
      ->check(CLI::Range(0.75f, 3.0f));
  o->gui.out_dir = host::default_output_dir();
  cmd->add_option("--out-dir", o->gui.out_dir,
                  "folder for the window's Screenshot, Save snapshot and Export (created on first use)")
      ->capture_default_str();
  cmd->add_option("--width", o->gui.width, "window width in pixels")
      ->capture_default_str()
      ->transform(whole_number())
      ->check(CLI::Range(64u, 16384u));
  cmd->add_option("--height", o->gui.height, "window height in pixels")
      ->capture_default_str()
      ->transform(whole_number())
      ->check(CLI::Range(64u, 16384u));
  cmd->callback([o, cmd] {
    const int rc = run_guarded("gui", [&] { return run_gui_command(*o, *cmd); });
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
  return cmd;
}

}  // namespace slotsim::app
