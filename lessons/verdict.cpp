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

PairedVerdict decide_faster(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("decide_faster: the two sides need one sample per pair");
  PairedVerdict v;
  v.pairs = int(a.size());
  if (a.empty()) {
    v.text = "no samples";
    return v;
  }
  std::vector<double> q;
  q.reserve(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] > 0) || !(b[k] > 0) || !std::isfinite(a[k]) || !std::isfinite(b[k]))
      throw std::invalid_argument("decide_faster: samples must be positive and finite");
    q.push_back(a[k] / b[k]);
  }
  std::sort(q.begin(), q.end());
  v.ratio = median_of(q);
  v.median_a = median_of(a);
  v.median_b = median_of(b);
  const int n = v.pairs;
  // The largest j (1-based) with P(X <= j-1) <= alpha/2.
  const double half_alpha = (1 - kConfidence) / 2;
  int j = 0;
  while (j + 1 <= n / 2 && binom_cdf_half(n, j) <= half_alpha) ++j;
  char buf[160];
  if (j == 0) {
    v.outcome = Outcome::Unresolved;
    std::snprintf(buf, sizeof buf, "%.2fx (%d pairs: too few for a 99%% interval)", v.ratio, n);
    v.text = buf;
    return v;
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
  std::snprintf(buf, sizeof buf, "%.2fx (99%% CI %.2f-%.2f, %d pairs)", v.ratio, v.lo, v.hi, n);
  v.text = buf;
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
  return "timings: the two sides timed in interleaved pairs (A B, then B A); verdict from a distribution-free 99% "
         "confidence interval on the median ratio of the pairs (sign-test order statistics): holds if it lies above "
         "1.05, does not hold if it lies below 1.02, otherwise no difference this machine can resolve; reads and "
         "updates must both hold";
}

}  // namespace slotsim
