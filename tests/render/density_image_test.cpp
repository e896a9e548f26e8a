#include <doctest/doctest.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "render/density_image.hpp"
#include "render/palette.hpp"

using namespace slotsim::render;

namespace {
// With the identity, clip space = world space: x, y in [-1, 1] cover the image.
const Mat4 kIdentity = Mat4::identity();

ParticleView view_of(const std::vector<float>& xyz, const std::vector<float>* s = nullptr) {
  return ParticleView{xyz.data(), s ? s->data() : nullptr, xyz.size() / 3, 1.0f, 1};
}
}  // namespace

TEST_CASE("a particle between four pixel centres splits its weight equally over them") {
  // 8x8 image: x = 0 maps to pixel coordinate 3.5, between pixels 3 and 4.
  const std::vector<float> xyz = {0, 0, 0};
  DensityImage img;
  img.accumulate(view_of(xyz), kIdentity, 8, 8);
  CHECK(img.density(3, 3) == doctest::Approx(0.25));
  CHECK(img.density(4, 3) == doctest::Approx(0.25));
  CHECK(img.density(3, 4) == doctest::Approx(0.25));
  CHECK(img.density(4, 4) == doctest::Approx(0.25));
  CHECK(img.density(2, 3) == 0.0f);
  CHECK(img.total_weight() == doctest::Approx(1));
}

TEST_CASE("a particle on a pixel centre lands on that pixel, row 0 at the bottom") {
  // Pixel (1, 0) of an 8x8 image has its centre at x = (1.5/8)*2-1, y = (0.5/8)*2-1.
  const std::vector<float> xyz = {1.5f / 4 - 1, 0.5f / 4 - 1, 0};
  DensityImage img;
  img.accumulate(view_of(xyz), kIdentity, 8, 8);
  CHECK(img.density(1, 0) == doctest::Approx(1));
  CHECK(img.total_weight() == doctest::Approx(1));
}

TEST_CASE("particles off screen or behind the camera add nothing") {
  // w = z: particles with z <= 0 are behind the eye.
  Mat4 m = kIdentity;
  m.at(3, 3) = 0;
  m.at(3, 2) = 1;
  const std::vector<float> xyz = {0, 0, 1,     // in view
                                  0, 0, -1,    // behind
                                  5, 0, 1,     // right of the screen
                                  0, -3, 1};   // below
  DensityImage img;
  img.accumulate(view_of(xyz), m, 16, 16);
  CHECK(img.total_weight() == doctest::Approx(1));
}

TEST_CASE("the density image is bit-identical whatever the thread count") {
  std::mt19937 g(7);
  std::normal_distribution<float> nd(0.0f, 0.4f);
  std::vector<float> xyz(3 * 20000), speed(20000);
  for (float& v : xyz) v = nd(g);
  for (float& v : speed) v = std::abs(nd(g));
  const int saved = omp_get_max_threads();
  auto image_with = [&](int threads) {
    omp_set_num_threads(threads);
    DensityImage img;
    img.accumulate(view_of(xyz, &speed), kIdentity, 97, 61);
    std::vector<std::uint8_t> rgba(97 * 61 * 4);
    img.tone_map(rgba.data());
    std::vector<float> d;
    for (int y = 0; y < 61; ++y)
      for (int x = 0; x < 97; ++x) d.push_back(img.density(x, y));
    return std::make_pair(d, rgba);
  };
  const auto one = image_with(1), three = image_with(3), four = image_with(4);
  omp_set_num_threads(saved);
  CHECK(std::memcmp(one.first.data(), three.first.data(), one.first.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(one.first.data(), four.first.data(), one.first.size() * sizeof(float)) == 0);
  CHECK(one.second == three.second);
}

TEST_CASE("tone map: empty pixels are the background, denser pixels are brighter") {
  std::vector<float> xyz;
  // Pixel centres of a 4x4 image are at (k + 0.5) / 2 - 1; put 1 particle on
  // pixel (0,0) and 10 on pixel (2,2).
  xyz.insert(xyz.end(), {0.25f - 1, 0.25f - 1, 0});
  for (int i = 0; i < 10; ++i) xyz.insert(xyz.end(), {1.25f - 1, 1.25f - 1, 0});
  DensityImage img;
  img.accumulate(view_of(xyz), kIdentity, 4, 4);
  std::vector<std::uint8_t> rgba(4 * 4 * 4);
  img.tone_map(rgba.data());
  auto px = [&](int x, int y) { return &rgba[4 * (y * 4 + x)]; };
  auto sum = [](const std::uint8_t* p) { return int(p[0]) + p[1] + p[2]; };
  const std::uint8_t* empty = px(3, 0);
  CHECK(int(empty[0]) == int(kBackground[0] * 255 + 0.5f));
  CHECK(int(empty[2]) == int(kBackground[2] * 255 + 0.5f));
  CHECK(empty[3] == 255);
  CHECK(sum(px(2, 2)) > sum(px(0, 0)));
  CHECK(sum(px(0, 0)) > sum(empty));
}
