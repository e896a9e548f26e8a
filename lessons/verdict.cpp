#include "lessons/verdict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace slotsim {
namespace {

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// P(Binomial(n, 1/2) <= k), exactly enough for n <= 1000 in doubles.
double binom_cdf_half(int n, int k) {
  double term = std::pow(0.5, n), sum = 0;  // C(n, 0) / 2^n
  for (int i = 0; i <= k; ++i) {
    sum += term;
    term = term * double(n - i) / double(i + 1);
  }
  return sum;
}

}  // namespace

namespace {

// The pair ratios a/b, checked.
std::vector<double> ratios(const std::vector<double>& a, const std::vector<double>& b, const char* who) {
  if (a.size() != b.size()) throw std::invalid_argument(std::string(who) + ": the two sides need one sample per pair");
  std::vector<double> q;
  q.reserve(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] > 0) || !(b[k] > 0) || !std::isfinite(a[k]) || !std::isfinite(b[k]))
      throw std::invalid_argument(std::string(who) + ": samples must be positive and finite");
    q.push_back(a[k] / b[k]);
  }
  return q;
}

// The sign-test interval and the outcome over `q` (one value per
// independent unit: a pair, or a process's median), into v. `units` names
// them in the text ("31 pairs", "12 processes, 36 pairs").
void decide_units(std::vector<double> q, const std::string& units, PairedVerdict& v) {
  std::sort(q.begin(), q.end());
  v.ratio = median_of(q);
  const int n = int(q.size());
  // The largest j (1-based) with P(X <= j-1) <= alpha/2.
  const double half_alpha = (1 - kConfidence) / 2;
  int j = 0;
  while (j + 1 <= n / 2 && binom_cdf_half(n, j) <= half_alpha) ++j;
  char buf[200];
  if (j == 0) {
    v.outcome = Outcome::Unresolved;
    std::snprintf(buf, sizeof buf, "%.2fx (%s: too few for a 99%% interval)", v.ratio, units.c_str());
    v.text = buf;
    return;
  }
  v.lo = q[std::size_t(j - 1)];
  v.hi = q[std::size_t(n - j)];
  v.coverage = 1 - 2 * binom_cdf_half(n, j - 1);
  if (v.lo > 1 + kHoldsMargin)
    v.outcome = Outcome::Holds;
  else if (v.hi < 1 + kNotMargin)
    v.outcome = Outcome::DoesNotHold;
  else
    v.outcome = Outcome::Unresolved;
  std::snprintf(buf, sizeof buf, "%.2fx (99%% CI %.2f-%.2f, %s)", v.ratio, v.lo, v.hi, units.c_str());
  v.text = buf;
  if (v.outcome == Outcome::Unresolved) {
    // Why, from the interval and the units themselves: an effect at a margin
    // (narrow interval across it) is not the same lesson as units that
    // disagree (a wide one, or many units on each side of the margin).
    const int below = int(std::count_if(q.begin(), q.end(), [](double r) { return r <= 1 + kHoldsMargin; }));
    const char* where = v.lo > 1 + kNotMargin && v.hi < 1 + kHoldsMargin ? "between the 2% and 5% margins"
                        : v.lo <= 1 + kNotMargin && v.hi >= 1 + kHoldsMargin ? "across both margins"
                        : v.lo <= 1 + kNotMargin                             ? "across the 2% margin"
                                                                              : "across the 5% margin";
    // The unit is the process when decide_faster_by_process called (it sets
    // `processes` first), else the pair.
    std::snprintf(buf, sizeof buf, "interval %s; %d of %d %s at or below 1.05x", where, below, n,
                  v.processes > 0 ? "processes" : "pairs");
    v.why = buf;
    v.text.insert(v.text.size() - 1, "; " + v.why);
  }
}

}  // namespace

PairedVerdict decide_faster(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> q = ratios(a, b, "decide_faster");
  PairedVerdict v;
  v.pairs = int(a.size());
  if (a.empty()) {
    v.text = "no samples";
    return v;
  }
  v.median_a = median_of(a);
  v.median_b = median_of(b);
  decide_units(std::move(q), std::to_string(v.pairs) + " pairs", v);
  return v;
}

PairedVerdict decide_faster_by_process(const std::vector<ProcessPairs>& processes) {
  PairedVerdict v;
  v.processes = int(processes.size());
  if (processes.empty()) {
    v.text = "no samples";
    return v;
  }
  std::vector<double> medians, all_a, all_b;
  for (const ProcessPairs& p : processes) {
    if (p.a.empty()) throw std::invalid_argument("decide_faster_by_process: a process without pairs");
    medians.push_back(median_of(ratios(p.a, p.b, "decide_faster_by_process")));
    all_a.insert(all_a.end(), p.a.begin(), p.a.end());
    all_b.insert(all_b.end(), p.b.begin(), p.b.end());
  }
  v.pairs = int(all_a.size());
  v.median_a = median_of(all_a);
  v.median_b = median_of(all_b);
  decide_units(std::move(medians),
               std::to_string(v.processes) + (v.processes == 1 ? " process, " : " processes, ") +
                   std::to_string(v.pairs) + " pairs",
               v);
  return v;
}

Outcome both(Outcome reads, Outcome updates) {
  if (reads == Outcome::Holds && updates == Outcome::Holds) return Outcome::Holds;
  if (reads == Outcome::DoesNotHold || updates == Outcome::DoesNotHold) return Outcome::DoesNotHold;
  return Outcome::Unresolved;
}

std::string outcome_text(Outcome o) {
  switch (o) {
    case Outcome::Holds: return "holds";
    case Outcome::DoesNotHold: return "does not hold";
    default: return "no difference this machine can resolve";
  }
}

std::string verdict_rule_text() {
  return std::string("timings: the two sides timed in interleaved pairs (A B, then B A); verdict from a distribution-free 99% "
         "confidence interval on the median ratio (sign-test order statistics), over the pairs for slotsim's models ") +
         "and over the per-process median ratios of " + std::to_string(kCPythonProcesses) +
         " independent interpreter processes for CPython: holds if it "
         "lies above 1.05, does not hold if it lies below 1.02, otherwise no difference this machine can resolve; "
         "reads and updates must both hold";
}

}  // namespace slotsim
