// HDF5 snapshot writing and reading with the HDF5 C API (Debian 12 ships no
// C++ wrapper that is maintained; HighFive is not packaged). Every call is
// checked; a failure becomes one SnapshotError line built from the
// innermost entry of HDF5's error stack, whose automatic printing is off.
//
// Layout decisions (the file format itself is documented in SNAPSHOTS.md):
//  - rows are in *storage* order with ParticleIDs beside them, as Gadget
//    does: the solvers sum in storage order, so a restart must reproduce it,
//    and writing storage order is a sequential sweep of the store. Writing
//    id order instead would need a random gather and a stored permutation.
//  - contiguous datasets, no compression: a snapshot is written once per K
//    steps and must cost no more than the bytes themselves; gzip would cut
//    bandwidth to ~50 MB/s on doubles that barely compress.
//  - rows go out in slabs of kSlabRows through one reused buffer, so a 10M
//    particle write needs 24 MB of scratch rather than a 240 MB copy.
#include "sim/io/hdf5_snapshot.hpp"

#include "sim/io/output_file.hpp"

#include <hdf5.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <numeric>
#include <stdexcept>

#include "sim/kernels.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/particle_store.hpp"

namespace slotsim {
namespace {

constexpr int kFormatVersion = 1;
constexpr std::size_t kSlabRows = std::size_t(1) << 20;
constexpr int kTypes = 6;  // Gadget's particle types 0..5

// ---- errors ---------------------------------------------------------------

// Called before every entry point: HDF5 prints its whole error stack to
// stderr by default, which would break the one-line rule.
void quiet_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

// The innermost (first detected) error's description, e.g. "unable to open
// file: name = 'x.h5', errno = 2, ...": the outer entries only repeat which
// API call failed, which the caller's message already says.
std::string h5_reason() {
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
  return out.empty() ? "HDF5 error" : out;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw SnapshotError(path + ": " + what); }

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
Handle make(hid_t id, Handle::Closer c, const std::string& path, const std::string& what) {
  if (id < 0) fail(path, what + ": " + h5_reason());
  return Handle(id, c);
}
void check(herr_t rc, const std::string& path, const std::string& what) {
  if (rc < 0) fail(path, what + ": " + h5_reason());
}

// ---- writing --------------------------------------------------------------

class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path) {
    // Latest-format files are smaller and faster to create, but h5py 2.x,
    // yt and older Gadget readers built on HDF5 1.8 cannot open them; the
    // default (earliest) format keeps every reader able to.
    file_ = make(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, path, "cannot create");
  }
  const std::string& path() const { return path_; }
  hid_t file() const { return file_; }

  Handle group(hid_t loc, const char* name) {
    return make(H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path_,
                std::string("cannot create group ") + name);
  }
  // n == 0: a scalar attribute, else a 1-D array of n.
  void attr(hid_t obj, const char* name, hid_t type, const void* data, hsize_t n = 0) {
    Handle space = make(n ? H5Screate_simple(1, &n, nullptr) : H5Screate(H5S_SCALAR), H5Sclose, path_, "dataspace");
    Handle a = make(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path_,
                    std::string("cannot create attribute ") + name);
    check(H5Awrite(a, type, data), path_, std::string("cannot write attribute ") + name);
  }
  void attr_f64(hid_t obj, const char* name, double v) { attr(obj, name, H5T_NATIVE_DOUBLE, &v); }
  void attr_i32(hid_t obj, const char* name, int v) { attr(obj, name, H5T_NATIVE_INT, &v); }
  void attr_u64(hid_t obj, const char* name, std::uint64_t v) { attr(obj, name, H5T_NATIVE_UINT64, &v); }
  // Variable-length UTF-8, which h5py returns as str (a fixed-length
  // string would come back as bytes and need .decode()).
  void attr_str(hid_t obj, const char* name, const std::string& v) {
    Handle t = make(H5Tcopy(H5T_C_S1), H5Tclose, path_, "string type");
    check(H5Tset_size(t, H5T_VARIABLE), path_, "string type");
    check(H5Tset_cset(t, H5T_CSET_UTF8), path_, "string type");
    const char* p = v.c_str();
    attr(obj, name, t, &p);
  }

  // A (n) or (n, cols) dataset filled slab by slab: fill(k0, k1, buf) writes
  // rows [k0, k1) into buf, cols values per row.
  template <class T, class Fill>
  void dataset(hid_t loc, const char* name, hid_t type, std::size_t n, int cols, Fill&& fill) {
    const hsize_t dims[2] = {hsize_t(n), hsize_t(cols)};
    const int rank = cols == 1 ? 1 : 2;
    Handle space = make(H5Screate_simple(rank, dims, nullptr), H5Sclose, path_, "dataspace");
    Handle d = make(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, path_,
                    std::string("cannot create dataset ") + name);
    std::vector<T> buf(std::min(n, kSlabRows) * std::size_t(cols));
    for (std::size_t k0 = 0; k0 < n; k0 += kSlabRows) {
      const std::size_t k1 = std::min(n, k0 + kSlabRows);
      fill(k0, k1, buf.data());
      const hsize_t start[2] = {hsize_t(k0), 0}, count[2] = {hsize_t(k1 - k0), hsize_t(cols)};
      Handle mem = make(H5Screate_simple(rank, count, nullptr), H5Sclose, path_, "dataspace");
      check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr), path_, "hyperslab");
      check(H5Dwrite(d, type, mem, space, H5P_DEFAULT, buf.data()), path_, std::string("cannot write ") + name);
    }
  }
  void link(hid_t from_loc, const char* from, hid_t to_loc, const char* to) {
    check(H5Lcreate_hard(from_loc, from, to_loc, to, H5P_DEFAULT, H5P_DEFAULT), path_, std::string("link ") + to);
  }
  void close() {
    if (!file_.close()) fail(path_, "cannot finish writing (disk full?): " + h5_reason());
  }

 private:
  std::string path_;
  Handle file_;
};

// Fills rows [k0, k1) of an (n, 3) buffer with declared attributes
// A0..A0+2 and returns the first row holding a non-finite value (or
// SIZE_MAX). Checking here rather than in a separate pass saves a sweep of
// the store, which for dict is seven hash probes per particle. One thread:
// the copy is bound by memory and the page cache, and an OpenMP team here
// spun against the state-hash thread (libgomp's spin-wait showed up at 6-8%
// of a 4M-particle write in perf, on 2 cores).
template <int A0>
std::size_t fill_xyz(const ParticleStore& st, std::size_t k0, std::size_t k1, double* buf) {
  std::size_t bad = SIZE_MAX;
  st.visit([&](const auto& s) {
    const auto b = static_cast<std::int64_t>(k0), e = static_cast<std::int64_t>(k1);
    for (std::int64_t k = b; k < e; ++k) {
      double* r = buf + 3 * (k - b);
      r[0] = s.template get<static_cast<Attr>(A0)>(std::size_t(k));
      r[1] = s.template get<static_cast<Attr>(A0 + 1)>(std::size_t(k));
      r[2] = s.template get<static_cast<Attr>(A0 + 2)>(std::size_t(k));
      if (!std::isfinite(r[0]) || !std::isfinite(r[1]) || !std::isfinite(r[2])) bad = std::min(bad, std::size_t(k));
    }
  });
  return bad;
}

// Exact softened potential of every particle against all others (G = 1), in
// storage order. O(N^2): bounded by kPotentialMaxParticles.
std::vector<double> pair_potential(const System& sys) {
  const std::size_t n = sys.size();
  std::vector<double> x(n), y(n), z(n), m(n), phi(n);
  sys.store().visit([&](const auto& s) { kernels::gather(s, x.data(), y.data(), z.data(), m.data()); });
  const double eps2 = sys.config().force.softening * sys.config().force.softening;
  const auto nn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(dynamic, 64)
  for (std::int64_t i = 0; i < nn; ++i) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == std::size_t(i)) continue;
      const double dx = x[j] - x[i], dy = y[j] - y[i], dz = z[j] - z[i];
      sum += m[j] / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
    }
    phi[i] = -sum;
  }
  return phi;
}

std::string hex16(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// ---- reading --------------------------------------------------------------

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "cannot open: no such file");
    if (std::filesystem::is_directory(path, ec)) fail(path, "cannot open: is a directory");
    const htri_t is = H5Fis_hdf5(path.c_str());
    if (is < 0) fail(path, "cannot open: " + h5_reason());
    if (is == 0) fail(path, "not an HDF5 file");
    file_ = make(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path, "cannot open");
  }
  const std::string& path() const { return path_; }
  hid_t file() const { return file_; }
  [[noreturn]] void bad(const std::string& what) const { fail(path_, what); }

  // Whether `name` (one component, relative to loc) exists.
  bool has(hid_t loc, const std::string& name) const {
    const htri_t e = H5Lexists(loc, name.c_str(), H5P_DEFAULT);
    if (e < 0) bad("cannot look up '" + name + "': " + h5_reason());
    return e > 0;
  }
  Handle group(hid_t loc, const std::string& name, const std::string& shown) const {
    if (!has(loc, name)) bad("missing group " + shown);
    H5O_info_t info;
    check(H5Oget_info_by_name(loc, name.c_str(), &info, H5P_DEFAULT), path_, shown);
    if (info.type != H5O_TYPE_GROUP) bad(shown + " is not a group");
    return make(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), H5Gclose, path_, "cannot open " + shown);
  }

  // Reads a numeric attribute of `count` elements (count 1 also accepts a
  // scalar) converted to T. The class must be `cls` (float or integer).
  template <class T>
  std::vector<T> attr(hid_t obj, const char* name, const std::string& shown, hsize_t count, H5T_class_t cls,
                      hid_t mem) const {
    const htri_t e = H5Aexists(obj, name);
    if (e <= 0) bad("missing attribute " + shown);
    Handle a = make(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, path_, "cannot open " + shown);
    Handle t = make(H5Aget_type(a), H5Tclose, path_, shown);
    const H5T_class_t c = H5Tget_class(t);
    if (c != cls && !(cls == H5T_FLOAT && c == H5T_INTEGER))
      bad(shown + ": expected " + (cls == H5T_FLOAT ? "a number" : "an integer") + ", got another type");
    Handle sp = make(H5Aget_space(a), H5Sclose, path_, shown);
    const hssize_t got = H5Sget_simple_extent_npoints(sp);
    if (got != hssize_t(count))
      bad(shown + ": expected " + std::to_string(count) + " value(s), got " + std::to_string(got));
    std::vector<T> v(count);
    check(H5Aread(a, mem, v.data()), path_, "cannot read " + shown);
    return v;
  }
  double attr_f64(hid_t obj, const char* name, const std::string& where) const {
    return attr<double>(obj, name, where + "/" + name, 1, H5T_FLOAT, H5T_NATIVE_DOUBLE)[0];
  }
  std::int64_t attr_i64(hid_t obj, const char* name, const std::string& where) const {
    return attr<std::int64_t>(obj, name, where + "/" + name, 1, H5T_INTEGER, H5T_NATIVE_INT64)[0];
  }
  std::uint64_t attr_u64(hid_t obj, const char* name, const std::string& where) const {
    return attr<std::uint64_t>(obj, name, where + "/" + name, 1, H5T_INTEGER, H5T_NATIVE_UINT64)[0];
  }
  // Fixed or variable length; other tools write both kinds.
  std::string attr_str(hid_t obj, const char* name, const std::string& where) const {
    const std::string shown = where + "/" + name;
    if (H5Aexists(obj, name) <= 0) bad("missing attribute " + shown);
    Handle a = make(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, path_, "cannot open " + shown);
    Handle t = make(H5Aget_type(a), H5Tclose, path_, shown);
    if (H5Tget_class(t) != H5T_STRING) bad(shown + ": expected a string");
    Handle sp = make(H5Aget_space(a), H5Sclose, path_, shown);
    if (H5Sget_simple_extent_npoints(sp) != 1) bad(shown + ": expected one string");
    const htri_t vlen = H5Tis_variable_str(t);
    if (vlen > 0) {
      char* p = nullptr;
      check(H5Aread(a, t, &p), path_, "cannot read " + shown);
      std::string s = p ? p : "";
      H5free_memory(p);
      return s;
    }
    std::string s(H5Tget_size(t), '\0');
    check(H5Aread(a, t, s.data()), path_, "cannot read " + shown);
    return s.substr(0, s.find('\0'));
  }

  // Reads dataset `name` of loc as T, requiring shape (rows) for cols == 1
  // or (rows, cols) otherwise; rows == 0 accepts any row count and returns
  // it. The element class must be `cls`.
  // Only the rows [slice.first, slice.first + slice.count) are read (all
  // of them by default; the shape is checked against the whole dataset).
  template <class T>
  std::vector<T> dataset(hid_t loc, const char* name, const std::string& shown, std::size_t& rows, int cols,
                         H5T_class_t cls, hid_t mem, RowSlice slice = {}) const {
    if (!has(loc, name)) bad("missing dataset " + shown);
    Handle d = make(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose, path_, "cannot open " + shown);
    Handle t = make(H5Dget_type(d), H5Tclose, path_, shown);
    const H5T_class_t c = H5Tget_class(t);
    if (c != cls)
      bad(shown + ": expected " + (cls == H5T_FLOAT ? "floating-point" : "integer") + " values, got another type");
    Handle sp = make(H5Dget_space(d), H5Sclose, path_, shown);
    const int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[H5S_MAX_RANK] = {};
    if (rank < 0 || H5Sget_simple_extent_dims(sp, dims, nullptr) < 0) bad(shown + ": cannot read its shape");
    std::string shape = "(";
    for (int i = 0; i < rank; ++i) shape += (i ? ", " : "") + std::to_string(dims[i]);
    shape += rank == 1 ? ",)" : ")";
    const std::string want = cols == 1 ? "(N,)" : "(N, " + std::to_string(cols) + ")";
    if (rank != (cols == 1 ? 1 : 2) || (cols > 1 && dims[1] != hsize_t(cols)))
      bad(shown + ": expected shape " + want + ", got " + shape);
    if (rows != 0 && dims[0] != rows)
      bad(shown + ": expected " + std::to_string(rows) + " rows, got " + std::to_string(dims[0]));
    rows = dims[0];
    if (slice.first > rows) slice.first = rows;
    const std::size_t count = std::min<std::uint64_t>(slice.count, rows - slice.first);
    std::vector<T> v(count * std::size_t(cols));
    if (v.empty()) return v;
    if (count == rows) {
      check(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), path_, "cannot read " + shown);
      return v;
    }
    const hsize_t start[2] = {hsize_t(slice.first), 0}, block[2] = {hsize_t(count), hsize_t(cols)};
    check(H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, nullptr, block, nullptr), path_, shown + ": rows");
    Handle ms = make(H5Screate_simple(rank, block, nullptr), H5Sclose, path_, shown);
    check(H5Dread(d, mem, ms, sp, H5P_DEFAULT, v.data()), path_, "cannot read " + shown);
    return v;
  }
  std::vector<double> doubles(hid_t loc, const char* name, const std::string& shown, std::size_t& rows,
                              int cols, RowSlice slice = {}) const {
    auto v = dataset<double>(loc, name, shown, rows, cols, H5T_FLOAT, H5T_NATIVE_DOUBLE, slice);
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) {
        // Rows are named by their place in the file, whatever the slice.
        const std::size_t row = slice.first + i / std::size_t(cols);
        const std::string at = cols == 1 ? "[" + std::to_string(row) + "]"
                                         : "[" + std::to_string(row) + "][" + std::to_string(i % cols) + "]";
        bad(shown + at + " is " + (std::isnan(v[i]) ? "nan" : "inf") + ", expected a finite number");
      }
    return v;
  }

 private:
  std::string path_;
  Handle file_;
};

// Moves (n, 3) rows of positions and velocities and n masses into records.
void fill_records(std::vector<ParticleRecord>& out, const std::vector<double>& pos, const std::vector<double>& vel,
                  const std::vector<double>& mass) {
  const std::size_t n = mass.size();
  for (std::size_t k = 0; k < n; ++k) {
    ParticleRecord r;
    r.x = pos[3 * k];
    r.y = pos[3 * k + 1];
    r.z = pos[3 * k + 2];
    r.vx = vel[3 * k];
    r.vy = vel[3 * k + 1];
    r.vz = vel[3 * k + 2];
    r.mass = mass[k];
    out.push_back(r);
  }
}

void check_masses(const Reader& rd, const std::vector<double>& m, const std::string& shown, std::size_t first = 0) {
  for (std::size_t k = 0; k < m.size(); ++k)
    if (!(m[k] > 0))
      rd.bad(shown + "[" + std::to_string(first + k) + "] is " + std::to_string(m[k]) + ", mass must be positive");
}

}  // namespace

SnapshotFields parse_snapshot_fields(const std::string& spec) {
  SnapshotFields f;
  std::size_t b = 0;
  while (b <= spec.size() && !spec.empty()) {
    const std::size_t e = std::min(spec.find(',', b), spec.size());
    const std::string item = spec.substr(b, e - b);
    if (item == "acc" || item == "acceleration")
      f.acceleration = true;
    else if (item == "pot" || item == "potential")
      f.potential = true;
    else
      throw std::invalid_argument("--snapshot-fields: unknown field '" + item + "' (choose: acc, pot)");
    b = e + 1;
  }
  return f;
}

bool is_hdf5_path(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    if (path.size() < ext.size()) return false;
    for (std::size_t i = 0; i < ext.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(path[path.size() - ext.size() + i])) != ext[i]) return false;
    return true;
  };
  return ends(".h5") || ends(".hdf5");
}

long long write_snapshot_h5(const std::string& path, System& sys, const SnapshotFields& f) {
  quiet_hdf5();
  const std::size_t n = sys.size();
  const SimConfig& cfg = sys.config();
  if (f.potential && n > kPotentialMaxParticles)
    throw std::invalid_argument("--snapshot-fields pot: the potential is an exact O(N^2) pair sum, limited to " +
                                std::to_string(kPotentialMaxParticles) + " particles (have " + std::to_string(n) + ")");
  if (f.acceleration) sys.ensure_forces();
  const ParticleStore& st = sys.store();
  // Refuse to write what the reader would refuse (checked while filling the
  // slabs), so a snapshot of a blown-up run fails now rather than on restart.
  auto refuse = [&](std::size_t k) {
    const ParticleRecord r = st.record(k);
    for (int a = 0; a < kNumAttrs; ++a)
      if (!std::isfinite(r.get(a)) || (a == MASS && !(r.get(a) > 0)))
        fail(path, "particle " + std::to_string(sys.stored_id(k)) + " has " + std::string(kAttrNames[a]) + " = " +
                       std::to_string(r.get(a)) + "; not written");
    fail(path, "particle " + std::to_string(sys.stored_id(k)) + " cannot be written");
  };
  // The state hash is a sequential byte-wise FNV over the whole store,
  // about as costly as the writes: it runs on its own thread meanwhile
  // (the store is only read until this function returns). The future's
  // destructor waits for it if a write throws.
  std::future<std::uint64_t> hash = std::async(std::launch::async, [&sys] { return sys.state_hash(); });

  Writer w(path);
  {
    // Header: Gadget's six-type arrays, everything in type 1 (halo / dark
    // matter), the type readers treat as plain collisionless particles.
    Handle h = w.group(w.file(), "Header");
    std::uint64_t counts[kTypes] = {0, n, 0, 0, 0, 0};
    std::uint32_t high[kTypes] = {};
    double mass_table[kTypes] = {};  // 0: per-particle Masses datasets
    w.attr(h, "NumPart_ThisFile", H5T_NATIVE_UINT64, counts, kTypes);
    w.attr(h, "NumPart_Total", H5T_NATIVE_UINT64, counts, kTypes);
    w.attr(h, "NumPart_Total_HighWord", H5T_NATIVE_UINT32, high, kTypes);
    w.attr(h, "MassTable", H5T_NATIVE_DOUBLE, mass_table, kTypes);
    w.attr_f64(h, "Time", sys.sim_time());
    w.attr_f64(h, "Redshift", 0.0);
    w.attr_f64(h, "BoxSize", cfg.solver == "pm" && cfg.force.periodic ? cfg.force.box : 0.0);
    w.attr_i32(h, "NumFilesPerSnapshot", 1);
    w.attr_f64(h, "Omega0", 0.0);
    w.attr_f64(h, "OmegaLambda", 0.0);
    w.attr_f64(h, "HubbleParam", 1.0);
    w.attr_i32(h, "Flag_DoublePrecision", 1);
    for (const char* flag : {"Flag_Sfr", "Flag_Cooling", "Flag_Feedback", "Flag_StellarAge", "Flag_Metals"})
      w.attr_i32(h, flag, 0);
  }
  Handle p1 = w.group(w.file(), "PartType1");
  w.dataset<double>(p1, "Coordinates", H5T_NATIVE_DOUBLE, n, 3, [&](std::size_t a, std::size_t b, double* buf) {
    if (const std::size_t k = fill_xyz<X>(st, a, b, buf); k != SIZE_MAX) refuse(k);
  });
  w.dataset<double>(p1, "Velocities", H5T_NATIVE_DOUBLE, n, 3, [&](std::size_t a, std::size_t b, double* buf) {
    if (const std::size_t k = fill_xyz<VX>(st, a, b, buf); k != SIZE_MAX) refuse(k);
  });
  w.dataset<double>(p1, "Masses", H5T_NATIVE_DOUBLE, n, 1, [&](std::size_t a, std::size_t b, double* buf) {
    st.visit([&](const auto& s) {
      for (std::size_t k = a; k < b; ++k) {
        buf[k - a] = s.template get<MASS>(k);
        if (!(buf[k - a] > 0) || !std::isfinite(buf[k - a])) refuse(k);
      }
    });
  });
  w.dataset<std::uint64_t>(p1, "ParticleIDs", H5T_NATIVE_UINT64, n, 1,
                           [&](std::size_t a, std::size_t b, std::uint64_t* buf) {
                             for (std::size_t k = a; k < b; ++k) buf[k - a] = sys.stored_id(k);
                           });
  auto write_acc = [&](hid_t loc, const char* name) {
    w.dataset<double>(loc, name, H5T_NATIVE_DOUBLE, n, 3, [&](std::size_t a, std::size_t b, double* buf) {
      const double* c[3] = {sys.cached_acceleration(0), sys.cached_acceleration(1), sys.cached_acceleration(2)};
      for (std::size_t k = a; k < b; ++k)
        for (int i = 0; i < 3; ++i) buf[3 * (k - a) + i] = c[i] ? c[i][k] : 0.0;  // `none`: no forces
    });
  };
  if (f.acceleration) write_acc(p1, "Acceleration");
  if (f.potential) {
    const std::vector<double> phi = pair_potential(sys);
    w.dataset<double>(p1, "Potential", H5T_NATIVE_DOUBLE, n, 1, [&](std::size_t a, std::size_t b, double* buf) {
      std::copy(phi.begin() + std::ptrdiff_t(a), phi.begin() + std::ptrdiff_t(b), buf);
    });
  }

  Handle g = w.group(w.file(), "slotsim");
  w.attr_i32(g, "format_version", kFormatVersion);
  w.attr_u64(g, "step", sys.steps_done());
  w.attr_f64(g, "time", sys.sim_time());
  w.attr_f64(g, "dt", cfg.dt);
  w.attr_f64(g, "softening", cfg.force.softening);
  w.attr_u64(g, "seed", cfg.seed);
  w.attr_str(g, "scene", cfg.ic_file.empty() ? cfg.scene : "ic:" + cfg.ic_file);
  w.attr_str(g, "solver", cfg.solver);
  w.attr_f64(g, "theta", cfg.force.theta);
  w.attr_i32(g, "grid", cfg.force.grid);
  w.attr_i32(g, "periodic", cfg.force.periodic ? 1 : 0);
  w.attr_f64(g, "box", cfg.force.box);
  w.attr_str(g, "layout", std::string(layout_name(sys.layout())));
  w.attr_u64(g, "sort_every", cfg.sort_every);
  // Rows are in storage order; `sorted` says whether that differs from id
  // order (after a Morton reorder), i.e. whether ParticleIDs is the identity.
  bool sorted = false;
  for (std::size_t k = 0; k < n && !sorted; ++k) sorted = sys.stored_id(k) != k;
  w.attr_i32(g, "sorted", sorted ? 1 : 0);
  w.attr_i32(g, "threads", cfg.threads);
  w.attr_i32(g, "threads_used", omp_get_max_threads());
  const std::uint64_t h = hash.get();
  w.attr_u64(g, "state_hash", h);
  w.attr_str(g, "state_hash_hex", hex16(h));
  w.attr_i32(g, "forces_cached", sys.forces_cached() ? 1 : 0);
  if (sys.forces_cached()) {
    if (f.acceleration)
      w.link(p1, "Acceleration", g, "LeapfrogAcceleration");  // the same numbers: one copy on disk
    else
      write_acc(g, "LeapfrogAcceleration");
  }
  // Dynamic attributes: one group per name, numbered in first-seen order
  // (names may hold '/' or '.', which HDF5 link names cannot), each with
  // the name, a value per particle and a presence mask (storage order).
  // Column layouts hold every name on every particle (mask all 1).
  Handle dyn = w.group(g, "dynamic");
  const bool columns = sys.layout() == Layout::Aos || sys.layout() == Layout::Soa;
  w.attr_str(dyn, "held_as", columns ? "columns" : "per-particle");
  const std::vector<DynamicAttr> names = st.dynamic_attrs();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Name* key = intern(names[i].name);
    std::vector<double> values(n, 0.0);
    std::vector<std::uint8_t> present(n, 0);
    st.visit([&](const auto& s) {
      for (std::size_t k = 0; k < n; ++k)
        s.for_each_dynamic(k, [&](const Name* kk, double v) {
          if (kk == key) {
            values[k] = v;
            present[k] = 1;
          }
        });
    });
    char idx[24];
    std::snprintf(idx, sizeof idx, "%03zu", i);
    Handle a = w.group(dyn, idx);
    w.attr_str(a, "name", names[i].name);
    w.attr_u64(a, "count", names[i].count);
    w.dataset<double>(a, "values", H5T_NATIVE_DOUBLE, n, 1, [&](std::size_t b, std::size_t e, double* buf) {
      std::copy(values.begin() + std::ptrdiff_t(b), values.begin() + std::ptrdiff_t(e), buf);
    });
    w.dataset<std::uint8_t>(a, "present", H5T_NATIVE_UINT8, n, 1, [&](std::size_t b, std::size_t e, std::uint8_t* buf) {
      std::copy(present.begin() + std::ptrdiff_t(b), present.begin() + std::ptrdiff_t(e), buf);
    });
  }
  dyn.close();
  g.close();
  p1.close();
  w.close();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<long long>(size);
}

long long save_snapshot_h5(const std::string& path, System& sys, const SnapshotFields& f) {
  long long bytes = -1;
  io::write_file_atomic_with(path, [&](const std::string& tmp) { bytes = write_snapshot_h5(tmp, sys, f); });
  return bytes;
}

std::uint64_t snapshot_particle_count(const std::string& path) {
  quiet_hdf5();
  Reader rd(path);
  Handle header = rd.group(rd.file(), "Header", "/Header");
  const auto total = rd.attr<std::uint64_t>(header, "NumPart_Total", "/Header/NumPart_Total", kTypes, H5T_INTEGER,
                                            H5T_NATIVE_UINT64);
  std::uint64_t n = 0;
  for (std::uint64_t t : total) n += t;
  return n;
}

GadgetParticles read_particles_h5(const std::string& path) {
  quiet_hdf5();
  Reader rd(path);
  Handle header = rd.group(rd.file(), "Header", "/Header");
  const auto this_file = rd.attr<std::uint64_t>(header, "NumPart_ThisFile", "/Header/NumPart_ThisFile", kTypes,
                                                H5T_INTEGER, H5T_NATIVE_UINT64);
  const auto mass_table =
      rd.attr<double>(header, "MassTable", "/Header/MassTable", kTypes, H5T_FLOAT, H5T_NATIVE_DOUBLE);
  std::vector<int> types;
  for (int t = 0; t < kTypes; ++t)
    if (rd.has(rd.file(), "PartType" + std::to_string(t))) types.push_back(t);
  if (types.empty()) rd.bad("missing group /PartType1 (no PartType0..5 group at all)");
  GadgetParticles out;
  std::vector<std::uint64_t> ids;
  bool all_ids = true;
  std::string merged;
  for (int t : types) {
    const std::string gname = "PartType" + std::to_string(t), shown = "/" + gname;
    Handle g = rd.group(rd.file(), gname, shown);
    std::size_t rows = 0;
    const auto pos = rd.doubles(g, "Coordinates", shown + "/Coordinates", rows, 3);
    if (rows != this_file[t])
      rd.bad(shown + "/Coordinates has " + std::to_string(rows) + " rows but /Header/NumPart_ThisFile[" +
             std::to_string(t) + "] is " + std::to_string(this_file[t]));
    const auto vel = rd.doubles(g, "Velocities", shown + "/Velocities", rows, 3);
    std::vector<double> mass;
    if (rd.has(g, "Masses")) {
      mass = rd.doubles(g, "Masses", shown + "/Masses", rows, 1);
      check_masses(rd, mass, shown + "/Masses");
    } else {
      const double mt = mass_table[t];
      if (!(mt > 0) || !std::isfinite(mt))
        rd.bad(shown + " has no Masses dataset and /Header/MassTable[" + std::to_string(t) + "] is " +
               std::to_string(mt) + " (need one of them)");
      mass.assign(rows, mt);
    }
    if (rd.has(g, "ParticleIDs")) {
      const auto v =
          rd.dataset<std::uint64_t>(g, "ParticleIDs", shown + "/ParticleIDs", rows, 1, H5T_INTEGER, H5T_NATIVE_UINT64);
      ids.insert(ids.end(), v.begin(), v.end());
    } else {
      all_ids = false;
    }
    fill_records(out.particles, pos, vel, mass);
    merged += (merged.empty() ? "" : ", ") + gname + " (" + std::to_string(rows) + ")";
  }
  if (out.particles.empty()) rd.bad("no particles in " + merged);
  if (out.particles.size() > std::size_t(UINT32_MAX)) rd.bad("more than 2^32 - 1 particles");
  if (types.size() > 1 || types[0] != 1)
    out.note = path + ": read " + merged + " as one set of " + std::to_string(out.particles.size()) + " particles";
  if (all_ids) {
    std::vector<std::size_t> order(ids.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; });
    std::vector<ParticleRecord> sorted(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) sorted[k] = out.particles[order[k]];
    out.particles.swap(sorted);
  }
  return out;
}

RestartSnapshot read_restart_h5(const std::string& path, RowSlice slice) {
  quiet_hdf5();
  Reader rd(path);
  if (!rd.has(rd.file(), "slotsim"))
    rd.bad("missing group /slotsim: not written by slotsim, so it cannot be restarted (use --ic to start from it)");
  Handle g = rd.group(rd.file(), "slotsim", "/slotsim");
  const std::string at = "/slotsim";
  const std::int64_t version = rd.attr_i64(g, "format_version", at);
  if (version != kFormatVersion)
    rd.bad("/slotsim/format_version is " + std::to_string(version) + ", this slotsim reads " +
           std::to_string(kFormatVersion));
  RestartSnapshot s;
  SimConfig& c = s.cfg;
  RestoredRun& r = s.run;
  r.steps = rd.attr_u64(g, "step", at);
  r.time = rd.attr_f64(g, "time", at);
  c.dt = rd.attr_f64(g, "dt", at);
  c.force.softening = rd.attr_f64(g, "softening", at);
  c.seed = rd.attr_u64(g, "seed", at);
  const std::string scene = rd.attr_str(g, "scene", at);
  if (scene.rfind("ic:", 0) == 0)
    c.ic_file = scene.substr(3);
  else
    c.scene = scene;
  c.solver = rd.attr_str(g, "solver", at);
  c.force.theta = rd.attr_f64(g, "theta", at);
  c.force.grid = static_cast<int>(rd.attr_i64(g, "grid", at));
  c.force.periodic = rd.attr_i64(g, "periodic", at) != 0;
  c.force.box = rd.attr_f64(g, "box", at);
  const std::string layout = rd.attr_str(g, "layout", at);
  const auto l = parse_layout(layout);
  if (!l) rd.bad("/slotsim/layout: unknown layout '" + layout + "'");
  c.layout = *l;
  c.sort_every = rd.attr_u64(g, "sort_every", at);
  c.threads = static_cast<int>(rd.attr_i64(g, "threads", at));
  s.threads_used = static_cast<int>(rd.attr_i64(g, "threads_used", at));
  s.state_hash = rd.attr_u64(g, "state_hash", at);
  const bool cached = rd.attr_i64(g, "forces_cached", at) != 0;

  Handle p1 = rd.group(rd.file(), "PartType1", "/PartType1");
  std::size_t n = 0;
  const auto pos = rd.doubles(p1, "Coordinates", "/PartType1/Coordinates", n, 3, slice);
  const auto vel = rd.doubles(p1, "Velocities", "/PartType1/Velocities", n, 3, slice);
  const auto mass = rd.doubles(p1, "Masses", "/PartType1/Masses", n, 1, slice);
  if (slice.first > n) slice.first = n;
  const std::size_t first = slice.first, m = mass.size();  // m: rows of the slice
  check_masses(rd, mass, "/PartType1/Masses", first);
  if (n == 0) rd.bad("/PartType1 holds no particles");
  if (n > std::size_t(UINT32_MAX)) rd.bad("more than 2^32 - 1 particles");
  const auto ids = rd.dataset<std::uint64_t>(p1, "ParticleIDs", "/PartType1/ParticleIDs", n, 1, H5T_INTEGER,
                                             H5T_NATIVE_UINT64, slice);
  r.particles.reserve(m);
  fill_records(r.particles, pos, vel, mass);
  r.ids.resize(m);
  {
    // A slice can only check that its ids are in range; that the whole
    // file's are a permutation is for the caller who holds every slice.
    const bool whole = m == n;
    std::vector<bool> seen(whole ? n : 0);
    for (std::size_t k = 0; k < m; ++k) {
      if (ids[k] >= n || (whole && seen[ids[k]]))
        rd.bad("/PartType1/ParticleIDs is not a permutation of 0.." + std::to_string(n - 1) + " (row " +
               std::to_string(first + k) + ")");
      if (whole) seen[ids[k]] = true;
      r.ids[k] = static_cast<std::uint32_t>(ids[k]);
    }
  }
  c.particles = n;
  if (cached) {
    const auto acc = rd.doubles(g, "LeapfrogAcceleration", "/slotsim/LeapfrogAcceleration", n, 3, slice);
    r.ax.resize(m);
    r.ay.resize(m);
    r.az.resize(m);
    for (std::size_t k = 0; k < m; ++k) {
      r.ax[k] = acc[3 * k];
      r.ay[k] = acc[3 * k + 1];
      r.az[k] = acc[3 * k + 2];
    }
  }
  Handle dyn = rd.group(g, "dynamic", "/slotsim/dynamic");
  for (int i = 0;; ++i) {
    char idx[24];
    std::snprintf(idx, sizeof idx, "%03d", i);
    if (!rd.has(dyn, idx)) break;
    const std::string shown = "/slotsim/dynamic/" + std::string(idx);
    Handle a = rd.group(dyn, idx, shown);
    RestoredRun::Dynamic d;
    d.name = rd.attr_str(a, "name", shown);
    if (d.name.empty() || declared_attr(d.name) >= 0)
      rd.bad(shown + "/name: '" + d.name + "' is not a dynamic attribute name");
    std::size_t rows = n;
    // Values may be NaN (a column created without a value), so no finiteness check.
    d.values = rd.dataset<double>(a, "values", shown + "/values", rows, 1, H5T_FLOAT, H5T_NATIVE_DOUBLE, slice);
    d.present =
        rd.dataset<std::uint8_t>(a, "present", shown + "/present", rows, 1, H5T_INTEGER, H5T_NATIVE_UINT8, slice);
    r.dynamic.push_back(std::move(d));
  }
  return s;
}

}  // namespace slotsim
