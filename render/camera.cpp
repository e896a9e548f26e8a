#include "render/camera.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace slotsim::render {

namespace {
constexpr float kPi = 3.14159265358979f;
constexpr float kOrbitRadPerPixel = 0.006f;
constexpr float kMaxPitch = 1.55f;  // just short of the pole, where look_at degenerates
constexpr std::size_t kBoundsSample = 65536;
}  // namespace

SceneBounds robust_bounds(const float* xyz, std::size_t n) {
  SceneBounds b;
  if (n == 0) return b;
  const std::size_t stride = n > kBoundsSample ? n / kBoundsSample : 1;
  std::vector<float> axis;
  axis.reserve(n / stride + 1);
  float c[3];
  for (int a = 0; a < 3; ++a) {
    axis.clear();
    for (std::size_t i = 0; i < n; i += stride) axis.push_back(xyz[3 * i + a]);
    const auto mid = axis.begin() + static_cast<std::ptrdiff_t>(axis.size() / 2);
    std::nth_element(axis.begin(), mid, axis.end());
    c[a] = *mid;
  }
  b.center = {c[0], c[1], c[2]};
  std::vector<float>& r2 = axis;
  r2.clear();
  for (std::size_t i = 0; i < n; i += stride) {
    const Vec3 d = Vec3{xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]} - b.center;
    r2.push_back(dot(d, d));
  }
  const std::size_t q = (r2.size() * 95) / 100;
  std::nth_element(r2.begin(), r2.begin() + static_cast<std::ptrdiff_t>(q), r2.end());
  b.radius = std::sqrt(r2[q]);
  if (!(b.radius > 0) || !std::isfinite(b.radius)) b.radius = 1;
  return b;
}

Camera::Camera()
    : target_{}, distance_(5), yaw_(0.6f), pitch_(0.35f), fovy_(45.0f * kPi / 180.0f),
      home_{target_, distance_, yaw_, pitch_} {}

void Camera::fit(const SceneBounds& b) {
  // Distance at which a sphere of the radius fills the vertical field of
  // view, with a margin so the edge particles are not clipped.
  home_ = {b.center, 1.15f * b.radius / std::sin(fovy_ / 2), 0.6f, 0.35f};
  reset();
}

void Camera::reset() {
  target_ = home_.target;
  distance_ = home_.distance;
  yaw_ = home_.yaw;
  pitch_ = home_.pitch;
  ++revision_;
}

void Camera::orbit(float dx_px, float dy_px) {
  yaw_ -= dx_px * kOrbitRadPerPixel;
  pitch_ = std::clamp(pitch_ + dy_px * kOrbitRadPerPixel, -kMaxPitch, kMaxPitch);
  ++revision_;
}

void Camera::pan(float dx_px, float dy_px, int viewport_h) {
  const float units_per_px =
      2 * distance_ * std::tan(fovy_ / 2) / static_cast<float>(std::max(viewport_h, 1));
  const Vec3 f = normalize(target_ - eye());
  const Vec3 right = normalize(cross(f, Vec3{0, 1, 0}));
  const Vec3 up = cross(right, f);
  target_ = target_ - right * (dx_px * units_per_px) + up * (dy_px * units_per_px);
  ++revision_;
}

void Camera::zoom(float steps) {
  distance_ *= std::pow(0.85f, steps);
  distance_ = std::clamp(distance_, 1e-6f, 1e9f);
  ++revision_;
}

Vec3 Camera::eye() const {
  const Vec3 dir{std::cos(pitch_) * std::sin(yaw_), std::sin(pitch_),
                 std::cos(pitch_) * std::cos(yaw_)};
  return target_ + dir * distance_;
}

Mat4 Camera::view() const { return look_at(eye(), target_, Vec3{0, 1, 0}); }

Mat4 Camera::projection(float aspect) const {
  // Near and far scale with the distance so depth precision follows zoom.
  return perspective(fovy_, aspect, distance_ * 1e-3f, distance_ * 1e3f);
}

Mat4 Camera::view_projection(int width, int height) const {
  const float aspect = static_cast<float>(std::max(width, 1)) / static_cast<float>(std::max(height, 1));
  return projection(aspect) * view();
}

}  // namespace slotsim::render
