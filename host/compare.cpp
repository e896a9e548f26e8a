#include "host/compare.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/io/json.hpp"
#include "sim/stats.hpp"

namespace slotsim::host {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string opt(const std::optional<double>& v, const char* f = "%.3f") { return v ? fmt(f, *v) : ""; }

constexpr double kMiB = 1024.0 * 1024.0;

struct Cell {
  std::string key;    // CSV / JSON name
  std::string title;  // Markdown header
  std::string value;
  bool number = true;  // JSON: unquoted (empty -> null)
  bool boolean = false;  // JSON: true / false
};

std::vector<Cell> cells(const CompareTable& t, const CompareRow& r) {
  std::vector<Cell> c;
  const double n = r.n ? double(r.n) : 1.0;
  c.push_back({"layout", "layout", std::string(layout_name(r.layout)), false});
  c.push_back({"particles", "N", std::to_string(r.n)});
  for (const ByteCategory& k : kByteCategories)
    c.push_back({std::string(k.name) + "_B_per_instance", std::string(k.name) + " B/inst",
                 fmt("%.2f", double(r.bytes.*k.field) / n)});
  c.push_back({"total_B_per_instance", "total B/inst", fmt("%.2f", r.per_instance())});
  c.push_back({"total_MiB", "total MiB", fmt("%.2f", double(r.bytes.total()) / kMiB)});
  c.push_back({"blocks", "blocks", std::to_string(r.bytes.blocks)});
  c.push_back({"converted_from", "from", r.converted ? std::string(layout_name(r.converted_from)) : "", false});
  c.push_back({"convert_ms", "conversion ms", r.converted ? fmt("%.1f", r.convert_ms) : ""});
  c.push_back({"peak_heap_MiB", "peak heap MiB", r.converted ? fmt("%.2f", double(r.peak_heap) / kMiB) : ""});
  c.push_back({"steps", "steps", std::to_string(r.steps.steps)});
  const bool st = r.steps.steps > 0;
  c.push_back({"step_median_ms", "step median ms", st ? fmt("%.3f", r.steps.median_ms) : ""});
  c.push_back({"step_min_ms", "step min ms", st ? fmt("%.3f", r.steps.min_ms) : ""});
  c.push_back({"step_max_ms", "step max ms", st ? fmt("%.3f", r.steps.max_ms) : ""});
  // How the steps were timed: in `rounds` interleaved tour visits, or the
  // live window of one visit; and the load while they were.
  c.push_back({"rounds", "rounds", std::to_string(r.rounds)});
  c.push_back({"steps_live", "live", st ? (r.live ? "true" : "false") : "", false, true});
  c.push_back({"load_average", "load", st ? fmt("%.2f", r.load) : ""});
  c.push_back({"loaded", "loaded", st ? (t.loaded(r) ? "true" : "false") : "", false, true});
  c.push_back({"bytes_vs_dict", "bytes / dict", opt(t.bytes_ratio(r.layout, Layout::Dict))});
  c.push_back({"bytes_vs_soa", "bytes / soa", opt(t.bytes_ratio(r.layout, Layout::Soa))});
  c.push_back({"step_vs_dict", "step / dict", opt(t.step_ratio(r.layout, Layout::Dict))});
  c.push_back({"step_vs_soa", "step / soa", opt(t.step_ratio(r.layout, Layout::Soa))});
  return c;
}

}  // namespace

StepSummary summarise(const std::vector<double>& ms) {
  StepSummary s;
  s.steps = ms.size();
  if (ms.empty()) return s;
  s.median_ms = median(ms);
  s.min_ms = *std::min_element(ms.begin(), ms.end());
  s.max_ms = *std::max_element(ms.begin(), ms.end());
  return s;
}

CompareTable::CompareTable(unsigned cores) : cores_(cores ? cores : std::max(1u, std::thread::hardware_concurrency())) {
  clear();
}

void CompareTable::clear() {
  for (int i = 0; i < kNumLayouts; ++i) {
    rows_[static_cast<std::size_t>(i)] = CompareRow{};
    rows_[static_cast<std::size_t>(i)].layout = kAllLayouts[static_cast<std::size_t>(i)];
  }
  current_.reset();
}

void CompareTable::observe(Layout l, std::size_t n, const LayoutBytes& b, const StepSummary& live, double load) {
  CompareRow& r = rows_[static_cast<std::size_t>(l)];
  r.visited = true;
  r.n = n;
  r.bytes = b;
  current_ = l;
  if (!r.samples.empty()) return;  // measured: a live window never replaces it
  // On a return visit the new live figures take over once they cover as
  // many steps as the old ones (up to 5), so a one-step median does not
  // replace a settled one.
  if (live.steps > 0 && live.steps >= std::min<std::uint64_t>(r.live ? r.steps.steps : 0, 5)) {
    r.steps = live;
    r.live = true;
    r.load = load;
  }
}

void CompareTable::observe_switch(Layout from, Layout to, double ms, long long peak_heap) {
  CompareRow& r = rows_[static_cast<std::size_t>(to)];
  r.converted = true;
  r.converted_from = from;
  r.convert_ms = ms;
  r.peak_heap = peak_heap;
  if (r.live) r.steps = StepSummary{};  // the next live steps are this visit's
}

void CompareTable::add_visit(Layout l, const std::vector<double>& ms, double load) {
  if (ms.empty()) return;
  CompareRow& r = rows_[static_cast<std::size_t>(l)];
  if (r.live) {  // a measurement replaces a live window and its load
    r.live = false;
    r.load = 0;
  }
  r.samples.insert(r.samples.end(), ms.begin(), ms.end());
  ++r.rounds;
  r.load = std::max(r.load, load);
  r.steps = summarise(r.samples);
}

void CompareTable::discard_steps() {
  for (CompareRow& r : rows_) {
    r.samples.clear();
    r.rounds = 0;
    r.live = false;
    r.load = 0;
    r.steps = StepSummary{};
  }
}

int CompareTable::visited() const {
  int k = 0;
  for (const CompareRow& r : rows_) k += r.visited;
  return k;
}

std::optional<double> CompareTable::bytes_ratio(Layout l, Layout ref) const {
  const CompareRow &a = row(l), &b = row(ref);
  if (!a.visited || !b.visited || b.per_instance() <= 0) return std::nullopt;
  return a.per_instance() / b.per_instance();
}

std::optional<double> CompareTable::step_ratio(Layout l, Layout ref) const {
  const CompareRow &a = row(l), &b = row(ref);
  if (!a.steps.steps || !b.steps.steps || b.steps.median_ms <= 0 || a.live != b.live) return std::nullopt;
  return a.steps.median_ms / b.steps.median_ms;
}

double CompareTable::max_per_instance() const {
  double m = 0;
  for (const CompareRow& r : rows_)
    if (r.visited) m = std::max(m, r.per_instance());
  return m;
}

std::optional<ExportFormat> export_format_for(std::string_view path) {
  auto ends = [&](std::string_view e) {
    return path.size() > e.size() && path.substr(path.size() - e.size()) == e;
  };
  if (ends(".csv")) return ExportFormat::Csv;
  if (ends(".json")) return ExportFormat::Json;
  if (ends(".md")) return ExportFormat::Markdown;
  return std::nullopt;
}

std::string export_table(const CompareTable& t, ExportFormat f) {
  std::vector<std::vector<Cell>> rows;
  for (const CompareRow& r : t.rows())
    if (r.visited) rows.push_back(cells(t, r));
  const std::vector<Cell> header = cells(t, CompareRow{});
  std::string out;
  if (f == ExportFormat::Csv) {
    for (std::size_t k = 0; k < header.size(); ++k) out += (k ? "," : "") + header[k].key;
    out += '\n';
    for (const auto& r : rows) {
      // Layout names hold no comma or quote ("slots+dict"), so no quoting.
      for (std::size_t k = 0; k < r.size(); ++k) out += (k ? "," : "") + r[k].value;
      out += '\n';
    }
  } else if (f == ExportFormat::Json) {
    // {"layouts": [{cell: value, ...}, ...]}: numbers as the CSV shows them
    // (integers stay integers), an empty cell as null.
    io::Json doc;
    io::Json& list = doc["layouts"] = io::Json::array();
    for (const auto& r : rows) {
      io::Json row = io::Json::object();
      for (const Cell& c : r) {
        if (c.value.empty()) row[c.key] = nullptr;
        else if (c.boolean) row[c.key] = c.value == "true";
        else if (!c.number) row[c.key] = c.value;
        else if (c.value.find_first_of(".eE") == std::string::npos) row[c.key] = std::stoll(c.value);
        else row[c.key] = std::stod(c.value);
      }
      list.push_back(std::move(row));
    }
    out = io::report_text(doc);
  } else {
    out += "|";
    for (const Cell& c : header) out += " " + c.title + " |";
    out += "\n|";
    for (const Cell& c : header) out += c.number ? " ---: |" : " --- |";
    out += "\n";
    for (const auto& r : rows) {
      out += "|";
      for (const Cell& c : r)
        out += " " + (c.number || c.boolean || c.value.empty() ? c.value : "`" + c.value + "`") + " |";
      out += "\n";
    }
  }
  return out;
}

Tour::Tour(Layout start, std::uint64_t steps_per_visit, int rounds)
    : k_(std::max<std::uint64_t>(steps_per_visit, 1)), rounds_(std::max(rounds, 1)) {
  int s = 0;
  for (int i = 0; i < kNumLayouts; ++i)
    if (kAllLayouts[static_cast<std::size_t>(i)] == start) s = i;
  for (int i = 0; i < kNumLayouts; ++i)
    order_[static_cast<std::size_t>(i)] = kAllLayouts[static_cast<std::size_t>((s + i) % kNumLayouts)];
}

Tour::Action Tour::next(Layout current, Layout timing_layout, std::uint64_t timing_steps, bool idle) {
  Action a;
  if (done() || !idle) return a;
  const Layout want = target();
  if (current != want) {
    if (!requested_) {
      requested_ = true;
      first_ = 0;  // the switch restarts the layout's timing sequence
      a.switch_to = want;
      return a;
    }
    // Asked, applied, and still elsewhere: the conversion was refused
    // (memory, or an attribute the layout cannot hold). Move on.
    requested_ = false;
    first_.reset();
    ++visit_;
    return a;
  }
  requested_ = false;
  // Already there without a switch (the start, or a one-layout table):
  // this visit's steps are the ones from now on.
  if (!first_) first_ = timing_layout == want ? timing_steps : 0;
  if (timing_layout != want || timing_steps < *first_ + k_) return a;
  a.finished = Visit{want, *first_, k_};
  first_.reset();
  ++visit_;
  if (!done() && target() != current) {
    requested_ = true;
    first_ = 0;
    a.switch_to = target();
  }
  return a;
}

}  // namespace slotsim::host
