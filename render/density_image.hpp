#pragma once
// The CPU half of the splat renderer: projects particles into a float
// density image and tone-maps it to RGBA8. On a software GL (llvmpipe)
// rasterising a million GL_POINTS costs ~0.3 s a frame; the same projection
// as a scatter into a float image, threaded with OpenMP, costs a few tens of
// milliseconds, and the GPU then draws one textured triangle.
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <vector>

#include "render/mat4.hpp"
#include "render/particle_view.hpp"

namespace slotsim::render {

class DensityImage {
 public:
  // Buffers come from `mr` so the overlay can count them (Category::Render).
  explicit DensityImage(std::pmr::memory_resource* mr = std::pmr::get_default_resource());

  // Clears and fills a width x height image (row 0 at the bottom, as GL
  // textures are laid out): each particle in front of the camera adds weight
  // 1, split bilinearly over the four nearest pixel centres, and its colour
  // value times that weight to a second channel.
  //
  // Two passes: project every particle (parallel over particles), then
  // scatter (parallel over bands of rows, each thread reading every
  // projected particle and applying the ones that touch its rows). Each
  // pixel therefore sums its particles in id order whatever the thread
  // count: bit-identical output, no atomics. Rejected: per-thread full
  // images summed afterwards, which is deterministic only per thread count
  // and costs clearing and reducing T extra images per frame, more than
  // the scatter itself at 1280x800.
  void accumulate(const ParticleView& v, const Mat4& view_proj, int width, int height);

  // Log tone map: brightness log(1+d)/log(1+max d), hue from the mean colour
  // value of the pixel through speed_ramp(), over kBackground. Writes
  // width*height*4 bytes to rgba.
  void tone_map(std::uint8_t* rgba);

  int width() const { return w_; }
  int height() const { return h_; }
  float density(int x, int y) const { return acc_[2 * (static_cast<std::size_t>(y) * w_ + x)]; }
  // Sum of all pixel weights, in double; equals the number of particles
  // whose footprint lies fully inside the image (used by the tests).
  double total_weight() const;

 private:
  // Where a particle landed: index of its lower-left pixel (kOff if off
  // screen), bilinear fractions and colour value.
  struct Projected {
    std::uint32_t k;
    float fx, fy, s;
  };
  static constexpr std::uint32_t kOff = 0xffffffffu;
  int w_ = 0, h_ = 0;
  std::pmr::vector<Projected> proj_;
  // Per pixel: density, then sum of weight * colour value (interleaved so a
  // splat touches one cache line per pixel, not two).
  std::pmr::vector<float> acc_;
  std::pmr::vector<float> lut_;  // brightness by float bucket (see tone_map)
};

}  // namespace slotsim::render
