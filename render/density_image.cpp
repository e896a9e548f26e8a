#include "render/density_image.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "render/palette.hpp"

namespace slotsim::render {

namespace {
constexpr int kLutMantissaBits = 6;
constexpr int kLutShift = 23 - kLutMantissaBits;

// For a non-negative float: its bit pattern without the low mantissa bits,
// monotonic in the value.
std::uint32_t float_bucket(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits >> kLutShift;
}
float bucket_mid(std::uint32_t b) {
  const std::uint32_t bits = (b << kLutShift) | (1u << (kLutShift - 1));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
}  // namespace

DensityImage::DensityImage(std::pmr::memory_resource* mr) : proj_(mr), acc_(mr), lut_(mr) {}

void DensityImage::accumulate(const ParticleView& v, const Mat4& vp, int width, int height) {
  w_ = std::max(width, 2);
  h_ = std::max(height, 2);
  const std::size_t plane = static_cast<std::size_t>(w_) * h_;
  acc_.resize(2 * plane);
  proj_.resize(v.n);

  const float inv_ref = v.scalar_ref > 0 ? 1.0f / v.scalar_ref : 0.0f;
  const float fw = static_cast<float>(w_), fh = static_cast<float>(h_);
  const Mat4 m = vp;
  const auto n = static_cast<std::ptrdiff_t>(v.n);
  const std::uint32_t w = static_cast<std::uint32_t>(w_);

#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    Projected& p = proj_[i];
    p.k = kOff;
    const float x = v.xyz[3 * i], y = v.xyz[3 * i + 1], z = v.xyz[3 * i + 2];
    const float cw = m.m[3] * x + m.m[7] * y + m.m[11] * z + m.m[15];
    if (!(cw > 0)) continue;  // behind the camera (or NaN)
    const float inv_w = 1.0f / cw;
    const float cx = (m.m[0] * x + m.m[4] * y + m.m[8] * z + m.m[12]) * inv_w;
    const float cy = (m.m[1] * x + m.m[5] * y + m.m[9] * z + m.m[13]) * inv_w;
    // Pixel-centre coordinates: pixel k covers [k, k+1), centre at k+0.5.
    const float px = (cx * 0.5f + 0.5f) * fw - 0.5f;
    const float py = (cy * 0.5f + 0.5f) * fh - 0.5f;
    if (!(px >= 0 && py >= 0 && px < fw - 1 && py < fh - 1)) continue;
    const auto ix = static_cast<std::uint32_t>(px), iy = static_cast<std::uint32_t>(py);
    p.k = iy * w + ix;
    p.fx = px - static_cast<float>(ix);
    p.fy = py - static_cast<float>(iy);
    p.s = v.scalar ? std::min(v.scalar[i] * inv_ref, 1.0f) : 0.5f;
  }

#pragma omp parallel
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto T = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t rows = static_cast<std::size_t>(h_);
    // This thread's rows as a range of pixel indices [lo, hi).
    const std::size_t lo = rows * t / T * w, hi = rows * (t + 1) / T * w;
    float* a = acc_.data();
    std::fill(a + 2 * lo, a + 2 * hi, 0.0f);
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const Projected p = proj_[i];
      if (p.k == kOff) continue;
      const std::size_t k0 = p.k, k1 = p.k + w;  // lower and upper row of the footprint
      const float gx = 1 - p.fx, gy = 1 - p.fy;
      if (k0 >= lo && k0 < hi) {
        const float w00 = gx * gy, w10 = p.fx * gy;
        a[2 * k0] += w00;
        a[2 * k0 + 1] += w00 * p.s;
        a[2 * k0 + 2] += w10;
        a[2 * k0 + 3] += w10 * p.s;
      }
      if (k1 >= lo && k1 < hi) {
        const float w01 = gx * p.fy, w11 = p.fx * p.fy;
        a[2 * k1] += w01;
        a[2 * k1 + 1] += w01 * p.s;
        a[2 * k1 + 2] += w11;
        a[2 * k1 + 3] += w11 * p.s;
      }
    }
  }
}

void DensityImage::tone_map(std::uint8_t* rgba) {
  const auto np = static_cast<std::ptrdiff_t>(acc_.size() / 2);
  float dmax = 0;
#pragma omp parallel for schedule(static) reduction(max : dmax)
  for (std::ptrdiff_t p = 0; p < np; ++p) dmax = std::max(dmax, acc_[2 * p]);
  // log1p per pixel dominated the frame (a million calls); a table indexed
  // by the float's exponent and top kLutMantissaBits mantissa bits steps by
  // 1/64 of an octave, finer than one 8-bit output level.
  const std::uint32_t top = float_bucket(dmax);
  lut_.resize(top + 1);
  const float inv_log = dmax > 0 ? 1.0f / std::log1p(dmax) : 0.0f;
  for (std::uint32_t b = 0; b <= top; ++b)
    lut_[b] = std::min(std::log1p(bucket_mid(b)) * inv_log, 1.0f);
  auto to8 = [](float f) { return static_cast<std::uint8_t>(std::min(f, 1.0f) * 255.0f + 0.5f); };
  const std::uint8_t bg[3] = {to8(kBackground[0]), to8(kBackground[1]), to8(kBackground[2])};
  const float* lut = lut_.data();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t p = 0; p < np; ++p) {
    const float d = acc_[2 * p];
    std::uint8_t* out = rgba + 4 * p;
    out[3] = 255;
    if (!(d > 0)) {
      out[0] = bg[0], out[1] = bg[1], out[2] = bg[2];
      continue;
    }
    const float bright = lut[float_bucket(d)];
    const auto c = speed_ramp(acc_[2 * p + 1] / d);
    out[0] = to8(kBackground[0] + c[0] * bright);
    out[1] = to8(kBackground[1] + c[1] * bright);
    out[2] = to8(kBackground[2] + c[2] * bright);
  }
}

double DensityImage::total_weight() const {
  double s = 0;
  for (std::size_t p = 0; p < acc_.size(); p += 2) s += acc_[p];
  return s;
}

}  // namespace slotsim::render
