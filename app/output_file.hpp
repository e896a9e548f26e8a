#pragma once
// The CLI's names for the output-file helpers, which live in sim/io so the
// GUI (ui/) can share them. See sim/io/output_file.hpp for the rules.
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/io/output_file.hpp"

namespace slotsim::app {

using io::write_file_atomic;
using io::write_file_atomic_with;

// An output a run could not write, as both batch front ends report it
// (outputs_failed in the JSON, "not written" rows in the summary): the
// error as thrown, one_line() where it is printed.
struct OutputFailure {
  std::string flag, path, error;
};

// Runs write(); if it throws, records {flag, path, error} in `failed` and
// returns false, so the run's next output is still tried: one that fails
// (a full disk) does not cost the others. Said once, in the run's last line
// and its summary, not here: one line on stderr.
inline bool try_output(std::vector<OutputFailure>& failed, const char* flag, const std::string& path,
                       const std::function<void()>& write) {
  try {
    write();
    return true;
  } catch (const std::exception& e) {
    failed.push_back({flag, path, e.what()});
    return false;
  }
}
// Throws std::invalid_argument (one line) if `path` is set and cannot be
// written; an unset (empty) path means "no such output" and passes.
inline void check_writable(const std::string& path, const char* flag) {
  if (!path.empty()) io::check_output(path, flag);
}

// check_writable for each {flag, path}, keeping the resolved targets so that
// io::check_distinct_paths compares them without resolving them again.
inline std::vector<std::pair<std::string, io::OutputTarget>> check_writable_all(
    const std::vector<std::pair<std::string, std::string>>& outputs) {
  std::vector<std::pair<std::string, io::OutputTarget>> targets;
  for (const auto& [flag, path] : outputs)
    if (!path.empty()) targets.emplace_back(flag, io::check_output(path, flag));
  return targets;
}

// Whether one of check_writable_all's targets (the one of `flag`, or any
// when flag is empty) is stdout, by the resolution it already did: '-',
// /dev/stdout, or another name of what fd 1 is (io::is_stdout's rule). Its
// document then owns stdout, and the text goes to stderr.
inline bool on_stdout(const std::vector<std::pair<std::string, io::OutputTarget>>& targets,
                      std::string_view flag = {}) {
  for (const auto& [f, t] : targets)
    if ((flag.empty() || f == flag) && t.kind == io::OutputKind::Stdout) return true;
  return false;
}

}  // namespace slotsim::app
