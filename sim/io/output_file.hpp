#pragma once
// Output files (reports, snapshots, exports), checked before a run starts and
// written so that nothing is ever half-written or clobbered:
//  - a regular file (or a new name) is written to a unique temporary beside
//    it (mkstemp: a user's own `X.tmp` is never touched) and renamed into
//    place, so a crash or a signal leaves either the old file or the new one;
//  - a symlink is followed: the temporary goes beside the link's target and
//    replaces the target, so the link stays a link;
//  - a device or FIFO (/dev/null, /dev/full, a pipe) is written directly,
//    since it cannot be renamed over; "-" means standard output;
//  - every write and the final close are checked, so a full disk or
//    /dev/full is an error, not a silently short file.
// Rejected: writing in place with O_TRUNC. A crash mid-write would then have
// destroyed the previous report as well.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace slotsim::io {

enum class OutputKind { File, Stdout, Device };

struct OutputTarget {
  std::string path;      // as given
  std::string resolved;  // after following symlinks (== path for new files)
  OutputKind kind = OutputKind::File;
};

// Resolves `path` and checks that it can be written, without creating or
// changing anything the user owns. Throws std::invalid_argument (one line,
// naming `flag`) for an empty path, a directory, a missing directory or a
// path that cannot be written.
OutputTarget check_output(const std::string& path, const std::string& flag);

// Refuses, before a run, two outputs on one file and an output on an input
// file (compared after resolving symlinks, and by device/inode where the
// file exists). Outputs are {flag, target} as check_output resolved them, so
// each path's symlinks are followed once (resolving again here was rejected:
// a link changed between the two could make them disagree). Inputs are
// {flag, path}; empty paths are skipped, and so are stdout and devices among
// the outputs (they may take several).
void check_distinct_paths(const std::vector<std::pair<std::string, OutputTarget>>& outputs,
                          const std::vector<std::pair<std::string, std::string>>& inputs);

// Writes `text` to `path` as described above. Throws std::runtime_error
// (one line) on any failure; the previous file, if any, is then untouched.
void write_file_atomic(const std::string& path, const std::string& text);

// For writers that need a file name of their own (HDF5): write(tmp) writes
// the whole file to `tmp`, which is then renamed into place. For devices and
// stdout, `tmp` is a temporary file whose bytes are then copied to the
// device. If write throws, the temporary is removed and the exception passes
// on. The temporary is removed on a second SIGINT/SIGTERM too.
void write_file_atomic_with(const std::string& path, const std::function<void(const std::string& tmp)>& write);

// Image outputs (screenshots) pick their format from the extension: throws
// std::invalid_argument unless it is .png, .bmp, .tga, .jpg or .jpeg. Here,
// not in render/, so scripts can be checked without a window.
void check_image_name(const std::string& path);

}  // namespace slotsim::io
