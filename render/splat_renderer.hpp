#pragma once
// Density-splat drawing: DensityImage on the CPU, uploaded as a texture and
// drawn as one full-screen triangle. Re-projects only when the particles,
// the camera or the window size changed, so a paused or busy simulation
// costs one textured triangle per frame.
#include <cstdint>
#include <memory_resource>
#include <vector>

#include "render/density_image.hpp"
#include "render/gl.hpp"
#include "render/particle_view.hpp"
#include "render/shader.hpp"

namespace slotsim::render {

class SplatRenderer final : public ParticleRenderer {
 public:
  explicit SplatRenderer(std::pmr::memory_resource* mr = std::pmr::get_default_resource());
  ~SplatRenderer() override;
  SplatRenderer(const SplatRenderer&) = delete;
  SplatRenderer& operator=(const SplatRenderer&) = delete;

  const char* name() const override { return "splat"; }
  void draw(const ParticleView& v, const Camera& cam, int width, int height) override;

 private:
  ShaderProgram program_;
  GLuint vao_ = 0, texture_ = 0;
  int tex_w_ = 0, tex_h_ = 0;
  DensityImage image_;
  std::pmr::vector<std::uint8_t> rgba_;
  // What the texture currently shows.
  std::uint64_t drawn_revision_ = ~0ull;
  unsigned drawn_camera_ = ~0u;
  const float* drawn_xyz_ = nullptr;
};

}  // namespace slotsim::render
