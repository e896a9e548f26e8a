#pragma once
// One GL_POINT per particle from a vertex buffer, added into a float
// buffer (count and speed per pixel) and tone-mapped like the splat: log
// brightness against the densest region, hue from the mean speed. The right
// choice on a real GPU; on a software rasteriser use SplatRenderer.
#include <cstddef>
#include <cstdint>
#include <vector>

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
  void resize_accumulator(int width, int height);
  // log(1 + the densest block's mean count) of the buffer just drawn.
  float reference_log();

  ShaderProgram program_, tone_;
  GLuint vao_ = 0, pos_vbo_ = 0, scalar_vbo_ = 0;
  GLuint tone_vao_ = 0, fbo_ = 0, accum_ = 0;
  int acc_w_ = 0, acc_h_ = 0;
  std::vector<float> readback_;
  std::size_t uploaded_n_ = 0;
  std::uint64_t uploaded_revision_ = ~0ull;
  const float* uploaded_xyz_ = nullptr;
  bool has_scalar_ = false;
};

}  // namespace slotsim::render
