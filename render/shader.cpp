#include "render/shader.hpp"

#include <stdexcept>
#include <string>

#include "render/assets.hpp"

namespace slotsim::render {

namespace {
// The compiler log can run to many lines; the first names the problem.
std::string first_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '\0')) s.pop_back();
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

GLuint compile(GLenum type, const std::string& file) {
  const std::string src = read_asset("shaders/" + file);
  const GLuint sh = glCreateShader(type);
  const char* p = src.c_str();
  glShaderSource(sh, 1, &p, nullptr);
  glCompileShader(sh);
  GLint ok = 0;
  glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    GLint len = 0;
    glGetShaderiv(sh, GL_INFO_LOG_LENGTH, &len);
    std::string log(static_cast<std::size_t>(len > 0 ? len : 1), '\0');
    glGetShaderInfoLog(sh, len, nullptr, log.data());
    glDeleteShader(sh);
    throw std::runtime_error("shader " + file + ": " + first_line(log));
  }
  return sh;
}
}  // namespace

ShaderProgram::ShaderProgram(const std::string& name) {
  const GLuint vs = compile(GL_VERTEX_SHADER, name + ".vert");
  GLuint fs = 0;
  try {
    fs = compile(GL_FRAGMENT_SHADER, name + ".frag");
  } catch (...) {
    glDeleteShader(vs);
    throw;
  }
  id_ = glCreateProgram();
  glAttachShader(id_, vs);
  glAttachShader(id_, fs);
  glLinkProgram(id_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(id_, GL_LINK_STATUS, &ok);
  if (!ok) {
    GLint len = 0;
    glGetProgramiv(id_, GL_INFO_LOG_LENGTH, &len);
    std::string log(static_cast<std::size_t>(len > 0 ? len : 1), '\0');
    glGetProgramInfoLog(id_, len, nullptr, log.data());
    glDeleteProgram(id_);
    throw std::runtime_error("shader program " + name + ": " + first_line(log));
  }
}

ShaderProgram::~ShaderProgram() {
  if (id_) glDeleteProgram(id_);
}

void ShaderProgram::set(const char* name, const Mat4& m) const {
  glUniformMatrix4fv(uniform(name), 1, GL_FALSE, m.m.data());
}
void ShaderProgram::set(const char* name, float v) const { glUniform1f(uniform(name), v); }
void ShaderProgram::set(const char* name, int v) const { glUniform1i(uniform(name), v); }

}  // namespace slotsim::render
