// Batch's step report; see step_report.hpp.
#include "app/step_report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/report_json.hpp"
#include "sim/step_phases.hpp"

namespace slotsim::app {

std::vector<StepTiming> all_steps(const std::vector<LayoutSegment>& segments) {
  std::vector<StepTiming> all;
  for (const auto& s : segments) all.insert(all.end(), s.steps.begin(), s.steps.end());
  return all;
}

std::string step_table(const std::vector<LayoutSegment>& segments) {
  std::ostringstream t;
  t << "| layout | steps | step ms median | min | max | latest |";
  for (const auto& ph : kStepPhases) t << ' ' << ph.name << " |";
  t << "\n|---|---:|---:|---:|---:|---:|";
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) t << "---:|";
  t << '\n';
  char cell[64];
  for (const auto& s : segments) {
    if (s.steps.empty()) continue;
    const TimeStats st = step_stats(s.steps);
    t << "| " << layout_name(s.layout) << " | " << st.count << " |";
    for (double v : {st.median, st.min, st.max, st.latest}) {
      std::snprintf(cell, sizeof cell, " %.3f |", v);
      t << cell;
    }
    for (double v : phase_figures(s.steps)) {
      std::snprintf(cell, sizeof cell, " %.3f |", v);
      t << cell;
    }
    t << '\n';
  }
  // A phase that ran on some steps only is quoted as its mean (the cell
  // above); say so, and on how many steps it ran, where it ran at all.
  for (const StepPhase& ph : kStepPhases) {
    if (!amortised(ph)) continue;
    std::size_t ran = 0, steps = 0;
    for (const auto& s : segments)
      for (const StepTiming& st : s.steps) {
        ++steps;
        if (st.*ph.field > 0) ++ran;
      }
    if (ran > 0) t << "\n(" << ph.name << ": its mean per step; it ran on " << ran << " of " << steps << " steps)\n";
  }
  return t.str();
}

std::string steps_csv(const std::vector<LayoutSegment>& segments) {
  std::ostringstream c;
  c << "step,layout,step_ms";
  for (const auto& ph : kStepPhases) c << ',' << ph.name << "_ms";
  c << '\n';
  char field[64];
  for (const auto& s : segments)
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
      const StepTiming& p = s.steps[i];
      c << s.first_step + i << ',' << layout_name(s.layout);
      std::snprintf(field, sizeof field, ",%.6f", p.total_ms);
      c << field;
      for (const auto& ph : kStepPhases) {
        std::snprintf(field, sizeof field, ",%.6f", p.*ph.field);
        c << field;
      }
      c << '\n';
    }
  return c.str();
}

io::Json per_layout_json(const std::vector<LayoutSegment>& segments) {
  io::Json per = io::Json::array();
  for (const auto& s : segments) {
    const TimeStats t = step_stats(s.steps);
    per.push_back({{"layout", layout_name(s.layout)},
                   {"first_step", s.first_step},
                   {"steps", t.count},
                   {"step_ms_median", t.median},
                   {"step_ms_min", t.min},
                   {"step_ms_max", t.max},
                   {"step_ms_latest", t.latest},
                   {"phases_ms_median", phases_json(phase_medians(s.steps))},
                   {"phases_ms", phases_json(phase_figures(s.steps))}});
  }
  return per;
}

std::string energy_rows(double e0, double e_final, const std::string& method, bool e0_carried,
                        bool restart_without_e0, double e_rel) {
  char num[64];
  std::snprintf(num, sizeof num, "%.10g / %.10g", e0, e_final);
  std::string out = "| energy initial / final | " + std::string(num) + " (" + method + ")" +
                    (e0_carried ? " (initial: the snapshot's run)" : "") + " |\n";
  if (std::isfinite(e0) && std::isfinite(e_final)) {
    std::snprintf(num, sizeof num, "%.3e", e_rel);
    out += "| rel. energy error | " + std::string(num) +
           (restart_without_e0 ? " (since the restart: the snapshot had no E0)" : "") + " |\n";
  } else {
    out += "| rel. energy error | not measured: the energy overflows a double |\n";
  }
  return out;
}

}  // namespace slotsim::app
