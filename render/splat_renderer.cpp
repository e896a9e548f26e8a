#include "render/splat_renderer.hpp"

namespace slotsim::render {

SplatRenderer::SplatRenderer(std::pmr::memory_resource* mr)
    : program_("splat"), image_(mr), rgba_(mr) {
  // A core profile needs a bound VAO even for attribute-less drawing; the
  // triangle's corners come from gl_VertexID.
  glGenVertexArrays(1, &vao_);
  texture_ = new_pixel_texture();
}

SplatRenderer::~SplatRenderer() {
  glDeleteTextures(1, &texture_);
  glDeleteVertexArrays(1, &vao_);
}

void SplatRenderer::draw(const ParticleView& v, const Camera& cam, int width, int height) {
  if (width <= 0 || height <= 0) return;
  glBindTexture(GL_TEXTURE_2D, texture_);
  const bool resized = width != tex_w_ || height != tex_h_;
  if (resized) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 nullptr);
    tex_w_ = width;
    tex_h_ = height;
  }
  if (resized || v.revision != drawn_revision_ || cam.revision() != drawn_camera_ ||
      v.xyz != drawn_xyz_) {
    image_.accumulate(v, cam.view_projection(width, height), width, height);
    rgba_.resize(static_cast<std::size_t>(width) * height * 4);
    image_.tone_map(rgba_.data());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE,
                    rgba_.data());
    drawn_revision_ = v.revision;
    drawn_camera_ = cam.revision();
    drawn_xyz_ = v.xyz;
  }
  glDisable(GL_BLEND);
  glDisable(GL_DEPTH_TEST);
  program_.use();
  program_.set("u_image", 0);
  glActiveTexture(GL_TEXTURE0);
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  glBindVertexArray(0);
}

}  // namespace slotsim::render
