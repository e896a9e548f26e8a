#include "sim/solvers/bh/bh_kernels.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "sim/scenes/rng.hpp"

using namespace slotsim;
using namespace slotsim::detail;

namespace {

struct Out {
  std::vector<float> fax, fay, faz, nax, nay, naz;
  bool operator==(const Out& o) const {
    auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
      return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
    };
    return same(fax, o.fax) && same(fay, o.fay) && same(faz, o.faz) && same(nax, o.nax) &&
           same(nay, o.nay) && same(naz, o.naz);
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
    Out o{std::vector<float>(n), std::vector<float>(n), std::vector<float>(n),
          std::vector<float>(n), std::vector<float>(n), std::vector<float>(n)};
    k.far(far.data(), far.size(), 1e-4f,
          {fx.data(), fy.data(), fz.data(), o.fax.data(), o.fay.data(), o.faz.data(), n});
    k.near(near.data(), near.size(), 1e-4f,
           {x.data(), y.data(), z.data(), o.nax.data(), o.nay.data(), o.naz.data(), n});
    return o;
  };
  const Out base = eval(bh_kernels_sse2());
  for (std::size_t i = 0; i < n; ++i) CHECK(std::isfinite(base.nax[i]));
  const auto kernels = usable_bh_kernels();
  REQUIRE(!kernels.empty());
  for (const BhKernels& k : kernels) {
    CAPTURE(k.name);
    CHECK(eval(k) == base);
  }
}
