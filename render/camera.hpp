#pragma once
// Orbit camera: looks at a target from a distance, turned by yaw and pitch.
// Input-agnostic (pixels in, matrices out) so it is testable without a window;
// camera_controller.hpp maps mouse and keys onto it.
#include <cstddef>

#include "render/mat4.hpp"

namespace slotsim::render {

// Where the particles are: a centre and a radius that holds most of them.
struct SceneBounds {
  Vec3 center;
  float radius = 1;
};

// Per-axis median and the radius around it holding 95% of the particles.
// A bounding box or centroid was rejected: a Plummer sphere's few escapers
// lie hundreds of scale radii out and would drag the view off the cluster
// and shrink it to a dot. Uses an evenly strided sample of at most 65536
// particles, so it costs milliseconds at 10M and is deterministic.
SceneBounds robust_bounds(const float* xyz, std::size_t n);

class Camera {
 public:
  Camera();

  // Frames `b` and makes that view the one reset() returns to.
  void fit(const SceneBounds& b);
  void reset();

  // Mouse deltas in pixels; viewport_h converts pixels to world units at the
  // target so a pan follows the cursor.
  void orbit(float dx_px, float dy_px);
  void pan(float dx_px, float dy_px, int viewport_h);
  // Positive steps move closer; each step scales the distance by 0.85.
  void zoom(float steps);

  Mat4 view() const;
  Mat4 projection(float aspect) const;
  Mat4 view_projection(int width, int height) const;

  Vec3 eye() const;
  Vec3 target() const { return target_; }
  float distance() const { return distance_; }
  float yaw() const { return yaw_; }
  float pitch() const { return pitch_; }
  float fovy() const { return fovy_; }
  // Changes whenever the view moves, so renderers can skip redrawing a
  // static picture.
  unsigned revision() const { return revision_; }

 private:
  struct Pose {
    Vec3 target;
    float distance, yaw, pitch;
  };
  Vec3 target_;
  float distance_, yaw_, pitch_;
  float fovy_;
  Pose home_;
  unsigned revision_ = 0;
};

}  // namespace slotsim::render
