#include "sim/solvers/pm/periodic_convolution.hpp"

#include <omp.h>

#include <algorithm>

namespace slotsim::detail {
namespace {

constexpr std::size_t kBlock = 4;  // columns per x-pass step, as in padded_convolution.cpp

}  // namespace

PeriodicConvolution::PeriodicConvolution(int n, mem::CountingResource& res) : LineConvolution(n, n, res), grid_(res) {
  const auto nn = static_cast<std::size_t>(n);
  grid_.resize(nn * nn * nn);
}

void PeriodicConvolution::slabs(int kz0, int kz1, fftw_complex* blocks, std::size_t block_stride, const double* green,
                                int green_kz0) {
  const std::size_t nn = static_cast<std::size_t>(n_), ls = line_stride();
#pragma omp parallel for schedule(dynamic, 1)
  for (int kz = kz0; kz < kz1; ++kz) {
    Work& w = work(omp_get_thread_num());
    auto* s = reinterpret_cast<fftw_complex*>(w.slab.data());
    auto* line_in = reinterpret_cast<fftw_complex*>(w.line_in.data());
    auto* line_out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* cols = reinterpret_cast<fftw_complex*>(w.cols.data());
    auto* outs = reinterpret_cast<fftw_complex*>(w.outs.data());
    fftw_complex* block = blocks + static_cast<std::size_t>(kz - kz0) * block_stride;
    // y: every row x of the block (its rows are listed x-major, all n of
    // each plane).
    for (std::size_t x = 0; x < nn; ++x) {
      const fftw_complex* r = block + in_start_[x];
      for (std::size_t y = 0; y < nn; ++y) {
        line_in[y][0] = r[y][0];
        line_in[y][1] = r[y][1];
      }
      w.fwd.execute_dft(line_in, s + x * ls);
    }
    // x: the n columns, kBlock at a time: forward, times G(kx, ky, kz),
    // inverse, back.
    const double* gz = green + static_cast<std::size_t>(kz - green_kz0) * nn * nn;
    for (std::size_t y0 = 0; y0 < nn; y0 += kBlock) {
      const std::size_t nb = std::min(kBlock, nn - y0);
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < nb; ++b) {
          cols[b * ls + x][0] = s[x * ls + y0 + b][0];
          cols[b * ls + x][1] = s[x * ls + y0 + b][1];
        }
      for (std::size_t b = 0; b < nb; ++b) {
        w.fwd.execute_dft(cols + b * ls, line_out);
        const double* g = gz + (y0 + b) * nn;
        for (std::size_t k = 0; k < nn; ++k) {
          line_out[k][0] *= g[k];
          line_out[k][1] *= g[k];
        }
        w.inv.execute_dft(line_out, outs + b * ls);
      }
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < nb; ++b) {
          s[x * ls + y0 + b][0] = outs[b * ls + x][0];
          s[x * ls + y0 + b][1] = outs[b * ls + x][1];
        }
    }
    // Inverse y, back into the block.
    for (std::size_t x = 0; x < nn; ++x) {
      w.inv.execute_dft(s + x * ls, line_out);
      fftw_complex* r = block + out_start_[x];
      for (std::size_t y = 0; y < nn; ++y) {
        r[y][0] = line_out[y][0];
        r[y][1] = line_out[y][1];
      }
    }
  }
}

// Pairs of rows, backwards, as in the padded inverse z pass; the imaginary
// parts at k = 0 and at the Nyquist wave number n/2 (n even) are ignored,
// as c2r does.
void PeriodicConvolution::z_inverse(const fftw_complex* spec, std::size_t in_stride, std::size_t row0,
                                    const Planes& grid, std::size_t row, int x0, int x1) {
  const std::size_t nn = static_cast<std::size_t>(n_), nz = static_cast<std::size_t>(wave_numbers()),
                    hs = half_stride();
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = x0; x < x1; ++x) {
    const std::size_t xu = static_cast<std::size_t>(x);
    const std::size_t first = out_start_[xu], count = out_start_[xu + 1] - first;
    Work& w = work(omp_get_thread_num());
    auto* z = reinterpret_cast<fftw_complex*>(w.outs.data());
    auto* out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* half = reinterpret_cast<fftw_complex*>(w.half.data());
    for (std::size_t kz = 0; kz < nz; ++kz) {
      const fftw_complex* in = spec + kz * in_stride + (first - row0);
      for (std::size_t j = 0; j < count; ++j) {
        half[j * hs + kz][0] = in[j][0];
        half[j * hs + kz][1] = in[j][1];
      }
    }
    double* plane = grid.at(x);
    for (std::size_t j = 0; j < count; j += 2) {
      const fftw_complex* ha = half + j * hs;
      const fftw_complex* hb = j + 1 < count ? ha + hs : nullptr;
      for (std::size_t k = 0; k < nz; ++k) {
        const bool edge = k == 0 || 2 * k == nn;
        const double ar = ha[k][0], ai = edge ? 0.0 : ha[k][1];
        const double br = hb ? hb[k][0] : 0.0, bi = hb && !edge ? hb[k][1] : 0.0;
        z[k][0] = ar - bi;
        z[k][1] = ai + br;
        if (!edge) {
          z[nn - k][0] = ar + bi;
          z[nn - k][1] = br - ai;
        }
      }
      w.inv.execute_dft(z, out);
      double* ra = plane + out_y_[first + j] * row;
      for (std::size_t k = 0; k < nn; ++k) ra[k] = out[k][0];
      if (hb) {
        double* rb = plane + out_y_[first + j + 1] * row;
        for (std::size_t k = 0; k < nn; ++k) rb[k] = out[k][1];
      }
    }
  }
}

}  // namespace slotsim::detail
