#include "host/script.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
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

  long long integer(const std::string& w, const char* what, long long lo) const {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(w.c_str(), &end, 10);
    if (w.empty() || *end != '\0' || errno == ERANGE)
      fail(std::string("expected an integer for ") + what + ", got '" + w + "'");
    if (v < lo) fail(std::string(what) + " must be at least " + std::to_string(lo));
    return v;
  }

  ScriptAction parse() const;

 private:
  std::string src_;
};

using What = decltype(ScriptAction::what);
using Args = std::vector<std::string>;  // the words after the verb

// The script language: one row per verb. The parser dispatches on it, and
// the help texts (script_verbs(), `gui --help`, the unknown-action error)
// are read from it, so a verb cannot exist without its help line or the
// other way round. Rejected: the old if-chain with a hand-typed list of
// verbs beside it in gui --help, which left del-attr and read-dict out.
struct Verb {
  ScriptVerbInfo info;
  std::size_t min_args, max_args;
  What (*parse)(const Parser& p, const Args& a);
};

std::optional<std::size_t> particle_id(const Parser& p, const Args& a, std::size_t at) {
  if (a.size() <= at) return std::nullopt;
  return static_cast<std::size_t>(p.integer(a[at], "the particle id", 0));
}

const std::vector<Verb>& verbs() {
  static const std::vector<Verb> v = {
      {{"layout", "NAME", "switch the particles to layout NAME (the keys 1..N do the same)"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         const auto l = parse_layout(a[0]);
         if (!l) p.fail(unknown_layout_text(a[0]));
         return SimCommand{cmd::SwitchLayout{*l}};
       }},
      {{"set-attr", "NAME VALUE [ID]", "set an attribute on every particle, or on particle ID"}, 2, 3,
       [](const Parser& p, const Args& a) -> What {
         return SimCommand{cmd::SetAttr{particle_id(p, a, 2), a[0], p.number(a[1], "the value")}};
       }},
      {{"del-attr", "NAME [ID]", "`del p.NAME` on every particle (all or nothing), or on particle ID"}, 1, 2,
       [](const Parser& p, const Args& a) -> What {
         return SimCommand{cmd::SetAttr{particle_id(p, a, 1), a[0], 0.0, cmd::AttrOp::Delete}};
       }},
      {{"read-dict", "[ID]", "read `p.__dict__` on every particle or particle ID (a shared-keys particle gets its own dict)"},
       0, 1,
       [](const Parser& p, const Args& a) -> What {
         return SimCommand{cmd::SetAttr{particle_id(p, a, 0), "__dict__", 0.0, cmd::AttrOp::ReadDict}};
       }},
      {{"inherit", "NAME [VALUE]", "the inheritance preset: a subclass without __slots__ whose __init__ sets NAME (VALUE 1 by default)"},
       1, 2,
       [](const Parser& p, const Args& a) -> What {
         return SimCommand{cmd::Inherit{a[0], a.size() == 2 ? p.number(a[1], "the value") : 1.0}};
       }},
      {{"screenshot", "[FILE]", "save this frame (.png, .bmp, .tga, .jpg); without FILE into the output folder"}, 0, 1,
       [](const Parser& p, const Args& a) -> What {
         if (a.empty()) return ScreenshotAction{};
         try {
           io::check_image_name(a[0]);
         } catch (const std::invalid_argument& e) {
           p.fail(e.what());
         }
         return ScreenshotAction{a[0]};
       }},
      {{"snapshot", "[FILE]", "save an HDF5 snapshot (the Save snapshot button); without FILE into the output folder"}, 0, 1,
       [](const Parser&, const Args& a) -> What { return SimCommand{cmd::SaveSnapshot{a.empty() ? "" : a[0], ""}}; }},
      {{"pause", "", "stop stepping"}, 0, 0,
       [](const Parser&, const Args&) -> What { return SimCommand{cmd::SetPaused{true}}; }},
      {{"resume", "", "start stepping again"}, 0, 0,
       [](const Parser&, const Args&) -> What { return SimCommand{cmd::SetPaused{false}}; }},
      {{"step", "", "one step"}, 0, 0, [](const Parser&, const Args&) -> What { return SimCommand{cmd::StepOnce{}}; }},
      {{"solver", "NAME", "change the solver; its parameters stay as they are"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         const auto names = solver_names();
         if (std::find(names.begin(), names.end(), a[0]) == names.end())
           p.fail("unknown solver '" + a[0] + "' (choose: " + join(names) + ")");
         // The script only names the solver; its parameters stay as they are
         // (filled in from the running System when the command is posted).
         return SimCommand{cmd::SetSolver{a[0], ForceParams{}}};
       }},
      {{"dt", "VALUE", "time step (> 0)"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         const double dt = p.number(a[0], "dt");
         try {
           check_dt(dt);  // the same check as --dt and System::set_dt
         } catch (const std::invalid_argument&) {
           p.fail("dt must be positive and finite");
         }
         return SimCommand{cmd::SetDt{dt}};
       }},
      {{"threads", "N", "OpenMP threads of the simulation thread (0 = all cores)"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         return SimCommand{cmd::SetThreads{static_cast<int>(p.integer(a[0], "threads", 0))}};
       }},
      {{"respawn", "SCENE N [SEED]", "new particles (seed 1 by default); layout, solver and dt are kept"}, 2, 3,
       [](const Parser& p, const Args& a) -> What {
         std::vector<std::string> scenes;
         for (const auto& s : scene_list()) scenes.push_back(s.name);
         if (std::find(scenes.begin(), scenes.end(), a[0]) == scenes.end())
           p.fail("unknown scene '" + a[0] + "' (choose: " + join(scenes) + ")");
         cmd::Respawn r{a[0], static_cast<std::size_t>(p.integer(a[1], "the particle count", 1)), 1};
         if (a.size() == 3) r.seed = static_cast<std::uint64_t>(p.integer(a[2], "the seed", 0));
         return SimCommand{r};
       }},
      {{"lessons", "", "measure the Lessons tab's claims (100,000-instance sample, 10M extrapolated)"}, 0, 0,
       [](const Parser&, const Args&) -> What {
         return SimCommand{cmd::MeasureLessons{LessonOptions{.sample = 100000, .big = 10000000, .build_big = false}}};
       }},
      {{"speed", "N", "at most N steps per 1/60 s (0 = as fast as possible)"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         return SimCommand{cmd::SetSpeed{static_cast<int>(p.integer(a[0], "steps per frame", 0))}};
       }},
      {{"tour", "[K [ROUNDS]]", "measure the Compare table: every layout for K steps (10), in ROUNDS interleaved rounds (3); the script waits for it"},
       0, 2,
       [](const Parser& p, const Args& a) -> What {
         TourAction t{10, 3};
         if (!a.empty()) t.steps_per_layout = static_cast<std::uint64_t>(p.integer(a[0], "steps per layout", 1));
         if (t.steps_per_layout > kTimingWindow)
           p.fail("steps per layout must be at most " + std::to_string(kTimingWindow) + " (use more rounds)");
         if (a.size() == 2) t.rounds = static_cast<int>(std::min<long long>(p.integer(a[1], "rounds", 1), 100));
         return t;
       }},
      {{"export", "FILE", "write the Compare table (.csv, .json or .md, atomically)"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         const std::string& f = a[0];
         auto ends = [&](const std::string& e) { return f.size() > e.size() && f.compare(f.size() - e.size(), e.size(), e) == 0; };
         if (!ends(".csv") && !ends(".json") && !ends(".md")) p.fail("export FILE must end in .csv, .json or .md");
         return ExportAction{f};
       }},
      {{"mark", "", "the Memory panel's Mark"}, 0, 0, [](const Parser&, const Args&) -> What { return MarkAction{}; }},
      {{"ui-scale", "S", "text and panel scale (0.75 to 3)"}, 1, 1,
       [](const Parser& p, const Args& a) -> What {
         const double s = p.number(a[0], "the scale");
         if (s < 0.75 || s > 3.0) p.fail("the scale must be between 0.75 and 3");
         return UiScaleAction{static_cast<float>(s)};
       }},
      {{"expand", "", "open every folded section of the panels"}, 0, 0,
       [](const Parser&, const Args&) -> What { return ExpandAction{}; }},
      {{"show", "compare|lessons [CLAIM]", "select a tab of the bottom strip; with lessons, also claim number CLAIM's details"},
       1, 2,
       [](const Parser& p, const Args& a) -> What {
         if (a[0] != "compare" && a[0] != "lessons") p.fail("show: expected compare or lessons, got '" + a[0] + "'");
         ShowAction s{a[0]};
         if (a.size() == 2) {
           if (a[0] != "lessons") p.fail("show: only lessons takes a claim number");
           s.claim = static_cast<int>(p.integer(a[1], "the claim number", 0));
         }
         return s;
       }},
      {{"check-layout", "", "check this frame for cut-off text; any finding makes the exit status 1"}, 0, 0,
       [](const Parser&, const Args&) -> What { return CheckLayoutAction{}; }},
      {{"quit", "", "close the window"}, 0, 0, [](const Parser&, const Args&) -> What { return QuitAction{}; }},
  };
  return v;
}

ScriptAction Parser::parse() const {
  const auto w = split_words(src_);
  if (w.size() < 3 || w[0] != "at") fail("expected 'at FRAME ACTION ...'");
  ScriptAction a;
  a.source = src_;
  a.frame = static_cast<long>(integer(w[1], "the frame", 0));
  const std::string& verb = w[2];
  const Args args(w.begin() + 3, w.end());
  for (const Verb& v : verbs()) {
    if (v.info.verb != verb) continue;
    if (args.size() < v.min_args || args.size() > v.max_args)
      fail("usage: at FRAME " + std::string(v.info.verb) + (v.info.args.empty() ? "" : " ") + std::string(v.info.args));
    a.what = v.parse(*this, args);
    return a;
  }
  std::string choices;
  for (const Verb& v : verbs()) choices += (choices.empty() ? "" : ", ") + std::string(v.info.verb);
  fail("unknown action '" + verb + "' (choose: " + choices + ")");
}

}  // namespace

const std::vector<ScriptVerbInfo>& script_verbs() {
  static const std::vector<ScriptVerbInfo> v = [] {
    std::vector<ScriptVerbInfo> out;
    for (const Verb& x : verbs()) out.push_back(x.info);
    return out;
  }();
  return v;
}

std::string script_verb_list() {
  std::string s;
  for (const ScriptVerbInfo& v : script_verbs())
    s += (s.empty() ? "" : ", ") + std::string(v.verb) + (v.args.empty() ? "" : " ") + std::string(v.args);
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
