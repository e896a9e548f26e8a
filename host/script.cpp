#include "host/script.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <string>

#include "sim/io/output_file.hpp"
#include "sim/limits.hpp"
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

// Upper bounds of the script's integers (see Parser::integer).
constexpr long long kMaxFrame = 1LL << 40;                        // ~35 years at 1000 fps
constexpr long long kMaxId = static_cast<long long>(kMaxParticles) - 1;
constexpr long long kMaxCount = static_cast<long long>(kMaxParticles);  // as --particles
constexpr long long kMaxStepsPerFrame = 1000000;                  // the panel offers 0..64
constexpr long long kMaxTourSteps = static_cast<long long>(kMaxSteps);

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

  // Every integer has an upper bound as well: the commands take int or
  // size_t, and a value past the bound would narrow silently (threads
  // 2147483648 became -2147483648, speed 3000000000 a negative speed).
  long long integer(const std::string& w, const char* what, long long lo, long long hi) const {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(w.c_str(), &end, 10);
    if (w.empty() || *end != '\0' || errno == ERANGE)
      fail(std::string("expected an integer for ") + what + ", got '" + w + "'");
    if (v < lo) fail(std::string(what) + " must be at least " + std::to_string(lo));
    if (v > hi) fail(std::string(what) + " must be at most " + std::to_string(hi));
    return v;
  }

  void arity(const std::vector<std::string>& w, std::size_t lo, std::size_t hi,
             const char* usage) const {
    const std::size_t args = w.size() - 3;  // "at", frame, verb
    if (args < lo || args > hi) fail(std::string("usage: at FRAME ") + usage);
  }

  ScriptAction parse() const {
    const auto w = split_words(src_);
    if (w.size() < 3 || w[0] != "at") fail("expected 'at FRAME ACTION ...'");
    ScriptAction a;
    a.source = src_;
    a.frame = static_cast<long>(integer(w[1], "the frame", 0, kMaxFrame));
    const std::string& verb = w[2];
    if (verb == "layout") {
      arity(w, 1, 1, "layout NAME");
      const auto l = parse_layout(w[3]);
      if (!l) fail(unknown_layout_text(w[3]));
      a.what = SimCommand{cmd::SwitchLayout{*l}};
    } else if (verb == "set-attr") {
      arity(w, 2, 3, "set-attr NAME VALUE [PARTICLE_ID]");
      cmd::SetAttr s{std::nullopt, w[3], number(w[4], "the value")};
      if (w.size() == 6) s.id = static_cast<std::size_t>(integer(w[5], "the particle id", 0, kMaxId));
      a.what = SimCommand{s};
    } else if (verb == "del-attr") {
      arity(w, 1, 2, "del-attr NAME [PARTICLE_ID]");
      cmd::SetAttr s{std::nullopt, w[3], 0.0, cmd::AttrOp::Delete};
      if (w.size() == 5) s.id = static_cast<std::size_t>(integer(w[4], "the particle id", 0, kMaxId));
      a.what = SimCommand{s};
    } else if (verb == "read-dict") {
      arity(w, 0, 1, "read-dict [PARTICLE_ID]");
      cmd::SetAttr s{std::nullopt, "__dict__", 0.0, cmd::AttrOp::ReadDict};
      if (w.size() == 4) s.id = static_cast<std::size_t>(integer(w[3], "the particle id", 0, kMaxId));
      a.what = SimCommand{s};
    } else if (verb == "inherit") {
      arity(w, 1, 2, "inherit NAME [VALUE]");
      a.what = SimCommand{cmd::Inherit{w[3], w.size() == 5 ? number(w[4], "the value") : 1.0}};
    } else if (verb == "screenshot") {
      arity(w, 1, 1, "screenshot FILE");
      try {
        io::check_image_name(w[3]);
      } catch (const std::invalid_argument& e) {
        fail(e.what());
      }
      a.what = ScreenshotAction{w[3]};
    } else if (verb == "pause" || verb == "resume") {
      arity(w, 0, 0, verb == "pause" ? "pause" : "resume");
      a.what = SimCommand{cmd::SetPaused{verb == "pause"}};
    } else if (verb == "step") {
      arity(w, 0, 0, "step");
      a.what = SimCommand{cmd::StepOnce{}};
    } else if (verb == "solver") {
      arity(w, 1, 1, "solver NAME");
      const auto names = solver_names();
      if (std::find(names.begin(), names.end(), w[3]) == names.end())
        fail("unknown solver '" + w[3] + "' (choose: " + join(names) + ")");
      // The script only names the solver; its parameters stay as they are
      // (filled in from the running System when the command is posted).
      a.what = SimCommand{cmd::SetSolver{w[3], ForceParams{}}};
    } else if (verb == "dt") {
      arity(w, 1, 1, "dt VALUE");
      const double dt = number(w[3], "dt");
      try {
        check_dt(dt);  // the same check as --dt and System::set_dt
      } catch (const std::invalid_argument&) {
        fail("dt must be positive and finite");
      }
      a.what = SimCommand{cmd::SetDt{dt}};
    } else if (verb == "threads") {
      arity(w, 1, 1, "threads N");
      a.what = SimCommand{cmd::SetThreads{static_cast<int>(integer(w[3], "threads", 0, kMaxThreads))}};
    } else if (verb == "respawn") {
      arity(w, 2, 3, "respawn SCENE N [SEED]");
      std::vector<std::string> scenes;
      for (const auto& s : scene_list()) scenes.push_back(s.name);
      if (std::find(scenes.begin(), scenes.end(), w[3]) == scenes.end())
        fail("unknown scene '" + w[3] + "' (choose: " + join(scenes) + ")");
      cmd::Respawn r{w[3], static_cast<std::size_t>(integer(w[4], "the particle count", 1, kMaxCount)), 1};
      if (w.size() == 6) r.seed = static_cast<std::uint64_t>(integer(w[5], "the seed", 0, LLONG_MAX));
      a.what = SimCommand{r};
    } else if (verb == "lessons") {
      arity(w, 0, 0, "lessons");
      a.what = SimCommand{cmd::MeasureLessons{LessonOptions{.sample = 100000, .big = 10000000, .build_big = false}}};
    } else if (verb == "speed") {
      arity(w, 1, 1, "speed STEPS_PER_FRAME");
      a.what = SimCommand{cmd::SetSpeed{static_cast<int>(integer(w[3], "steps per frame", 0, kMaxStepsPerFrame))}};
    } else if (verb == "tour") {
      arity(w, 0, 1, "tour [STEPS_PER_LAYOUT]");
      a.what = TourAction{w.size() == 4 ? static_cast<std::uint64_t>(integer(w[3], "steps per layout", 1, kMaxTourSteps)) : 10};
    } else if (verb == "export") {
      arity(w, 1, 1, "export FILE (.csv, .json or .md)");
      const std::string& f = w[3];
      auto ends = [&](const std::string& e) { return f.size() > e.size() && f.compare(f.size() - e.size(), e.size(), e) == 0; };
      if (!ends(".csv") && !ends(".json") && !ends(".md")) fail("export FILE must end in .csv, .json or .md");
      a.what = ExportAction{f};
    } else if (verb == "mark") {
      arity(w, 0, 0, "mark");
      a.what = MarkAction{};
    } else if (verb == "quit") {
      arity(w, 0, 0, "quit");
      a.what = QuitAction{};
    } else {
      fail("unknown action '" + verb +
           "' (choose: layout, set-attr, del-attr, read-dict, inherit, screenshot, pause, resume, step, solver, dt, "
           "threads, respawn, lessons, speed, tour, export, mark, quit)");
    }
    return a;
  }

 private:
  std::string src_;
};

}  // namespace

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
