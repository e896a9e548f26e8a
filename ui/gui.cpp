#include "ui/gui.hpp"

#include "sim/interrupt.hpp"

#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include "render/camera.hpp"
#include "render/camera_controller.hpp"
#include "render/gl.hpp"
#include "render/palette.hpp"
#include "render/point_renderer.hpp"
#include "render/screenshot.hpp"
#include "render/splat_renderer.hpp"
#include "render/window.hpp"
#include "sim/memory/tracker.hpp"
#include "host/frame_log.hpp"
#include "ui/imgui_host.hpp"
#include "ui/overlay.hpp"
#include "host/sim_thread.hpp"

namespace slotsim::ui {

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<render::ParticleRenderer> make_renderer(RenderMode m,
                                                        std::pmr::memory_resource* mr) {
  if (m == RenderMode::Points) return std::make_unique<render::PointRenderer>();
  return std::make_unique<render::SplatRenderer>(mr);
}

bool is_mouse_press_or_wheel(const sf::Event& e) {
  return e.type == sf::Event::MouseButtonPressed || e.type == sf::Event::MouseWheelScrolled;
}

// Keys the window handles itself (when the overlay has no text field focused).
void handle_key(const sf::Event::KeyEvent& k, SimThread& sim, const SimStats& s, OverlayState& ov) {
  // Keys 1..N from the layout table (traits.hpp), in its order (up to 9).
  const int i = k.code - sf::Keyboard::Num1;
  if (i >= 0 && i < std::min(kNumLayouts, 9)) {
    if (s.has_system && s.layout != kAllLayouts[static_cast<std::size_t>(i)])
      request_layout(sim, kAllLayouts[static_cast<std::size_t>(i)]);
  } else if (k.code == sf::Keyboard::Space) {
    sim.post(cmd::SetPaused{!s.paused});
  } else if (k.code == sf::Keyboard::Period) {
    sim.post(cmd::StepOnce{});
  } else if (k.code == sf::Keyboard::F1) {
    ov.visible = !ov.visible;
  }
}

// The Compare table follows every published frame, shown or not, so a
// layout's figures are there when the panel is opened later.
void update_compare(const SimStats& s, OverlayState& ov) {
  if (!s.has_system) return;
  if (s.spawn_id != ov.compare_spawn) {
    ov.compare.clear();
    ov.compare_spawn = s.spawn_id;
  }
  for (const CommandResult& r : s.results) {
    if (r.seq <= ov.compare_seq) continue;
    if (r.is<cmd::SwitchLayout>() && r.ok) ov.compare.observe_switch(r.switch_from, r.layout_after, r.ms, r.peak_heap);
    ov.compare_seq = r.seq;
  }
  StepSummary st;
  if (s.timing_layout == s.layout) st = {s.timing_steps, s.median.total_ms, s.step_min_ms, s.step_max_ms};
  ov.compare.observe(s.layout, s.n, s.bytes, st);
}

void print_line(long frame, const std::string& text) {
  // Flushed line by line: a run that is killed keeps every line written.
  std::printf("slotsim gui: frame %ld: %s\n", frame, text.c_str());
  std::fflush(stdout);
}

int run(const GuiOptions& o) {
  FrameLog log(o.frame_log);
  auto window = render::open_gl_window(o.width, o.height, "slotsim");
  // A cap rather than vsync: Xvfb and some drivers have no vsync, and an
  // uncapped loop would take a core from the simulation for nothing.
  window->setFramerateLimit(o.fps);
  const render::GlInfo gl = render::gl_info();
  RenderMode mode = o.render == RenderChoice::Points  ? RenderMode::Points
                    : o.render == RenderChoice::Splat ? RenderMode::Splat
                    : gl.software()                   ? RenderMode::Splat
                                                      : RenderMode::Points;
  std::printf("slotsim gui: OpenGL %s on %s, drawing with %s\n", gl.version.c_str(),
              gl.renderer.c_str(), mode == RenderMode::Points ? "points" : "splat");
  std::fflush(stdout);

  ImGuiHost imgui(*window);
  mem::CountingResource render_mem(mem::Category::Render);
  auto renderer = make_renderer(mode, &render_mem);
  render::Camera cam;
  render::CameraController ctl(cam);
  OverlayState ov;
  std::string status;
  int exit_code = 0;
  std::uint64_t fitted_spawn = 0;
  std::uint64_t printed_seq = 0;  // the last command result printed
  ScriptRunner script(o.script);
  // Declared last, so destroyed first: its destructor joins the thread
  // (after the step or conversion in progress) while the window, whose
  // frames it fed, is still there.
  SimThread sim(o.sim, false);

  long frame = 0;
  int view_h = 0;  // height of last frame's particle view, for pan scaling
  bool quit = false;
  auto last = Clock::now();
  double frame_ms = 0;
  while (!quit) {
    // started() before acquire(): once it is true the first publish has
    // happened, so this acquire() sees it.
    const bool started = sim.started();
    sim.acquire();
    const SimFrame& f = sim.front();  // valid until the next acquire()
    sf::Event e;
    // SIGINT/SIGTERM close the window like its close button: the frame log
    // and any file being written are finished, none is left half-written.
    if (interrupted()) quit = true;
    while (window->pollEvent(e)) {
      if (e.type == sf::Event::Closed) quit = true;
      imgui.process(e);
      const sf::Vector2u sz = window->getSize();
      const bool keyboard = e.type == sf::Event::KeyPressed || e.type == sf::Event::KeyReleased;
      if (is_mouse_press_or_wheel(e) ? !imgui.wants_mouse()
                                     : !(keyboard && imgui.wants_keyboard()))
        ctl.handle(e, view_h > 0 ? view_h : static_cast<int>(sz.y));
      if (e.type == sf::Event::KeyPressed && !imgui.wants_keyboard())
        handle_key(e.key, sim, f.stats, ov);
    }

    if (started && !f.stats.has_system) {
      auto err = sim.startup_error();
      if (!err) err = f.stats.results.empty() ? "simulation stopped" : f.stats.results.back().text;
      throw std::runtime_error(*err);
    }
    // Every command's outcome on stdout as well as in the overlay, so a
    // headless --script run records conversion times and AttributeErrors.
    for (const CommandResult& r : f.stats.results) {
      if (r.seq <= printed_seq) continue;
      print_line(frame, (r.ok ? "" : "failed: ") + r.text);
      printed_seq = r.seq;
    }
    update_compare(f.stats, ov);
    if (f.stats.spawn_id != fitted_spawn && f.stats.n > 0) {
      cam.fit(render::robust_bounds(f.xyz.data(), f.stats.n));
      fitted_spawn = f.stats.spawn_id;
    }
    // The step plot restarts with the step statistics (the new layout's).
    if (f.stats.timing_layout != ov.plot_layout || f.stats.timing_steps < ov.plot_timing_steps) {
      ov.step_ms = History(300);
      ov.plot_layout = f.stats.timing_layout;
    }
    ov.plot_timing_steps = f.stats.timing_steps;
    if (f.stats.steps != ov.last_steps_seen && f.stats.timing_steps > 0) {
      ov.last_steps_seen = f.stats.steps;
      ov.step_ms.push(static_cast<float>(f.stats.last.total_ms));
    }
    ov.heap_mib.push(static_cast<float>(double(mem::heap_stats().current_requested) / (1 << 20)));
    if (frame > 0) ov.frame_ms.push(static_cast<float>(frame_ms));

    const SimProgress prog = sim.progress();
    std::vector<std::string> shots;
    if (ov.tour && f.stats.has_system) {
      const bool idle = !prog.busy && sim.last_posted() <= f.stats.applied_seq;
      if (auto l = ov.tour->next(f.stats.layout, f.stats.timing_layout, f.stats.timing_steps, idle))
        request_layout(sim, *l);
      if (ov.tour->done()) {
        ov.tour.reset();
        ov.compare_status = "tour done: " + std::to_string(ov.compare.visited()) + " layouts";
        print_line(frame, ov.compare_status);
      }
    }
    if (f.stats.has_system) {
      script.observe(f.stats.applied_seq, prog.busy || ov.tour.has_value());
      while (const ScriptAction* a = script.next(frame)) {
        std::uint64_t seq = 0;
        std::visit(
            [&](const auto& x) {
              using T = std::decay_t<decltype(x)>;
              if constexpr (std::is_same_v<T, SimCommand>) {
                SimCommand c = x;
                // A scripted solver change keeps the current parameters.
                if (auto* s = std::get_if<cmd::SetSolver>(&c)) s->force = f.stats.force;
                seq = sim.post(std::move(c));
              } else if constexpr (std::is_same_v<T, ScreenshotAction>) {
                shots.push_back(x.file);
              } else if constexpr (std::is_same_v<T, TourAction>) {
                start_tour(sim, f.stats, ov, x.steps_per_layout);
              } else if constexpr (std::is_same_v<T, ExportAction>) {
                try {
                  ov.compare_status = export_compare(ov, x.file);
                } catch (const std::exception& ex) {
                  std::fprintf(stderr, "slotsim gui: error: %s\n", ex.what());
                  ov.compare_status = ex.what();
                  exit_code = 1;
                }
              } else if constexpr (std::is_same_v<T, MarkAction>) {
                take_mark(ov);
              } else {
                quit = true;
              }
            },
            a->what);
        print_line(frame, a->source);
        const bool touring = ov.tour.has_value();
        script.ran(seq);
        if (touring) script.observe(f.stats.applied_seq, true);  // wait for the tour's end
        if (seq || touring) break;  // the next action waits until this one is applied
      }
    }

    const sf::Vector2u sz = window->getSize();
    const int w = static_cast<int>(sz.x), h = static_cast<int>(sz.y);
    glViewport(0, 0, w, h);
    glClearColor(render::kBackground[0], render::kBackground[1], render::kBackground[2], 1);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    // The particles go into the view rectangle between the panels (the
    // whole window with the overlay hidden), so the camera's fit frames
    // them there instead of under a panel.
    const PanelLayout regions = panel_layout(float(w), float(h), ov.bottom_open);
    Rect vr = ov.visible ? regions.view : Rect{0, 0, float(w), float(h)};
    if (vr.w < 64 || vr.h < 64) vr = Rect{0, 0, float(w), float(h)};
    const int vx = int(vr.x), vw = int(vr.w), vh = int(vr.h), vy = h - int(vr.y) - vh;
    if (f.stats.has_system) {
      const render::ParticleView view{f.xyz.data(), f.speed.data(), f.stats.n, f.speed_ref,
                                      f.stats.publish_id};
      glViewport(vx, vy, vw, vh);
      renderer->draw(view, cam, vw, vh);
      glViewport(0, 0, w, h);
    }
    view_h = vh;
    imgui.begin_frame();
    OverlayContext ctx{f, prog, sim, mode, gl.renderer, frame_ms, frame, status, regions};
    draw_overlay(ctx, ov);
    imgui.end_frame();

    if (o.frames > 0 && frame + 1 >= o.frames && f.stats.has_system && script.done())
      quit = true;
    if (ov.want_screenshot) {
      shots.push_back("slotsim-" + std::to_string(frame) + ".png");
      ov.want_screenshot = false;
    }
    if (quit && !o.screenshot.empty()) shots.push_back(o.screenshot);
    for (const std::string& file : shots) {
      try {
        render::save_screenshot(file, w, h);
        status = "saved " + file;
        print_line(frame, "saved " + file);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "slotsim gui: error: %s\n", ex.what());
        status = ex.what();
        exit_code = 1;
      }
    }
    window->display();

    const auto now = Clock::now();
    frame_ms = std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    FrameRecord r;
    r.frame = frame;
    r.frame_ms = frame_ms;
    r.sim_step_ms = f.stats.last.total_ms;
    r.layout = f.stats.layout;
    r.particles = f.stats.n;
    r.layout_bytes = f.stats.bytes.total();
    r.bytes_per_particle = f.stats.n ? double(r.layout_bytes) / double(f.stats.n) : 0;
    r.busy = prog.busy;
    r.heap_bytes = f.stats.heap.current_requested;
    r.steps = f.stats.steps;
    r.paused = f.stats.paused;
    r.overlay = ov.visible;
    r.cam_yaw = cam.yaw();
    r.cam_pitch = cam.pitch();
    r.cam_distance = cam.distance();
    r.cam_target = {cam.target().x, cam.target().y, cam.target().z};
    r.timing_layout = f.stats.timing_layout;
    r.timing_steps = f.stats.timing_steps;
    r.sim_time = f.stats.sim_time;
    log.add(r);
    ++frame;

    if (ov.want_render_mode) {
      ov.want_render_mode = false;
      renderer = make_renderer(ov.render_mode_request, &render_mem);
      mode = ov.render_mode_request;
    }
  }
  release_overlay_gl(ov);
  log.close();
  const FrameSummary s = log.summary();
  std::printf(
      "slotsim gui: %ld frames; frame time median %.1f ms, max %.1f ms; while busy: %ld frames, "
      "max %.1f ms\n",
      s.frames, s.median_ms, s.max_ms, s.busy_frames, s.busy_max_ms);
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

int run_gui(const GuiOptions& opts) {
  try {
    return run(opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slotsim gui: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace slotsim::ui
