#pragma once
// What the renderers are handed: plain float arrays, nothing about layouts or
// the System (the Box2D debug-draw idea: the simulation pushes primitives, the
// renderer never reaches into it).
#include <cstddef>
#include <cstdint>

#include "render/camera.hpp"

namespace slotsim::render {

struct ParticleView {
  const float* xyz = nullptr;     // 3 floats per particle
  const float* scalar = nullptr;  // colour value per particle (speed); may be null
  std::size_t n = 0;
  float scalar_ref = 1;  // scalar drawn at the top of the colour ramp
  // Changes whenever the arrays' contents change, so a renderer re-uploads
  // or re-projects only then.
  std::uint64_t revision = 0;
};

class ParticleRenderer {
 public:
  virtual ~ParticleRenderer() = default;
  virtual const char* name() const = 0;
  // Draws into the current framebuffer of size width x height. The caller
  // clears it to kBackground first.
  virtual void draw(const ParticleView& v, const Camera& cam, int width, int height) = 0;
};

}  // namespace slotsim::render
