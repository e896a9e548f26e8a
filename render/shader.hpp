#pragma once
// A linked GLSL program built from assets/shaders/<name>.vert and .frag.
#include <string>

#include "render/gl.hpp"
#include "render/mat4.hpp"

namespace slotsim::render {

class ShaderProgram {
 public:
  // Needs a current GL context. Throws std::runtime_error with one line:
  // the missing file, or the file and the first line of the compiler log.
  explicit ShaderProgram(const std::string& name);
  ~ShaderProgram();
  ShaderProgram(const ShaderProgram&) = delete;
  ShaderProgram& operator=(const ShaderProgram&) = delete;

  void use() const { glUseProgram(id_); }
  GLint uniform(const char* name) const { return glGetUniformLocation(id_, name); }
  void set(const char* name, const Mat4& m) const;
  void set(const char* name, float v) const;
  void set(const char* name, int v) const;

 private:
  GLuint id_ = 0;
};

}  // namespace slotsim::render
