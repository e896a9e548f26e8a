#include "host/frame_log.hpp"

#include "sim/stats.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace slotsim::host {

FrameLog::FrameLog(const std::string& path) : path_(path) {
  if (path.empty()) return;
  out_.open(path, std::ios::out | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot create frame log " + path);
  out_ << "frame,frame_ms,sim_step_ms,layout,bytes_per_particle,busy,particles,layout_bytes,"
          "heap_bytes,steps,paused,overlay,cam_yaw,cam_pitch,cam_distance,cam_x,cam_y,cam_z,"
          "timing_layout,timing_steps,sim_time,dt,drawn,work_ms,energy_age_s,load\n";
  out_.flush();
}

void FrameLog::add(const FrameRecord& r) {
  frame_ms_.push_back(r.frame_ms);
  if (r.busy) {
    ++busy_frames_;
    busy_max_ms_ = std::max(busy_max_ms_, r.frame_ms);
  }
  if (!out_.is_open()) return;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%ld,%.3f,%.3f,%s,%.4f,%d,%zu,%lld,%lld,%llu,%d,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%s,%llu,%.6g,%.6g,%d,%.3f,%.3f,%.2f\n",
                r.frame, r.frame_ms, r.sim_step_ms, std::string(layout_name(r.layout)).c_str(),
                r.bytes_per_particle, r.busy ? 1 : 0, r.particles, r.layout_bytes, r.heap_bytes,
                static_cast<unsigned long long>(r.steps), r.paused ? 1 : 0, r.overlay ? 1 : 0, r.cam_yaw,
                r.cam_pitch, r.cam_distance, r.cam_target[0], r.cam_target[1], r.cam_target[2],
                std::string(layout_name(r.timing_layout)).c_str(), static_cast<unsigned long long>(r.timing_steps),
                r.sim_time, r.dt, r.drawn ? 1 : 0, r.work_ms, r.energy_age_s, r.load);
  out_ << buf;
  // Row by row: a killed run (or a test reading the log while the window
  // runs) sees every frame so far. One write per frame, at most 60 a second.
  out_.flush();
}

FrameSummary FrameLog::summary() const {
  FrameSummary s;
  s.frames = static_cast<long>(frame_ms_.size());
  s.busy_frames = busy_frames_;
  s.busy_max_ms = busy_max_ms_;
  if (frame_ms_.empty()) return s;
  const TimeStats t = time_stats(frame_ms_);  // the one median rule (sim/stats.hpp)
  s.median_ms = t.median;
  std::vector<double> sorted = frame_ms_;
  std::sort(sorted.begin(), sorted.end());
  s.p95_ms = sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(0.95 * double(sorted.size())))];
  s.max_ms = t.max;
  return s;
}

void FrameLog::close() {
  if (!out_.is_open()) return;
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok) throw std::runtime_error("writing frame log " + path_ + " failed");
}

}  // namespace slotsim::host
