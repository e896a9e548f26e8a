#include "sim/solvers/pm/padded_convolution.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace slotsim::detail {
namespace {

// Columns copied out of a slab per x-pass step: 4 complex values are one
// 64-byte line of each slab row (8 and 16 were measured slower: the lines
// no longer fit in L1 next to the FFT's working set).
constexpr std::size_t kBlock = 4;

}  // namespace

PaddedConvolution::PaddedConvolution(int n, mem::CountingResource& res) : LineConvolution(n, 2 * n, res), grid_(res) {
  const auto nn = static_cast<std::size_t>(n);
  grid_.resize(nn * nn * nn);
}

void PaddedConvolution::slabs(int kz0, int kz1, fftw_complex* blocks, std::size_t block_stride, const double* green_k,
                              int green_kz0) {
  const int nzc = n_ + 1;
  const std::size_t nn = static_cast<std::size_t>(n_), mm = 2 * nn, ls = line_stride();
#pragma omp parallel for schedule(dynamic, 1)
  for (int kz = kz0; kz < kz1; ++kz) {
    Work& w = work(omp_get_thread_num());
    auto* s = reinterpret_cast<fftw_complex*>(w.slab.data());
    auto* line_in = reinterpret_cast<fftw_complex*>(w.line_in.data());
    auto* line_out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* cols = reinterpret_cast<fftw_complex*>(w.cols.data());
    auto* outs = reinterpret_cast<fftw_complex*>(w.outs.data());
    fftw_complex* block = blocks + static_cast<std::size_t>(kz - kz0) * block_stride;
    // y: the n rows x < n, each zero-padded to 2n; only the rows with mass
    // are stored.
    for (std::size_t x = 0; x < nn; ++x) {
      const std::size_t first = in_start_[x], count = in_start_[x + 1] - first;
      if (count == 0) {
        std::memset(static_cast<void*>(s + x * ls), 0, mm * sizeof(fftw_complex));
        continue;
      }
      std::memset(static_cast<void*>(line_in), 0, nn * sizeof(fftw_complex));
      for (std::size_t j = 0; j < count; ++j) {
        line_in[in_y_[first + j]][0] = block[first + j][0];
        line_in[in_y_[first + j]][1] = block[first + j][1];
      }
      w.fwd.execute_dft(line_in, s + x * ls);
    }
    // x: all 2n columns, kBlock at a time (rows x >= n of the padded slab
    // are zero), forward, times the Green's function, inverse, and back
    // keeping x < n.
    for (std::size_t y0 = 0; y0 < mm; y0 += kBlock) {
      const std::size_t nb = std::min(kBlock, mm - y0);
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < nb; ++b) {
          cols[b * ls + x][0] = s[x * ls + y0 + b][0];
          cols[b * ls + x][1] = s[x * ls + y0 + b][1];
        }
      for (std::size_t b = 0; b < nb; ++b) {
        w.fwd.execute_dft(cols + b * ls, line_out);
        const std::size_t y = y0 + b, gy = y <= nn ? y : mm - y;
        const double* g = green_k + (static_cast<std::size_t>(kz - green_kz0) * nzc + gy) * nzc;
        for (std::size_t k = 0; k <= nn; ++k) {
          line_out[k][0] *= g[k];
          line_out[k][1] *= g[k];
        }
        for (std::size_t k = 1; k < nn; ++k) {  // wave number -k
          line_out[mm - k][0] *= g[k];
          line_out[mm - k][1] *= g[k];
        }
        w.inv.execute_dft(line_out, outs + b * ls);
      }
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < nb; ++b) {
          s[x * ls + y0 + b][0] = outs[b * ls + x][0];
          s[x * ls + y0 + b][1] = outs[b * ls + x][1];
        }
    }
    // Inverse y, keeping the wanted rows. The block's mass rows have all
    // been read by now, so the wanted ones may overwrite them.
    for (std::size_t x = 0; x < nn; ++x) {
      const std::size_t first = out_start_[x], count = out_start_[x + 1] - first;
      if (count == 0) continue;
      w.inv.execute_dft(s + x * ls, line_out);
      for (std::size_t j = 0; j < count; ++j) {
        block[first + j][0] = line_out[out_y_[first + j]][0];
        block[first + j][1] = line_out[out_y_[first + j]][1];
      }
    }
  }
}

// Pairs of rows again, backwards: Z(k) = A(k) + i B(k) over the whole line
// (Z(-k) = conj A(k) + i conj B(k)); the inverse's real part is row a, its
// imaginary part row b. As c2r does, the imaginary parts of A and B at
// k = 0 and k = n (zero for an exact real field) are ignored.
void PaddedConvolution::z_inverse(const fftw_complex* spec, std::size_t in_stride, std::size_t row0,
                                  const Planes& grid, std::size_t row, int x0, int x1) {
  const int nzc = n_ + 1;
  const std::size_t nn = static_cast<std::size_t>(n_), mm = 2 * nn, hs = half_stride();
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = x0; x < x1; ++x) {
    const std::size_t xu = static_cast<std::size_t>(x);
    const std::size_t first = out_start_[xu], count = out_start_[xu + 1] - first;
    if (count == 0) continue;
    Work& w = work(omp_get_thread_num());
    auto* z = reinterpret_cast<fftw_complex*>(w.outs.data());  // line_in's zeros must stay
    auto* out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* half = reinterpret_cast<fftw_complex*>(w.half.data());
    for (std::size_t kz = 0; kz < static_cast<std::size_t>(nzc); ++kz) {
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
      for (std::size_t k = 0; k <= nn; ++k) {
        const bool edge = k == 0 || k == nn;
        const double ar = ha[k][0], ai = edge ? 0.0 : ha[k][1];
        const double br = hb ? hb[k][0] : 0.0, bi = hb && !edge ? hb[k][1] : 0.0;
        z[k][0] = ar - bi;
        z[k][1] = ai + br;
        if (!edge) {
          z[mm - k][0] = ar + bi;
          z[mm - k][1] = br - ai;
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
