#include "ui/frame_log.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace slotsim::ui {

FrameLog::FrameLog(const std::string& path) : path_(path) {
  if (path.empty()) return;
  out_.open(path, std::ios::out | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot create frame log " + path);
  out_ << "frame,frame_ms,sim_step_ms,layout,bytes_per_particle,busy,particles,layout_bytes,"
          "heap_bytes,steps\n";
}

void FrameLog::add(const FrameRecord& r) {
  frame_ms_.push_back(r.frame_ms);
  if (r.busy) {
    ++busy_frames_;
    busy_max_ms_ = std::max(busy_max_ms_, r.frame_ms);
  }
  if (!out_.is_open()) return;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%ld,%.3f,%.3f,%s,%.4f,%d,%zu,%lld,%lld,%llu\n", r.frame, r.frame_ms,
                r.sim_step_ms, std::string(layout_name(r.layout)).c_str(), r.bytes_per_particle,
                r.busy ? 1 : 0, r.particles, r.layout_bytes, r.heap_bytes,
                static_cast<unsigned long long>(r.steps));
  out_ << buf;
}

FrameSummary FrameLog::summary() const {
  FrameSummary s;
  s.frames = static_cast<long>(frame_ms_.size());
  s.busy_frames = busy_frames_;
  s.busy_max_ms = busy_max_ms_;
  if (frame_ms_.empty()) return s;
  std::vector<double> v = frame_ms_;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  s.median_ms = *mid;
  s.max_ms = *std::max_element(v.begin(), v.end());
  return s;
}

void FrameLog::close() {
  if (!out_.is_open()) return;
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok) throw std::runtime_error("writing frame log " + path_ + " failed");
}

}  // namespace slotsim::ui
