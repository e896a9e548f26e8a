#pragma once
// The GUI's output folder: where the window's Screenshot, Save snapshot and
// Export write (--out-dir, or the field in the Controls panel).
//
// The default is ~/slotsim-output: a folder a teacher finds by name in
// their home directory, outside any source tree (the old default, the
// working directory, put "slotsim-899.png" into the checkout the GUI was
// started from). Rejected: $XDG_DATA_HOME/slotsim (~/.local/share is
// hidden, and these are files the user means to open), and the XDG user
// directories (~/Pictures, ~/Documents: named per locale, absent on servers
// and CI machines). Without $HOME: <tmp>/slotsim-output-<uid>.
//
// It is created on first use, not at startup, so a session that saves
// nothing leaves nothing behind. Every message names the full path.
#include <filesystem>
#include <string>

namespace slotsim::host {

std::string default_output_dir();

// Checks at startup, creating nothing: `dir` is an existing directory, or
// it does not exist yet and its nearest existing ancestor is a writable
// directory. Throws std::invalid_argument (one line naming `flag`).
void check_output_dir(const std::string& dir, const std::string& flag);

// Creates `dir` (and its parents) if needed; returns its absolute path.
// Throws std::runtime_error (one line) if that fails.
std::filesystem::path ensure_output_dir(const std::string& dir);

// A new file name in `dir` (created if needed): stem-YYYYMMDD-HHMMSS.ext,
// with -2, -3, ... when that exists already, so a second session never
// overwrites the first one's screenshots. Absolute.
std::string new_output_file(const std::string& dir, const std::string& stem, const std::string& ext);

// `name` inside `dir` (created if needed) unless it is absolute. Absolute.
std::string output_file(const std::string& dir, const std::string& name);

}  // namespace slotsim::host
