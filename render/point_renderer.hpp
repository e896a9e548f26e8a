#pragma once
// One GL_POINT per particle from a vertex buffer, additive blending, coloured
// by the per-particle scalar (speed). The right choice on a real GPU; on a
// software rasteriser use SplatRenderer.
#include <cstddef>
#include <cstdint>

#include "render/gl.hpp"
#include "render/particle_view.hpp"
#include "render/shader.hpp"

namespace slotsim::render {

class PointRenderer final : public ParticleRenderer {
 public:
  PointRenderer();
  ~PointRenderer() override;
  PointRenderer(const PointRenderer&) = delete;
  PointRenderer& operator=(const PointRenderer&) = delete;

  const char* name() const override { return "points"; }
  void draw(const ParticleView& v, const Camera& cam, int width, int height) override;

 private:
  ShaderProgram program_;
  GLuint vao_ = 0, pos_vbo_ = 0, scalar_vbo_ = 0;
  std::size_t uploaded_n_ = 0;
  std::uint64_t uploaded_revision_ = ~0ull;
  const float* uploaded_xyz_ = nullptr;
  bool has_scalar_ = false;
};

}  // namespace slotsim::render
