#pragma once
// The Compare panel's data: one row per layout, filled as the layouts are
// visited and kept after the window switches away, so every layout seen
// since the particles were spawned can be read side by side. No GUI
// dependency (ui/compare_panel.cpp draws it), so it is unit-tested in
// tests/ui/compare_test.cpp. The layouts and byte categories come from
// sim/layouts/layout.hpp (kAllLayouts, kByteCategories): a new layout or
// category shows up here without a change.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/layouts/layout.hpp"

namespace slotsim::host {

// Step times of one layout: the simulation thread restarts them on every
// switch, so they never mix two layouts.
struct StepSummary {
  std::uint64_t steps = 0;  // steps the figures cover
  double median_ms = 0, min_ms = 0, max_ms = 0;
};
// The summary of a list of per-step times (sim/stats.hpp's median).
StepSummary summarise(const std::vector<double>& ms);

struct CompareRow {
  Layout layout = Layout::Soa;
  bool visited = false;
  std::size_t n = 0;
  LayoutBytes bytes;  // the store's bytes when last seen
  // The conversion into this layout (none for the layout it started in).
  bool converted = false;
  Layout converted_from = Layout::Soa;
  double convert_ms = 0;
  long long peak_heap = 0;  // process heap peak (requested bytes) during it
  // What the step columns show. Measured: the steps of the tour's
  // interleaved rounds (A B C ... A B C), pooled; every row of one
  // measurement was timed in the same stretch of the machine's time, so a
  // change of load reaches all of them alike. Live (no measurement yet): the
  // current visit's own window, as the Time panel shows it, marked as such.
  StepSummary steps;
  std::vector<double> samples;  // the measured steps, in ms
  int rounds = 0;               // tour visits the samples come from
  bool live = false;            // steps are a live window, not a measurement
  // The 1-minute load average at the end of each measured visit (or while
  // live), the highest seen: above the core count, other work shared the
  // machine while this row was timed (as bench warns).
  double load = 0;

  double per_instance() const { return n ? double(bytes.total()) / double(n) : 0.0; }
};

class CompareTable {
 public:
  explicit CompareTable(unsigned cores = 0);  // 0: std::thread::hardware_concurrency()

  // Every frame: the layout on screen and its bytes; `live` its current
  // step window (pass steps == 0 if the figures are not this layout's),
  // used only while the row has no measured steps; `load` the current
  // 1-minute load average.
  void observe(Layout l, std::size_t n, const LayoutBytes& b, const StepSummary& live, double load);
  // A finished conversion (host/sim_frame.hpp's CommandResult).
  void observe_switch(Layout from, Layout to, double ms, long long peak_heap);
  // One visit of a tour: the step times it took, and the load at its end.
  void add_visit(Layout l, const std::vector<double>& ms, double load);
  // "Re-measure": every row's step figures and samples go, the bytes stay.
  void discard_steps();
  // New particles: figures for another N are not comparable.
  void clear();

  const std::array<CompareRow, kNumLayouts>& rows() const { return rows_; }
  const CompareRow& row(Layout l) const { return rows_[static_cast<std::size_t>(l)]; }
  std::optional<Layout> current() const { return current_; }
  int visited() const;
  unsigned cores() const { return cores_; }
  // The row's load passed the core count while it was timed.
  bool loaded(const CompareRow& r) const { return r.load > double(cores_); }
  // Ratios of bytes per instance, and of median step time, to another
  // visited layout (nullopt if either is missing). Step ratios only
  // between rows of the same kind: two measured ones, or two live ones.
  std::optional<double> bytes_ratio(Layout l, Layout ref) const;
  std::optional<double> step_ratio(Layout l, Layout ref) const;
  double max_per_instance() const;

 private:
  std::array<CompareRow, kNumLayouts> rows_;
  std::optional<Layout> current_;
  unsigned cores_;
};

enum class ExportFormat { Csv, Json, Markdown };
// By extension: .csv, .json, .md; nullopt otherwise.
std::optional<ExportFormat> export_format_for(std::string_view path);
// The visited rows, columns in the panel's order (bytes by category,
// totals, conversion, step times, ratios to dict and soa).
std::string export_table(const CompareTable& t, ExportFormat f);


// The "Tour": the measurement behind the Compare table's step columns.
// It visits every layout, starting with the current one, for K steps, and
// does that `rounds` times: A B C ... A B C, so the rows are timed
// interleaved, not one layout's steps long before another's (measured that
// way, a loaded machine ranked dict ahead of soa). Each visit counts only
// the steps it ran itself: the layout the tour starts in does not count
// the steps it held before.
class Tour {
 public:
  Tour(Layout start, std::uint64_t steps_per_visit, int rounds = 3);

  // A finished visit: steps [first, first + steps) of `layout`'s timing
  // sequence (SimStats::timing_steps counts them, recent_ms holds the last).
  struct Visit {
    Layout layout;
    std::uint64_t first = 0, steps = 0;
  };
  struct Action {
    std::optional<Layout> switch_to;  // post this switch now
    std::optional<Visit> finished;    // this visit's steps are done
  };
  // Once per frame. `idle`: every command posted so far is applied and
  // published.
  Action next(Layout current, Layout timing_layout, std::uint64_t timing_steps, bool idle);
  bool done() const { return visit_ >= visits(); }
  int visit() const { return visit_; }  // visits finished so far
  int visits() const { return rounds_ * kNumLayouts; }
  int round() const { return std::min(visit_, visits() - 1) / kNumLayouts; }  // 0-based
  int rounds() const { return rounds_; }
  Layout target() const { return order_[static_cast<std::size_t>(std::min(visit_, visits() - 1) % kNumLayouts)]; }
  std::uint64_t steps_per_visit() const { return k_; }

 private:
  std::array<Layout, kNumLayouts> order_;
  std::uint64_t k_;
  int rounds_;
  int visit_ = 0;
  bool requested_ = false;
  // The first step of the current visit in its layout's timing sequence:
  // 0 after a switch (the sequence restarts), the count then reached when
  // the visit began without one.
  std::optional<std::uint64_t> first_;
};

}  // namespace slotsim::host
