#pragma once
// Hands frames from one producer thread to one consumer thread without
// either waiting for the other's work. Three slots: the producer fills
// `back`, then swaps it with `middle` under the mutex; the consumer swaps
// `middle` into `front` under the mutex when a new one is there and reads
// `front` unlocked. A two-slot double buffer was rejected: the consumer
// would have to hold the lock while it uploads or splats the front slot
// (tens of ms for 1M particles), and the producer would stall on it. Here
// the lock covers only an index swap.
#include <array>
#include <mutex>
#include <utility>

namespace slotsim::host {

template <class T>
class FrameExchange {
 public:
  template <class... Args>
  explicit FrameExchange(const Args&... args) : slots_{T(args...), T(args...), T(args...)} {}

  // Producer side.
  T& back() { return slots_[back_]; }
  void publish() {
    std::lock_guard lock(m_);
    std::swap(back_, middle_);
    fresh_ = true;
  }

  // Consumer side: true if front() changed.
  bool acquire() {
    std::lock_guard lock(m_);
    if (!fresh_) return false;
    std::swap(front_, middle_);
    fresh_ = false;
    return true;
  }
  const T& front() const { return slots_[front_]; }

 private:
  std::array<T, 3> slots_;
  int back_ = 0, middle_ = 1, front_ = 2;
  bool fresh_ = false;
  std::mutex m_;
};

}  // namespace slotsim::host
