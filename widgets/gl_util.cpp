#include "widgets/gl_util.hpp"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/glcorearb.h>

#include <cstdio>
#include <span>
#include <string_view>

#include "shaders/shaders.hpp"

namespace unrolled::widgets {
namespace {

GLuint compile(GLenum kind, std::string_view source, const char* name) {
  const GLuint s = glCreateShader(kind);
  const char* text = source.data();
  const GLint len = static_cast<GLint>(source.size());
  glShaderSource(s, 1, &text, &len);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[1024] = {};
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    std::fprintf(stderr, "unrolled: shader %s does not compile: %s\n", name, log);
    glDeleteShader(s);
    return 0;
  }
  return s;
}

}  // namespace

unsigned build_program(const char* vertex_name, const char* fragment_name) {
  const auto files = embedded_shaders();
  const EmbeddedFile* vs_file = find_embedded(files, vertex_name);
  const EmbeddedFile* fs_file = find_embedded(files, fragment_name);
  if (!vs_file || !fs_file) {
    std::fprintf(stderr, "unrolled: shaders %s and %s are not embedded in this build\n",
                 vertex_name, fragment_name);
    return 0;
  }
  const GLuint vs = compile(GL_VERTEX_SHADER, vs_file->text(), vertex_name);
  const GLuint fs = compile(GL_FRAGMENT_SHADER, fs_file->text(), fragment_name);
  if (!vs || !fs) {
    if (vs) glDeleteShader(vs);
    if (fs) glDeleteShader(fs);
    return 0;
  }
  const GLuint p = glCreateProgram();
  glAttachShader(p, vs);
  glAttachShader(p, fs);
  glLinkProgram(p);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(p, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[1024] = {};
    glGetProgramInfoLog(p, sizeof log, nullptr, log);
    std::fprintf(stderr, "unrolled: shaders %s + %s do not link: %s\n", vertex_name, fragment_name,
                 log);
    glDeleteProgram(p);
    return 0;
  }
  return p;
}

unsigned make_texture(int filter) {
  GLuint t = 0;
  glGenTextures(1, &t);
  glBindTexture(GL_TEXTURE_2D, t);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  return t;
}

}  // namespace unrolled::widgets
