// Lessons panel: the lecture's claims about __dict__ and __slots__ beside
// slotsim's models of each CPython era (dict <= 3.2, split-keys 3.3-3.10,
// shared-keys 3.11-3.13) and, once measured, the python3 on PATH. The rows
// come from lessons/lessons.cpp (the same code and the same verdicts as
// `slotsim bench --claims --python`); this file only draws them. Starts
// collapsed: measuring builds sample stores and takes seconds, so it runs
// only when asked.
//
// Each model's cell shows its verdict in a word, the full figures are in the
// cell's tooltip, and clicking a claim opens a window with every figure, the
// lecture's figure and what it is, and the note on why it changed, sized to
// the screen (below the table, the details ran out of the strip at a large
// UI scale). The claim column takes the width the verdicts leave and wraps;
// wide text columns were rejected: they wrap into a column of single words.
// The note on why never states a speed outcome (lessons.cpp), so it cannot
// contradict the measured verdict beside it.
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>

#include "lessons/cpython.hpp"
#include "ui/layout_audit.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {
namespace {

// The CPython measurement (first started when the models' measurement
// arrives, then by the button) runs measure_objects.py in a child process for
// several seconds: off the UI thread (a frame must never wait for it) and
// off the sim thread (it would pause the simulation for nothing). One job
// at a time; the result stays until measured again.
struct CPythonJob {
  std::future<CPythonRun> pending;
  // Processes measured so far (of cpython_processes(false)), written by the
  // job's thread; shared with it so a job outliving the panel stays valid.
  std::shared_ptr<std::atomic<int>> done_processes = std::make_shared<std::atomic<int>>(0);
  std::optional<CPythonRun> done;
  int generation = 0;  // bumps when `done` changes, so the rows are rebuilt
};
CPythonJob& cpython_job() {
  static CPythonJob j;
  return j;
}

void start_cpython(CPythonJob& j) {
  std::string looked;
  const auto script = find_measure_script(&looked);
  if (!script) {
    CPythonRun r;
    r.error = "measure_objects.py not found (looked in " + looked + ")";
    j.done = r;
    ++j.generation;
    return;
  }
  j.done_processes->store(0);
  j.pending = std::async(std::launch::async, [python = default_python(), s = *script, done = j.done_processes] {
    return run_cpython_script(python, s, false, 600, 0, kDefaultPairs, [done](int k, int) { done->store(k); });
  });
}

void poll_cpython(CPythonJob& j) {
  if (j.pending.valid() && j.pending.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    j.done = j.pending.get();
    ++j.generation;
  }
}

// The sim thread's rows with the CPython column filled in, rebuilt only when
// either input changes (not every frame).
const std::vector<Lesson>& rows_with_cpython(const std::shared_ptr<const std::vector<Lesson>>& src,
                                             const CPythonJob& j) {
  static const void* src_seen = nullptr;
  static int gen_seen = -1;
  static std::vector<Lesson> rows;
  if (src.get() != src_seen || j.generation != gen_seen) {
    src_seen = src.get();
    gen_seen = j.generation;
    rows = *src;
    if (j.done && j.done->ok)
      set_interpreter_columns(rows, {InterpreterRun{default_python(), true, "", j.done->figures}});
    else
      set_interpreter_columns(rows, {InterpreterRun{default_python(), false,
                                                    j.done ? j.done->error : "press Measure CPython", {}}});
  }
  return rows;
}

const ImVec4 kHolds(0.5f, 0.9f, 0.5f, 1), kFails(1, 0.7f, 0.3f, 1), kNa(0.6f, 0.6f, 0.6f, 1);

const char* word_of(const ClaimCell& c) {
  if (!c.available) return "n/a";
  // Short enough for an 80-px cell ("does not hold" was clipped); the
  // tooltip and the details below give the full verdict.
  return c.outcome == Outcome::Holds ? "holds" : c.outcome == Outcome::DoesNotHold ? "fails" : "unresolved";
}
ImVec4 colour_of(const ClaimCell& c) {
  if (!c.available || c.outcome == Outcome::Unresolved) return kNa;
  return c.outcome == Outcome::Holds ? kHolds : kFails;
}

void verdict_cell(const ClaimCell& c) {
  const char* word = word_of(c);
  ImGui::PushStyleColor(ImGuiCol_Text, colour_of(c));
  ImGui::TextUnformatted(word);
  ImGui::PopStyleColor();
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(28));
    ImGui::TextUnformatted(c.text.c_str());
    if (c.available) ImGui::TextUnformatted(c.verdict.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void detail(const char* label, const ClaimCell& c) {
  ImGui::TextDisabled("%s", label);
  ImGui::TextWrapped("%s", c.text.c_str());
  if (c.available) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour_of(c));
    ImGui::TextWrapped("%s", c.verdict.c_str());
    ImGui::PopStyleColor();
  }
}

// The claim whose details are open (-1: none).
int g_selected = -1;

}  // namespace

void lessons_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out) {
  const SimStats& s = ctx.frame.stats;
  // Blocks for a tab of the bottom strip (ui/overlay.cpp), which opens on
  // this tab when a measurement arrives, paged like the side columns (a
  // window of its own covered the particle view once opened).
  CPythonJob& shared_job = cpython_job();
  poll_cpython(shared_job);
  // The first time the models are measured, measure CPython too, in the
  // background. Only then, not at startup: started beside the models'
  // timings it would share the CPUs with them and skew both.
  static const void* cpython_started_for = nullptr;
  if (s.lessons && s.lessons.get() != cpython_started_for) {
    cpython_started_for = s.lessons.get();
    if (!shared_job.done && !shared_job.pending.valid()) start_cpython(shared_job);
  }
  // The blocks draw in page order, the shown page's first: what they
  // share is settled here, before any draws.
  if (st.show_claim >= 0 && s.lessons) {  // the script's `show lessons N`
    const std::vector<Lesson>& rows = rows_with_cpython(s.lessons, shared_job);
    g_selected = st.show_claim < int(rows.size()) ? st.show_claim : -1;
    st.show_claim = -1;
  }
  out.push_back({"Lessons", [&ctx, &st, &s] {
    CPythonJob& job = cpython_job();
    if (ImGui::Button(s.lessons ? "Measure again" : "Measure") && !ctx.progress.busy) {
      LessonOptions o;
      o.build_big = st.lessons_build_big;
      ctx.sim.post(cmd::MeasureLessons{o});
    }
    const bool running = job.pending.valid();
    if (running) {
      char msg[64];
      std::snprintf(msg, sizeof msg, "measuring CPython... %d/%d processes", job.done_processes->load(),
                    cpython_processes(false));
      flow_text_disabled(msg);
    } else if (flow_button(job.done && job.done->ok ? "Measure CPython again" : "Measure CPython")) {
      start_cpython(job);
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("runs assets/python/measure_objects.py with %s in %d processes one after the other "
                        "(about a minute, in the background; the timings are the steadier the less the "
                        "simulation runs meanwhile)",
                        default_python().c_str(), cpython_processes(false));
    ImGui::Checkbox("build the 10M dict store (GBs)", &st.lessons_build_big);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("otherwise the 10,000,000-instance figure is extrapolated from the sample");
    if (job.done && !job.done->ok) error_text(("CPython: " + job.done->error).c_str());
    if (!s.lessons) ImGui::TextDisabled("each claim from the lecture, measured in this process");
  }});
  if (!s.lessons) return;
  // The table whole, then its notes, the details window (over the view,
  // an empty block here) and the counting note.
  out.push_back({"Lessons table", [&s] {
    CPythonJob& job = cpython_job();
    const std::vector<Lesson>& rows = rows_with_cpython(s.lessons, job);
    const bool have_py = job.done && job.done->ok;
    const std::string py_head = have_py ? "CPython " + job.done->figures.version : "CPython";
    int& selected = g_selected;
    const int ncols = 1 + int(rows.front().models.size()) + 1;
    if (ImGui::BeginTable("lessons", ncols,
                          ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
      // The verdict columns as wide as their words and headers; the claim
      // takes the rest and wraps.
      ImGui::TableSetupColumn("claim (click: details)", ImGuiTableColumnFlags_WidthStretch);
      for (const ClaimCell& c : rows.front().models) ImGui::TableSetupColumn(c.column.c_str());
      ImGui::TableSetupColumn(py_head.c_str());
      ImGui::TableHeadersRow();
      for (int i = 0; i < int(rows.size()); ++i) {
        const Lesson& l = rows[std::size_t(i)];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::PushID(i);
        // A selectable as tall as the wrapped claim, with the claim drawn
        // over it (a Selectable's own label does not wrap).
        const float wrap_w = ImGui::GetContentRegionAvail().x;
        const ImVec2 at = ImGui::GetCursorPos();
        const float h = ImGui::CalcTextSize(l.claim.c_str(), nullptr, false, wrap_w).y;
        if (ImGui::Selectable("##claim", selected == i, ImGuiSelectableFlags_AllowItemOverlap, ImVec2(0, h)))
          selected = selected == i ? -1 : i;
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("lecture: %s", l.lecture.c_str());
        ImGui::SetCursorPos(at);
        ImGui::TextWrapped("%s", l.claim.c_str());
        ImGui::PopID();
        int col = 1;
        for (const ClaimCell& c : l.models) {
          ImGui::TableSetColumnIndex(col++);
          verdict_cell(c);
        }
        ImGui::TableSetColumnIndex(col);
        if (!l.measured.empty()) verdict_cell(l.measured.front());
      }
      ImGui::EndTable();
    }
  }});
  out.push_back({"Lessons notes", [&s] {
    CPythonJob& job = cpython_job();
    const std::vector<Lesson>& rows = rows_with_cpython(s.lessons, job);
    const bool have_py = job.done && job.done->ok;
    const std::string py_head = have_py ? "CPython " + job.done->figures.version : "CPython";
    int& selected = g_selected;
    // The headers are short; what they stand for.
    {
      std::string legend;
      for (const ClaimCell& c : rows.front().models) {
        if (!legend.empty()) legend += "; ";
        legend += c.column;
        legend += ": ";
        legend += c.stands_for;
      }
      disabled_wrapped(("slotsim models: " + legend + "; " + py_head +
                        ": the python3 on PATH, measured. Hover a verdict for its figures; fails = does not hold; "
                        "unresolved = no difference this machine can resolve")
                           .c_str());
    }
    for (const Lesson& l : rows)
      if (!l.warning.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kFails);
        ImGui::TextWrapped("%s", l.warning.c_str());
        ImGui::PopStyleColor();
      }
    if (selected >= 0 && selected < int(rows.size())) {
      // Over the particle view, as wide as reads well (45 em) or the screen
      // allows, as tall as its text up to 90% of the screen.
      const Lesson& l = rows[std::size_t(selected)];
      const ImGuiIO& io = ImGui::GetIO();
      const float w = std::min(em(45), 0.9f * io.DisplaySize.x);
      ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
      ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0), ImVec2(w, 0.9f * io.DisplaySize.y));
      bool open = true;
      if (ImGui::Begin("Claim details", &open,
                       ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                           ImGuiWindowFlags_NoCollapse)) {
        ImGui::TextWrapped("%s (lecture: %s)", l.claim.c_str(), l.lecture.c_str());
        require_visible("claim details: the claim");
        if (!l.lecture_note.empty()) ImGui::TextWrapped("The lecture's figure: %s", l.lecture_note.c_str());
        for (const ClaimCell& c : l.models) detail(("slotsim " + c.column + " (" + c.stands_for + ")").c_str(), c);
        for (const ClaimCell& c : l.measured) detail(c.column.c_str(), c);
        ImGui::TextDisabled("why it changed");
        ImGui::TextWrapped("%s", l.why.c_str());
        require_visible("claim details: why it changed");
      }
      ImGui::End();
      if (!open) selected = -1;
    }
    // Why the three ways of counting bytes disagree, with this interpreter's
    // own figures when it has been measured.
    if (ImGui::CollapsingHeader("getsizeof, tracemalloc and the model")) {
      ImGui::TextWrapped("%s", counting_explanation().c_str());
      if (have_py)
        for (const std::string& e : counting_examples({InterpreterRun{default_python(), true, "", job.done->figures}}))
          ImGui::TextWrapped("%s", e.c_str());
    }
  }});
}

}  // namespace slotsim::ui
