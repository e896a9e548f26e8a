#include "sim/solvers/bh/bh_kernels.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "sim/scenes/rng.hpp"

using namespace slotsim;
using namespace slotsim::detail;

namespace {

struct Out {
  std::vector<float> fax, fay, faz, nax, nay, naz, fphi, nphi;
  bool operator==(const Out& o) const {
    auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
      return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    };
    return same(fax, o.fax) && same(fay, o.fay) && same(faz, o.faz) && same(nax, o.nax) &&
           same(nay, o.nay) && same(naz, o.naz) && same(fphi, o.fphi) && same(nphi, o.nphi);
  }
};

}  // namespace

TEST_CASE("bh kernels: every ISA variant gives the baseline's bits") {
  Rng rng(17);
  std::vector<FarF> far(301);  // odd lengths: no variant may assume pairs
  for (FarF& f : far)
    f = {static_cast<float>(rng.uniform(-5, 5)),
         static_cast<float>(rng.uniform(-5, 5)),
         static_cast<float>(rng.uniform(-5, 5)),
         static_cast<float>(rng.uniform(0, 1e-3)),
         static_cast<float>(rng.uniform(0, 1e-5)),
         static_cast<float>(rng.uniform(0, 1e-5)),
         static_cast<float>(rng.uniform(0, 1e-5)),
         static_cast<float>(rng.uniform(-1e-6, 1e-6)),
         static_cast<float>(rng.uniform(-1e-6, 1e-6)),
         static_cast<float>(rng.uniform(-1e-6, 1e-6)),
         1e-5f,
         0};
  std::vector<NearD> near(77);
  for (NearD& p : near)
    p = {rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1), 1e-4};
  const std::size_t n = 2 * kTargetPad;
  std::vector<float> fx(n), fy(n), fz(n);
  std::vector<double> x(n), y(n), z(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = rng.uniform(-0.05, 0.05);
    y[i] = rng.uniform(-0.05, 0.05);
    z[i] = rng.uniform(-0.05, 0.05);
    fx[i] = static_cast<float>(x[i]);
    fy[i] = static_cast<float>(y[i]);
    fz[i] = static_cast<float>(z[i]);
  }
  // One target sits exactly on a near source: the self-term mask.
  x[5] = near[3].x, y[5] = near[3].y, z[5] = near[3].z;

  auto eval = [&](const BhKernels& k) {
    Out o{std::vector<float>(n), std::vector<float>(n), std::vector<float>(n), std::vector<float>(n),
          std::vector<float>(n), std::vector<float>(n), std::vector<float>(n), std::vector<float>(n)};
    k.far(far.data(), far.size(), 1e-4f,
          {fx.data(), fy.data(), fz.data(), o.fax.data(), o.fay.data(), o.faz.data(), n});
    k.near(near.data(), near.size(), 1e-4f,
           {x.data(), y.data(), z.data(), o.nax.data(), o.nay.data(), o.naz.data(), n});
    k.far_phi(far.data(), far.size(), 1e-4f, {fx.data(), fy.data(), fz.data(), o.fphi.data(), n});
    k.near_phi(near.data(), near.size(), 1e-4f, {x.data(), y.data(), z.data(), o.nphi.data(), n});
    return o;
  };
  const Out base = eval(bh_kernels_sse2());
  for (std::size_t i = 0; i < n; ++i) CHECK(std::isfinite(base.nax[i]));
  for (std::size_t i = 0; i < n; ++i) CHECK(std::isfinite(base.nphi[i]));
  for (std::size_t i = 0; i < n; ++i) CHECK(base.fphi[i] < 0);
  const auto kernels = usable_bh_kernels();
  REQUIRE(!kernels.empty());
  for (const BhKernels& k : kernels) {
    CAPTURE(k.name);
    CHECK(eval(k) == base);
  }
}

TEST_CASE("bh kernels: the far potential is the quadrupole expansion of the node's pair sum") {
  // A node of two masses m at +-a on the x axis (centre of mass at the
  // origin): S = sum m d d^T = diag(2 m a^2, 0, 0), q = 3 S, t = 1.5 tr S.
  // At distance R the expansion's error is O((a/R)^4), the monopole's
  // O((a/R)^2): with a/R = 0.1 the first is ~1e-4 of phi, the second ~1e-2,
  // so a wrong sign or factor in the quadrupole term cannot pass.
  const float m = 0.5f, a = 0.1f, R = 1.0f;
  const float sxx = 2 * m * a * a;
  const FarF node{0, 0, 0, 2 * m, 3 * sxx, 0, 0, 0, 0, 0, 1.5f * sxx, 0};
  const std::size_t n = kTargetPad;
  std::vector<float> x(n, 0), y(n, 0), z(n, 0), phi(n);
  x[0] = R;          // on the axis
  y[1] = R;          // broadside
  x[2] = y[2] = R / std::sqrt(2.0f);
  for (std::size_t i = 3; i < n; ++i) x[i] = -R;
  for (const BhKernels& k : usable_bh_kernels()) {
    CAPTURE(k.name);
    k.far_phi(&node, 1, 0.0f, {x.data(), y.data(), z.data(), phi.data(), n});
    for (std::size_t i = 0; i < 3; ++i) {
      const double dx1 = x[i] - a, dx2 = x[i] + a, yy = double(y[i]) * y[i];
      const double exact = -m / std::sqrt(dx1 * dx1 + yy) - m / std::sqrt(dx2 * dx2 + yy);
      CAPTURE(i);
      CHECK(std::abs(phi[i] / exact - 1) < 3e-4);
      CHECK(std::abs(-2 * m / R / exact - 1) > 2e-3);  // the monopole alone would not pass
    }
  }
}
