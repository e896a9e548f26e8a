#include "ui/gui.hpp"

#include "sim/interrupt.hpp"

#include <imgui.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
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
#include "host/output_dir.hpp"
#include "sim/machine_load.hpp"
#include "ui/imgui_host.hpp"
#include "ui/layout_audit.hpp"
#include "ui/widget_map.hpp"
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

// Keys the window handles itself (when the overlay has no text field
// focused; Ctrl+Q always).
void handle_key(const sf::Event::KeyEvent& k, SimThread& sim, const SimStats& s, OverlayState& ov) {
  // Keys 1..N from the layout table (traits.hpp), in its order (up to 9).
  const int i = k.code - sf::Keyboard::Num1;
  if (k.control) {
    if (k.code == sf::Keyboard::Q) ov.want_quit = true;
    // Ctrl+= / Ctrl+-: the UI scale, a step of 0.25 (the View slider too).
    const bool up = k.code == sf::Keyboard::Equal || k.code == sf::Keyboard::Add;
    const bool down = k.code == sf::Keyboard::Hyphen || k.code == sf::Keyboard::Subtract;
    if (up || down) {
      ov.ui_scale = std::clamp(ov.ui_scale + (up ? 0.25f : -0.25f), kMinUiScale, kMaxUiScale);
      ov.want_ui_scale = true;
    }
  } else if (i >= 0 && i < std::min(kNumLayouts, 9)) {
    if (s.has_system && s.layout != kAllLayouts[static_cast<std::size_t>(i)])
      request_layout(sim, kAllLayouts[static_cast<std::size_t>(i)]);
  } else if (k.code == sf::Keyboard::Escape) {
    ov.want_quit = true;
  } else if (k.code == sf::Keyboard::Space) {
    sim.post(cmd::SetPaused{false, true});  // a toggle, applied to the state then
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
    ov.tour.reset();  // a measurement of other particles is no measurement
    ov.compare_spawn = s.spawn_id;
  }
  for (const CommandResult& r : s.results) {
    if (r.seq <= ov.compare_seq) continue;
    if (r.is<cmd::SwitchLayout>() && r.ok) ov.compare.observe_switch(r.switch_from, r.layout_after, r.ms, r.peak_heap);
    ov.compare_seq = r.seq;
  }
  StepSummary st;
  if (s.timing_layout == s.layout) st = {s.timing_steps, s.median.total_ms, s.step_min_ms, s.step_max_ms};
  ov.compare.observe(s.layout, s.n, s.bytes, st, ov.load);
}

// A finished tour visit's steps, from the published window of recent step
// times (SimStats::recent_ms): steps [first, first + k) of the layout.
std::vector<double> visit_steps(const SimStats& s, const Tour::Visit& v) {
  std::vector<double> out;
  const std::uint64_t size = s.recent_ms.size();
  const std::uint64_t oldest = s.timing_steps >= size ? s.timing_steps - size : 0;
  for (std::uint64_t j = std::max(v.first, oldest); j < v.first + v.steps && j < s.timing_steps; ++j)
    out.push_back(s.recent_ms[static_cast<std::size_t>(j - oldest)]);
  return out;
}

void print_line(long frame, const std::string& text) {
  // Flushed line by line: a run that is killed keeps every line written.
  std::printf("slotsim gui: frame %ld: %s\n", frame, text.c_str());
  std::fflush(stdout);
}

int run(const GuiOptions& o) {
  FrameLog log(o.frame_log);
  widget_map_path(o.widget_map);
  auto window = render::open_gl_window(o.width, o.height, "slotsim");
  // A cap rather than vsync: Xvfb and some drivers have no vsync, and an
  // uncapped loop would take a core from the simulation for nothing. Kept
  // by the loop itself (it sleeps to the next frame slot), since a frame
  // with nothing new to show is not drawn and so never reaches display().
  const double frame_s = 1.0 / double(std::max(1u, o.fps));
  const render::GlInfo gl = render::gl_info();
  RenderMode mode = o.render == RenderChoice::Points  ? RenderMode::Points
                    : o.render == RenderChoice::Splat ? RenderMode::Splat
                    : gl.software()                   ? RenderMode::Splat
                                                      : RenderMode::Points;
  std::printf("slotsim gui: OpenGL %s on %s, drawing with %s\n", gl.version.c_str(),
              gl.renderer.c_str(), mode == RenderMode::Points ? "points" : "splat");
  std::fflush(stdout);

  const sf::Vector2u size0 = window->getSize();
  ImGuiHost imgui(*window, o.ui_scale > 0 ? o.ui_scale : default_ui_scale(size0.x, size0.y));
  mem::CountingResource render_mem(mem::Category::Render);
  auto renderer = make_renderer(mode, &render_mem);
  render::Camera cam;
  render::CameraController ctl(cam);
  OverlayState ov;
  ov.ui_scale = imgui.scale();
  ov.out_dir = o.out_dir.empty() ? default_output_dir() : o.out_dir;
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
  // What decides whether a frame is drawn (see `draw` below).
  std::uint64_t drawn_publish = 0;
  auto last_input = Clock::now() - std::chrono::hours(1);
  auto last_draw = last_input;
  // The script's check-layout: it shows every page of the side columns and
  // of the bottom strip's shown tab in turn (page k of each; one with fewer
  // pages shows its last), waits for each to settle, and checks it. -1: no
  // check under way.
  int check_page = -1, check_wait = 0;
  int check_left = 0, check_right = 0, check_compare = 0, check_lessons = 0;  // the pages the user had selected
  while (!quit) {
    const auto frame_start = Clock::now();
    bool input = false;
    // started() before acquire(): once it is true the first publish has
    // happened, so this acquire() sees it.
    const bool started = sim.started();
    sim.acquire();
    const SimFrame& f = sim.front();  // valid until the next acquire()
    sf::Event e;
    // SIGINT/SIGTERM close the window like its close button: the frame log
    // and any file being written are finished, none is left half-written.
    if (interrupted()) quit = true;
    bool resized = false;
    while (window->pollEvent(e)) {
      if (e.type == sf::Event::Closed) quit = true;
      if (e.type == sf::Event::Resized || e.type == sf::Event::GainedFocus) resized = true;
      if (e.type != sf::Event::Resized) input = true;
      imgui.process(e);
      const sf::Vector2u sz = window->getSize();
      const bool keyboard = e.type == sf::Event::KeyPressed || e.type == sf::Event::KeyReleased;
      if (is_mouse_press_or_wheel(e) ? !imgui.wants_mouse()
                                     : !(keyboard && imgui.wants_keyboard()))
        ctl.handle(e, view_h > 0 ? view_h : static_cast<int>(sz.y));
      if (e.type == sf::Event::KeyPressed && (!imgui.wants_keyboard() || (e.key.control && e.key.code == sf::Keyboard::Q)))
        handle_key(e.key, sim, f.stats, ov);
    }
    if (ov.want_quit) quit = true;

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
    if (ov.load_read_s < 0 || steady_seconds() - ov.load_read_s >= 1.0) {
      ov.load = load_average_1min();
      ov.load_read_s = steady_seconds();
    }
    if (ov.tour && f.stats.has_system) {
      const bool idle = !prog.busy && sim.last_posted() <= f.stats.applied_seq;
      const Tour::Action a = ov.tour->next(f.stats.layout, f.stats.timing_layout, f.stats.timing_steps, idle);
      if (a.finished) ov.compare.add_visit(a.finished->layout, visit_steps(f.stats, *a.finished), ov.load);
      if (a.switch_to) request_layout(sim, *a.switch_to);
      if (ov.tour->done()) {
        char line[160];
        std::snprintf(line, sizeof line, "measured: %d layouts, %d interleaved rounds of %llu steps", ov.compare.visited(),
                      ov.tour->rounds(), static_cast<unsigned long long>(ov.tour->steps_per_visit()));
        ov.tour.reset();
        ov.compare_status = line;
        print_line(frame, ov.compare_status);
      }
    }
    if (f.stats.has_system && check_page < 0) {
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
                if (auto* s = std::get_if<cmd::SaveSnapshot>(&c)) s->dir = ov.out_dir;
                seq = sim.post(std::move(c));
              } else if constexpr (std::is_same_v<T, ScreenshotAction>) {
                shots.push_back(x.file);  // empty: a new name in the output folder
              } else if constexpr (std::is_same_v<T, TourAction>) {
                start_tour(sim, f.stats, ov, x.steps_per_layout, x.rounds);
              } else if constexpr (std::is_same_v<T, UiScaleAction>) {
                ov.ui_scale = x.scale;
                ov.want_ui_scale = true;
              } else if constexpr (std::is_same_v<T, ExpandAction>) {
                ov.expand_all = true;
              } else if constexpr (std::is_same_v<T, ShowAction>) {
                if (x.tab == kHeapMapBlock) {
                  // Whichever side column holds it (the other finds no such block and lets go).
                  ov.left_pages.turn_to = ov.right_pages.turn_to = x.tab;
                } else {
                  ov.show_tab = x.tab == kShowLessons ? 1 : 0;
                  ov.show_claim = x.claim;
                }
              } else if constexpr (std::is_same_v<T, CheckLayoutAction>) {
                check_page = 0;
                check_wait = 4;
                check_left = ov.left_pages.selected;
                check_right = ov.right_pages.selected;
                check_compare = ov.compare_pages.selected;
                check_lessons = ov.lessons_pages.selected;
                ov.force_page = 0;
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
        input = true;  // the action's effect is drawn
        const bool touring = ov.tour.has_value();
        // Actions that change what the panels show: the next one waits
        // until their tables and windows have settled (a new font size
        // re-fits every column over a few frames).
        const bool redraws = std::holds_alternative<UiScaleAction>(a->what) ||
                             std::holds_alternative<ExpandAction>(a->what) || std::holds_alternative<ShowAction>(a->what);
        script.ran(seq);
        if (redraws) script.settle(std::holds_alternative<UiScaleAction>(a->what) ? 10 : 4);
        if (touring) script.observe(f.stats.applied_seq, true);  // wait for the tour's end
        // A check-layout runs over the next frames (a page each): the next
        // action waits for its end (check_page < 0 above). Without this
        // break, `check-layout; show lessons` checked the Lessons tab twice.
        const bool checking = std::holds_alternative<CheckLayoutAction>(a->what);
        if (seq || touring || redraws || checking) break;  // the next action waits until this one is applied
      }
    }

    if (ov.want_ui_scale) {
      imgui.set_scale(ov.ui_scale);
      ov.ui_scale = imgui.scale();
      ov.want_ui_scale = false;
      input = true;
    }
    if (input) last_input = frame_start;
    if (o.frames > 0 && frame + 1 >= o.frames && f.stats.has_system && script.done() && check_page < 0) quit = true;
    if (ov.want_screenshot) {
      shots.push_back("");  // a new name in the output folder
      ov.want_screenshot = false;
    }
    if (quit && !o.screenshot.empty()) shots.push_back(o.screenshot);

    // Whether this frame is drawn. Drawing costs CPU the simulation shares
    // (on software OpenGL, all of it is CPU), so a frame with nothing new to
    // show is skipped: the loop polls events and sleeps. Drawn: new
    // positions, input in the last second (hover, tooltips, typing follow
    // at the full frame rate), queued input, a screenshot or check to take,
    // a resize, a progress bar (10 a second), and at least twice a second
    // (clocks, plots). Rejected: always drawing at --fps, which at a
    // million particles on llvmpipe took ~40% of a core from the steps.
    const auto since = [&](Clock::time_point t) { return std::chrono::duration<double>(frame_start - t).count(); };
    // A banner counts only while one shows (draw_overlay's own rule).
    const bool banner = prog.busy || prog.activity_s > 1.0 ||
                        (sim.last_posted() > f.stats.applied_seq && prog.activity_s > 0.3);
    const bool draw = frame == 0 || resized || !shots.empty() || check_page >= 0 || quit || imgui.input_pending() ||
                      f.stats.publish_id != drawn_publish || since(last_input) < 1.0 ||
                      (banner && since(last_draw) >= 0.1) || since(last_draw) >= 0.5;
    const sf::Vector2u sz = window->getSize();
    const int w = static_cast<int>(sz.x), h = static_cast<int>(sz.y);
    if (draw) {
      glViewport(0, 0, w, h);
      glClearColor(render::kBackground[0], render::kBackground[1], render::kBackground[2], 1);
      glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
      // The particles go into the view rectangle between the panels (the
      // whole window with the overlay hidden), so the camera's fit frames
      // them there instead of under a panel. The regions follow the font
      // size of the scale the next frame is drawn at.
      const PanelLayout regions = panel_layout(float(w), float(h), std::round(kBaseFontPx * imgui.scale()),
                                               ov.bottom_open, ov.want);
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
      OverlayContext ctx{f, prog, sim, mode, gl.renderer, frame_ms, frame, status, regions, imgui.font_file()};
      draw_overlay(ctx, ov);
      widget_map_flush();
      if (check_page >= 0 && check_wait > 0) {
        --check_wait;  // a page's tables fit their columns over a few frames
      } else if (check_page >= 0) {
        const PagerState& strip = ov.strip_pages();
        const int pages = std::max({ov.left_pages.pages(), ov.right_pages.pages(), strip.pages()});
        const LayoutAudit audit = audit_layout();
        const auto label = [&](const PagerState& p) {
          return p.labels.empty() ? std::string() : p.labels[std::size_t(std::min(check_page, p.pages() - 1))];
        };
        char head[300];
        std::snprintf(head, sizeof head,
                      "check-layout at %ux%u, UI scale %.2f, side page %d of %d (%s | %s | strip %s %d of %d: %s): %d windows, "
                      "%d tables, %d columns; %zu cut",
                      sz.x, sz.y, imgui.scale(), check_page + 1, pages, label(ov.left_pages).c_str(),
                      label(ov.right_pages).c_str(), ov.strip_tab == 1 ? "Lessons" : "Compare", std::min(check_page, strip.pages() - 1) + 1, strip.pages(),
                      label(strip).c_str(), audit.windows, audit.tables, audit.columns, audit.clipped.size());
        print_line(frame, head);
        for (const LayoutFinding& c : audit.clipped) print_line(frame, "cut: " + c.where + ": " + c.what);
        if (!audit.clipped.empty()) exit_code = 1;
        // Pages may merge or split as they settle: the count is re-read
        // every time, and the check ends past the last page there is.
        if (++check_page >= pages) {
          check_page = -1;
          ov.force_page = -1;
          ov.left_pages.selected = check_left;
          ov.right_pages.selected = check_right;
          ov.compare_pages.selected = check_compare;
          ov.lessons_pages.selected = check_lessons;
        } else {
          ov.force_page = check_page;
          check_wait = 4;
        }
      }
      imgui.end_frame();
      drawn_publish = f.stats.publish_id;
      last_draw = frame_start;
    }

    for (const std::string& name : shots) {
      try {
        const std::string file = name.empty() ? new_output_file(ov.out_dir, "slotsim", ".png")
                                              : std::filesystem::absolute(name).lexically_normal().string();
        render::save_screenshot(file, w, h);
        status = "saved " + file;
        print_line(frame, "saved " + file);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "slotsim gui: error: %s\n", ex.what());
        status = ex.what();
        exit_code = 1;
      }
    }
    if (draw) window->display();
    const double work_ms = std::chrono::duration<double, std::milli>(Clock::now() - frame_start).count();
    // To the next frame slot.
    const auto next_slot = frame_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(frame_s));
    if (Clock::now() < next_slot) std::this_thread::sleep_until(next_slot);

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
    r.dt = f.stats.dt;
    r.drawn = draw;
    r.work_ms = work_ms;
    r.energy_age_s = f.stats.has_energy ? steady_seconds() - f.stats.energy_at_s : -1;
    r.load = ov.load;
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
      "slotsim gui: %ld frames; frame time median %.1f ms, p95 %.1f ms, max %.1f ms; while busy: %ld frames, "
      "max %.1f ms\n",
      s.frames, s.median_ms, s.p95_ms, s.max_ms, s.busy_frames, s.busy_max_ms);
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
