// Parallel HDF5 snapshots (see the header). The file's layout is
// sim/io/hdf5_snapshot.cpp's, attribute for attribute; a ctest
// (mpi_snapshot_parity) compares an MPI file with a serial one dataset by
// dataset and attribute by attribute, so the two writers cannot drift.
#include "dist/parallel_snapshot.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <vector>

#include "dist/exact_potential.hpp"
#include "sim/io/hdf5_common.hpp"  // h5::reason(): both writers word an HDF5 failure alike
#include "sim/io/output_file.hpp"
#include "sim/exit_status.hpp"
#include "sim/kernels.hpp"
#include "sim/message.hpp"
#include "sim/layouts/particle_store.hpp"

namespace slotsim::dist {
namespace {

constexpr int kFormatVersion = 2;  // sim/io/hdf5_snapshot.cpp's (h5::kFormatVersion)
constexpr int kTypes = 6;
constexpr std::size_t kSlabRows = std::size_t(1) << 20;

// One hid_t, closed by its own function at scope end.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer c, const std::string& path, const std::string& what) : id_(id), close_(c) {
    if (id_ < 0) throw io::OutputError(path + ": " + what + ": " + h5::reason());
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  operator hid_t() const { return id_; }
  bool close() {
    const herr_t rc = id_ >= 0 ? close_(id_) : 0;
    id_ = -1;
    return rc >= 0;
  }

 private:
  hid_t id_;
  Closer close_;
};

// The collective writer: every rank makes the same calls in the same order.
class Writer {
 public:
  Writer(Comm& comm, const std::string& path, std::size_t n, std::size_t first, std::size_t count,
         std::size_t max_count)
      : comm_(comm),
        path_(path),
        n_(n),
        first_(first),
        count_(count),
        slabs_((max_count + kSlabRows - 1) / kSlabRows),
        fapl_(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "file access list"),
        dxpl_(H5Pcreate(H5P_DATASET_XFER), H5Pclose, path, "transfer list"),
        file_(create(comm), H5Fclose, path, "cannot create") {}

  hid_t file() const { return file_; }
  void check(herr_t rc, const std::string& what) const {
    if (rc < 0) throw io::OutputError(path_ + ": " + what + ": " + h5::reason());
  }
  // A dataset write that failed on this rank (each rank writes its own
  // rows: a full disk, a file-size limit, an I/O error reach only the ranks
  // that write). libhdf5's collective write does not survive it: this rank
  // leaves the write early while the others wait inside it for this one,
  // so no agreement can follow (an Allreduce here, and a throw into the
  // collective H5Fclose before it, both hung the job: mpi_exit, under a
  // file-size limit). As run_guarded_mpi does with an error one rank saw
  // alone: one line, the temporary removed, and MPI_Abort ends every rank
  // with the status of a failed output (1).
  void write_or_abort(herr_t rc, const std::string& what) const {
    if (rc >= 0) return;
    const std::string line = one_line(path_ + ": " + what + ": " + h5::reason());
    std::fprintf(stderr, "slotsim-mpi: error on rank %d: %s (ending every rank)\n", comm_.rank(), line.c_str());
    std::fflush(stderr);
    std::remove(path_.c_str());
    MPI_Abort(comm_.get(), kExitFailed);
  }
  Handle group(hid_t loc, const char* name) {
    return Handle(H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path_,
                  std::string("cannot create group ") + name);
  }
  void attr(hid_t obj, const char* name, hid_t type, const void* data, hsize_t n = 0) {
    Handle space(n ? H5Screate_simple(1, &n, nullptr) : H5Screate(H5S_SCALAR), H5Sclose, path_, "dataspace");
    Handle a(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path_,
             std::string("cannot create attribute ") + name);
    check(H5Awrite(a, type, data), std::string("cannot write attribute ") + name);
  }
  void attr_f64(hid_t obj, const char* name, double v) { attr(obj, name, H5T_NATIVE_DOUBLE, &v); }
  void attr_i32(hid_t obj, const char* name, int v) { attr(obj, name, H5T_NATIVE_INT, &v); }
  void attr_u64(hid_t obj, const char* name, std::uint64_t v) { attr(obj, name, H5T_NATIVE_UINT64, &v); }
  void attr_str(hid_t obj, const char* name, const std::string& v) {
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose, path_, "string type");
    check(H5Tset_size(t, H5T_VARIABLE), "string type");
    check(H5Tset_cset(t, H5T_CSET_UTF8), "string type");
    const char* p = v.c_str();
    attr(obj, name, t, &p);
  }

  // An (N) or (N, cols) dataset: this rank's rows [first, first + count),
  // slab by slab; fill(k0, k1, buf) writes local rows [k0, k1) into buf.
  template <class T, class Fill>
  void dataset(hid_t loc, const char* name, hid_t type, int cols, Fill&& fill) {
    const hsize_t dims[2] = {hsize_t(n_), hsize_t(cols)};
    const int rank = cols == 1 ? 1 : 2;
    Handle space(H5Screate_simple(rank, dims, nullptr), H5Sclose, path_, "dataspace");
    Handle d(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, path_,
             std::string("cannot create dataset ") + name);
    std::vector<T> buf(std::max<std::size_t>(1, std::min(count_, kSlabRows) * std::size_t(cols)));
    for (std::size_t s = 0; s < slabs_; ++s) {
      const std::size_t k0 = std::min(count_, s * kSlabRows), k1 = std::min(count_, k0 + kSlabRows);
      if (k1 > k0) {
        fill(k0, k1, buf.data());
        const hsize_t start[2] = {hsize_t(first_ + k0), 0}, cnt[2] = {hsize_t(k1 - k0), hsize_t(cols)};
        check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, cnt, nullptr), "hyperslab");
        Handle mem(H5Screate_simple(rank, cnt, nullptr), H5Sclose, path_, "dataspace");
        write_or_abort(H5Dwrite(d, type, mem, space, dxpl_, buf.data()), std::string("cannot write ") + name);
      } else {
        // Nothing of this slab here: join the collective write with none.
        check(H5Sselect_none(space), "selection");
        Handle mem(H5Scopy(space), H5Sclose, path_, "dataspace");
        check(H5Sselect_none(mem), "selection");
        write_or_abort(H5Dwrite(d, type, mem, space, dxpl_, buf.data()), std::string("cannot write ") + name);
      }
    }
  }
  void link(hid_t from_loc, const char* from, hid_t to_loc, const char* to) {
    check(H5Lcreate_hard(from_loc, from, to_loc, to, H5P_DEFAULT, H5P_DEFAULT), std::string("link ") + to);
  }
  void close() {
    if (!file_.close()) throw io::OutputError(path_ + ": cannot finish writing (disk full?): " + h5::reason());
  }

 private:
  hid_t create(Comm& comm) {
    check(H5Pset_fapl_mpio(fapl_, comm.get(), MPI_INFO_NULL), "MPI-IO driver");
    check(H5Pset_dxpl_mpio(dxpl_, H5FD_MPIO_COLLECTIVE), "collective transfers");
    return H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl_);
  }
  Comm& comm_;
  std::string path_;
  std::size_t n_, first_, count_, slabs_;
  Handle fapl_, dxpl_, file_;
};

// The refusal of a state the reader would refuse, agreed: every rank finds
// its first bad particle, the lowest id wins. Like every failure of the
// writer, an io::OutputError, as the serial writer's (hdf5_snapshot.cpp):
// a run-time failure (exit status 1), not bad input; SnapshotError, which
// this file once threw here, is the reader's class (exit status 2).
void refuse_bad_values(Comm& comm, const std::string& path, DistSystem& sys) {
  const ParticleStore& st = sys.local().store();
  std::int64_t bad = INT64_MAX;
  std::string what;
  for (std::size_t k = 0; k < sys.local_size(); ++k) {
    const ParticleRecord r = st.record(k);
    for (int a = 0; a < kNumAttrs; ++a)
      if (!std::isfinite(r.get(a)) || (a == MASS && !(r.get(a) > 0))) {
        if (std::int64_t(sys.gid(k)) < bad) {
          bad = sys.gid(k);
          what = "particle " + std::to_string(sys.gid(k)) + " has " + std::string(kAttrNames[a]) + " = " +
                 std::to_string(r.get(a)) + "; not written";
        }
        break;
      }
  }
  const std::int64_t lowest = comm.min(bad);
  if (lowest == INT64_MAX) return;
  const std::int64_t from = comm.min(std::int64_t(bad == lowest ? comm.rank() : comm.size()));
  comm.bcast(what, static_cast<int>(from));
  throw io::OutputError(path + ": " + what);
}

// Fills local rows [k0, k1) of an (n, 3) buffer with attributes A0..A0+2.
template <int A0>
void fill_xyz(const ParticleStore& st, std::size_t k0, std::size_t k1, double* buf) {
  st.visit([&](const auto& s) {
    for (std::size_t k = k0; k < k1; ++k) {
      double* r = buf + 3 * (k - k0);
      r[0] = s.template get<static_cast<Attr>(A0)>(k);
      r[1] = s.template get<static_cast<Attr>(A0 + 1)>(k);
      r[2] = s.template get<static_cast<Attr>(A0 + 2)>(k);
    }
  });
}

// Reserves the blocks of the file about to be written, on rank 0, agreed
// by every rank before the first collective write: the datasets' bytes
// exactly, plus 1 MiB for HDF5's own structures (a snapshot's headers,
// attributes and group tables take a few KiB). A full disk is then one
// agreed error here (exit 1, the temporary removed), not a failure inside
// libhdf5's collective H5Fclose: there a metadata write that failed on
// rank 0 left the ranks in different collective calls (a barrier against a
// broadcast), and the job hung with the temporary left (a 200 KB tmpfs,
// --snapshot-fields acc,pot). The datasets' own writes were already safe
// (Writer::write_or_abort). FALLOC_FL_KEEP_SIZE leaves the file's size to
// HDF5; release_reserve() frees what lies past its end once it is closed.
// A file system that cannot reserve (EOPNOTSUPP: NFS, some parallel file
// systems) or a device is written as before. The rejected alternative,
// agreeing on an error after H5Fclose, cannot help: the ranks never leave
// it.
void reserve(Comm& comm, const std::string& path, std::uint64_t bytes) {
  agree(comm, [&] {
    if (!comm.root()) return;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;  // the writer's own open says why, if it matters
    const int rc = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(bytes));
    const int err = rc == 0 ? 0 : errno;
    ::close(fd);
    // Only a lack of space refuses the write; a file that cannot take a
    // reservation (EOPNOTSUPP, ENODEV for a device, ESPIPE) goes on as before.
    if (err == ENOSPC || err == EDQUOT || err == EFBIG)
      throw io::OutputError(path + ": cannot reserve " + std::to_string(bytes) + " bytes for the snapshot: " +
                            std::strerror(err));
  });
}

// Rank 0, after the close: truncating to the file's own size frees the
// reserved blocks past its end (the size HDF5 wrote is kept).
void release_reserve(Comm& comm, const std::string& path) {
  if (!comm.root()) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) (void)::truncate(path.c_str(), st.st_size);
}

std::string hex16(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void write_file(Comm& comm, const std::string& path, DistSystem& sys, const SnapshotFields& f,
                std::uint64_t state_hash, const std::vector<double>& phi, bool sorted, std::string_view status) {
  const Segments& seg = sys.segments();
  const std::size_t n = seg.n, count = sys.local_size();
  const SimConfig& cfg = sys.local().config();
  const ParticleStore& st = sys.local().store();
  System& local = sys.local();
  Writer w(comm, path, n, sys.first(), count, seg.max_count());
  // Every dataset of the file, declared before the first is written: the
  // space reserved for them is summed from the list that writes them, so a
  // dataset added here is reserved for. (The first version counted them in
  // a list of its own beside the writes, which a new dataset had to be
  // added to as well.) The tag's type is the dataset's element.
  struct Dataset {
    bool in_slotsim;            // in the slotsim group, else in PartType1
    std::uint64_t row_bytes;    // per particle
    std::function<void(hid_t)> write;
  };
  std::vector<Dataset> sets;
  auto declare = [&](auto tag, bool in_slotsim, const char* name, hid_t type, int cols, auto fill) {
    using T = decltype(tag);
    sets.push_back({in_slotsim, sizeof(T) * std::uint64_t(cols),
                    [&w, name, type, cols, fill](hid_t loc) { w.dataset<T>(loc, name, type, cols, fill); }});
  };
  declare(double{}, false, "Coordinates", H5T_NATIVE_DOUBLE, 3,
          [&](std::size_t a, std::size_t b, double* buf) { fill_xyz<X>(st, a, b, buf); });
  declare(double{}, false, "Velocities", H5T_NATIVE_DOUBLE, 3,
          [&](std::size_t a, std::size_t b, double* buf) { fill_xyz<VX>(st, a, b, buf); });
  declare(double{}, false, "Masses", H5T_NATIVE_DOUBLE, 1, [&](std::size_t a, std::size_t b, double* buf) {
    st.visit([&](const auto& s) {
      for (std::size_t k = a; k < b; ++k) buf[k - a] = s.template get<MASS>(k);
    });
  });
  declare(std::uint64_t{}, false, "ParticleIDs", H5T_NATIVE_UINT64, 1,
          [&](std::size_t a, std::size_t b, std::uint64_t* buf) {
            for (std::size_t k = a; k < b; ++k) buf[k - a] = sys.gid(k);
          });
  auto acc_rows = [&](std::size_t a, std::size_t b, double* buf) {
    const double* c[3] = {local.cached_acceleration(0), local.cached_acceleration(1), local.cached_acceleration(2)};
    for (std::size_t k = a; k < b; ++k)
      for (int i = 0; i < 3; ++i) buf[3 * (k - a) + i] = c[i] ? c[i][k] : 0.0;
  };
  if (f.acceleration) declare(double{}, false, "Acceleration", H5T_NATIVE_DOUBLE, 3, acc_rows);
  if (f.potential)
    declare(double{}, false, "Potential", H5T_NATIVE_DOUBLE, 1, [&](std::size_t a, std::size_t b, double* buf) {
      std::copy(phi.begin() + std::ptrdiff_t(a), phi.begin() + std::ptrdiff_t(b), buf);
    });
  // A run with cached forces carries them for its restart: a link to
  // Acceleration when that is written, else a dataset of their own.
  if (local.forces_cached() && !f.acceleration)
    declare(double{}, true, "LeapfrogAcceleration", H5T_NATIVE_DOUBLE, 3, acc_rows);
  {
    std::uint64_t per = 0;
    for (const Dataset& d : sets) per += d.row_bytes;
    reserve(comm, path, per * std::uint64_t(n) + (std::uint64_t(1) << 20));
  }
  {
    Handle h = w.group(w.file(), "Header");
    std::uint64_t counts[kTypes] = {0, n, 0, 0, 0, 0};
    std::uint32_t high[kTypes] = {};
    double mass_table[kTypes] = {};
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
  for (const Dataset& d : sets)
    if (!d.in_slotsim) d.write(p1);

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
  w.attr_i32(g, "sorted", sorted ? 1 : 0);
  w.attr_i32(g, "threads", cfg.threads);
  w.attr_i32(g, "threads_used", omp_get_max_threads());
  w.attr_u64(g, "state_hash", state_hash);
  w.attr_str(g, "state_hash_hex", hex16(state_hash));
  w.attr_i32(g, "forces_cached", local.forces_cached() ? 1 : 0);
  // Format 2, as the serial writer: the run's mode, status and E0.
  w.attr_i32(g, "python_objects", cfg.python_objects ? 1 : 0);
  w.attr_str(g, "python_objects_version", py_version_text(cfg.python_version));
  w.attr_str(g, "status", std::string(status));
  // Only a finite E0, as the serial writer (hdf5_snapshot.cpp says why).
  if (const auto e0 = sys.initial_energy(); e0 && std::isfinite(*e0)) {
    w.attr_f64(g, "energy_initial", *e0);
    w.attr_u64(g, "energy_sample", sys.energy_sample());
  }
  if (local.forces_cached() && f.acceleration) w.link(p1, "Acceleration", g, "LeapfrogAcceleration");
  for (const Dataset& d : sets)
    if (d.in_slotsim) d.write(g);
  // slotsim-mpi carries no dynamic attributes (a restart with them is
  // refused), so the group is the empty one a serial run without them writes.
  Handle dyn = w.group(g, "dynamic");
  const bool columns = traits(sys.layout()).columns;  // the table says which, not a list here
  w.attr_str(dyn, "held_as", columns ? "columns" : "per-particle");
  w.attr_i32(g, "mpi_ranks", comm.size());
  dyn.close();
  g.close();
  p1.close();
  w.close();
  release_reserve(comm, path);
}

}  // namespace

long long write_snapshot_parallel(Comm& comm, const std::string& path, DistSystem& sys, const SnapshotFields& f,
                                  std::uint64_t state_hash, std::string_view status) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (f.potential && sys.size() > kPotentialMaxParticles)
    throw std::invalid_argument("--snapshot-fields pot: the potential is an exact O(N^2) pair sum, limited to " +
                                std::to_string(kPotentialMaxParticles) + " particles (have " +
                                std::to_string(sys.size()) + ")");
  if (f.acceleration) sys.ensure_forces();
  refuse_bad_values(comm, path, sys);
  std::vector<double> phi;
  if (f.potential) {
    const std::size_t n = sys.local_size();
    std::vector<double> x(n), y(n), z(n), m(n);
    sys.local().store().visit([&](const auto& s) { kernels::gather(s, x.data(), y.data(), z.data(), m.data()); });
    std::vector<std::uint64_t> at(n);
    for (std::size_t k = 0; k < n; ++k) at[k] = sys.first() + k;
    phi.resize(n);
    const double eps = sys.local().config().force.softening;
    exact_potentials(comm, sys.segments(), {x.data(), y.data(), z.data(), m.data(), n}, eps * eps,
                     {x.data(), y.data(), z.data(), at.data(), n}, phi.data());
  }
  const bool sorted = !sys.all_identity_ids();

  // Rank 0 owns the temporary (write_file_atomic_with: unique name beside
  // the target, removed on failure or a second signal, renamed on success);
  // every rank writes into it. Whatever fails, every rank makes the same
  // calls: the name's broadcast (empty if rank 0 could not make one), the
  // write (errors agreed), the outcome's broadcast.
  std::string tmp;
  std::exception_ptr err;
  auto write_all = [&](const std::string& name) {
    agree(comm, [&] { write_file(comm, name, sys, f, state_hash, phi, sorted, status); });
  };
  if (comm.root()) {
    bool called = false;
    try {
      io::write_file_atomic_with(path, [&](const std::string& t) {
        called = true;
        tmp = t;
        comm.bcast(tmp, 0);
        write_all(tmp);
      });
    } catch (...) {
      err = std::current_exception();
      if (!called) {
        tmp.clear();
        comm.bcast(tmp, 0);
      }
    }
  } else {
    comm.bcast(tmp, 0);
    if (!tmp.empty()) {
      try {
        write_all(tmp);
      } catch (...) {
        err = std::current_exception();
      }
    }
  }
  // Rank 0's outcome (its rename may fail after a good write) for all.
  std::string what;
  int code = 0;
  if (comm.root() && err) {
    code = exit_code_of(err, what);
    // The writer's errors name the file it writes, the temporary; the user
    // asked for `path` and never sees the other name.
    for (std::size_t at; !tmp.empty() && (at = what.find(tmp)) != std::string::npos;) what.replace(at, tmp.size(), path);
  }
  comm.bcast(code, 0);
  comm.bcast(what, 0);
  if (code != 0) throw AgreedError(code, what);
  long long bytes = -1;
  if (comm.root()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    bytes = ec ? -1 : static_cast<long long>(size);
  }
  comm.bcast(bytes, 0);
  return bytes;
}

RestartPart read_restart_part(Comm& comm, const std::string& path) {
  RestartPart out;
  agree(comm, [&] {
    out.n = snapshot_particle_count(path);
    if (out.n == 0) throw SnapshotError(path + ": /PartType1 holds no particles");
    if (out.n > std::size_t(UINT32_MAX)) throw SnapshotError(path + ": more than 2^32 - 1 particles");
    const Segments seg(out.n, comm.size());
    RestartSnapshot s = read_restart_h5(path, RowSlice{seg.begin(comm.rank()), seg.count(comm.rank())});
    if (s.cfg.particles != out.n)
      throw SnapshotError(path + ": /Header/NumPart_Total says " + std::to_string(out.n) + " particles, /PartType1 holds " +
                          std::to_string(s.cfg.particles));
    if (s.cfg.sort_every > 0)
      throw std::invalid_argument(path + ": its run reorders every " + std::to_string(s.cfg.sort_every) +
                                  " steps (--sort-every), which slotsim-mpi does not do; restart it with the serial "
                                  "slotsim");
    if (!s.run.dynamic.empty())
      throw std::invalid_argument(path + ": holds dynamic attributes ('" + s.run.dynamic[0].name +
                                  "'), which slotsim-mpi does not carry; restart it with the serial slotsim");
    out.cfg = s.cfg;
    out.state_hash = s.state_hash;
    out.status = s.status;
    out.part.gids = std::move(s.run.ids);
    s.run.ids.clear();
    out.part.run = std::move(s.run);
  });
  // The ids of every slice together must be a permutation of 0..N-1: each
  // id goes to the rank whose segment of the id range holds it.
  const Segments seg(out.n, comm.size());
  const auto p = static_cast<std::size_t>(comm.size());
  std::vector<std::size_t> counts(p, 0);
  for (std::uint32_t id : out.part.gids) ++counts[static_cast<std::size_t>(seg.owner(id))];
  std::vector<std::size_t> at(p, 0);
  for (std::size_t r = 1; r < p; ++r) at[r] = at[r - 1] + counts[r - 1];
  std::vector<std::uint32_t> send(out.part.gids.size());
  for (std::uint32_t id : out.part.gids) send[at[static_cast<std::size_t>(seg.owner(id))]++] = id;
  const std::vector<std::uint32_t> mine = comm.alltoallv(send.data(), counts);
  agree(comm, [&] {
    const std::size_t first = seg.begin(comm.rank());
    std::vector<bool> seen(seg.count(comm.rank()));
    for (std::uint32_t id : mine) {
      if (seen[id - first])
        throw SnapshotError(path + ": /PartType1/ParticleIDs is not a permutation of 0.." + std::to_string(out.n - 1) +
                            " (id " + std::to_string(id) + " twice)");
      seen[id - first] = true;
    }
  });
  return out;
}

}  // namespace slotsim::dist
