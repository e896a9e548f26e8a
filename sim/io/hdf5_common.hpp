#pragma once
// Internal to sim/io/hdf5_*.cpp: the HDF5 C API's handles and errors,
// shared by the snapshot writer and the (isolated) reader. Not for other
// includers: HDF5's types stay out of every public header.
#include <hdf5.h>

#include <string>
#include <utility>

#include "sim/io/hdf5_snapshot.hpp"
#include "sim/io/output_file.hpp"

namespace slotsim::h5 {

// Called before every entry point. HDF5 prints its whole error stack to
// stderr by default, which would break the one-line rule; and it closes
// every open file in an atexit handler, which after an H5Fclose that
// failed on a full disk dereferenced freed metadata and crashed slotsim at
// exit (issue 20). Files are closed by their handles here, so the library
// needs no exit-time clean-up: H5dont_atexit before its first call.
inline void quiet() {
  static const bool once = [] {
    H5dont_atexit();  // fails harmlessly if the library is already initialised
    return true;
  }();
  (void)once;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

// The innermost (first detected) error's description, e.g. "unable to open
// file: name = 'x.h5', errno = 2, ...": the outer entries only repeat which
// API call failed, which the caller's message already says.
inline std::string reason() {
  std::string out;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* data) -> herr_t {
        if (n == 0 && e->desc) *static_cast<std::string*>(data) = e->desc;
        return 0;
      },
      &out);
  H5Eclear2(H5E_DEFAULT);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  // A system call's failure reads "file write failed: time = ..., filename
  // = ..., errno = 28, error message = 'No space left on device', buf = ..."
  // in HDF5's words: its first clause and the system's message say it all.
  const std::string key = "error message = '";
  if (const auto at = out.find(key); at != std::string::npos) {
    const auto end = out.find('\'', at + key.size());
    const auto colon = out.find(':');
    if (end != std::string::npos && colon != std::string::npos && colon < at)
      out = out.substr(0, colon) + ": " + out.substr(at + key.size(), end - at - key.size());
  }
  return out.empty() ? "HDF5 error" : out;
}

// Reading a file: a bad input (SnapshotError). Writing one: a run-time
// failure (io::OutputError), never "bad input".
enum class Side { Read, Write };
[[noreturn]] inline void fail(Side side, const std::string& path, const std::string& what) {
  if (side == Side::Write) throw io::OutputError(path + ": " + what);
  throw SnapshotError(path + ": " + what);
}

// RAII for every kind of hid_t: each closes with its own function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer c) : id_(id), close_(c) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  // Closes now and reports failure (H5Fclose is where buffered data is
  // flushed, so a full disk may only show up here).
  bool close() {
    const herr_t rc = id_ >= 0 ? close_(id_) : 0;
    id_ = -1;
    return rc >= 0;
  }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

// Wraps a new handle, failing with `what` if it is invalid.
inline Handle make(hid_t id, Handle::Closer c, Side side, const std::string& path, const std::string& what) {
  if (id < 0) fail(side, path, what + ": " + reason());
  return Handle(id, c);
}
inline void check(herr_t rc, Side side, const std::string& path, const std::string& what) {
  if (rc < 0) fail(side, path, what + ": " + reason());
}

inline constexpr int kTypes = 6;  // Gadget's particle types 0..5
// Format 2 adds python_objects, energy_initial, energy_sample, status and
// own_dict (docs/SNAPSHOTS.md); format 1 files still restart, without them.
inline constexpr int kFormatVersion = 2;

}  // namespace slotsim::h5
