// Body of the Barnes-Hut kernels, included by each bh_kernels_*.cpp after it
// has chosen a target ISA and defined the vector types VF (float), VD
// (double), VH (float, as many lanes as VD), the pass widths kPassF/kPassD
// and vsqrt for VF and VH. Internal
// linkage throughout, so the differently compiled copies never merge; and no
// standard-library templates, whose instantiations are shared between
// translation units (one built for AVX2 could be picked by the linker for the
// baseline path).
namespace {

constexpr std::size_t kLanesF = sizeof(VF) / sizeof(float);
constexpr std::size_t kLanesD = sizeof(VD) / sizeof(double);
static_assert(kTargetPad % (kLanesF * kPassF) == 0 && kTargetPad % (kLanesD * kPassD) == 0);
static_assert(sizeof(VH) / sizeof(float) == kLanesD);

// By reference: passing a vector wider than the baseline ABI's registers by
// value changes the calling convention (-Wpsabi).
template <class V, class T>
inline void load(V& v, const T* p) {
  __builtin_memcpy(&v, p, sizeof(V));
}
template <class V, class T>
inline void store(T* p, const V& v) {
  __builtin_memcpy(p, &v, sizeof(V));
}

// With r = com - x, q = 3S, t = 1.5 tr S and g_n = (r^2 + eps^2)^(-n/2):
//   a = (m g3 - t g5 + 2.5 g7 r.q.r) r - g5 q.r     (derivation: barnes_hut.cpp)
void far_body(const FarF* f, std::size_t nf, float eps2, const FarTargets& t) {
  for (std::size_t i0 = 0; i0 < t.n; i0 += kLanesF * kPassF) {
    VF x[kPassF], y[kPassF], z[kPassF], ax[kPassF], ay[kPassF], az[kPassF];
    for (std::size_t p = 0; p < kPassF; ++p) {
      load(x[p], t.x + i0 + p * kLanesF);
      load(y[p], t.y + i0 + p * kLanesF);
      load(z[p], t.z + i0 + p * kLanesF);
      ax[p] = ay[p] = az[p] = VF{};
    }
    for (std::size_t k = 0; k < nf; ++k) {
      const FarF& n = f[k];
      for (std::size_t p = 0; p < kPassF; ++p) {
        const VF rx = n.x - x[p], ry = n.y - y[p], rz = n.z - z[p];
        const VF r2 = rx * rx + ry * ry + rz * rz + eps2;
        const VF g1 = 1.0f / vsqrt(r2);
        const VF g2 = g1 * g1;
        const VF g3 = g1 * g2, g5 = g3 * g2, g7 = g5 * g2;
        const VF qrx = n.qxx * rx + n.qxy * ry + n.qxz * rz;
        const VF qry = n.qxy * rx + n.qyy * ry + n.qyz * rz;
        const VF qrz = n.qxz * rx + n.qyz * ry + n.qzz * rz;
        const VF rqr = rx * qrx + ry * qry + rz * qrz;
        const VF s = n.m * g3 - n.t * g5 + 2.5f * g7 * rqr;
        ax[p] += s * rx - g5 * qrx;
        ay[p] += s * ry - g5 * qry;
        az[p] += s * rz - g5 * qrz;
      }
    }
    for (std::size_t p = 0; p < kPassF; ++p) {
      store(t.ax + i0 + p * kLanesF, ax[p]);
      store(t.ay + i0 + p * kLanesF, ay[p]);
      store(t.az + i0 + p * kLanesF, az[p]);
    }
  }
}

// Differences are taken in double, so a close pair's separation keeps its
// precision however far both lie from the origin; the rest (the 1/r^3 and
// the sum) is single precision, whose 1e-7 relative error per term is far
// below anything the tree approximation leaves, and whose sqrt and divide
// are several times cheaper than double's. The self term (and any particle
// at exactly the same place, whose pull has no direction) is masked out by
// the unsoftened distance being zero, which also keeps eps = 0 from
// producing inf * 0.
void near_body(const NearD* s, std::size_t ns, float eps2, const NearTargets& t) {
  for (std::size_t i0 = 0; i0 < t.n; i0 += kLanesD * kPassD) {
    VD x[kPassD], y[kPassD], z[kPassD];
    VH ax[kPassD], ay[kPassD], az[kPassD];
    for (std::size_t p = 0; p < kPassD; ++p) {
      load(x[p], t.x + i0 + p * kLanesD);
      load(y[p], t.y + i0 + p * kLanesD);
      load(z[p], t.z + i0 + p * kLanesD);
      ax[p] = ay[p] = az[p] = VH{};
    }
    for (std::size_t k = 0; k < ns; ++k) {
      const NearD& q = s[k];
      const float m = static_cast<float>(q.m);
      for (std::size_t p = 0; p < kPassD; ++p) {
        const VH rx = __builtin_convertvector(q.x - x[p], VH);
        const VH ry = __builtin_convertvector(q.y - y[p], VH);
        const VH rz = __builtin_convertvector(q.z - z[p], VH);
        const VH d2 = rx * rx + ry * ry + rz * rz;
        const VH g1 = 1.0f / vsqrt(d2 + eps2);
        const VH w = d2 > 0.0f ? m * (g1 * g1 * g1) : VH{};
        ax[p] += w * rx;
        ay[p] += w * ry;
        az[p] += w * rz;
      }
    }
    for (std::size_t p = 0; p < kPassD; ++p) {
      store(t.ax + i0 + p * kLanesD, ax[p]);
      store(t.ay + i0 + p * kLanesD, ay[p]);
      store(t.az + i0 + p * kLanesD, az[p]);
    }
  }
}

// The potential of the same expansion (derivation: barnes_hut.cpp):
//   phi = -m g1 + (t / 3) g3 - 0.5 g5 r.q.r.
// A kernel of its own rather than a flag on far_body: the force loop is
// the hot one of every step and stays free of the extra term and its test.
void far_phi_body(const FarF* f, std::size_t nf, float eps2, const FarPhiTargets& t) {
  for (std::size_t i0 = 0; i0 < t.n; i0 += kLanesF * kPassF) {
    VF x[kPassF], y[kPassF], z[kPassF], phi[kPassF];
    for (std::size_t p = 0; p < kPassF; ++p) {
      load(x[p], t.x + i0 + p * kLanesF);
      load(y[p], t.y + i0 + p * kLanesF);
      load(z[p], t.z + i0 + p * kLanesF);
      phi[p] = VF{};
    }
    for (std::size_t k = 0; k < nf; ++k) {
      const FarF& n = f[k];
      const float t3 = n.t * (1.0f / 3.0f);
      for (std::size_t p = 0; p < kPassF; ++p) {
        const VF rx = n.x - x[p], ry = n.y - y[p], rz = n.z - z[p];
        const VF r2 = rx * rx + ry * ry + rz * rz + eps2;
        const VF g1 = 1.0f / vsqrt(r2);
        const VF g2 = g1 * g1;
        const VF g3 = g1 * g2, g5 = g3 * g2;
        const VF qrx = n.qxx * rx + n.qxy * ry + n.qxz * rz;
        const VF qry = n.qxy * rx + n.qyy * ry + n.qyz * rz;
        const VF qrz = n.qxz * rx + n.qyz * ry + n.qzz * rz;
        const VF rqr = rx * qrx + ry * qry + rz * qrz;
        phi[p] += t3 * g3 - n.m * g1 - 0.5f * g5 * rqr;
      }
    }
    for (std::size_t p = 0; p < kPassF; ++p) store(t.phi + i0 + p * kLanesF, phi[p]);
  }
}

// -m / sqrt(d^2 + eps^2) per pair, with near_body's precision and its mask
// (the self term, and any particle at exactly the same place, is left out:
// the same pairs the forces leave out).
void near_phi_body(const NearD* s, std::size_t ns, float eps2, const NearPhiTargets& t) {
  for (std::size_t i0 = 0; i0 < t.n; i0 += kLanesD * kPassD) {
    VD x[kPassD], y[kPassD], z[kPassD];
    VH phi[kPassD];
    for (std::size_t p = 0; p < kPassD; ++p) {
      load(x[p], t.x + i0 + p * kLanesD);
      load(y[p], t.y + i0 + p * kLanesD);
      load(z[p], t.z + i0 + p * kLanesD);
      phi[p] = VH{};
    }
    for (std::size_t k = 0; k < ns; ++k) {
      const NearD& q = s[k];
      const float m = static_cast<float>(q.m);
      for (std::size_t p = 0; p < kPassD; ++p) {
        const VH rx = __builtin_convertvector(q.x - x[p], VH);
        const VH ry = __builtin_convertvector(q.y - y[p], VH);
        const VH rz = __builtin_convertvector(q.z - z[p], VH);
        const VH d2 = rx * rx + ry * ry + rz * rz;
        const VH g1 = 1.0f / vsqrt(d2 + eps2);
        phi[p] -= d2 > 0.0f ? m * g1 : VH{};
      }
    }
    for (std::size_t p = 0; p < kPassD; ++p) store(t.phi + i0 + p * kLanesD, phi[p]);
  }
}

}  // namespace
