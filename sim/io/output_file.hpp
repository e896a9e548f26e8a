#pragma once
// Output files (reports, snapshots, exports), checked before a run starts and
// written so that nothing is ever half-written or clobbered:
//  - a regular file (or a new name) is written to a unique temporary beside
//    it (mkstemp: a user's own `X.tmp` is never touched) and renamed into
//    place, so a crash or a signal leaves either the old file or the new one;
//  - a symlink is followed: the temporary goes beside the link's target and
//    replaces the target, so the link stays a link;
//  - a device or FIFO (/dev/null, /dev/full, a pipe) is written directly,
//    since it cannot be renamed over; "-" means standard output, and so
//    does any other name of the pipe or file stdout writes to (is_stdout);
//  - every write and the final close are checked, so a full disk or
//    /dev/full is an error, not a silently short file.
// Rejected: writing in place with O_TRUNC. A crash mid-write would then have
// destroyed the previous report as well.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace slotsim::io {

// An output that could not be written at run time: a full disk, an I/O
// error, a rename refused. A run-time failure (exit status 1), never "bad
// input": the run itself was fine, and the other outputs are still written
// (docs/RELIABILITY.md). Every writer here and in the snapshot writers
// throws it.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class OutputKind { File, Stdout, Device };

struct OutputTarget {
  std::string path;      // as given
  std::string resolved;  // after following symlinks (== path for new files)
  OutputKind kind = OutputKind::File;
};

// Resolves `path` and checks that it can be written, without creating or
// changing anything the user owns. Throws std::invalid_argument (one line,
// naming `flag`) for an empty path, a directory, a missing directory, a
// path that cannot be written, or a name longer than the file system takes
// (NAME_MAX, PATH_MAX): known now, not after the run.
OutputTarget check_output(const std::string& path, const std::string& flag);

// Whether an output path is standard output: "-", or another name for the
// pipe, regular file or terminal stdout writes to (/dev/stdout, /dev/fd/1,
// the file stdout was redirected to). Such an output is written to stdout, and the
// commands send their text to stderr, as for "-".
bool is_stdout(const std::string& path);

// A numbered series of outputs written during a run (--snapshot-every):
// DIR/STEM_NNN.EXT for `base` = DIR/STEM.EXT and every index in
// [first, last], NNN zero-padded to three digits and longer when needed.
// The one definition of those names: the writer asks name(), the collision
// check index_of().
struct OutputSeries {
  std::string flag;    // "--snapshot-every"
  std::string base;    // the name the series is derived from (--snapshot)
  std::uint64_t first = 0, last = 0;  // indices the run will write; first > last: none
  std::string name(std::uint64_t index) const;
  // The index if `filename` (a name without directory) is one of this
  // series' names within [first, last].
  std::optional<std::uint64_t> index_of(const std::string& filename) const;
};

// Refuses, before a run, two outputs on one file and an output on an input
// file (compared after resolving symlinks, and by device/inode where the
// file exists). Outputs are {flag, target} as check_output resolved them, so
// each path's symlinks are followed once (resolving again here was rejected:
// a link changed between the two could make them disagree). Inputs are
// {flag, path}; empty paths are skipped, and so are devices among the
// outputs (they may take several). Two outputs on stdout ('-') are refused:
// one stream cannot carry two documents.
// Each series is checked by name against every output and input (the
// name as given and its symlink's target, the directory compared by
// device/inode), and its existing members that are symlinks by their
// targets, since writing a member replaces what its link points at.
void check_distinct_paths(const std::vector<std::pair<std::string, OutputTarget>>& outputs,
                          const std::vector<std::pair<std::string, std::string>>& inputs,
                          const std::vector<OutputSeries>& series = {});

// Writes `text` to `path` as described above. Throws OutputError (one
// line) on any failure; the previous file, if any, is then untouched.
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
