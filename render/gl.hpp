#pragma once
// The one place GL headers are included. Prototypes come straight from the
// GLVND libOpenGL (core 3.3+ entry points are exported there), so no loader
// library is needed; a loader (glad/GLEW) was rejected as one more dependency
// Debian does not ship as a CMake package for this setup.
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>

namespace slotsim::render {

// A new 2D texture for an image shown one texel per pixel (the splat's
// density image, the GUI's heap map): nearest filtering, since linear would
// blur nothing, and clamped edges. Left bound to GL_TEXTURE_2D.
inline GLuint new_pixel_texture() {
  GLuint t = 0;
  glGenTextures(1, &t);
  glBindTexture(GL_TEXTURE_2D, t);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  return t;
}

}  // namespace slotsim::render
