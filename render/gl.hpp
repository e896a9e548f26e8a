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
