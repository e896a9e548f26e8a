#include "sim/solvers/pm/fftw_plan.hpp"

#include <mutex>
#include <stdexcept>

namespace slotsim::detail {
namespace {

std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

FftwPlan::FftwPlan(const std::function<fftw_plan()>& make) {
  std::lock_guard<std::mutex> lock(planner_mutex());
  p_ = make();
  if (!p_) throw std::runtime_error("FFTW could not create a plan");
}

FftwPlan::~FftwPlan() {
  if (!p_) return;
  std::lock_guard<std::mutex> lock(planner_mutex());
  fftw_destroy_plan(p_);
}

FftwPlan& FftwPlan::operator=(FftwPlan&& o) noexcept {
  if (this != &o) {
    if (p_) {
      std::lock_guard<std::mutex> lock(planner_mutex());
      fftw_destroy_plan(p_);
    }
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}

}  // namespace slotsim::detail
