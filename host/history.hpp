#pragma once
// A fixed-length ring of samples laid out the way ImGui::PlotLines reads it
// (values plus the offset of the oldest one).
#include <algorithm>
#include <cstddef>
#include <vector>

namespace slotsim::host {

class History {
 public:
  explicit History(std::size_t capacity) : cap_(capacity) { v_.reserve(capacity); }
  void push(float x) {
    if (v_.size() < cap_) {
      v_.push_back(x);
    } else {
      v_[head_] = x;
      head_ = (head_ + 1) % cap_;
    }
  }
  const float* data() const { return v_.data(); }
  int size() const { return static_cast<int>(v_.size()); }
  int offset() const { return static_cast<int>(head_); }  // index of the oldest sample
  float latest() const { return v_.empty() ? 0 : v_[(head_ + v_.size() - 1) % v_.size()]; }
  float max() const { return v_.empty() ? 0 : *std::max_element(v_.begin(), v_.end()); }
  float min() const { return v_.empty() ? 0 : *std::min_element(v_.begin(), v_.end()); }

 private:
  std::size_t cap_;
  std::vector<float> v_;
  std::size_t head_ = 0;
};

}  // namespace slotsim::host
