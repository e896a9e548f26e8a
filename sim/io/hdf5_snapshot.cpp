// HDF5 snapshot writing with the HDF5 C API (Debian 12 ships no C++ wrapper
// that is maintained; HighFive is not packaged). Every call is checked; a
// failure becomes one io::OutputError line built from the innermost entry of
// HDF5's error stack, whose automatic printing is off. Reading is in
// hdf5_read.cpp (isolated in a child process).
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

#include "sim/io/hdf5_common.hpp"
#include "sim/io/output_file.hpp"

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

using h5::Handle;
using h5::Side;
constexpr std::size_t kSlabRows = std::size_t(1) << 20;
constexpr int kTypes = h5::kTypes;

Handle make(hid_t id, Handle::Closer c, const std::string& path, const std::string& what) {
  return h5::make(id, c, Side::Write, path, what);
}
void check(herr_t rc, const std::string& path, const std::string& what) { h5::check(rc, Side::Write, path, what); }
[[noreturn]] void fail(const std::string& path, const std::string& what) { h5::fail(Side::Write, path, what); }

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
    if (!file_.close()) fail(path_, "cannot finish writing (disk full?): " + h5::reason());
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

long long write_snapshot_h5(const std::string& path, System& sys, const SnapshotFields& f, std::string_view status) {
  h5::quiet();
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
  w.attr_i32(g, "format_version", h5::kFormatVersion);
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
  // Format 2: the rest of the run's state, so a restart keeps everything.
  w.attr_i32(g, "python_objects", cfg.python_objects ? 1 : 0);
  w.attr_str(g, "python_objects_version", py_version_text(cfg.python_version));
  w.attr_str(g, "status", std::string(status));
  // Only a finite E0: one that overflowed (masses near 1e300, say) is
  // left out, so the restart takes it again from the restored particles,
  // as the run did, rather than refusing the file as damaged (the reader
  // wants a finite number there).
  if (const auto e0 = sys.initial_energy(); e0 && std::isfinite(*e0)) {
    // The run's E0 and the size of its potential sample: the restarted
    // run's energy error is then the whole run's, on the same sample.
    w.attr_f64(g, "energy_initial", *e0);
    w.attr_u64(g, "energy_sample", sys.energy_sample());
  }
  if (st.own_dicts() > 0) {
    // Which particles have their own __dict__ (read or materialised): on
    // shared-keys and slots+dict a dict exists only where it was made, and
    // the restart must make the same ones (1 B per particle; on dict, where
    // every particle has one, it restores nothing new).
    w.dataset<std::uint8_t>(g, "own_dict", H5T_NATIVE_UINT8, n, 1, [&](std::size_t a, std::size_t b, std::uint8_t* buf) {
      for (std::size_t k = a; k < b; ++k) buf[k - a] = st.has_own_dict(k) ? 1 : 0;
    });
  }
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
  const bool columns = traits(sys.layout()).columns;  // the table says which, not a list here
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

long long save_snapshot_h5(const std::string& path, System& sys, const SnapshotFields& f, std::string_view status) {
  long long bytes = -1;
  io::write_file_atomic_with(path, [&](const std::string& tmp) { bytes = write_snapshot_h5(tmp, sys, f, status); });
  return bytes;
}

}  // namespace slotsim
