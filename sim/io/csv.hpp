#pragma once
// Particle CSV files: header `x,y,z,vx,vy,vz,mass`, one particle per line.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
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
// Reads at most `max_bytes` (then throws CsvError): a FIFO or device has no
// size to check in advance, so the run's memory plan passes its limit here.
std::vector<ParticleRecord> read_particles_csv(const std::string& path, std::uint64_t max_bytes = UINT64_MAX);
// The same rules on text in memory; `name` stands for the file in messages
// (the fuzz harness and tests use it).
std::vector<ParticleRecord> parse_particles_csv(std::string_view text, const std::string& name);

// Written through io::write_file_atomic_with (a unique temporary renamed
// into place), so an interrupted write never leaves a truncated snapshot. Values are
// written in the shortest form that reads back bit-identically (at most 17
// significant digits). `get(i)` returns particle i in id order.
// Throws io::OutputError with a one-line message if the file cannot be
// written, or if a value is one the reader would reject (non-finite, or
// mass <= 0); the previous file at `path`, if any, is then left untouched.
// `allow_nonfinite` writes a diverged state as it is (nan, inf), for the
// report of a run that blew up; the reader will refuse such a file.
void write_particles_csv(const std::string& path, std::size_t n,
                         const std::function<ParticleRecord(std::size_t)>& get, bool allow_nonfinite = false);

}  // namespace slotsim
