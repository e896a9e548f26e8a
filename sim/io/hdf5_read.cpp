// HDF5 snapshot reading: libhdf5 runs in a child process, the parent
// validates what it sends (sim/io/isolated_call.hpp says why).
//
// The split: the child (FileReader and the send_* functions) opens the
// file, reports the header's numbers, the strings and the shapes of the
// datasets as it finds them, and then streams the datasets the shapes call
// for, slab by slab, in a fixed order both sides derive from the same
// shapes (gadget_plan, restart_plan). It judges nothing but what libhdf5
// needs to be safe: it checks a dataset's shape before it reads it, so a
// header claiming 2^40 rows is never allocated. The parent judges
// everything (counts, types, ranges, finiteness, permutations) before it
// accepts a byte of data, and kills the child at the first refusal.
//
// Rejected: reading in-process with checks before each call ("avoid the
// crashing paths"). The crashes the attack and the fuzzer found are in
// libhdf5's own metadata decoding (the global heap behind variable-length
// strings, object headers, B-trees), reached by calls no check of ours can
// make safe; slotsim's own snapshots store strings in the global heap.
#include <hdf5.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <type_traits>

#include "sim/io/hdf5_common.hpp"
#include "sim/io/hdf5_snapshot.hpp"
#include "sim/io/isolated_call.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/limits.hpp"
#include "sim/message.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim {
namespace {

using h5::Handle;
using h5::kTypes;
using h5::Side;

constexpr std::size_t kSlabRows = std::size_t(1) << 18;  // 14 MB of records per slab
constexpr std::size_t kMaxString = 65536;                // attribute strings (a scene may hold a path)
constexpr std::size_t kMaxNumbers = 64;                  // elements of a numeric attribute
constexpr std::size_t kMaxDynamic = 4096;                // dynamic attribute groups in a restart file

// ---- what crosses the pipe -------------------------------------------------

// A numeric attribute as the file stores it, not yet judged.
struct Numbers {
  enum Kind : std::uint64_t { Absent = 0, Signed = 1, Unsigned = 2, Float = 3, NotNumeric = 4, TooMany = 5 };
  std::uint64_t kind = Absent;
  std::vector<std::int64_t> i;
  std::vector<std::uint64_t> u;
  std::vector<double> f;
  std::size_t size() const { return kind == Signed ? i.size() : kind == Unsigned ? u.size() : f.size(); }
};
struct Str {
  enum Kind : std::uint64_t { Absent = 0, Text = 1, NotText = 2, TooLong = 3 };
  std::uint64_t kind = Absent;
  std::string s;
};
struct Shape {
  enum Kind : std::uint64_t { Absent = 0, Dataset = 1, Other = 2 };
  enum Cls : std::uint64_t { Int = 1, Float = 2, OtherType = 3 };
  std::uint64_t kind = Absent, cls = 0, rank = 0, d0 = 0, d1 = 0;
};
struct TypeWire {
  std::uint64_t present = 0;
  Shape coords, vel, masses, ids;
};
struct HeaderWire {
  std::uint64_t header = 0;  // /Header is a group
  Numbers this_file, total, high, mass_table, nfiles, time;
  TypeWire types[kTypes];
  std::uint64_t slotsim = 0;  // /slotsim is a group
};
struct DynWire {
  Str name;
  Numbers count;
  Shape values, present;
};
struct RestartWire {
  Numbers version, step, time, dt, softening, seed, theta, grid, periodic, box, sort_every, threads, threads_used,
      hash, forces_cached, python_objects, energy_initial, energy_sample;
  Str scene, solver, layout, status, python_version;
  Shape acc, own_dict;
  std::vector<DynWire> dyn;
};

// One function lists each struct's fields for both directions.
struct Put {
  io::WireWriter& w;
  void operator()(const std::uint64_t& v) { w.u64(v); }
  void operator()(const Numbers& n) {
    w.u64(n.kind);
    w.u64(n.size());
    for (auto v : n.i) w.i64(v);
    for (auto v : n.u) w.u64(v);
    for (auto v : n.f) w.f64(v);
  }
  void operator()(const Str& s) {
    w.u64(s.kind);
    if (s.kind == Str::Text) w.str(s.s);
  }
  void operator()(const Shape& s) {
    for (auto v : {s.kind, s.cls, s.rank, s.d0, s.d1}) w.u64(v);
  }
};
struct Get {
  io::WireReader& r;
  void operator()(std::uint64_t& v) { v = r.u64(); }
  void operator()(Numbers& n) {
    n.kind = r.u64();
    const std::uint64_t k = r.u64();
    if (k > kMaxNumbers) throw io::IsolatedFailure("a malformed stream from the reader", false);
    for (std::uint64_t j = 0; j < k; ++j) {
      if (n.kind == Numbers::Signed) n.i.push_back(r.i64());
      else if (n.kind == Numbers::Unsigned) n.u.push_back(r.u64());
      else if (n.kind == Numbers::Float) n.f.push_back(r.f64());
    }
  }
  void operator()(Str& s) {
    s.kind = r.u64();
    if (s.kind == Str::Text) s.s = r.str(kMaxString);
  }
  void operator()(Shape& s) {
    for (std::uint64_t* v : {&s.kind, &s.cls, &s.rank, &s.d0, &s.d1}) *v = r.u64();
  }
};
template <class IO, class H>
void fields(IO& io, H& h) {
  io(h.header);
  for (auto* n : {&h.this_file, &h.total, &h.high, &h.mass_table, &h.nfiles, &h.time}) io(*n);
  for (auto& t : h.types) {
    io(t.present);
    for (auto* s : {&t.coords, &t.vel, &t.masses, &t.ids}) io(*s);
  }
  io(h.slotsim);
}
template <class IO, class R>
void restart_fields(IO& io, R& r) {
  for (auto* n : {&r.version, &r.step, &r.time, &r.dt, &r.softening, &r.seed, &r.theta, &r.grid, &r.periodic, &r.box,
                  &r.sort_every, &r.threads, &r.threads_used, &r.hash, &r.forces_cached, &r.python_objects,
                  &r.energy_initial, &r.energy_sample})
    io(*n);
  for (auto* s : {&r.scene, &r.solver, &r.layout, &r.status, &r.python_version}) io(*s);
  io(r.acc);
  io(r.own_dict);
}

// The datasets streamed after the header, in this order, decided from the
// shapes alone so both sides agree.
struct TypePlan {
  int type;
  std::uint64_t rows;
  bool masses;  // from the Masses dataset, else MassTable
};
struct GadgetPlan {
  std::vector<TypePlan> types;
  bool ids = false;  // every present type has ParticleIDs: sent after all records
};
GadgetPlan gadget_plan(const HeaderWire& h) {
  GadgetPlan p;
  p.ids = true;
  for (int t = 0; t < kTypes; ++t) {
    if (!h.types[t].present) continue;
    p.types.push_back({t, h.types[t].coords.d0, h.types[t].masses.kind == Shape::Dataset});
    p.ids &= h.types[t].ids.kind == Shape::Dataset;
  }
  p.ids &= !p.types.empty();
  return p;
}
bool restart_has_acc(const RestartWire& r) {
  return r.forces_cached.size() == 1 &&
         (r.forces_cached.kind == Numbers::Signed ? r.forces_cached.i[0] == 1 : r.forces_cached.kind == Numbers::Unsigned && r.forces_cached.u[0] == 1);
}

// ---- the child: libhdf5 -----------------------------------------------------

// Link access that refuses to follow external links (into another file: a
// FIFO there once blocked the read forever) wherever a path is traversed.
herr_t refuse_external(const char*, const char*, const char*, const char*, unsigned*, hid_t, void*) { return -1; }

// A value the memory type cannot hold (a negative ParticleIDs read as
// unsigned, a flag of 300 read as uint8): libhdf5's default clips it (to 0,
// to 255) and reads on, so a file whose ids were -1..-4 loaded as ids 0 and
// in file order, against the "k-th smallest id" rule. The read is aborted
// instead (flag set, so the error can say why); other exceptions (an int64
// that a double rounds) keep the library's handling.
H5T_conv_ret_t refuse_out_of_range(H5T_conv_except_t e, hid_t, hid_t, void*, void*, void* flag) {
  if (e != H5T_CONV_EXCEPT_RANGE_HI && e != H5T_CONV_EXCEPT_RANGE_LOW) return H5T_CONV_UNHANDLED;
  *static_cast<bool*>(flag) = true;
  return H5T_CONV_ABORT;
}

class FileReader {
 public:
  explicit FileReader(const std::string& path) : path_(path), out_of_range_(std::make_unique<bool>(false)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) bad("not a regular file");
    const htri_t is = H5Fis_hdf5(path.c_str());
    if (is < 0) bad("cannot open: " + h5::reason());
    if (is == 0) bad("not an HDF5 file");
    file_ = make(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open");
    lapl_ = make(H5Pcreate(H5P_LINK_ACCESS), H5Pclose, "link access");
    check(H5Pset_elink_cb(lapl_, refuse_external, nullptr), "link access");
    dapl_ = make(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, "dataset access");
    check(H5Pset_elink_cb(dapl_, refuse_external, nullptr), "dataset access");
    gapl_ = make(H5Pcreate(H5P_GROUP_ACCESS), H5Pclose, "group access");
    check(H5Pset_elink_cb(gapl_, refuse_external, nullptr), "group access");
    dxpl_ = make(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "dataset transfer");
    check(H5Pset_type_conv_cb(dxpl_, refuse_out_of_range, out_of_range_.get()), "dataset transfer");
  }
  hid_t file() const { return file_; }
  [[noreturn]] void bad(const std::string& what) const { h5::fail(Side::Read, path_, what); }
  Handle make(hid_t id, Handle::Closer c, const std::string& what) const {
    return h5::make(id, c, Side::Read, path_, what);
  }
  void check(herr_t rc, const std::string& what) const { h5::check(rc, Side::Read, path_, what); }

  // The object `name` under loc: 0 absent, else its type (H5O_TYPE_*) + 1.
  // Only hard and soft links are followed.
  int object(hid_t loc, const std::string& name, const std::string& shown) const {
    const htri_t e = H5Lexists(loc, name.c_str(), lapl_);
    if (e < 0) bad("cannot look up " + shown + ": " + h5::reason());
    if (e == 0) return 0;
    H5L_info_t li;
    check(H5Lget_info(loc, name.c_str(), &li, lapl_), shown);
    if (li.type != H5L_TYPE_HARD && li.type != H5L_TYPE_SOFT)
      bad(shown + " is a link to another file; slotsim reads one file and does not follow it");
    H5O_info_t info;
    if (H5Oget_info_by_name(loc, name.c_str(), &info, lapl_) < 0) bad("cannot open " + shown + ": " + h5::reason());
    return int(info.type) + 1;
  }
  Handle group(hid_t loc, const std::string& name, const std::string& shown) const {
    return make(H5Gopen2(loc, name.c_str(), gapl_), H5Gclose, "cannot open " + shown);
  }
  Handle dataset(hid_t loc, const std::string& name, const std::string& shown) const {
    return make(H5Dopen2(loc, name.c_str(), dapl_), H5Dclose, "cannot open " + shown);
  }

  Numbers numbers(hid_t obj, const char* name, const std::string& shown) const {
    Numbers n;
    const htri_t e = H5Aexists(obj, name);
    if (e < 0) bad("cannot look up " + shown + ": " + h5::reason());
    if (e == 0) return n;
    Handle a = make(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, "cannot open " + shown);
    Handle t = make(H5Aget_type(a), H5Tclose, shown);
    Handle sp = make(H5Aget_space(a), H5Sclose, shown);
    const hssize_t count = H5Sget_simple_extent_npoints(sp);
    const H5T_class_t cls = H5Tget_class(t);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
      n.kind = Numbers::NotNumeric;
      return n;
    }
    if (count < 0 || count > hssize_t(kMaxNumbers)) {
      n.kind = Numbers::TooMany;
      return n;
    }
    if (cls == H5T_FLOAT) {
      n.kind = Numbers::Float;
      n.f.resize(std::size_t(count));
      if (count) check(H5Aread(a, H5T_NATIVE_DOUBLE, n.f.data()), "cannot read " + shown);
    } else if (H5Tget_sign(t) == H5T_SGN_NONE) {
      n.kind = Numbers::Unsigned;
      n.u.resize(std::size_t(count));
      if (count) check(H5Aread(a, H5T_NATIVE_UINT64, n.u.data()), "cannot read " + shown);
    } else {
      n.kind = Numbers::Signed;
      n.i.resize(std::size_t(count));
      if (count) check(H5Aread(a, H5T_NATIVE_INT64, n.i.data()), "cannot read " + shown);
    }
    return n;
  }
  // Fixed or variable length; other tools write both kinds.
  Str string(hid_t obj, const char* name, const std::string& shown) const {
    Str s;
    const htri_t e = H5Aexists(obj, name);
    if (e < 0) bad("cannot look up " + shown + ": " + h5::reason());
    if (e == 0) return s;
    Handle a = make(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, "cannot open " + shown);
    Handle t = make(H5Aget_type(a), H5Tclose, shown);
    Handle sp = make(H5Aget_space(a), H5Sclose, shown);
    if (H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) {
      s.kind = Str::NotText;
      return s;
    }
    s.kind = Str::Text;
    if (H5Tis_variable_str(t) > 0) {
      char* p = nullptr;
      check(H5Aread(a, t, &p), "cannot read " + shown);
      if (p) {
        const std::size_t len = ::strnlen(p, kMaxString + 1);
        if (len > kMaxString) s.kind = Str::TooLong;
        else s.s.assign(p, len);
      }
      H5free_memory(p);
      return s;
    }
    const std::size_t size = H5Tget_size(t);
    if (size > kMaxString) {
      s.kind = Str::TooLong;
      return s;
    }
    std::string v(size, '\0');
    check(H5Aread(a, t, v.data()), "cannot read " + shown);
    s.s = v.substr(0, v.find('\0'));
    return s;
  }
  Shape shape(hid_t loc, const std::string& name, const std::string& shown) const {
    Shape s;
    const int o = object(loc, name, shown);
    if (o == 0) return s;
    if (o != int(H5O_TYPE_DATASET) + 1) {
      s.kind = Shape::Other;
      return s;
    }
    s.kind = Shape::Dataset;
    Handle d = dataset(loc, name, shown);
    Handle t = make(H5Dget_type(d), H5Tclose, shown);
    const H5T_class_t c = H5Tget_class(t);
    s.cls = c == H5T_INTEGER ? Shape::Int : c == H5T_FLOAT ? Shape::Float : Shape::OtherType;
    Handle sp = make(H5Dget_space(d), H5Sclose, shown);
    const int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[H5S_MAX_RANK] = {};
    if (rank < 0 || H5Sget_simple_extent_dims(sp, dims, nullptr) < 0) bad(shown + ": cannot read its shape");
    s.rank = std::uint64_t(rank);
    s.d0 = rank > 0 ? dims[0] : 0;
    s.d1 = rank > 1 ? dims[1] : 0;
    return s;
  }

  // Rows [0, rows) of dataset `name` (cols values each, or one column `col`
  // of a (rows, 3) dataset), converted to `mem`, sent slab by slab. The
  // shape is checked here again: the data read must be what was announced.
  template <class T>
  // Rows [slice.first, slice.first + slice.count) of a dataset of `rows`
  // rows (clipped; all by default), slab by slab.
  void send(io::WireWriter& w, hid_t loc, const std::string& name, const std::string& shown, std::uint64_t rows,
            int cols, hid_t mem, int col = -1, RowSlice slice = {}) const {
    Handle d = dataset(loc, name, shown);
    Handle sp = make(H5Dget_space(d), H5Sclose, shown);
    const int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[H5S_MAX_RANK] = {};
    H5Sget_simple_extent_dims(sp, dims, nullptr);
    const int want_rank = (cols == 1 && col < 0) ? 1 : 2;
    if (rank != want_rank || dims[0] != rows || (rank == 2 && dims[1] != hsize_t(col < 0 ? cols : 3)))
      bad(shown + ": its shape changed while it was read");
    const int out_cols = col < 0 ? cols : 1;
    const std::uint64_t first = std::min(slice.first, rows), end = first + std::min(slice.count, rows - first);
    std::vector<T> buf(std::min<std::uint64_t>(end - first, kSlabRows) * std::size_t(out_cols));
    for (std::uint64_t k0 = first; k0 < end; k0 += kSlabRows) {
      const std::uint64_t m = std::min<std::uint64_t>(kSlabRows, end - k0);
      const hsize_t start[2] = {k0, hsize_t(col < 0 ? 0 : col)};
      const hsize_t count[2] = {m, hsize_t(out_cols)};
      check(H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, nullptr, count, nullptr), shown);
      const hsize_t mdims[1] = {m * hsize_t(out_cols)};
      Handle ms = make(H5Screate_simple(1, mdims, nullptr), H5Sclose, shown);
      // Integers only: a float dataset's values are checked as numbers
      // after the read (finite, in range), with their own messages.
      if (H5Dread(d, mem, ms, sp, std::is_integral_v<T> ? hid_t(dxpl_) : H5P_DEFAULT, buf.data()) < 0) {
        if (std::is_integral_v<T> && *out_of_range_)
          bad(shown + ": a value out of the range of " +
              (std::is_signed_v<T> ? "a signed " : "an unsigned ") + std::to_string(8 * sizeof(T)) +
              "-bit integer (negative, or too large) in rows " + std::to_string(k0) + "-" + std::to_string(k0 + m - 1));
        check(-1, "cannot read " + shown);
      }
      w.bytes(buf.data(), std::size_t(m) * std::size_t(out_cols) * sizeof(T));
    }
  }

  // Records of one type: Coordinates, Velocities and Masses (or the mass
  // table's value) interleaved into 56-byte records, slab by slab.
  void send_records(io::WireWriter& w, hid_t g, const std::string& at, std::uint64_t rows, bool masses,
                    double table_mass, RowSlice slice = {}) const {
    std::vector<double> pos, vel, mass;
    std::vector<ParticleRecord> recs;
    Handle dc = dataset(g, "Coordinates", at + "/Coordinates"), dv = dataset(g, "Velocities", at + "/Velocities");
    Handle dm;
    if (masses) dm = dataset(g, "Masses", at + "/Masses");
    const std::uint64_t first = std::min(slice.first, rows), end = first + std::min(slice.count, rows - first);
    for (std::uint64_t k0 = first; k0 < end; k0 += kSlabRows) {
      const std::uint64_t m = std::min<std::uint64_t>(kSlabRows, end - k0);
      pos.resize(3 * m);
      vel.resize(3 * m);
      read_slab(dc, at + "/Coordinates", k0, m, 3, pos.data());
      read_slab(dv, at + "/Velocities", k0, m, 3, vel.data());
      if (masses) {
        mass.resize(m);
        read_slab(dm, at + "/Masses", k0, m, 1, mass.data());
      }
      recs.resize(m);
      for (std::uint64_t k = 0; k < m; ++k) {
        ParticleRecord& r = recs[k];
        r.x = pos[3 * k];
        r.y = pos[3 * k + 1];
        r.z = pos[3 * k + 2];
        r.vx = vel[3 * k];
        r.vy = vel[3 * k + 1];
        r.vz = vel[3 * k + 2];
        r.mass = masses ? mass[k] : table_mass;
      }
      w.bytes(recs.data(), recs.size() * sizeof(ParticleRecord));
    }
  }

 private:
  void read_slab(hid_t d, const std::string& shown, std::uint64_t k0, std::uint64_t m, int cols, double* out) const {
    Handle sp = make(H5Dget_space(d), H5Sclose, shown);
    const int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[H5S_MAX_RANK] = {};
    H5Sget_simple_extent_dims(sp, dims, nullptr);
    if (rank != (cols == 1 ? 1 : 2) || dims[0] < k0 + m || (cols > 1 && dims[1] != hsize_t(cols)))
      bad(shown + ": its shape changed while it was read");
    const hsize_t start[2] = {k0, 0}, count[2] = {m, hsize_t(cols)};
    check(H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, nullptr, count, nullptr), shown);
    const hsize_t mdims[1] = {m * hsize_t(cols)};
    Handle ms = make(H5Screate_simple(1, mdims, nullptr), H5Sclose, shown);
    check(H5Dread(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, out), "cannot read " + shown);
  }

  std::string path_;
  Handle file_, lapl_, dapl_, gapl_, dxpl_;
  std::unique_ptr<bool> out_of_range_;  // set by refuse_out_of_range(); on the heap so a move keeps its address
};

HeaderWire read_header(const FileReader& f) {
  HeaderWire h;
  const int hdr = f.object(f.file(), "Header", "/Header");
  h.header = hdr == int(H5O_TYPE_GROUP) + 1;
  if (h.header) {
    Handle g = f.group(f.file(), "Header", "/Header");
    h.this_file = f.numbers(g, "NumPart_ThisFile", "/Header/NumPart_ThisFile");
    h.total = f.numbers(g, "NumPart_Total", "/Header/NumPart_Total");
    h.high = f.numbers(g, "NumPart_Total_HighWord", "/Header/NumPart_Total_HighWord");
    h.mass_table = f.numbers(g, "MassTable", "/Header/MassTable");
    h.nfiles = f.numbers(g, "NumFilesPerSnapshot", "/Header/NumFilesPerSnapshot");
    h.time = f.numbers(g, "Time", "/Header/Time");
  }
  for (int t = 0; t < kTypes; ++t) {
    const std::string name = "PartType" + std::to_string(t), at = "/" + name;
    const int o = f.object(f.file(), name, at);
    TypeWire& tw = h.types[t];
    tw.present = o == 0 ? 0 : o == int(H5O_TYPE_GROUP) + 1 ? 1 : 2;
    if (tw.present != 1) continue;
    Handle g = f.group(f.file(), name, at);
    tw.coords = f.shape(g, "Coordinates", at + "/Coordinates");
    tw.vel = f.shape(g, "Velocities", at + "/Velocities");
    tw.masses = f.shape(g, "Masses", at + "/Masses");
    tw.ids = f.shape(g, "ParticleIDs", at + "/ParticleIDs");
  }
  const int s = f.object(f.file(), "slotsim", "/slotsim");
  h.slotsim = s == 0 ? 0 : s == int(H5O_TYPE_GROUP) + 1 ? 1 : 2;
  return h;
}

RestartWire read_restart_meta(const FileReader& f) {
  RestartWire r;
  Handle g = f.group(f.file(), "slotsim", "/slotsim");
  const std::string at = "/slotsim/";
  auto num = [&](const char* n) { return f.numbers(g, n, at + n); };
  r.version = num("format_version");
  r.step = num("step");
  r.time = num("time");
  r.dt = num("dt");
  r.softening = num("softening");
  r.seed = num("seed");
  r.theta = num("theta");
  r.grid = num("grid");
  r.periodic = num("periodic");
  r.box = num("box");
  r.sort_every = num("sort_every");
  r.threads = num("threads");
  r.threads_used = num("threads_used");
  r.hash = num("state_hash");
  r.forces_cached = num("forces_cached");
  r.python_objects = num("python_objects");
  r.energy_initial = num("energy_initial");
  r.energy_sample = num("energy_sample");
  r.scene = f.string(g, "scene", at + "scene");
  r.solver = f.string(g, "solver", at + "solver");
  r.layout = f.string(g, "layout", at + "layout");
  r.status = f.string(g, "status", at + "status");
  r.python_version = f.string(g, "python_objects_version", at + "python_objects_version");
  r.acc = f.shape(g, "LeapfrogAcceleration", at + "LeapfrogAcceleration");
  r.own_dict = f.shape(g, "own_dict", at + "own_dict");
  if (f.object(g, "dynamic", at + "dynamic") == int(H5O_TYPE_GROUP) + 1) {
    Handle dyn = f.group(g, "dynamic", at + "dynamic");
    for (std::size_t i = 0; i <= kMaxDynamic; ++i) {
      char idx[24];
      std::snprintf(idx, sizeof idx, "%03zu", i);
      const std::string shown = at + "dynamic/" + idx;
      const int o = f.object(dyn, idx, shown);
      if (o == 0) break;
      DynWire d;
      if (o == int(H5O_TYPE_GROUP) + 1) {
        Handle a = f.group(dyn, idx, shown);
        d.name = f.string(a, "name", shown + "/name");
        d.count = f.numbers(a, "count", shown + "/count");
        d.values = f.shape(a, "values", shown + "/values");
        d.present = f.shape(a, "present", shown + "/present");
      }
      r.dyn.push_back(std::move(d));
    }
  }
  return r;
}

void send_restart_meta(io::WireWriter& w, const RestartWire& r) {
  Put put{w};
  restart_fields(put, r);
  w.u64(r.dyn.size());
  for (const DynWire& d : r.dyn) {
    put(d.name);
    put(d.count);
    put(d.values);
    put(d.present);
  }
}

// ---- the parent: judging what arrived ---------------------------------------

class Judge {
 public:
  explicit Judge(std::string path) : path_(std::move(path)) {}
  [[noreturn]] void bad(const std::string& what) const { h5::fail(Side::Read, path_, what); }
  const std::string& path() const { return path_; }

  // Element k of a numeric attribute as a count: a whole number >= 0, from
  // an integer or an integral float (some Gadget writers store counts as
  // doubles).
  std::uint64_t count(const Numbers& n, std::size_t k, const std::string& shown) const {
    if (n.kind == Numbers::Unsigned) return n.u[k];
    if (n.kind == Numbers::Signed) {
      if (n.i[k] < 0) bad(shown + " is " + std::to_string(n.i[k]) + ", a count cannot be negative");
      return std::uint64_t(n.i[k]);
    }
    const double v = n.f[k];
    if (!std::isfinite(v) || v < 0 || v != std::floor(v) || v > 9007199254740992.0)
      bad(shown + " is " + brief(v) + ", expected a whole number >= 0");
    return std::uint64_t(v);
  }
  // A numeric attribute of exactly `want` elements (want 1: a scalar or one
  // element), required unless `optional`.
  bool shape_of(const Numbers& n, std::size_t want, const std::string& shown, bool optional = false) const {
    if (n.kind == Numbers::Absent) {
      if (optional) return false;
      bad("missing attribute " + shown);
    }
    if (n.kind == Numbers::NotNumeric) bad(shown + ": expected a number, got another type");
    if (n.kind == Numbers::TooMany || n.size() != want)
      bad(shown + ": expected " + std::to_string(want) + " value(s), got " +
          (n.kind == Numbers::TooMany ? std::string("more than ") + std::to_string(kMaxNumbers) : std::to_string(n.size())));
    return true;
  }
  double real(const Numbers& n, const std::string& shown, bool optional = false, double def = 0) const {
    if (!shape_of(n, 1, shown, optional)) return def;
    return n.kind == Numbers::Float ? n.f[0] : n.kind == Numbers::Signed ? double(n.i[0]) : double(n.u[0]);
  }
  // An integer attribute in [lo, hi] (the same limits as the flag it stands for).
  std::int64_t integer(const Numbers& n, const std::string& shown, std::int64_t lo, std::int64_t hi,
                       bool optional = false, std::int64_t def = 0) const {
    if (!shape_of(n, 1, shown, optional)) return def;
    if (n.kind == Numbers::Float) bad(shown + ": expected an integer, got another type");
    if (n.kind == Numbers::Unsigned && n.u[0] > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
      bad(shown + " is " + std::to_string(n.u[0]) + "; expected " + std::to_string(lo) + " to " + std::to_string(hi));
    const std::int64_t v = n.kind == Numbers::Signed ? n.i[0] : std::int64_t(n.u[0]);
    try {
      return check_int_field(v, lo, hi, shown);
    } catch (const std::invalid_argument& e) {
      bad(e.what());
    }
  }
  std::uint64_t unsigned64(const Numbers& n, const std::string& shown, std::uint64_t hi = UINT64_MAX) const {
    shape_of(n, 1, shown);
    if (n.kind == Numbers::Float) bad(shown + ": expected an integer, got another type");
    if (n.kind == Numbers::Signed && n.i[0] < 0) bad(shown + " is " + std::to_string(n.i[0]) + ", expected >= 0");
    const std::uint64_t v = n.kind == Numbers::Signed ? std::uint64_t(n.i[0]) : n.u[0];
    if (v > hi) bad(shown + " is " + std::to_string(v) + "; expected at most " + std::to_string(hi));
    return v;
  }
  std::string text(const Str& s, const std::string& shown, bool optional = false, const std::string& def = "") const {
    if (s.kind == Str::Absent) {
      if (optional) return def;
      bad("missing attribute " + shown);
    }
    if (s.kind == Str::NotText) bad(shown + ": expected a string");
    if (s.kind == Str::TooLong) bad(shown + ": longer than " + std::to_string(kMaxString) + " bytes");
    return s.s;
  }
  // A dataset of (rows,) or (rows, cols) of class `cls`; rows 0 accepts any.
  std::uint64_t dataset(const Shape& s, const std::string& shown, std::uint64_t rows, int cols, std::uint64_t cls) const {
    if (s.kind == Shape::Absent) bad("missing dataset " + shown);
    if (s.kind == Shape::Other) bad("cannot open " + shown + ": not a dataset");
    if (s.cls != cls)
      bad(shown + ": expected " + (cls == Shape::Float ? "floating-point" : "integer") + " values, got another type");
    const std::string got = s.rank == 1 ? "(" + std::to_string(s.d0) + ",)"
                            : s.rank == 2 ? "(" + std::to_string(s.d0) + ", " + std::to_string(s.d1) + ")"
                                          : "rank " + std::to_string(s.rank);
    if (s.rank != std::uint64_t(cols == 1 ? 1 : 2) || (cols > 1 && s.d1 != std::uint64_t(cols)))
      bad(shown + ": expected shape " + (cols == 1 ? std::string("(N,)") : "(N, " + std::to_string(cols) + ")") +
          ", got " + got);
    if (rows != 0 && s.d0 != rows)
      bad(shown + ": expected " + std::to_string(rows) + " rows, got " + std::to_string(s.d0));
    if (s.d0 > kMaxParticles) bad(shown + ": " + std::to_string(s.d0) + " rows, more than 2^32 - 1 particles");
    return s.d0;
  }

  // Records: finite positions and velocities, masses > 0. `at` names the
  // type group; row numbers are the file's.
  // v[first .. first + n): rows named from `row0` on, their place in the
  // file's dataset (a slice of a restart starts past 0).
  void records(const std::vector<ParticleRecord>& v, std::size_t first, std::size_t n, const std::string& at,
               bool masses_from_table, std::uint64_t row0 = 0) const {
    for (std::size_t k = 0; k < n; ++k) {
      const ParticleRecord& r = v[first + k];
      const std::string row = std::to_string(row0 + k);
      for (int a = 0; a < 6; ++a)
        if (!std::isfinite(r.get(a)))
          bad(at + (a < 3 ? "/Coordinates[" : "/Velocities[") + row + "][" + std::to_string(a % 3) +
              "] is " + (std::isnan(r.get(a)) ? "nan" : "inf") + ", expected a finite number");
      if (!(r.mass > 0) || !std::isfinite(r.mass))
        bad(masses_from_table ? at + ": its MassTable mass is not positive"
                              : at + "/Masses[" + row + "] is " + std::to_string(r.mass) +
                                    ", mass must be positive");
    }
  }

 private:
  std::string path_;
};

// The checks every load shares: the file is a regular file (a FIFO or a
// device would block the reader), then the header's counts against the
// datasets. Returns N.
void check_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;  // before the message's allocations, which may change it
    h5::fail(Side::Read, path, err == ENOENT ? "cannot open: no such file" : std::string("cannot open: ") + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) h5::fail(Side::Read, path, "cannot open: is a directory");
  if (!S_ISREG(st.st_mode))
    h5::fail(Side::Read, path, "not a regular file (a FIFO, socket or device): HDF5 inputs must be regular files");
}

double table_mass(const HeaderWire& h, int t) {
  const std::size_t k = std::size_t(t);
  return h.mass_table.kind == Numbers::Float ? h.mass_table.f[k]
         : h.mass_table.kind == Numbers::Signed ? double(h.mass_table.i[k])
                                                : double(h.mass_table.u[k]);
}

std::uint64_t judge_header(const Judge& j, const HeaderWire& h) {
  if (!h.header) j.bad("missing group /Header");
  j.shape_of(h.this_file, kTypes, "/Header/NumPart_ThisFile");
  j.shape_of(h.mass_table, kTypes, "/Header/MassTable");
  if (h.mass_table.kind != Numbers::Float && h.mass_table.kind != Numbers::Signed && h.mass_table.kind != Numbers::Unsigned)
    j.bad("/Header/MassTable: expected numbers");
  const bool total = j.shape_of(h.total, kTypes, "/Header/NumPart_Total", true);
  const bool high = j.shape_of(h.high, kTypes, "/Header/NumPart_Total_HighWord", true);
  const std::int64_t files = j.integer(h.nfiles, "/Header/NumFilesPerSnapshot", 0, 1000000, true, 1);
  if (files > 1)
    j.bad("/Header/NumFilesPerSnapshot is " + std::to_string(files) +
          ": this file is one part of a multi-file snapshot; slotsim reads single-file snapshots");
  if (h.time.kind != Numbers::Absent) {
    const double t = j.real(h.time, "/Header/Time");
    if (!std::isfinite(t)) j.bad("/Header/Time is " + brief(t) + ", expected a finite number");
  }
  std::uint64_t n = 0;
  bool any = false;
  for (int t = 0; t < kTypes; ++t) {
    const std::string ts = std::to_string(t), at = "/PartType" + ts;
    const std::uint64_t this_file = j.count(h.this_file, std::size_t(t), "/Header/NumPart_ThisFile[" + ts + "]");
    std::uint64_t tot = this_file;
    if (total) {
      const std::uint64_t lo = j.count(h.total, std::size_t(t), "/Header/NumPart_Total[" + ts + "]");
      const std::uint64_t hi = high ? j.count(h.high, std::size_t(t), "/Header/NumPart_Total_HighWord[" + ts + "]") : 0;
      // With a high word, each half holds 32 bits (Gadget-2's convention).
      if (high && (hi > 0xffffffffull || lo > 0xffffffffull))
        j.bad("/Header/NumPart_Total[" + ts + "] and its high word do not form a 64-bit count");
      tot = lo + (hi << 32);
    }
    const TypeWire& tw = h.types[t];
    if (tw.present == 2) j.bad(at + " is not a group");
    if (!tw.present) {
      if (this_file != 0 || tot != 0)
        j.bad("missing group " + at + " (/Header counts " + std::to_string(std::max(this_file, tot)) +
              " particles of type " + ts + ")");
      continue;
    }
    any = true;
    const std::uint64_t rows = j.dataset(tw.coords, at + "/Coordinates", 0, 3, Shape::Float);
    if (rows != this_file)
      j.bad(at + "/Coordinates has " + std::to_string(rows) + " rows but /Header/NumPart_ThisFile[" + ts + "] is " +
            std::to_string(this_file));
    if (tot != rows)
      j.bad(at + "/Coordinates has " + std::to_string(rows) + " rows but /Header/NumPart_Total[" + ts + "] is " +
            std::to_string(tot) + (high ? " (with NumPart_Total_HighWord)" : ""));
    j.dataset(tw.vel, at + "/Velocities", rows, 3, Shape::Float);
    if (tw.masses.kind != Shape::Absent) {
      j.dataset(tw.masses, at + "/Masses", rows, 1, Shape::Float);
    } else {
      const double mt = table_mass(h, t);
      if (!(mt > 0) || !std::isfinite(mt))
        j.bad(at + " has no Masses dataset and /Header/MassTable[" + ts + "] is " + std::to_string(mt) +
              " (need one of them)");
    }
    if (tw.ids.kind != Shape::Absent) j.dataset(tw.ids, at + "/ParticleIDs", rows, 1, Shape::Int);
    n += rows;
  }
  if (!any) j.bad("missing group /PartType1 (no PartType0..5 group at all)");
  if (n == 0) j.bad("no particles in the file");
  if (n > kMaxParticles) j.bad("more than 2^32 - 1 particles");
  return n;
}


// What the parent asks the child for: the header only, a Gadget load, or
// a restart's state (with or without its data).
enum class Want { Header, Gadget, RestartMeta, Restart };

void produce(const std::string& path, Want want, io::WireWriter& w, RowSlice slice = {}) {
  h5::quiet();
  FileReader f(path);
  const HeaderWire h = read_header(f);
  Put put{w};
  fields(put, h);
  if (want == Want::Header) return;
  if (want == Want::Gadget) {
    const GadgetPlan p = gadget_plan(h);
    for (const TypePlan& t : p.types) {
      const std::string at = "/PartType" + std::to_string(t.type);
      Handle g = f.group(f.file(), at.substr(1), at);
      f.send_records(w, g, at, t.rows, t.masses, table_mass(h, t.type));
    }
    if (p.ids)
      for (const TypePlan& t : p.types) {
        const std::string at = "/PartType" + std::to_string(t.type);
        Handle g = f.group(f.file(), at.substr(1), at);
        f.send<std::uint64_t>(w, g, "ParticleIDs", at + "/ParticleIDs", t.rows, 1, H5T_NATIVE_UINT64);
      }
    return;
  }
  if (!h.slotsim) return;  // the parent refuses the file on the header
  const RestartWire r = read_restart_meta(f);
  send_restart_meta(w, r);
  if (want == Want::RestartMeta) return;
  const std::uint64_t n = h.types[1].coords.d0;
  Handle p1 = f.group(f.file(), "PartType1", "/PartType1");
  f.send_records(w, p1, "/PartType1", n, true, 0, slice);
  f.send<std::uint64_t>(w, p1, "ParticleIDs", "/PartType1/ParticleIDs", n, 1, H5T_NATIVE_UINT64, -1, slice);
  Handle g = f.group(f.file(), "slotsim", "/slotsim");
  if (restart_has_acc(r))
    for (int c = 0; c < 3; ++c)
      f.send<double>(w, g, "LeapfrogAcceleration", "/slotsim/LeapfrogAcceleration", n, 3, H5T_NATIVE_DOUBLE, c, slice);
  if (!r.dyn.empty()) {
    Handle dyn = f.group(g, "dynamic", "/slotsim/dynamic");
    for (std::size_t i = 0; i < r.dyn.size(); ++i) {
      char idx[24];
      std::snprintf(idx, sizeof idx, "%03zu", i);
      const std::string shown = "/slotsim/dynamic/" + std::string(idx);
      Handle a = f.group(dyn, idx, shown);
      f.send<double>(w, a, "values", shown + "/values", n, 1, H5T_NATIVE_DOUBLE, -1, slice);
      f.send<std::uint8_t>(w, a, "present", shown + "/present", n, 1, H5T_NATIVE_UINT8, -1, slice);
    }
  }
  if (r.own_dict.kind == Shape::Dataset)
    f.send<std::uint8_t>(w, g, "own_dict", "/slotsim/own_dict", n, 1, H5T_NATIVE_UINT8, -1, slice);
}

// Runs produce() in a child and consume(r, header) on its stream, turning
// every failure into SnapshotError "FILE: ...".
void read_isolated(const std::string& path, Want want, const std::function<void(io::WireReader&, const HeaderWire&)>& consume,
                   RowSlice slice = {}) {
  check_regular_file(path);
  try {
    io::run_isolated([&](io::WireWriter& w) { produce(path, want, w, slice); },
                     [&](io::WireReader& r) {
                       HeaderWire h;
                       Get get{r};
                       fields(get, h);
                       consume(r, h);
                     });
  } catch (const io::IsolatedFailure& e) {
    if (e.from_child()) throw SnapshotError(e.what());  // the child's SnapshotError, "FILE: ..." already
    throw SnapshotError(path + ": " + e.what());
  }
}

// The /slotsim attributes, judged: the restart's configuration and counts.
RestartHeader judge_restart(const Judge& j, const HeaderWire& h, io::WireReader& r) {
  if (h.slotsim != 1)
    j.bad("missing group /slotsim: not written by slotsim, so it cannot be restarted (use --ic to start from it)");
  const std::uint64_t n = judge_header(j, h);
  for (int t = 0; t < kTypes; ++t)
    if (t != 1 && h.types[t].present) j.bad("/PartType" + std::to_string(t) + ": a restart file holds PartType1 only");
  RestartWire w;
  Get get{r};
  restart_fields(get, w);
  const std::uint64_t ndyn = r.u64();
  if (ndyn > kMaxDynamic) j.bad("/slotsim/dynamic holds more than " + std::to_string(kMaxDynamic) + " attributes");
  w.dyn.resize(ndyn);
  for (DynWire& d : w.dyn) {
    get(d.name);
    get(d.count);
    get(d.values);
    get(d.present);
  }
  const std::string at = "/slotsim/";
  RestartHeader out;
  RestartSnapshot& s = out.snap;
  SimConfig& c = s.cfg;
  s.format_version = int(j.integer(w.version, at + "format_version", 0, 1000000));
  if (s.format_version != 1 && s.format_version != h5::kFormatVersion)
    j.bad(at + "format_version is " + std::to_string(s.format_version) + ", this slotsim reads 1 and " +
          std::to_string(h5::kFormatVersion));
  const bool v2 = s.format_version >= 2;
  s.run.steps = j.unsigned64(w.step, at + "step", kMaxSteps);
  s.run.time = j.real(w.time, at + "time");
  if (!std::isfinite(s.run.time) || s.run.time < 0)
    j.bad(at + "time is " + brief(s.run.time) + ", expected a finite number >= 0");
  if (h.time.kind != Numbers::Absent && j.real(h.time, "/Header/Time") != s.run.time)
    j.bad("/Header/Time (" + brief(j.real(h.time, "/Header/Time")) + ") and " + at + "time (" + brief(s.run.time) +
          ") disagree");
  c.dt = j.real(w.dt, at + "dt");
  c.force.softening = j.real(w.softening, at + "softening");
  c.seed = j.unsigned64(w.seed, at + "seed");
  const std::string scene = one_line(j.text(w.scene, at + "scene"));
  if (scene.rfind("ic:", 0) == 0)
    c.ic_file = scene.substr(3);
  else
    c.scene = scene;
  c.solver = j.text(w.solver, at + "solver");
  c.force.theta = j.real(w.theta, at + "theta");
  c.force.grid = int(j.integer(w.grid, at + "grid", std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  c.force.periodic = j.integer(w.periodic, at + "periodic", 0, 1) != 0;
  c.force.box = j.real(w.box, at + "box");
  // What the command line refuses, a file cannot set either: periodic for a
  // solver without a periodic mode, a box without periodic (a bh snapshot
  // edited to periodic = 1 restarted silently as the isolated run it was).
  if (c.force.periodic && !solver_uses(c.solver, SolverParam::Periodic))
    j.bad(at + "periodic is 1, but solver " + one_line(c.solver) + " has no periodic mode");
  if (c.force.box != 0 && !c.force.periodic)
    j.bad(at + "box is " + brief(c.force.box) + " without " + at + "periodic (an isolated mesh fits itself)");
  const std::string layout = j.text(w.layout, at + "layout");
  const auto l = parse_layout(layout);
  if (!l) j.bad(at + "layout: unknown layout '" + one_line(layout) + "'");
  c.layout = *l;
  c.sort_every = j.unsigned64(w.sort_every, at + "sort_every");
  c.threads = int(j.integer(w.threads, at + "threads", 0, kMaxThreads));
  s.threads_used = int(j.integer(w.threads_used, at + "threads_used", 0, std::numeric_limits<int>::max()));
  s.state_hash = j.unsigned64(w.hash, at + "state_hash");
  out.forces_cached = j.integer(w.forces_cached, at + "forces_cached", 0, 1) != 0;
  c.python_objects = j.integer(w.python_objects, at + "python_objects", 0, 1, !v2, 0) != 0;
  // The CPython whose sizes --python-objects models (absent before it was
  // kept: the default then, which was the only one).
  {
    const std::string v = j.text(w.python_version, at + "python_objects_version", true, py_version_text(kDefaultPyVersion));
    const auto pv = parse_py_version(v);
    if (!pv)
      j.bad(at + "python_objects_version is '" + one_line(v) + "', expected a CPython version from " +
            py_version_range_text());
    c.python_version = *pv;
  }
  s.status = one_line(j.text(w.status, at + "status", !v2, "ok"));
  if (w.energy_initial.kind != Numbers::Absent) {
    const double e0 = j.real(w.energy_initial, at + "energy_initial");
    if (!std::isfinite(e0)) j.bad(at + "energy_initial is " + brief(e0) + ", expected a finite number");
    s.run.energy_initial = e0;
    s.run.energy_sample = std::size_t(j.unsigned64(w.energy_sample, at + "energy_sample", 1000000));
  }
  c.particles = std::size_t(n);
  // The limits every flag has, named as this file spells them.
  try {
    check_config(c, [&](std::string_view flag) {
      if (flag == "--particles") return std::string("/PartType1 (particle count)");
      std::string a(flag.substr(2));
      for (char& ch : a)
        if (ch == '-') ch = '_';
      return at + a;
    });
  } catch (const std::invalid_argument& e) {
    j.bad(e.what());
  }
  j.dataset(h.types[1].ids, "/PartType1/ParticleIDs", n, 1, Shape::Int);
  if (h.types[1].masses.kind == Shape::Absent) j.bad("missing dataset /PartType1/Masses");
  if (out.forces_cached) j.dataset(w.acc, at + "LeapfrogAcceleration", n, 3, Shape::Float);
  for (std::size_t i = 0; i < w.dyn.size(); ++i) {
    char idx[24];
    std::snprintf(idx, sizeof idx, "%03zu", i);
    const std::string shown = at + "dynamic/" + idx;
    const DynWire& d = w.dyn[i];
    if (d.name.kind == Str::Absent && d.values.kind == Shape::Absent) j.bad(shown + " is not a group");
    const std::string name = j.text(d.name, shown + "/name");
    if (name.empty() || name.size() > 256 || declared_attr(name) >= 0)
      j.bad(shown + "/name: '" + one_line(name) + "' is not a dynamic attribute name");
    j.dataset(d.values, shown + "/values", n, 1, Shape::Float);
    j.dataset(d.present, shown + "/present", n, 1, Shape::Int);
    RestoredRun::Dynamic dyn;
    dyn.name = name;
    s.run.dynamic.push_back(std::move(dyn));
  }
  out.own_dict = w.own_dict.kind != Shape::Absent;
  if (out.own_dict) j.dataset(w.own_dict, at + "own_dict", n, 1, Shape::Int);
  // What the file's layout cannot hold is the file's fault, said here with
  // its name; restored, it failed after the particles were made, as the
  // run's own AttributeError (exit 1).
  switch (cannot_hold(c.layout, out.own_dict, !w.dyn.empty())) {
    case Unholdable::OwnDicts:
      j.bad(at + "own_dict: the snapshot's layout " + std::string(layout_name(c.layout)) + " has no __dict__");
      break;
    case Unholdable::DynamicAttrs:
      j.bad(at + "dynamic: the snapshot's layout " + std::string(layout_name(c.layout)) +
            " has no attributes beyond its declared ones");
      break;
    case Unholdable::Nothing:
      break;
  }
  out.particles = n;
  out.dynamic_attrs = w.dyn.size();
  return out;
}

// n elements of T from the stream, into a vector allocated only now that
// n is known to be what the header announced.
template <class T>
std::vector<T> receive(io::WireReader& r, std::uint64_t n) {
  std::vector<T> v(n);
  r.bytes(v.data(), v.size() * sizeof(T));
  return v;
}

}  // namespace

SnapshotInfo inspect_snapshot_h5(const std::string& path) {
  SnapshotInfo info;
  const Judge j(path);
  read_isolated(path, Want::Header, [&](io::WireReader&, const HeaderWire& h) {
    info.particles = judge_header(j, h);
    info.has_ids = gadget_plan(h).ids;
    info.restartable = h.slotsim == 1;
  });
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) info.bytes = std::uint64_t(st.st_size);
  return info;
}

std::uint64_t snapshot_particle_count(const std::string& path) { return inspect_snapshot_h5(path).particles; }

GadgetParticles read_particles_h5(const std::string& path) {
  GadgetParticles out;
  const Judge j(path);
  read_isolated(path, Want::Gadget, [&](io::WireReader& r, const HeaderWire& h) {
    const std::uint64_t n = judge_header(j, h);
    const GadgetPlan p = gadget_plan(h);
    out.particles.resize(n);
    std::string merged;
    std::size_t first = 0;
    for (const TypePlan& t : p.types) {
      const std::string at = "/PartType" + std::to_string(t.type);
      r.bytes(out.particles.data() + first, t.rows * sizeof(ParticleRecord));
      j.records(out.particles, first, t.rows, at, !t.masses);
      first += t.rows;
      merged += (merged.empty() ? "" : ", ") + at.substr(1) + " (" + std::to_string(t.rows) + ")";
    }
    if (p.types.size() > 1 || p.types[0].type != 1)
      out.note = path + ": read " + merged + " as one set of " + std::to_string(n) + " particles";
    if (p.ids) {
      const std::vector<std::uint64_t> ids = receive<std::uint64_t>(r, n);
      // Stable order by id, applied in place (cycle by cycle) so the load
      // holds the records once, plus 12 B per particle for ids and order.
      std::vector<std::uint32_t> order(n);
      std::iota(order.begin(), order.end(), 0u);
      std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return ids[a] < ids[b]; });
      for (std::size_t k = 0; k < n; ++k) {
        if (order[k] == k || order[k] == UINT32_MAX) continue;
        // Follow the cycle through k: position k takes order[k]'s record.
        const ParticleRecord tmp = out.particles[k];
        std::size_t cur = k;
        for (;;) {
          const std::size_t from = order[cur];
          order[cur] = UINT32_MAX;
          if (from == k) {
            out.particles[cur] = tmp;
            break;
          }
          out.particles[cur] = out.particles[from];
          cur = from;
        }
      }
    }
  });
  return out;
}

RestartHeader inspect_restart_h5(const std::string& path) {
  RestartHeader out;
  const Judge j(path);
  read_isolated(path, Want::RestartMeta,
                [&](io::WireReader& r, const HeaderWire& h) { out = judge_restart(j, h, r); });
  return out;
}

RestartSnapshot read_restart_h5(const std::string& path, RowSlice slice) {
  RestartSnapshot s;
  const Judge j(path);
  read_isolated(path, Want::Restart, [&](io::WireReader& r, const HeaderWire& h) {
    RestartHeader head = judge_restart(j, h, r);
    s = std::move(head.snap);
    const std::uint64_t total = head.particles;
    // The rows this read holds (the child sends the same clipped range).
    const std::uint64_t first = std::min(slice.first, total), n = std::min(slice.count, total - first);
    RestoredRun& run = s.run;
    run.particles.resize(n);
    r.bytes(run.particles.data(), n * sizeof(ParticleRecord));
    j.records(run.particles, 0, n, "/PartType1", false, first);
    {
      // A slice can only check that its ids are in range; that the whole
      // file's are a permutation is for the caller who holds every slice.
      const std::vector<std::uint64_t> ids = receive<std::uint64_t>(r, n);
      const bool whole = n == total;
      run.ids.resize(n);
      std::vector<bool> seen(whole ? n : 0);
      for (std::size_t k = 0; k < n; ++k) {
        if (ids[k] >= total || (whole && seen[ids[k]]))
          j.bad("/PartType1/ParticleIDs is not a permutation of 0.." + std::to_string(total - 1) + " (row " +
                std::to_string(first + k) + ")");
        if (whole) seen[ids[k]] = true;
        run.ids[k] = static_cast<std::uint32_t>(ids[k]);
      }
    }
    if (head.forces_cached) {
      for (std::vector<double>* a : {&run.ax, &run.ay, &run.az}) {
        *a = receive<double>(r, n);
        for (std::size_t k = 0; k < n; ++k)
          if (!std::isfinite((*a)[k]))
            j.bad("/slotsim/LeapfrogAcceleration[" + std::to_string(k) + "] is not finite");
      }
    }
    for (RestoredRun::Dynamic& d : run.dynamic) {
      // Values may be NaN (a column created without a value): no finiteness check.
      d.values = receive<double>(r, n);
      d.present = receive<std::uint8_t>(r, n);
      for (std::size_t k = 0; k < n; ++k)
        if (d.present[k] > 1) j.bad("/slotsim/dynamic: '" + one_line(d.name) + "' has a presence mask that is not 0/1");
    }
    if (head.own_dict) {
      run.own_dict = receive<std::uint8_t>(r, n);
      for (std::uint8_t v : run.own_dict)
        if (v > 1) j.bad("/slotsim/own_dict is not a 0/1 mask");
    }
  }, slice);
  return s;
}

}  // namespace slotsim
