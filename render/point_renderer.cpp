#include "render/point_renderer.hpp"

#include <algorithm>
#include <cmath>

namespace slotsim::render {

PointRenderer::PointRenderer() : program_("points") {
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &pos_vbo_);
  glGenBuffers(1, &scalar_vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, pos_vbo_);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 3 * sizeof(float), nullptr);
  glEnableVertexAttribArray(0);
  glBindBuffer(GL_ARRAY_BUFFER, scalar_vbo_);
  glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, sizeof(float), nullptr);
  glBindVertexArray(0);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
}

PointRenderer::~PointRenderer() {
  glDeleteBuffers(1, &scalar_vbo_);
  glDeleteBuffers(1, &pos_vbo_);
  glDeleteVertexArrays(1, &vao_);
}

void PointRenderer::draw(const ParticleView& v, const Camera& cam, int width, int height) {
  if (v.n == 0 || width <= 0 || height <= 0) return;
  glBindVertexArray(vao_);
  if (v.revision != uploaded_revision_ || v.xyz != uploaded_xyz_ || v.n != uploaded_n_) {
    // glBufferData with fresh storage each time (orphaning) so the driver
    // never stalls on a buffer the previous frame may still be reading.
    glBindBuffer(GL_ARRAY_BUFFER, pos_vbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(v.n * 3 * sizeof(float)), v.xyz,
                 GL_STREAM_DRAW);
    has_scalar_ = v.scalar != nullptr;
    if (has_scalar_) {
      glBindBuffer(GL_ARRAY_BUFFER, scalar_vbo_);
      glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(v.n * sizeof(float)), v.scalar,
                   GL_STREAM_DRAW);
      glEnableVertexAttribArray(1);
    } else {
      glDisableVertexAttribArray(1);
      glVertexAttrib1f(1, 0.5f * v.scalar_ref);
    }
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    uploaded_revision_ = v.revision;
    uploaded_xyz_ = v.xyz;
    uploaded_n_ = v.n;
  }
  glEnable(GL_BLEND);
  glBlendFunc(GL_ONE, GL_ONE);
  glDisable(GL_DEPTH_TEST);
  glEnable(GL_PROGRAM_POINT_SIZE);
  program_.use();
  program_.set("u_view_proj", cam.view_projection(width, height));
  program_.set("u_inv_scalar_ref", v.scalar_ref > 0 ? 1.0f / v.scalar_ref : 0.0f);
  // Additive points saturate a dense core to flat white; dimming each point
  // as N grows keeps the core's structure visible at any N.
  const float intensity =
      std::clamp(std::sqrt(5.0e3f / static_cast<float>(v.n)), 0.03f, 1.0f);
  program_.set("u_intensity", intensity);
  program_.set("u_point_size", v.n > 200000 ? 1.0f : 2.0f);
  glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(v.n));
  glBindVertexArray(0);
  glDisable(GL_BLEND);
}

}  // namespace slotsim::render
