#include "host/script.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "host/sim_frame.hpp"
#include "sim/io/output_file.hpp"
#include "sim/system.hpp"
#include "sim/layouts/layout.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::host {

namespace {

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> w;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) w.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return w;
}

std::string trimmed(std::string_view s) {
  const auto words = split_words(s);
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

using Payload = decltype(ScriptAction::what);
using Args = std::vector<std::string>;  // the words after the verb

// One action being parsed: its source for messages, and the checks every
// action's arguments share.
class Parser {
 public:
  explicit Parser(std::string src) : src_(std::move(src)) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw ScriptError("--script: '" + src_ + "': " + why);
  }

  double number(const std::string& w, const char* what) const {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(w.c_str(), &end);
    if (w.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
      fail(std::string("expected a number for ") + what + ", got '" + w + "'");
    return v;
  }

  // An integer in [lo, hi]: a value the command's field cannot hold is
  // refused, never narrowed to another one.
  long long integer(const std::string& w, const char* what, long long lo,
                    long long hi = std::numeric_limits<long long>::max()) const {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(w.c_str(), &end, 10);
    if (w.empty() || *end != '\0' || errno == ERANGE)
      fail(std::string("expected an integer for ") + what + ", got '" + w + "'");
    if (v < lo) fail(std::string(what) + " must be at least " + std::to_string(lo));
    if (v > hi) fail(std::string(what) + " must be at most " + std::to_string(hi));
    return v;
  }

  ScriptAction parse() const;

 private:
  std::string src_;
};

// The action table: every verb, its arguments, and how they become an
// action. The parser, its "unknown action" message and the help text of
// `gui --script` all read this table, so a new action is one entry here.
struct ActionEntry {
  ScriptActionInfo info;
  std::size_t min_args, max_args;
  Payload (*make)(const Parser&, const Args&);
};

std::size_t particle_id(const Parser& p, const std::string& w) {
  return static_cast<std::size_t>(p.integer(w, "the particle id", 0, static_cast<long long>(kMaxParticles) - 1));
}

const ActionEntry kActions[] = {
    {{"layout", "NAME", "switch every particle to layout NAME"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       const auto l = parse_layout(a[0]);
       if (!l) p.fail(unknown_layout_text(a[0]));
       return SimCommand{cmd::SwitchLayout{*l}};
     }},
    {{"set-attr", "NAME VALUE [ID]", "set an attribute on particle ID, or on all"}, 2, 3,
     [](const Parser& p, const Args& a) -> Payload {
       cmd::SetAttr s{std::nullopt, a[0], p.number(a[1], "the value")};
       if (a.size() == 3) s.id = particle_id(p, a[2]);
       return SimCommand{s};
     }},
    {{"del-attr", "NAME [ID]", "delete a dynamic attribute (del p.NAME)"}, 1, 2,
     [](const Parser& p, const Args& a) -> Payload {
       cmd::SetAttr s{std::nullopt, a[0], 0.0, cmd::AttrOp::Delete};
       if (a.size() == 2) s.id = particle_id(p, a[1]);
       return SimCommand{s};
     }},
    {{"read-dict", "[ID]", "read p.__dict__ (gives a shared-keys particle its own dict)"}, 0, 1,
     [](const Parser& p, const Args& a) -> Payload {
       cmd::SetAttr s{std::nullopt, "__dict__", 0.0, cmd::AttrOp::ReadDict};
       if (a.size() == 1) s.id = particle_id(p, a[0]);
       return SimCommand{s};
     }},
    {{"inherit", "NAME [VALUE]", "subclass without __slots__ whose __init__ sets NAME (VALUE, default 1)"}, 1, 2,
     [](const Parser& p, const Args& a) -> Payload {
       return SimCommand{cmd::Inherit{a[0], a.size() == 2 ? p.number(a[1], "the value") : 1.0}};
     }},
    {{"screenshot", "[FILE]", "save the window (.png, .bmp, .tga, .jpg); without FILE into the output folder"}, 0, 1,
     [](const Parser& p, const Args& a) -> Payload {
       if (a.empty()) return ScreenshotAction{};
       try {
         io::check_image_name(a[0]);
       } catch (const std::invalid_argument& e) {
         p.fail(e.what());
       }
       return ScreenshotAction{a[0]};
     }},
    {{"snapshot", "[FILE]", "save an HDF5 snapshot (Save snapshot); without FILE into the output folder"}, 0, 1,
     [](const Parser&, const Args& a) -> Payload { return SimCommand{cmd::SaveSnapshot{a.empty() ? "" : a[0]}}; }},
    {{"pause", "", "pause the simulation"}, 0, 0,
     [](const Parser&, const Args&) -> Payload { return SimCommand{cmd::SetPaused{true}}; }},
    {{"resume", "", "resume it"}, 0, 0,
     [](const Parser&, const Args&) -> Payload { return SimCommand{cmd::SetPaused{false}}; }},
    {{"step", "", "one step while paused"}, 0, 0,
     [](const Parser&, const Args&) -> Payload { return SimCommand{cmd::StepOnce{}}; }},
    {{"solver", "NAME", "switch the gravity solver"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       const auto names = solver_names();
       if (std::find(names.begin(), names.end(), a[0]) == names.end())
         p.fail("unknown solver '" + a[0] + "' (choose: " + join(names) + ")");
       // The script only names the solver; its parameters stay as they are
       // (filled in from the running System when the command is posted).
       return SimCommand{cmd::SetSolver{a[0], ForceParams{}}};
     }},
    {{"dt", "VALUE", "set the time step"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       const double dt = p.number(a[0], "dt");
       try {
         check_dt(dt);  // the same check as --dt and System::set_dt
       } catch (const std::invalid_argument&) {
         p.fail("dt must be positive and finite");
       }
       return SimCommand{cmd::SetDt{dt}};
     }},
    {{"threads", "N", "OpenMP threads (0 = all cores)"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       return SimCommand{cmd::SetThreads{static_cast<int>(p.integer(a[0], "threads", 0, kMaxThreads))}};
     }},
    {{"respawn", "SCENE N [SEED]", "new particles: scene, count, seed"}, 2, 3,
     [](const Parser& p, const Args& a) -> Payload {
       std::vector<std::string> scenes;
       for (const auto& s : scene_list()) scenes.push_back(s.name);
       if (std::find(scenes.begin(), scenes.end(), a[0]) == scenes.end())
         p.fail("unknown scene '" + a[0] + "' (choose: " + join(scenes) + ")");
       cmd::Respawn r{a[0], static_cast<std::size_t>(p.integer(a[1], "the particle count", 1, UINT32_MAX)), 1};
       if (a.size() == 3) r.seed = static_cast<std::uint64_t>(p.integer(a[2], "the seed", 0));
       return SimCommand{r};
     }},
    {{"lessons", "", "measure the Lessons panel's claims"}, 0, 0,
     [](const Parser&, const Args&) -> Payload {
       return SimCommand{cmd::MeasureLessons{LessonOptions{.sample = 100000, .big = 10000000, .build_big = false}}};
     }},
    {{"speed", "N", "steps per frame (0 = as fast as possible)"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       return SimCommand{cmd::SetSpeed{static_cast<int>(p.integer(a[0], "steps per frame", 0, cmd::kMaxStepsPerFrame))}};
     }},
    {{"tour", "[K [ROUNDS]]",
      "measure the Compare table: every layout for K steps (10, at most 64), in ROUNDS interleaved rounds (3)"},
     0, 2,
     [](const Parser& p, const Args& a) -> Payload {
       TourAction t{10, 3};
       if (!a.empty())
         t.steps_per_layout = static_cast<std::uint64_t>(p.integer(a[0], "steps per layout", 1, kTimingWindow));
       if (a.size() == 2) t.rounds = static_cast<int>(p.integer(a[1], "rounds", 1, 100));
       return t;
     }},
    {{"export", "FILE", "write the Compare table (.csv, .json or .md)"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       const std::string& f = a[0];
       auto ends = [&](const std::string& e) {
         return f.size() > e.size() && f.compare(f.size() - e.size(), e.size(), e) == 0;
       };
       if (!ends(".csv") && !ends(".json") && !ends(".md")) p.fail("export FILE must end in .csv, .json or .md");
       return ExportAction{f};
     }},
    {{"mark", "", "mark the heap for a later diff (Memory panel)"}, 0, 0,
     [](const Parser&, const Args&) -> Payload { return MarkAction{}; }},
    {{"ui-scale", "S", "text and panel scale (0.75 to 3)"}, 1, 1,
     [](const Parser& p, const Args& a) -> Payload {
       const double v = p.number(a[0], "the scale");
       if (v < 0.75 || v > 3.0) p.fail("the scale must be between 0.75 and 3");
       return UiScaleAction{static_cast<float>(v)};
     }},
    {{"expand", "", "open every folded section (the side columns page instead of folding)"}, 0, 0,
     [](const Parser&, const Args&) -> Payload { return ExpandAction{}; }},
    {{"show", "compare|lessons [CLAIM]|heap-map",
      "select a tab of the bottom strip (with lessons, open claim CLAIM's details), or turn the Memory column to the "
      "heap map's picture"},
     1, 2,
     [](const Parser& p, const Args& a) -> Payload {
       if (std::find(kShowTargets.begin(), kShowTargets.end(), a[0]) == kShowTargets.end()) {
         std::string names;
         for (std::size_t i = 0; i < kShowTargets.size(); ++i)
           names += (i == 0 ? "" : i + 1 == kShowTargets.size() ? " or " : ", ") + std::string(kShowTargets[i]);
         p.fail("show: expected " + names + ", got '" + a[0] + "'");
       }
       ShowAction s{a[0]};
       if (a.size() == 2) {
         if (a[0] != kShowLessons) p.fail("show: only " + std::string(kShowLessons) + " takes a claim number");
         s.claim = static_cast<int>(p.integer(a[1], "the claim number", 0, 1000));
       }
       return s;
     }},
    {{"check-layout", "", "check for cut-off text, on every page of the side columns in turn; any makes the exit status 1"}, 0, 0,
     [](const Parser&, const Args&) -> Payload { return CheckLayoutAction{}; }},
    {{"quit", "", "close the window"}, 0, 0, [](const Parser&, const Args&) -> Payload { return QuitAction{}; }},
};

std::string usage_of(const ScriptActionInfo& i) {
  std::string u(i.verb);
  if (!i.args.empty()) u.append(" ").append(i.args);
  return u;
}

ScriptAction Parser::parse() const {
  const auto w = split_words(src_);
  if (w.size() < 3 || w[0] != "at") fail("expected 'at FRAME ACTION ...'");
  ScriptAction a;
  a.source = src_;
  a.frame = static_cast<long>(integer(w[1], "the frame", 0, std::numeric_limits<long>::max()));
  const std::string& verb = w[2];
  for (const ActionEntry& e : kActions) {
    if (e.info.verb != verb) continue;
    const Args args(w.begin() + 3, w.end());
    if (args.size() < e.min_args || args.size() > e.max_args) fail("usage: at FRAME " + usage_of(e.info));
    a.what = e.make(*this, args);
    return a;
  }
  fail("unknown action '" + verb + "' (choose: " + script_action_names() + ")");
}

}  // namespace

std::vector<ScriptActionInfo> script_actions() {
  std::vector<ScriptActionInfo> v;
  for (const ActionEntry& e : kActions) v.push_back(e.info);
  return v;
}

std::string script_action_names() {
  std::string s;
  for (const ActionEntry& e : kActions) {
    if (!s.empty()) s += ", ";
    s += e.info.verb;
  }
  return s;
}

std::string script_help() {
  std::string s;
  for (const ActionEntry& e : kActions) {
    if (!s.empty()) s += "; ";
    s += usage_of(e.info);
  }
  return s;
}

std::vector<ScriptAction> parse_script(std::string_view text) {
  std::vector<ScriptAction> out;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = text.find_first_of(";\n", i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view part = text.substr(i, j - i);
    if (const auto hash = part.find('#'); hash != std::string_view::npos) part = part.substr(0, hash);
    const std::string src = trimmed(part);
    if (!src.empty()) out.push_back(Parser(src).parse());
    i = j + 1;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ScriptAction& a, const ScriptAction& b) { return a.frame < b.frame; });
  return out;
}

void ScriptRunner::observe(std::uint64_t applied_seq, bool busy) {
  if (!busy && applied_seq >= waiting_for_) ++settled_frames_;
  else settled_frames_ = 0;
}

const ScriptAction* ScriptRunner::next(long frame) const {
  if (next_ >= actions_.size() || actions_[next_].frame > frame) return nullptr;
  if (!settled()) return nullptr;
  return &actions_[next_];
}

void ScriptRunner::ran(std::uint64_t seq) {
  ++next_;
  if (seq) {
    waiting_for_ = seq;
    settled_frames_ = 0;
  }
}

}  // namespace slotsim::host
