// HDF5 snapshots: round trips with CSV, in-process restarts for every
// layout (with dynamic attributes and a Morton order), and the one-line
// errors for files other tools (or a broken disk) could hand us. Foreign
// Gadget files are built here with the HDF5 C API, the way another code
// would write them.
#include "sim/io/hdf5_snapshot.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <functional>

#include "sim/fixtures.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/output_file.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"

using slotsim::testing::bitwise_equal;
using slotsim::testing::plummer_sample;
using slotsim::testing::TempDir;

namespace slotsim {
namespace {

SimConfig small_config(Layout l, const std::string& solver = "direct") {
  SimConfig c;
  c.layout = l;
  c.solver = solver;
  c.force.grid = 16;
  c.threads = 0;
  return c;
}

std::vector<ParticleRecord> in_id_order(const System& s) {
  std::vector<ParticleRecord> out;
  for (std::size_t i = 0; i < s.size(); ++i) out.push_back(s.particle(i));
  return out;
}

// A foreign Gadget-style file: `body` adds groups to a file that already
// has /Header with NumPart_ThisFile = counts and MassTable = masses.
void write_gadget(const std::string& path, const std::array<std::uint64_t, 6>& counts,
                  const std::array<double, 6>& masses, const std::function<void(hid_t)>& body) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t h = H5Gcreate2(f, "Header", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t six = 6;
  const hid_t sp = H5Screate_simple(1, &six, nullptr);
  // int32 counts as Gadget-2 writes them: the reader must convert.
  std::array<int, 6> c32{};
  for (int t = 0; t < 6; ++t) c32[t] = static_cast<int>(counts[t]);
  hid_t a = H5Acreate2(h, "NumPart_ThisFile", H5T_NATIVE_INT, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT, c32.data());
  H5Aclose(a);
  a = H5Acreate2(h, "MassTable", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, masses.data());
  H5Aclose(a);
  H5Sclose(sp);
  H5Gclose(h);
  body(f);
  REQUIRE(H5Fclose(f) >= 0);
}

// Writes dataset `name` of shape (rows) or (rows, cols) from v.
template <class T>
void put(hid_t loc, const char* name, hid_t type, std::size_t rows, int cols, const std::vector<T>& v) {
  const hsize_t dims[2] = {rows, hsize_t(cols)};
  const hid_t sp = H5Screate_simple(cols == 1 ? 1 : 2, dims, nullptr);
  const hid_t d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(d >= 0);
  H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Sclose(sp);
}

// A type group with n particles: positions k, velocities -k, optional masses.
void put_type(hid_t f, int type, std::size_t n, bool masses, double offset = 0) {
  const std::string name = "PartType" + std::to_string(type);
  const hid_t g = H5Gcreate2(f, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<double> pos(3 * n), vel(3 * n), m(n, 0.5);
  for (std::size_t i = 0; i < 3 * n; ++i) {
    pos[i] = offset + double(i);
    vel[i] = -double(i);
  }
  put(g, "Coordinates", H5T_NATIVE_DOUBLE, n, 3, pos);
  put(g, "Velocities", H5T_NATIVE_DOUBLE, n, 3, vel);
  if (masses) put(g, "Masses", H5T_NATIVE_DOUBLE, n, 1, m);
  H5Gclose(g);
}

// Runs f, which must throw SnapshotError; returns its one-line message.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SnapshotError& e) {
    const std::string m = e.what();
    CHECK(m.find('\n') == std::string::npos);
    return m;
  }
  FAIL("no SnapshotError");
  return "";
}

}  // namespace

TEST_CASE("hdf5: CSV -> HDF5 -> CSV keeps every bit, in id order even after a Morton sort") {
  TempDir d;
  const auto ps = plummer_sample(300, 7);
  const std::string csv1 = d.file("a.csv"), h5 = d.file("b.h5"), csv2 = d.file("c.csv");
  write_particles_csv(csv1, ps.size(), [&](std::size_t i) { return ps[i]; });
  SimConfig c = small_config(Layout::Dict);
  c.sort_every = 1;
  System sys(c, read_particles_csv(csv1));
  sys.step();  // the Morton reorder puts storage order != id order
  bool permuted = false;
  for (std::size_t k = 0; k < sys.size(); ++k) permuted |= sys.stored_id(k) != k;
  REQUIRE(permuted);
  write_snapshot_h5(h5, sys);
  const GadgetParticles g = read_particles_h5(h5);
  CHECK(g.note.empty());
  CHECK(bitwise_equal(g.particles, in_id_order(sys)));
  write_particles_csv(csv2, g.particles.size(), [&](std::size_t i) { return g.particles[i]; });
  CHECK(bitwise_equal(read_particles_csv(csv2), in_id_order(sys)));

  // And CSV from a fresh System equals the HDF5 of the same particles.
  System fresh(small_config(Layout::Soa), ps);
  write_snapshot_h5(h5, fresh);
  CHECK(bitwise_equal(read_particles_h5(h5).particles, ps));
}

TEST_CASE("hdf5: restart restores particles, order, force cache, dynamic attributes and the run state") {
  TempDir d;
  const std::string h5 = d.file("r.h5");
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    SimConfig c = small_config(l);
    c.sort_every = 2;
    c.dt = 0.05;  // as in the control below: the reorder really moves particles
    System a(c, plummer_sample(200, 3));
    const bool columns = l == Layout::Aos || l == Layout::Soa;
    if (l != Layout::Slots) a.set_attr_all("charge", 0.25);
    if (!columns && l != Layout::Slots) a.set_attr(17, "tag", -3.5);  // on one particle only
    for (int k = 0; k < 4; ++k) a.step();  // the next step reorders, keeping the cached forces
    write_snapshot_h5(h5, a);
    const RestartSnapshot s = read_restart_h5(h5);
    CHECK(s.state_hash == a.state_hash());
    CHECK(s.cfg.layout == l);
    CHECK(s.cfg.sort_every == 2);
    CHECK(s.run.steps == 4);
    CHECK(s.run.time == a.sim_time());
    CHECK(s.run.ax.size() == 200);
    System b(s.cfg, s.run);
    CHECK(b.state_hash() == a.state_hash());
    CHECK(b.steps_done() == 4);
    for (std::size_t k = 0; k < b.size(); ++k) CHECK(b.stored_id(k) == a.stored_id(k));
    if (l != Layout::Slots) CHECK(b.get_attr(5, "charge") == 0.25);
    if (!columns && l != Layout::Slots) {
      CHECK(b.get_attr(17, "tag") == -3.5);
      CHECK_THROWS_AS(b.get_attr(16, "tag"), AttributeError);
      CHECK(b.store().dynamic_attrs().size() == 2);
    }
    for (int k = 0; k < 3; ++k) {
      a.step();
      b.step();
    }
    CHECK(b.state_hash() == a.state_hash());
    CHECK(b.sim_time() == a.sim_time());
  }
}

TEST_CASE("hdf5: a restart read in row slices gives the rows of the whole read") {
  // How each rank of slotsim-mpi reads its segment of a restart file.
  TempDir d;
  const std::string h5 = d.file("s.h5");
  SimConfig c = small_config(Layout::Dict);
  c.sort_every = 2;
  c.dt = 0.05;
  System a(c, plummer_sample(301, 8));
  a.set_attr(17, "tag", -3.5);
  for (int k = 0; k < 3; ++k) a.step();
  write_snapshot_h5(h5, a);
  const RestartSnapshot whole = read_restart_h5(h5);
  std::size_t rows = 0;
  for (const auto& [first, count] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 100}, {100, 1}, {101, 200}, {301, 5}}) {
    CAPTURE(first);
    const RestartSnapshot part = read_restart_h5(h5, RowSlice{first, count});
    const std::size_t m = part.run.particles.size();
    CHECK(part.cfg.particles == 301);
    CHECK(part.state_hash == whole.state_hash);
    REQUIRE(part.run.ids.size() == m);
    REQUIRE(part.run.ax.size() == m);
    for (std::size_t k = 0; k < m; ++k) {
      CHECK(std::memcmp(&part.run.particles[k], &whole.run.particles[first + k], sizeof(ParticleRecord)) == 0);
      CHECK(part.run.ids[k] == whole.run.ids[first + k]);
      CHECK(part.run.ax[k] == whole.run.ax[first + k]);
    }
    REQUIRE(part.run.dynamic.size() == 1);
    CHECK(part.run.dynamic[0].present.size() == m);
    rows += m;
  }
  CHECK(rows == 301);
}

TEST_CASE("hdf5: the force cache is what makes a restart before a reorder exact (control)") {
  // Without the cached accelerations the restarted run recomputes them in
  // the new Morton order, and the direct sum then adds in another order:
  // this shows the restart test above would catch a lost cache.
  TempDir d;
  const std::string h5 = d.file("r.h5");
  SimConfig c = small_config(Layout::Soa);
  c.sort_every = 2;
  c.dt = 0.05;  // large enough that particles change Morton cells between sorts
  System a(c, plummer_sample(300, 5));
  for (int k = 0; k < 4; ++k) a.step();  // step 5 starts with a reorder
  write_snapshot_h5(h5, a);
  RestartSnapshot s = read_restart_h5(h5);
  s.run.ax.clear();
  s.run.ay.clear();
  s.run.az.clear();
  System b(s.cfg, s.run);
  a.step();
  b.step();
  CHECK(b.state_hash() != a.state_hash());
}

TEST_CASE("hdf5: Acceleration and Potential datasets match the solver and the pair sum") {
  TempDir d;
  const std::string h5 = d.file("f.h5");
  System sys(small_config(Layout::Aos), plummer_sample(100, 9));
  write_snapshot_h5(h5, sys, SnapshotFields{true, true});
  CHECK(sys.forces_cached());  // computed for the export, reused by the next step
  // Read back through the restart path: LeapfrogAcceleration links to
  // PartType1/Acceleration, so both hold the solver's numbers.
  const RestartSnapshot s = read_restart_h5(h5);
  for (std::size_t k = 0; k < 100; ++k) CHECK(s.run.ax[k] == sys.cached_acceleration(0)[k]);
  CHECK_THROWS_AS(parse_snapshot_fields("acc,velocity"), std::invalid_argument);
  CHECK(parse_snapshot_fields("").acceleration == false);
  const SnapshotFields both = parse_snapshot_fields("pot,acc");
  CHECK((both.acceleration && both.potential));
  CHECK(is_hdf5_path("x.H5"));
  CHECK(is_hdf5_path("dir.csv/x.hdf5"));
  CHECK_FALSE(is_hdf5_path("x.h5.csv"));
}

TEST_CASE("hdf5: foreign Gadget files: PartType1, MassTable, several types with a note, float32, ids") {
  TempDir d;
  const std::string p = d.file("g.h5");
  write_gadget(p, {0, 4, 0, 0, 0, 0}, {0, 2.0, 0, 0, 0, 0}, [](hid_t f) { put_type(f, 1, 4, false); });
  GadgetParticles g = read_particles_h5(p);
  REQUIRE(g.particles.size() == 4);
  CHECK(g.note.empty());
  CHECK(g.particles[1].x == 3.0);
  CHECK(g.particles[1].vz == -5.0);
  CHECK(g.particles[3].mass == 2.0);

  write_gadget(p, {3, 4, 0, 0, 2, 0}, {0, 0, 0, 0, 0, 0}, [](hid_t f) {
    put_type(f, 0, 3, true);
    put_type(f, 1, 4, true, 100);
    put_type(f, 4, 2, true, 200);
  });
  g = read_particles_h5(p);
  CHECK(g.particles.size() == 9);
  CHECK(g.note.find("PartType0 (3), PartType1 (4), PartType4 (2)") != std::string::npos);
  CHECK(g.particles[3].x == 100.0);  // types in order 0, 1, 4

  // float32 data and ParticleIDs in reverse: converted, then ordered by id.
  write_gadget(p, {0, 3, 0, 0, 0, 0}, {0, 1.0, 0, 0, 0, 0}, [](hid_t f) {
    const hid_t grp = H5Gcreate2(f, "PartType1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put(grp, "Coordinates", H5T_NATIVE_FLOAT, 3, 3, std::vector<float>{0, 0, 0, 1, 1, 1, 2, 2, 2});
    put(grp, "Velocities", H5T_NATIVE_FLOAT, 3, 3, std::vector<float>(9, 0.5f));
    put(grp, "ParticleIDs", H5T_NATIVE_UINT32, 3, 1, std::vector<std::uint32_t>{30, 20, 10});
    H5Gclose(grp);
  });
  g = read_particles_h5(p);
  REQUIRE(g.particles.size() == 3);
  CHECK(g.particles[0].x == 2.0);
  CHECK(g.particles[2].x == 0.0);
  CHECK(g.particles[1].vx == 0.5);
}

TEST_CASE("hdf5: bad files get one line naming the file and the problem") {
  TempDir d;
  const std::string p = d.file("bad.h5");
  auto ic = [&] { read_particles_h5(p); };
  auto gadget = [&](const std::array<std::uint64_t, 6>& counts, const std::array<double, 6>& mt,
                    const std::function<void(hid_t)>& body) { write_gadget(p, counts, mt, body); };

  std::ofstream(p) << "x,y,z,vx,vy,vz,mass\n1,2,3,4,5,6,7\n";
  CHECK(error_of(ic) == p + ": not an HDF5 file");
  CHECK(error_of([&] { read_particles_h5(d.file("none.h5")); }).find("none.h5: cannot open: no such file") !=
        std::string::npos);
  CHECK(error_of([&] { read_particles_h5(d.path().string()); }).find("is a directory") != std::string::npos);

  {
    const hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
  }
  CHECK(error_of(ic) == p + ": missing group /Header");
  gadget({0, 4, 0, 0, 0, 0}, {}, [](hid_t) {});
  CHECK(error_of(ic).find("missing group /PartType1") != std::string::npos);
  gadget({0, 4, 0, 0, 0, 0}, {}, [](hid_t f) {
    const hid_t g = H5Gcreate2(f, "PartType1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put(g, "Coordinates", H5T_NATIVE_DOUBLE, 4, 2, std::vector<double>(8, 1.0));
    H5Gclose(g);
  });
  CHECK(error_of(ic) == p + ": /PartType1/Coordinates: expected shape (N, 3), got (4, 2)");
  gadget({0, 2, 0, 0, 0, 0}, {}, [](hid_t f) {
    const hid_t g = H5Gcreate2(f, "PartType1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put(g, "Coordinates", H5T_NATIVE_INT, 2, 3, std::vector<int>(6, 1));
    H5Gclose(g);
  });
  CHECK(error_of(ic).find("/PartType1/Coordinates: expected floating-point values") != std::string::npos);
  gadget({0, 4, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, [](hid_t f) {
    put_type(f, 1, 4, false);
    const hid_t g = H5Gopen2(f, "PartType1", H5P_DEFAULT);
    H5Ldelete(g, "Velocities", H5P_DEFAULT);
    std::vector<double> v(12, 0.0);
    v[7] = NAN;
    put(g, "Velocities", H5T_NATIVE_DOUBLE, 4, 3, v);
    H5Gclose(g);
  });
  CHECK(error_of(ic) == p + ": /PartType1/Velocities[2][1] is nan, expected a finite number");
  gadget({0, 5, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, [](hid_t f) { put_type(f, 1, 4, false); });
  CHECK(error_of(ic) == p + ": /PartType1/Coordinates has 4 rows but /Header/NumPart_ThisFile[1] is 5");
  gadget({0, 4, 0, 0, 0, 0}, {}, [](hid_t f) { put_type(f, 1, 4, false); });
  CHECK(error_of(ic).find("no Masses dataset and /Header/MassTable[1] is 0") != std::string::npos);
  gadget({0, 4, 0, 0, 0, 0}, {}, [](hid_t f) {
    put_type(f, 1, 4, false);
    const hid_t g = H5Gopen2(f, "PartType1", H5P_DEFAULT);
    put(g, "Masses", H5T_NATIVE_DOUBLE, 3, 1, std::vector<double>(3, 1.0));
    H5Gclose(g);
  });
  CHECK(error_of(ic) == p + ": /PartType1/Masses: expected 4 rows, got 3");
  gadget({0, 2, 0, 0, 0, 0}, {}, [](hid_t f) {
    put_type(f, 1, 2, false);
    const hid_t g = H5Gopen2(f, "PartType1", H5P_DEFAULT);
    put(g, "Masses", H5T_NATIVE_DOUBLE, 2, 1, std::vector<double>{1.0, -1.0});
    H5Gclose(g);
  });
  CHECK(error_of(ic).find("/PartType1/Masses[1] is -1") != std::string::npos);
  // Signed ids, one negative: refused (libhdf5 clipped it to 0 when read as
  // unsigned, and the file loaded in file order); a signed type of ids that
  // are all >= 0 reads as before.
  auto signed_ids = [&](std::vector<std::int64_t> ids) {
    gadget({0, 4, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, [&](hid_t f) {
      put_type(f, 1, 4, false);
      const hid_t g = H5Gopen2(f, "PartType1", H5P_DEFAULT);
      put(g, "ParticleIDs", H5T_NATIVE_INT64, 4, 1, ids);
      H5Gclose(g);
    });
  };
  signed_ids({4, 3, -2, 1});
  CHECK(error_of(ic) == p + ": /PartType1/ParticleIDs: a value out of the range of an unsigned 64-bit integer "
                            "(negative, or too large) in rows 0-3");
  signed_ids({4, 3, 2, 1});
  const GadgetParticles rev = read_particles_h5(p);
  REQUIRE(rev.particles.size() == 4);
  CHECK(rev.particles[0].x == 9.0);  // the row with the smallest id (put_type's x of row k is 3k)
  CHECK(rev.particles[3].x == 0.0);

  // A valid Gadget file that slotsim did not write cannot be restarted.
  gadget({0, 4, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, [](hid_t f) { put_type(f, 1, 4, false); });
  CHECK(error_of([&] { read_restart_h5(p); }).find("missing group /slotsim") != std::string::npos);
}

TEST_CASE("hdf5: a restart file adding what its layout cannot hold is refused, naming the file") {
  // Restored, such a file failed only after the particles were made, with
  // the run's own AttributeError (exit 1) and no file name.
  TempDir d;
  const std::string h5 = d.file("r.h5");
  auto edit = [&](const std::function<void(hid_t)>& body) {
    const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t g = H5Gopen2(f, "slotsim", H5P_DEFAULT);
    body(g);
    H5Gclose(g);
    REQUIRE(H5Fclose(f) >= 0);
  };
  System a(small_config(Layout::Soa), plummer_sample(50, 3));
  a.set_attr_all("charge", 0.25);  // a dynamic column, which soa holds
  write_snapshot_h5(h5, a);
  REQUIRE_NOTHROW(read_restart_h5(h5));
  edit([](hid_t g) { put(g, "own_dict", H5T_NATIVE_UINT8, 50, 1, std::vector<std::uint8_t>(50, 1)); });
  CHECK(error_of([&] { read_restart_h5(h5); }) == h5 + ": /slotsim/own_dict: the snapshot's layout soa has no __dict__");

  // The same file calling itself slots, which has no attributes but its
  // declared ones, and no dict either.
  edit([](hid_t g) {
    H5Ldelete(g, "own_dict", H5P_DEFAULT);
    H5Adelete(g, "layout");
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    const hid_t sp = H5Screate(H5S_SCALAR);
    const hid_t at = H5Acreate2(g, "layout", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    const char* v = "slots";
    H5Awrite(at, t, &v);
    H5Aclose(at);
    H5Sclose(sp);
    H5Tclose(t);
  });
  CHECK(error_of([&] { read_restart_h5(h5); }) ==
        h5 + ": /slotsim/dynamic: the snapshot's layout slots has no attributes beyond its declared ones");
}

TEST_CASE("hdf5: a restart file cannot set what the command line refuses: periodic without a periodic solver, a box without periodic") {
  // A direct-summation snapshot edited to periodic = 1, or to box = 5,
  // restarted silently as the run it was.
  TempDir d;
  const std::string h5 = d.file("r.h5");
  auto set_attr = [&](const char* name, hid_t type, const void* value) {
    const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t g = H5Gopen2(f, "slotsim", H5P_DEFAULT);
    H5Adelete(g, name);
    const hid_t sp = H5Screate(H5S_SCALAR);
    const hid_t at = H5Acreate2(g, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(at, type, value);
    H5Aclose(at);
    H5Sclose(sp);
    H5Gclose(g);
    REQUIRE(H5Fclose(f) >= 0);
  };
  System a(small_config(Layout::Soa, "direct"), plummer_sample(50, 3));
  write_snapshot_h5(h5, a);
  REQUIRE_NOTHROW(read_restart_h5(h5));
  const std::int32_t one = 1;
  set_attr("periodic", H5T_NATIVE_INT32, &one);
  CHECK(error_of([&] { read_restart_h5(h5); }) == h5 + ": /slotsim/periodic is 1, but solver direct has no periodic mode");
  const std::int32_t zero = 0;
  const double five = 5;
  set_attr("periodic", H5T_NATIVE_INT32, &zero);
  set_attr("box", H5T_NATIVE_DOUBLE, &five);
  CHECK(error_of([&] { read_restart_h5(h5); }) ==
        h5 + ": /slotsim/box is 5 without /slotsim/periodic (an isolated mesh fits itself)");
}

TEST_CASE("hdf5: a write that cannot happen is one line (a run-time failure, not bad input), non-finite particles are refused") {
  TempDir d;
  System sys(small_config(Layout::Soa), plummer_sample(10, 1));
  auto write_error = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const io::OutputError& e) {
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
      return e.what();
    }
    FAIL("no io::OutputError");
    return "";
  };
  CHECK(write_error([&] { write_snapshot_h5(d.file("no/such/dir.h5"), sys); }).find("cannot create") != std::string::npos);
  sys.store().set_attr(3, "vx", INFINITY);  // past System::set_attr, which refuses it: a diverged state
  const std::string p = d.file("inf.h5");
  CHECK(write_error([&] { write_snapshot_h5(p, sys); }).find("particle 3 has vx = inf") != std::string::npos);
  CHECK_THROWS_AS(write_snapshot_h5(p, sys, SnapshotFields{false, true}), io::OutputError);
}

}  // namespace slotsim
