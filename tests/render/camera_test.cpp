#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "render/camera.hpp"

using namespace slotsim::render;

namespace {
// Clip-space position of p under m, divided by w.
Vec3 project(const Mat4& m, Vec3 p) {
  const float x = m.at(0, 0) * p.x + m.at(0, 1) * p.y + m.at(0, 2) * p.z + m.at(0, 3);
  const float y = m.at(1, 0) * p.x + m.at(1, 1) * p.y + m.at(1, 2) * p.z + m.at(1, 3);
  const float z = m.at(2, 0) * p.x + m.at(2, 1) * p.y + m.at(2, 2) * p.z + m.at(2, 3);
  const float w = m.at(3, 0) * p.x + m.at(3, 1) * p.y + m.at(3, 2) * p.z + m.at(3, 3);
  return {x / w, y / w, z / w};
}

float length(Vec3 v) { return std::sqrt(dot(v, v)); }
}  // namespace

TEST_CASE("robust_bounds: a far escaper moves neither the centre nor the radius") {
  // 1000 points on a 10x10x10 lattice centred on (5, -2, 1), plus one far away.
  std::vector<float> xyz;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      for (int k = 0; k < 10; ++k) {
        xyz.push_back(5 + (i - 4.5f));
        xyz.push_back(-2 + (j - 4.5f));
        xyz.push_back(1 + (k - 4.5f));
      }
  xyz.insert(xyz.end(), {1e6f, -1e6f, 1e6f});
  const SceneBounds b = robust_bounds(xyz.data(), xyz.size() / 3);
  // Medians of an even count of lattice values: within half a spacing.
  CHECK(std::abs(b.center.x - 5) <= 0.5f);
  CHECK(std::abs(b.center.y + 2) <= 0.5f);
  CHECK(std::abs(b.center.z - 1) <= 0.5f);
  // The lattice corner is sqrt(3) * 5 = 8.7 from the median at most; 95%
  // of the points lie closer, and the escaper is not among them.
  CHECK(b.radius < 8.7f);
  CHECK(b.radius > 4.5f);
}

TEST_CASE("fit puts the scene centre in the middle of the screen and the sphere inside it") {
  Camera cam;
  cam.fit({{3, 4, 5}, 2});
  const Mat4 vp = cam.view_projection(1280, 800);
  const Vec3 c = project(vp, {3, 4, 5});
  CHECK(c.x == doctest::Approx(0).epsilon(1e-5));
  CHECK(c.y == doctest::Approx(0).epsilon(1e-5));
  CHECK(std::abs(c.z) < 1.0f);
  // Points on the bounding sphere along the world axes are on screen.
  for (Vec3 d : {Vec3{2, 0, 0}, Vec3{0, 2, 0}, Vec3{0, 0, 2}, Vec3{-2, 0, 0}, Vec3{0, -2, 0}}) {
    const Vec3 p = project(vp, Vec3{3, 4, 5} + d);
    CHECK(std::abs(p.x) < 1.0f);
    CHECK(std::abs(p.y) < 1.0f);
  }
}

TEST_CASE("orbit keeps the distance, zoom scales it, reset returns to the fitted view") {
  Camera cam;
  cam.fit({{0, 0, 0}, 1});
  const Vec3 eye0 = cam.eye();
  const float d0 = cam.distance();
  const unsigned rev0 = cam.revision();

  cam.orbit(120, -40);
  CHECK(length(cam.eye() - cam.target()) == doctest::Approx(d0));
  CHECK(length(cam.eye() - eye0) > 0.1f * d0);
  CHECK(cam.revision() != rev0);

  cam.zoom(2);
  CHECK(cam.distance() == doctest::Approx(d0 * 0.85f * 0.85f));

  cam.pan(50, 0, 800);
  CHECK(length(cam.target()) > 0);

  cam.reset();
  CHECK(cam.distance() == doctest::Approx(d0));
  CHECK(length(cam.eye() - eye0) == doctest::Approx(0).epsilon(1e-5));
  CHECK(length(cam.target()) == doctest::Approx(0));
}

TEST_CASE("orbit stops short of the poles, where the view would flip") {
  Camera cam;
  cam.fit({{0, 0, 0}, 1});
  cam.orbit(0, 1e6f);
  const Vec3 dir = normalize(cam.eye() - cam.target());
  CHECK(dir.y < 1.0f);
  CHECK(dir.y > 0.99f);
  const Mat4 v = cam.view();
  for (float x : v.m) CHECK(std::isfinite(x));
}
