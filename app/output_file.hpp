#pragma once
// Report files are checked before a run starts (so a typo in --json does
// not throw away an hour of simulation) and written through a temporary file
// renamed into place (so a crash never leaves half a report).
#include <functional>
#include <string>

namespace slotsim::app {

// Throws std::runtime_error (one line) if `path` cannot be created.
void check_writable(const std::string& path, const char* flag);
// Writes `text` to path.tmp, then renames it over path.
void write_file_atomic(const std::string& path, const std::string& text);
// The same for writers that need a file name of their own (HDF5): calls
// write(tmp) with a temporary path beside `path`, then renames it into place.
// If write throws, the temporary is removed and the exception passes on.
void write_file_atomic_with(const std::string& path, const std::function<void(const std::string& tmp)>& write);

}  // namespace slotsim::app
