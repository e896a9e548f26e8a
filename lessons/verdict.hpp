#pragma once
// The rule every timing claim is decided by ("slots are faster"), for
// slotsim's own models (lessons.cpp) and for CPython's timeit samples
// (measure_objects.py) alike.
//
// Measurement: the two sides are timed in pairs, back to back, A B then
// B A in the next pair (each sample a block of many accesses). A pair's
// ratio q = a / b (> 1: B, the slotted side, is faster) cancels what drifts
// between pairs (a neighbour's build starting, a frequency change).
//
// Rule: a distribution-free 99% confidence interval on the median of the
// pair ratios, from order statistics (the sign-test interval: with n pairs,
// [q(j), q(n+1-j)] of the sorted ratios, j the largest with
// P(Binomial(n, 1/2) < j) <= 0.5%; it assumes only that pairs are
// independent, not that times are normal, so one descheduled block cannot
// move it much). Then:
//   holds          the interval lies above 1 + kHoldsMargin (5%): B is
//                  faster by more than 5%, with 99% confidence;
//   does not hold  the interval lies below 1 + kNotMargin (2%): with 99%
//                  confidence B is at most 2% faster (or slower);
//   no difference this machine can resolve   otherwise.
// The gap between 2% and 5% is what keeps a verdict from flipping: to go
// from "holds" in one run to "does not hold" in another, the interval has
// to move from above 1.05 to below 1.02, which noise that widens the
// interval cannot do; a loaded machine widens it into the third outcome.
// 99% rather than 95%: with 21 pairs at 95%, a simulated 10% win under
// heavy noise (+-25% per block, one block in ten stretched 3x) came out
// "does not hold" about once in 4000 runs; at 99% with 31 pairs, never in
// the same 4000 (tests/lessons/verdict_test.cpp keeps 2000 of them).
// A t-interval on the mean was rejected (one block stretched by the
// scheduler drags the mean and narrows nothing), as was the old rule
// "median beats the other side's best repeat", which flipped between runs.
#include <string>
#include <vector>

namespace slotsim {

enum class Outcome { Holds, DoesNotHold, Unresolved };

inline constexpr double kHoldsMargin = 0.05, kNotMargin = 0.02, kConfidence = 0.99;
inline constexpr int kDefaultPairs = 31;

struct PairedVerdict {
  Outcome outcome = Outcome::Unresolved;
  int pairs = 0;
  double ratio = 0;              // median of the pair ratios a/b
  double lo = 0, hi = 0;         // its confidence interval (0, 0 when too few pairs)
  double coverage = 0;           // the interval's exact coverage (>= 99%)
  double median_a = 0, median_b = 0;  // per side, for display
  std::string text;              // "1.32x (99% CI 1.28-1.35, 31 pairs)"
};

// b is the side claimed faster. Both vectors hold one sample per pair, the
// same length (std::invalid_argument otherwise; fewer than 8 pairs cannot
// reach 99% and give Unresolved).
PairedVerdict decide_faster(const std::vector<double>& a, const std::vector<double>& b);

// Two comparisons that must both hold (reads and updates): holds if both
// hold, does not hold if either does not, else unresolved. So the combined
// verdict can only flip where one of its parts flips.
Outcome both(Outcome reads, Outcome updates);

// "holds", "does not hold", "no difference this machine can resolve".
std::string outcome_text(Outcome o);
// One line stating the rule, for reports.
std::string verdict_rule_text();

}  // namespace slotsim
