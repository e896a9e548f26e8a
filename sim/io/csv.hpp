#pragma once
// Particle CSV files: header `x,y,z,vx,vy,vz,mass`, one particle per line.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/particle.hpp"

namespace slotsim {

// Thrown for a malformed file; what() is one line naming file, line and
// column, e.g. "bodies.csv:12:3: expected a number, got 'abc'".
class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the whole file before returning, so a caller never sees a partial
// set: on any error it throws and nothing has been loaded.
std::vector<ParticleRecord> read_particles_csv(const std::string& path);

// Writes to `path + ".tmp"`, flushes, then renames over `path`, so an
// interrupted write never leaves a truncated snapshot behind. Values are
// written in the shortest form that reads back bit-identically (at most 17
// significant digits). `get(i)` returns particle i in id order.
// Throws std::runtime_error with a one-line message if the file cannot be
// written, or if a value is one the reader would reject (non-finite, or
// mass <= 0); the previous file at `path`, if any, is then left untouched.
void write_particles_csv(const std::string& path, std::size_t n,
                         const std::function<ParticleRecord(std::size_t)>& get);

}  // namespace slotsim
