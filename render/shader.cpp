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

// The first line of a shader's or a program's info log: the two kinds of
// GL object have the same pair of queries under different names.
template <class GetIv, class GetLog>
std::string first_log_line(GLuint id, GetIv get_iv, GetLog get_log) {
  GLint len = 0;
  get_iv(id, GL_INFO_LOG_LENGTH, &len);
  std::string log(static_cast<std::size_t>(len > 0 ? len : 1), '\0');
  get_log(id, len, nullptr, log.data());
  return first_line(log);
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
    const std::string log = first_log_line(sh, glGetShaderiv, glGetShaderInfoLog);
    glDeleteShader(sh);
    throw std::runtime_error("shader " + file + ": " + log);
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
    const std::string log = first_log_line(id_, glGetProgramiv, glGetProgramInfoLog);
    glDeleteProgram(id_);
    throw std::runtime_error("shader program " + name + ": " + log);
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
