#pragma once
// Report files are checked before a run starts (so a typo in --json does
// not throw away an hour of simulation) and written through a temporary file
// renamed into place (so a crash never leaves half a report).
#include <string>

namespace slotsim::app {

// Throws std::runtime_error (one line) if `path` cannot be created.
void check_writable(const std::string& path, const char* flag);
// Writes `text` to path.tmp, then renames it over path.
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace slotsim::app
