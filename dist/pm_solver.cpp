// Particle-mesh gravity across ranks, with the serial solver's bits
// (sim/solvers/pm/particle_mesh.cpp runs the same pieces over the whole
// mesh). Gadget-4's pattern on slotsim's own line FFTs:
//
//  1. The mesh goes where the serial one goes: each rank's particle extent,
//     reduced with MIN (exact), gives the same cube and placement.
//  2. x-slabs: rank r owns planes [n r / P, n (r+1) / P). Each particle goes
//     to the owner of its x cell (its "primary", who interpolates it) and,
//     if another rank, to the owner of the next plane (deposit only). The
//     received particles are in global storage order (ranks in order, each
//     in storage order), so the stable bucket sort and the even/odd phases
//     of the deposit repeat every cell's serial sum exactly. Adding partial
//     plane sums from two ranks (Gadget-4's way) would regroup them.
//  3. The convolution's z pass runs on the owned planes; an all-to-all
//     turns x-slabs into blocks of kz (rank r owns kz [K r / P, K (r+1) / P));
//     the slab pass runs there; another all-to-all brings the wanted rows
//     back; the inverse z pass runs on the owned planes. Which rows are
//     transformed (isolated meshes skip empty ones) follows from global
//     flags gathered from every rank, so every pairing of rows in a complex
//     FFT is the serial one.
//  4. Ghost planes of the potential (2 below, 3 above) come from their
//     owners; the gradient fills the owned planes and one above; each rank
//     interpolates its primaries and sends 24 B per particle back.
//
// The isolated Green's function is computed whole by rank 0 (the serial
// code and FFTW plan, so the same bits) when the mesh spacing changes, and
// each rank receives its kz slab: the one mesh-sized array of the solver,
// held by one rank for a moment ((n+1)^3 doubles: 17 MB at n = 128, 1.1 GB
// at 512). Computing it distributed would need a distributed 3-D DCT whose
// bits differ from FFTW's 3-D plan. The periodic one is a formula per
// element: each rank computes its slab.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <variant>

#include "dist/pm_plan.hpp"
#include "dist/solvers_internal.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/pm/cic.hpp"
#include "sim/solvers/pm/gradient.hpp"
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"
#include "sim/solvers/pm/padded_convolution.hpp"
#include "sim/solvers/pm/periodic_convolution.hpp"
#include "sim/solvers/pm/pm_green.hpp"

namespace slotsim::dist {
namespace {

using detail::MeshMap;
using detail::Planes;
using detail::SolverBuffer;
using detail::Span;

using Complex = double[2];
struct C16 {
  double re, im;
};

struct Xyzm {
  double x, y, z, m;
};
struct Acc3 {
  double ax, ay, az;
};

// An even split of `count` planes (or kz blocks) over p ranks: rank r's first.
int split(int count, int p, int r) { return pm_plane(count, p, r); }

class DistPmSolver final : public Solver {
 public:
  DistPmSolver(const ForceParams& p, Comm& comm)
      : n_(p.grid),
        periodic_(p.periodic),
        box_(p.box),
        eps_(p.softening),
        comm_(comm),
        buckets_(res_),
        span_(res_),
        xs_(res_),
        ys_(res_),
        zs_(res_),
        ms_(res_),
        phi_(res_),
        force_(res_),
        rows_(res_),
        spec_(res_),
        blocks_(res_),
        green_(res_) {
    const int P = comm.size(), r = comm.rank();
    x0_ = split(n_, P, r);
    x1_ = split(n_, P, r + 1);
    if (periodic_)
      conv_.emplace<detail::PeriodicConvolution>(n_, res_);
    else
      conv_.emplace<detail::PaddedConvolution>(n_, res_);
    K_ = conv().wave_numbers();
    kz0_ = split(K_, P, r);
    kz1_ = split(K_, P, r + 1);
  }

  std::string_view name() const override { return "pm"; }
  bool has_potentials() const override { return !periodic_; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    using clock = std::chrono::steady_clock;
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    const auto t0 = clock::now();
    phases = {};
    const MeshMap map = deposit(src);
    const auto t1 = clock::now();
    potential(map);
    const int nf = force_planes();
    force_.resize(3 * nn() * static_cast<std::size_t>(nf));
    const Planes force{force_.data(), 3 * nn(), x0_, nf, n_};
    detail::mesh_gradient(map, phi_planes(), static_cast<std::size_t>(n_), force, x0_, x0_ + nf, rows_.data(), x0_);
    const auto t2 = clock::now();
    std::vector<double> ax(recv_n_), ay(recv_n_), az(recv_n_);
    detail::interpolate_forces(map, buckets_, x0_, x1_, force);
    // Every received particle back in received order; send_back() picks
    // the primaries (the others' records still hold fractions).
    double* const cols[3] = {ax.data(), ay.data(), az.data()};
    detail::unbucket(buckets_, recv_n_, 3, cols);
    std::vector<Acc3> mine(recv_n_);
    for (std::size_t i = 0; i < recv_n_; ++i) mine[i] = {ax[i], ay[i], az[i]};
    const std::vector<Acc3> back = send_back(map, mine);
    std::size_t k = 0;
    for (const auto& list : primary_)
      for (std::uint32_t i : list) {
        acc.ax[i] = back[k].ax;
        acc.ay[i] = back[k].ay;
        acc.az[i] = back[k].az;
        ++k;
      }
    const auto t3 = clock::now();
    phases.build_ms = ms(t0, t1);
    phases.solve_ms = ms(t1, t2);
    phases.interpolate_ms = ms(t2, t3);
  }

  bool potentials(const Sources& src, double* phi) override {
    if (periodic_) return false;
    const MeshMap map = deposit(src);
    potential(map);
    std::vector<double> mine(recv_n_);
    double g[2][2][2];
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 2; ++c) g[a][b][c] = detail::isolated_green_at(a, b, c, map.h, eps_);
    detail::interpolate_potential(buckets_, x0_, x1_, phi_planes(), static_cast<std::size_t>(n_), g);
    double* const out[3] = {mine.data(), nullptr, nullptr};
    detail::unbucket(buckets_, recv_n_, 1, out);
    const std::vector<double> back = send_back(map, mine);
    std::size_t k = 0;
    for (const auto& list : primary_)
      for (std::uint32_t i : list) phi[i] = back[k++];
    return true;
  }

 private:
  std::size_t nn() const { return static_cast<std::size_t>(n_) * static_cast<std::size_t>(n_); }
  detail::LineConvolution& conv() {
    return periodic_ ? static_cast<detail::LineConvolution&>(std::get<detail::PeriodicConvolution>(conv_))
                     : static_cast<detail::LineConvolution&>(std::get<detail::PaddedConvolution>(conv_));
  }
  bool whole() const { return x1_ - x0_ == n_; }  // one rank: the whole mesh, no ghosts
  // The planes this rank holds of the potential (its own, 2 below and 3
  // above; clipped to the mesh when isolated).
  void phi_range(int x0, int x1, int& first, int& count) const {
    if (x1 - x0 == n_) {
      first = 0;
      count = n_;
    } else if (periodic_) {
      first = (x0 - 2 + n_) % n_;
      count = std::min(n_, x1 - x0 + 5);
    } else {
      first = std::max(0, x0 - 2);
      count = std::min(n_, x1 + 3) - first;
    }
  }
  Planes phi_planes() {
    int first, count;
    phi_range(x0_, x1_, first, count);
    return {phi_.data(), nn(), first, count, n_};
  }
  // Force planes: the owned ones and the one above (interpolation reads
  // planes x and x + 1), unless this rank holds the whole mesh.
  int force_planes() const {
    if (whole()) return n_;
    return periodic_ ? x1_ - x0_ + 1 : std::min(n_, x1_ + 1) - x0_;
  }
  bool owns(int plane) const { return plane >= x0_ && plane < x1_; }
  int owner(int plane) const {
    const int P = comm_.size();
    int r = static_cast<int>(static_cast<long long>(plane) * P / n_);
    while (r > 0 && split(n_, P, r) > plane) --r;
    while (r + 1 < P && split(n_, P, r + 1) <= plane) ++r;
    return r;
  }

  // Steps 1 and 2: placement, routing, deposit. Returns the mesh map; the
  // received particles stay bucketed in buckets_ for interpolation.
  MeshMap deposit(const Sources& src) {
    const int P = comm_.size();
    double ext[6];
    for (int a = 0; a < 3; ++a) {
      ext[a] = std::numeric_limits<double>::infinity();
      ext[3 + a] = std::numeric_limits<double>::infinity();
    }
    if (src.extent && src.n > 0) {  // the step's drift took it (sim/extent.hpp)
      for (int a = 0; a < 3; ++a) {
        ext[a] = src.extent->lo[a];
        ext[3 + a] = -src.extent->hi[a];
      }
    } else {
      for (std::size_t i = 0; i < src.n; ++i) {
        const double v[3] = {src.x[i], src.y[i], src.z[i]};
        for (int a = 0; a < 3; ++a) {
          ext[a] = std::min(ext[a], v[a]);
          ext[3 + a] = std::min(ext[3 + a], -v[a]);
        }
      }
    }
    comm_.min_each(ext, 6);
    const double lo[3] = {ext[0], ext[1], ext[2]}, hi[3] = {-ext[3], -ext[4], -ext[5]};
    const MeshMap map = detail::place_mesh(detail::cube_of_extent(lo, hi), n_, periodic_, box_);

    // Route: primary to the owner of the particle's x cell, and a copy to
    // the owner of the next plane when that is another rank.
    std::vector<std::size_t> counts(static_cast<std::size_t>(P), 0);
    primary_.assign(static_cast<std::size_t>(P), {});
    std::vector<int> dest1(src.n), dest2(src.n);
    for (std::size_t i = 0; i < src.n; ++i) {
      const int b = map.bucket(src.x[i]);
      dest1[i] = owner(b);
      const int d2 = owner(map.next(b));
      dest2[i] = d2 == dest1[i] || (!periodic_ && map.next(b) >= n_) ? -1 : d2;
      ++counts[static_cast<std::size_t>(dest1[i])];
      if (dest2[i] >= 0) ++counts[static_cast<std::size_t>(dest2[i])];
    }
    std::vector<std::size_t> at(static_cast<std::size_t>(P), 0);
    for (int d = 1; d < P; ++d) at[std::size_t(d)] = at[std::size_t(d - 1)] + counts[std::size_t(d - 1)];
    std::vector<Xyzm> send(at.back() + counts.back());
    for (std::size_t i = 0; i < src.n; ++i) {
      const Xyzm r{src.x[i], src.y[i], src.z[i], src.m[i]};
      send[at[std::size_t(dest1[i])]++] = r;
      primary_[std::size_t(dest1[i])].push_back(static_cast<std::uint32_t>(i));
      if (dest2[i] >= 0) send[at[std::size_t(dest2[i])]++] = r;
    }
    recv_counts_ = comm_.exchange_counts(counts);
    std::size_t total = 0;
    for (std::size_t c : recv_counts_) total += c;
    check_imports(total);
    std::vector<Xyzm> recv(total);
    comm_.alltoallv_into(send.data(), counts, recv.data(), recv_counts_);
    send = {};
    recv_n_ = total;
    for (auto* b : {&xs_, &ys_, &zs_, &ms_}) b->resize(total);
    for (std::size_t i = 0; i < total; ++i) {
      xs_[i] = recv[i].x;
      ys_[i] = recv[i].y;
      zs_[i] = recv[i].z;
      ms_[i] = recv[i].m;
    }
    if (total > 0xffffffffu) throw std::length_error("pm: a rank imports more than 2^32 - 1 particles");
    const Sources rs{xs_.data(), ys_.data(), zs_.data(), ms_.data(), total};
    detail::bucket_by_x(rs, map, buckets_);

    // The owned planes' sums need buckets x0 - 1 .. x1 - 1, on zeroed planes.
    int first, count;
    phi_range(x0_, x1_, first, count);
    phi_.resize(nn() * static_cast<std::size_t>(count));
    phi_.zero();
    const Planes grid = phi_planes();
    const std::size_t row = static_cast<std::size_t>(n_);
    // Spans (isolated): n x n per (bucket, y row), empty for the buckets
    // this rank does not deposit.
    Span* spans = nullptr;
    if (!periodic_) {
      span_.resize(nn());
      std::fill_n(span_.data(), nn(), detail::kEmptySpan);
      spans = span_.data();
    }
    auto deposit_range = [&](int b0, int b1) {
      detail::deposit_mass(map, buckets_, b0, b1, grid, row, spans ? spans + static_cast<std::size_t>(b0) * row : nullptr);
    };
    if (whole()) {
      deposit_range(0, n_);
    } else if (x0_ > 0) {
      deposit_range(x0_ - 1, x1_);
    } else if (!periodic_) {
      deposit_range(0, x1_);
    } else {
      // Rank 0 of a periodic mesh: bucket n - 1 wraps onto plane 0. Plane
      // 0's serial sum takes bucket 0 (even) first, then bucket n - 1 (odd,
      // or an odd mesh's last phase), so the ranges go in that order
      // (cic.hpp, deposit_mass()).
      deposit_range(0, x1_);
      deposit_range(n_ - 1, n_);
    }
    return map;
  }

  // Imports beyond what the rank can hold end every rank alike, before the
  // receive buffers are allocated (a crowded slab: a Plummer sphere's core
  // on a few planes). 128 B per import: the record, the unpacked columns,
  // the sorted records and the forces.
  void check_imports(std::size_t total) {
    const double need = kPmImportBytes * double(total);
    const double avail = double(mem::available_bytes());
    const bool ok = avail <= 0 || need <= 0.9 * avail / double(ranks_on_node());
    if (!comm_.all(ok)) {
      const std::uint64_t worst = comm_.max(std::uint64_t(total));
      throw std::runtime_error("pm: a rank would import " + std::to_string(worst) +
                               " particles this step (128 B each), more than its share of the node's memory; "
                               "use more ranks or nodes");
    }
  }
  int ranks_on_node() {
    if (node_ranks_ == 0) {
      MPI_Comm node;
      MPI_Comm_split_type(comm_.get(), MPI_COMM_TYPE_SHARED, comm_.rank(), MPI_INFO_NULL, &node);
      MPI_Comm_size(node, &node_ranks_);
      MPI_Comm_free(&node);
    }
    return node_ranks_;
  }

  // Steps 3 and 4 up to the potential: flags, z pass, transposes, slabs,
  // inverse z pass, ghost planes. phi_ then holds the potential.
  void potential(const MeshMap& map) {
    detail::LineConvolution& cv = conv();
    const int P = comm_.size();
    const std::size_t n = static_cast<std::size_t>(n_);
    const Planes grid = phi_planes();
    if (periodic_) {
      cv.set_rows(nullptr, nullptr);
    } else {
      // Force rows of the owned planes and the one above; mass flags of the
      // owned planes, gathered into the whole mesh's.
      const int nf = force_planes();
      rows_.resize(static_cast<std::size_t>(nf) * n);
      std::vector<std::uint8_t> mass(static_cast<std::size_t>(nf) * n);
      detail::force_rows(span_.data(), n_, x0_, x0_ + nf - 1, rows_.data(), mass.data());
      const std::vector<std::uint8_t> all = comm_.allgatherv(mass.data(), static_cast<std::size_t>(x1_ - x0_) * n);
      need_.resize(nn());
      detail::need_rows(all.data(), n_, 0, n_ - 1, need_.data());
      cv.set_rows(all.data(), need_.data());
    }
    const std::size_t stride = cv.stride();
    auto rows_of = [&](int r) {
      return cv.mass_row(split(n_, P, r + 1)) - cv.mass_row(split(n_, P, r));
    };
    auto need_of = [&](int r) {
      return cv.need_row(split(n_, P, r + 1)) - cv.need_row(split(n_, P, r));
    };
    const std::size_t K = static_cast<std::size_t>(K_), mine = rows_of(comm_.rank());
    const std::size_t kzn = static_cast<std::size_t>(kz1_ - kz0_);

    // z pass of the owned planes: [kz][my rows].
    spec_.resize(2 * K * std::max<std::size_t>(mine, 1));
    auto* spec = reinterpret_cast<fftw_complex*>(spec_.data());
    cv.z_forward(grid, n, x0_, x1_, spec, mine, cv.mass_row(x0_));

    // Transpose: to rank d the kz of d (contiguous in [kz][rows]); from
    // rank s its rows at every kz of mine, placed at their global rows.
    std::vector<std::size_t> sc(static_cast<std::size_t>(P)), rc(static_cast<std::size_t>(P));
    for (int d = 0; d < P; ++d) {
      sc[std::size_t(d)] = static_cast<std::size_t>(split(K_, P, d + 1) - split(K_, P, d)) * mine;
      rc[std::size_t(d)] = kzn * rows_of(d);
    }
    std::vector<C16> recv(kzn * stride);
    comm_.alltoallv_into(reinterpret_cast<const C16*>(spec), sc, recv.data(), rc);
    blocks_.resize(2 * std::max<std::size_t>(kzn * stride, 1));
    auto* blocks = reinterpret_cast<C16*>(blocks_.data());
    {
      std::size_t off = 0;
      for (int s = 0; s < P; ++s) {
        const std::size_t rs = rows_of(s), row0 = cv.mass_row(split(n_, P, s));
        for (std::size_t k = 0; k < kzn; ++k)
          std::copy_n(recv.data() + off + k * rs, rs, blocks + k * stride + row0);
        off += kzn * rs;
      }
    }

    cv.slabs(kz0_, kz1_, reinterpret_cast<fftw_complex*>(blocks), stride, green_slab(map), kz0_);

    // Back: to rank d its wanted rows at each of my kz; from rank s mine at
    // each of its kz, which in rank order is every kz in order.
    std::vector<C16> send;
    for (int d = 0; d < P; ++d) {
      const std::size_t w = need_of(d), row0 = cv.need_row(split(n_, P, d));
      sc[std::size_t(d)] = kzn * w;
      rc[std::size_t(d)] = static_cast<std::size_t>(split(K_, P, d + 1) - split(K_, P, d)) * need_of(comm_.rank());
      for (std::size_t k = 0; k < kzn; ++k) send.insert(send.end(), blocks + k * stride + row0, blocks + k * stride + row0 + w);
    }
    const std::size_t wanted = need_of(comm_.rank());
    spec_.resize(2 * std::max<std::size_t>(K * wanted, 1));
    comm_.alltoallv_into(send.data(), sc, reinterpret_cast<C16*>(spec_.data()), rc);
    send = {};
    cv.z_inverse(reinterpret_cast<const fftw_complex*>(spec_.data()), wanted, cv.need_row(x0_), grid, n, x0_, x1_);
    exchange_ghosts();
  }

  // The Green's function's slab of my kz blocks for this mesh spacing.
  const double* green_slab(const MeshMap& map) {
    const std::size_t per = conv().green_per_wave_number();
    if (periodic_) {
      if (!per_green_) per_green_.emplace(n_, res_);
      return per_green_->get(map.h, eps_, kz0_, kz1_);
    }
    if (map.h == green_h_ && eps_ == green_eps_) return green_.data();
    const int P = comm_.size();
    std::vector<std::size_t> sc(static_cast<std::size_t>(P), 0), rc(static_cast<std::size_t>(P), 0);
    const double* full = nullptr;
    std::optional<detail::IsolatedGreen> whole;
    if (comm_.root()) {
      whole.emplace(n_, res_);
      full = whole->get(map.h, eps_);
      for (int d = 0; d < P; ++d) sc[std::size_t(d)] = static_cast<std::size_t>(split(K_, P, d + 1) - split(K_, P, d)) * per;
    }
    rc[0] = static_cast<std::size_t>(kz1_ - kz0_) * per;
    green_.resize(std::max<std::size_t>(rc[0], 1));
    comm_.alltoallv_into(full, sc, green_.data(), rc);
    green_h_ = map.h;
    green_eps_ = eps_;
    return green_.data();
  }

  // Ghost planes of the potential: every plane a rank holds but does not
  // own comes from its owner, whole (n^2 values).
  void exchange_ghosts() {
    const int P = comm_.size(), me = comm_.rank();
    if (P == 1) return;
    auto holds = [&](int r, int plane) {
      int first, count;
      phi_range(split(n_, P, r), split(n_, P, r + 1), first, count);
      const int i = ((plane - first) % n_ + n_) % n_;
      return i < count;
    };
    const Planes mine = phi_planes();
    std::vector<std::size_t> sc(static_cast<std::size_t>(P), 0), rc(static_cast<std::size_t>(P), 0);
    std::vector<double> send;
    for (int d = 0; d < P; ++d) {
      if (d == me) continue;
      for (int x = x0_; x < x1_; ++x)
        if (holds(d, x)) {
          send.insert(send.end(), mine.at(x), mine.at(x) + nn());
          sc[std::size_t(d)] += nn();
        }
      for (int x = split(n_, P, d); x < split(n_, P, d + 1); ++x)
        if (holds(me, x)) rc[std::size_t(d)] += nn();
    }
    std::size_t total = 0;
    for (std::size_t c : rc) total += c;
    std::vector<double> recv(total);
    comm_.alltoallv_into(send.data(), sc, recv.data(), rc);
    std::size_t off = 0;
    for (int s = 0; s < P; ++s) {
      if (s == me) continue;
      for (int x = split(n_, P, s); x < split(n_, P, s + 1); ++x)
        if (holds(me, x)) {
          std::copy_n(recv.data() + off, nn(), mine.at(x));
          off += nn();
        }
    }
  }

  // Each primary's result back to the rank it came from, in the order sent.
  template <class T>
  std::vector<T> send_back(const MeshMap& map, const std::vector<T>& mine) {
    const int P = comm_.size();
    std::vector<std::size_t> sc(static_cast<std::size_t>(P), 0), rc(static_cast<std::size_t>(P), 0);
    std::vector<T> send;
    std::size_t off = 0;
    for (int s = 0; s < P; ++s) {
      for (std::size_t i = off; i < off + recv_counts_[std::size_t(s)]; ++i)
        if (owns(map.bucket(xs_[i]))) {
          send.push_back(mine[i]);
          ++sc[std::size_t(s)];
        }
      off += recv_counts_[std::size_t(s)];
    }
    std::size_t total = 0;
    for (int d = 0; d < P; ++d) total += (rc[std::size_t(d)] = primary_[std::size_t(d)].size());
    std::vector<T> back(total);
    comm_.alltoallv_into(send.data(), sc, back.data(), rc);
    return back;
  }

  int n_;
  bool periodic_;
  double box_, eps_;
  Comm& comm_;
  int x0_ = 0, x1_ = 0, K_ = 0, kz0_ = 0, kz1_ = 0, node_ranks_ = 0;
  mem::CountingResource res_{mem::Category::Solver};
  std::variant<std::monostate, detail::PaddedConvolution, detail::PeriodicConvolution> conv_;
  std::optional<detail::PeriodicGreen> per_green_;
  detail::XBuckets buckets_;  // the received particles by x cell (cic.hpp)
  SolverBuffer<Span> span_;   // isolated: z spans per (bucket, y row), n x n
  // The received particles (columns, in received order) and who sent them.
  SolverBuffer<double> xs_, ys_, zs_, ms_;
  std::size_t recv_n_ = 0;
  std::vector<std::size_t> recv_counts_;
  std::vector<std::vector<std::uint32_t>> primary_;  // local indices sent to each rank as its primaries
  SolverBuffer<double> phi_;    // mass, then potential: owned and ghost planes
  SolverBuffer<double> force_;  // (ax, ay, az) per cell: owned planes and the one above
  SolverBuffer<Span> rows_;     // force cells per row of those planes (isolated)
  std::vector<std::uint8_t> need_;
  SolverBuffer<double> spec_, blocks_;  // z spectra of my planes; my kz blocks
  SolverBuffer<double> green_;          // isolated: my kz slab of the Green's function
  double green_h_ = 0, green_eps_ = -1;
};

}  // namespace

std::unique_ptr<Solver> make_dist_pm(const ForceParams& p, Comm& comm, const Segments&) {
  make_solver("pm", p);  // the serial solver's checks of the parameters
  return std::make_unique<DistPmSolver>(p, comm);
}

std::vector<PlanItem> pm_slab_items(const ForceParams& p, const Segments& seg, int rank) {
  const int ranks = seg.p;
  const double n = p.grid, n2 = n * n;
  const int x0 = split(p.grid, ranks, rank), x1 = split(p.grid, ranks, rank + 1);
  const double slab = x1 - x0;
  const double K = p.periodic ? std::floor(n / 2) + 1 : n + 1;
  const int kz0 = split(int(K), ranks, rank), kz1 = split(int(K), ranks, rank + 1);
  const double kzn = kz1 - kz0;
  std::vector<PlanItem> v;
  v.push_back({"pm: mass and potential, " + std::to_string(int(slab)) + " own planes + 5 ghost planes",
               8 * n2 * std::min(n, slab + 5)});
  v.push_back({"pm: forces, own planes + 1", 24 * n2 * std::min(n, slab + 1)});
  v.push_back({"pm: z spectra of the own planes (sent and received back)", 2 * 16 * slab * n * K});
  v.push_back({"pm: " + std::to_string(int(kzn)) + " kz blocks (and the transposes' copies)", 3 * 16 * kzn * n2});
  if (!p.periodic) {
    v.push_back({"pm: Green's function, this rank's kz slab", 8 * kzn * (n + 1) * (n + 1)});
    if (rank == 0)
      v.push_back({"pm: Green's function whole, computed here and scattered when the spacing changes",
                   8 * (n + 1) * (n + 1) * (n + 1)});
  } else {
    v.push_back({"pm: Green's function, this rank's kz slab", 8 * kzn * n2});
  }
  v.push_back({"pm: row flags and spans (n^2)", 8 * n2});
  return v;
}

}  // namespace slotsim::dist
