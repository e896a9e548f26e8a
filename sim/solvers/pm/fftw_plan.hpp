#pragma once
// Owning handle for an FFTW plan. FFTW's planner is not thread-safe (only
// fftw_execute* is), and two solvers may be built or destroyed on different
// threads (GUI and tests), so creation and destruction go through one mutex.
// Plans are made with FFTW_ESTIMATE: no timing runs, so making one is quick
// and the chosen algorithm, hence the result bits, is the same every run.
// (FFTW_MEASURE was rejected for exactly that: its choice depends on timings.)
#include <fftw3.h>

#include <functional>

namespace slotsim::detail {

class FftwPlan {
 public:
  FftwPlan() = default;
  // Runs make() under the planner lock; throws std::runtime_error if FFTW
  // returns no plan.
  explicit FftwPlan(const std::function<fftw_plan()>& make);
  ~FftwPlan();
  FftwPlan(FftwPlan&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  FftwPlan& operator=(FftwPlan&& o) noexcept;
  FftwPlan(const FftwPlan&) = delete;
  FftwPlan& operator=(const FftwPlan&) = delete;

  void execute() const { fftw_execute(p_); }
  // A c2c plan on other arrays of the shape and alignment it was made with
  // (fftw_execute_dft; thread-safe, like fftw_execute).
  void execute_dft(fftw_complex* in, fftw_complex* out) const { fftw_execute_dft(p_, in, out); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  fftw_plan p_ = nullptr;
};

}  // namespace slotsim::detail
