#include "dist/block_sweep.hpp"

#include <algorithm>
#include <chrono>

namespace slotsim::dist {

void BlockSweep::run(Comm& comm, const Segments& seg, const Sources& local,
                     const std::function<void(const detail::DirectSources&)>& visit) {
  const int p = comm.size(), me = comm.rank();
  if (p == 1) {
    visit({local.x, local.y, local.z, local.m, local.n, 0});
    return;
  }
  const std::size_t cap = seg.max_count();
  for (auto& b : buf_) b.resize(4 * cap);
  // Block k packed as x[0..n) y[0..n) z[0..n) m[0..n): one message.
  auto post = [&](int k, MPI_Request& req) {
    double* b = buf_[k % 2].data();
    const std::size_t n = seg.count(k);
    if (k == me) {
      std::copy_n(local.x, n, b);
      std::copy_n(local.y, n, b + n);
      std::copy_n(local.z, n, b + 2 * n);
      std::copy_n(local.m, n, b + 3 * n);
    }
    req = MPI_REQUEST_NULL;
    if (n > 0) MPI_Ibcast(b, static_cast<int>(4 * n), MPI_DOUBLE, k, comm.get(), &req);
  };
  // Waiting is what the comm statistics count: the time the kernel could
  // not hide. Bytes: each block once, sent by its owner, received by all.
  auto wait = [&](int k, MPI_Request& req) {
    const auto t0 = std::chrono::steady_clock::now();
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    const std::uint64_t bytes = 32 * seg.count(k);
    comm.account(k == me ? bytes : 0, k == me ? 0 : bytes,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  MPI_Request req[2];
  post(0, req[0]);
  for (int k = 0; k < p; ++k) {
    wait(k, req[k % 2]);
    if (k + 1 < p) post(k + 1, req[(k + 1) % 2]);
    const std::size_t n = seg.count(k);
    const double* b = buf_[k % 2].data();
    if (n > 0) visit({b, b + n, b + 2 * n, b + 3 * n, n, seg.begin(k)});
  }
}

}  // namespace slotsim::dist
