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

#include "sim/layouts/layout.hpp"

namespace slotsim::host {

// Step times of one layout: the simulation thread restarts them on every
// switch, so they never mix two layouts.
struct StepSummary {
  std::uint64_t steps = 0;  // steps the figures cover
  double median_ms = 0, min_ms = 0, max_ms = 0;
};

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
  StepSummary steps;

  double per_instance() const { return n ? double(bytes.total()) / double(n) : 0.0; }
};

class CompareTable {
 public:
  CompareTable();

  // Every frame: the layout on screen, its bytes, and its step times
  // (`steps` must belong to `l`; pass steps.steps == 0 if not).
  void observe(Layout l, std::size_t n, const LayoutBytes& b, const StepSummary& steps);
  // A finished conversion (host/sim_frame.hpp's CommandResult).
  void observe_switch(Layout from, Layout to, double ms, long long peak_heap);
  // New particles: figures for another N are not comparable.
  void clear();

  const std::array<CompareRow, kNumLayouts>& rows() const { return rows_; }
  const CompareRow& row(Layout l) const { return rows_[static_cast<std::size_t>(l)]; }
  std::optional<Layout> current() const { return current_; }
  int visited() const;
  // Ratios of bytes per instance, and of median step time, to another
  // visited layout (nullopt if either is missing).
  std::optional<double> bytes_ratio(Layout l, Layout ref) const;
  std::optional<double> step_ratio(Layout l, Layout ref) const;
  double max_per_instance() const;

 private:
  std::array<CompareRow, kNumLayouts> rows_;
  std::optional<Layout> current_;
};

enum class ExportFormat { Csv, Json, Markdown };
// By extension: .csv, .json, .md; nullopt otherwise.
std::optional<ExportFormat> export_format_for(std::string_view path);
// The visited rows, columns in the panel's order (bytes by category,
// totals, conversion, step times, ratios to dict and soa).
std::string export_table(const CompareTable& t, ExportFormat f);


// The "Tour": visits every layout, starting with the current one, until
// each has done `steps_per_layout` steps, like `slotsim bench` but live.
class Tour {
 public:
  Tour(Layout start, std::uint64_t steps_per_layout);
  // Once per frame. `idle`: every command posted so far is applied and
  // published. Returns the layout to switch to now (once per stop).
  std::optional<Layout> next(Layout current, Layout timing_layout, std::uint64_t timing_steps, bool idle);
  bool done() const { return stop_ >= kNumLayouts; }
  int stop() const { return stop_; }  // layouts finished so far
  Layout target() const { return order_[static_cast<std::size_t>(std::min(stop_, kNumLayouts - 1))]; }
  std::uint64_t steps_per_layout() const { return k_; }

 private:
  std::array<Layout, kNumLayouts> order_;
  std::uint64_t k_;
  int stop_ = 0;
  bool requested_ = false;
};

}  // namespace slotsim::host
