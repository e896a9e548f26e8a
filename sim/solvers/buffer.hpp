#pragma once
// Solver scratch arrays that are charged to the Solver memory category.
// std::pmr::vector was rejected: it value-initialises on resize (a wasted
// pass over 100+ MB at 10M particles, every step) and cannot ask for 64-byte
// alignment, which the FFT and SIMD loops want.
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#include "sim/memory/tracker.hpp"

namespace slotsim::detail {

template <class T>
class SolverBuffer {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr std::size_t kAlign = 64;
  explicit SolverBuffer(mem::CountingResource& r) : res_(&r) {}
  ~SolverBuffer() { release(); }
  SolverBuffer(const SolverBuffer&) = delete;
  SolverBuffer& operator=(const SolverBuffer&) = delete;

  // Makes room for n elements; contents are unspecified afterwards. Keeps
  // the block when it is already large enough, so a steady particle count
  // allocates once.
  void resize(std::size_t n) {
    if (n > cap_) {
      release();
      p_ = static_cast<T*>(res_->allocate(n * sizeof(T), kAlign));
      cap_ = n;
    }
    n_ = n;
  }
  // Exchanges the blocks of two buffers on the same resource (ping-pong
  // passes hand their result back without a copy).
  void swap(SolverBuffer& o) noexcept {
    std::swap(res_, o.res_);
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    std::swap(cap_, o.cap_);
  }
  void zero() {
    if (n_) std::memset(static_cast<void*>(p_), 0, n_ * sizeof(T));
  }
  void release() {
    if (p_) res_->deallocate(p_, cap_ * sizeof(T), kAlign);
    p_ = nullptr;
    cap_ = n_ = 0;
  }

  T* data() { return p_; }
  const T* data() const { return p_; }
  std::size_t size() const { return n_; }
  T& operator[](std::size_t i) { return p_[i]; }
  const T& operator[](std::size_t i) const { return p_[i]; }

 private:
  mem::CountingResource* res_;
  T* p_ = nullptr;
  std::size_t n_ = 0, cap_ = 0;
};

}  // namespace slotsim::detail
