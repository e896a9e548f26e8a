#include "render/point_renderer.hpp"

#include <algorithm>
#include <cmath>

#include "render/palette.hpp"

namespace slotsim::render {

PointRenderer::PointRenderer() : program_("points"), tone_("points_tone") {
  glGenVertexArrays(1, &tone_vao_);
  glGenFramebuffers(1, &fbo_);
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
  if (accum_) glDeleteTextures(1, &accum_);
  glDeleteFramebuffers(1, &fbo_);
  glDeleteVertexArrays(1, &tone_vao_);
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
  // Pass 1: counts and speed sums into the float buffer.
  GLint prev_fbo = 0, vp[4];
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo);
  glGetIntegerv(GL_VIEWPORT, vp);
  resize_accumulator(width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width, height);
  glClearColor(0, 0, 0, 0);
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_BLEND);
  glBlendFunc(GL_ONE, GL_ONE);
  glDisable(GL_DEPTH_TEST);
  glEnable(GL_PROGRAM_POINT_SIZE);
  program_.use();
  program_.set("u_view_proj", cam.view_projection(width, height));
  program_.set("u_inv_scalar_ref", v.scalar_ref > 0 ? 1.0f / v.scalar_ref : 0.0f);
  program_.set("u_point_size", v.n > 200000 ? 1.0f : 2.0f);
  glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(v.n));
  glBindVertexArray(0);
  glDisable(GL_BLEND);
  const float log_ref = reference_log();

  // Pass 2: tone map onto the caller's framebuffer and viewport.
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev_fbo));
  glViewport(vp[0], vp[1], vp[2], vp[3]);
  tone_.use();
  tone_.set("u_accum", 0);
  tone_.set("u_inv_log_ref", log_ref > 0 ? 1.0f / log_ref : 1.0f);
  glUniform3f(tone_.uniform("u_background"), kBackground[0], kBackground[1], kBackground[2]);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, accum_);
  glBindVertexArray(tone_vao_);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  glBindVertexArray(0);
}

void PointRenderer::resize_accumulator(int width, int height) {
  if (accum_ && width == acc_w_ && height == acc_h_) return;
  if (!accum_) glGenTextures(1, &accum_);
  glBindTexture(GL_TEXTURE_2D, accum_);
  // RG32F: exact counts to 2^24 per pixel (RG16F stops at 2048, which a
  // million points on a few hundred pixels pass).
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RG32F, width, height, 0, GL_RG, GL_FLOAT, nullptr);
  // Nearest for the tone map; the mip chain is only read back.
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST_MIPMAP_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_BASE_LEVEL, 0);
  glGenerateMipmap(GL_TEXTURE_2D);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, accum_, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  acc_w_ = width;
  acc_h_ = height;
}

float PointRenderer::reference_log() {
  // The densest block of a ~64-wide mip level (block means, so a single
  // pile-up pixel does not dim the whole picture): one small read-back per
  // frame instead of a max-reduction over every pixel. Scaled by 4 so the
  // peak of that block's pixels, not its mean, reaches full brightness.
  int level = 0, w = acc_w_, h = acc_h_;
  while (std::max(w, h) > 64) {
    w = std::max(1, w / 2);
    h = std::max(1, h / 2);
    ++level;
  }
  glBindTexture(GL_TEXTURE_2D, accum_);
  glGenerateMipmap(GL_TEXTURE_2D);
  readback_.resize(static_cast<std::size_t>(w) * h * 2);
  glGetTexImage(GL_TEXTURE_2D, level, GL_RG, GL_FLOAT, readback_.data());
  float peak = 0;
  for (std::size_t i = 0; i < readback_.size(); i += 2) peak = std::max(peak, readback_[i]);
  return std::log1p(std::max(1.0f, 4.0f * peak));
}

}  // namespace slotsim::render
