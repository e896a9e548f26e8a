#include "dist/comm.hpp"

#include <climits>
#include <new>

#include "sim/exit_status.hpp"
#include "sim/message.hpp"

namespace slotsim::dist {

Comm::Comm(MPI_Comm c) : c_(c) {
  check(MPI_Comm_rank(c_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(c_, &size_), "MPI_Comm_size");
}

void Comm::check(int rc, const char* what) {
  // MPI_COMM_WORLD's default handler aborts the job on an error, so this is
  // reached only under MPI_ERRORS_RETURN; a throw then is one rank's error,
  // which the caller's agree() or the front end's abort turns into an end.
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string(what) + " failed");
}

int Comm::checked_int(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::length_error(std::string("MPI ") + what + ": " + std::to_string(n) +
                            " records in one message (at most 2^31 - 1); use more ranks");
  return static_cast<int>(n);
}

std::size_t Comm::total_of(const std::vector<std::size_t>& v) {
  std::size_t t = 0;
  for (std::size_t x : v) t += x;
  return t;
}

Comm::Type::Type(std::size_t bytes) {
  Comm::check(MPI_Type_contiguous(checked_int(bytes, "datatype"), MPI_BYTE, &t), "MPI_Type_contiguous");
  Comm::check(MPI_Type_commit(&t), "MPI_Type_commit");
}
Comm::Type::~Type() {
  if (t != MPI_DATATYPE_NULL) MPI_Type_free(&t);
}

bool Comm::all(bool ok) {
  if (size_ == 1) return ok;
  int v = ok ? 1 : 0, r = 0;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_INT, MPI_LAND, c_), "MPI_Allreduce");
  return r != 0;
}

std::uint64_t Comm::sum(std::uint64_t v) {
  std::uint64_t r = v;
  if (size_ == 1) return r;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_UINT64_T, MPI_SUM, c_), "MPI_Allreduce");
  return r;
}

std::uint64_t Comm::max(std::uint64_t v) {
  std::uint64_t r = v;
  if (size_ == 1) return r;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_UINT64_T, MPI_MAX, c_), "MPI_Allreduce");
  return r;
}

std::int64_t Comm::min(std::int64_t v) {
  std::int64_t r = v;
  if (size_ == 1) return r;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_MIN, c_), "MPI_Allreduce");
  return r;
}

double Comm::min(double v) {
  double r = v;
  if (size_ == 1) return r;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MIN, c_), "MPI_Allreduce");
  return r;
}

double Comm::max(double v) {
  double r = v;
  if (size_ == 1) return r;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MAX, c_), "MPI_Allreduce");
  return r;
}

double Comm::sum(double v) {
  double r = v;
  if (size_ == 1) return r;
  Timer t(*this, sizeof v, sizeof v);
  check(MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_SUM, c_), "MPI_Allreduce");
  return r;
}

void Comm::min_each(double* v, int n) {
  if (size_ == 1 || n == 0) return;
  Timer t(*this, sizeof(double) * std::size_t(n), sizeof(double) * std::size_t(n));
  check(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MIN, c_), "MPI_Allreduce");
}

void Comm::sum_each(std::uint64_t* v, int n) {
  if (size_ == 1 || n == 0) return;
  Timer t(*this, 8 * std::size_t(n), 8 * std::size_t(n));
  check(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_UINT64_T, MPI_SUM, c_), "MPI_Allreduce");
}

void Comm::barrier() {
  if (size_ == 1) return;
  Timer t(*this, 0, 0);
  check(MPI_Barrier(c_), "MPI_Barrier");
}

void Comm::bcast(std::string& s, int from) {
  if (size_ == 1) return;
  std::uint64_t n = s.size();
  bcast(n, from);
  s.resize(n);
  bcast(s.data(), n, from);
}

std::vector<std::size_t> Comm::exchange_counts(const std::vector<std::size_t>& counts) {
  if (counts.size() != static_cast<std::size_t>(size_)) throw std::logic_error("exchange_counts: one count per rank");
  std::vector<std::uint64_t> s(counts.begin(), counts.end()), r(s.size());
  if (size_ == 1) return counts;
  {
    Timer t(*this, s.size() * 8, r.size() * 8);
    check(MPI_Alltoall(s.data(), 1, MPI_UINT64_T, r.data(), 1, MPI_UINT64_T, c_), "MPI_Alltoall");
  }
  return {r.begin(), r.end()};
}

void Comm::alltoallv_bytes(const void* send, const std::vector<std::size_t>& send_counts, void* recv,
                           const std::vector<std::size_t>& recv_counts, std::size_t record) {
  const auto p = static_cast<std::size_t>(size_);
  if (send_counts.size() != p || recv_counts.size() != p) throw std::logic_error("alltoallv: one count per rank");
  std::vector<int> sc(p), sd(p), rc(p), rd(p);
  std::size_t so = 0, ro = 0, sent = 0, received = 0;
  for (std::size_t r = 0; r < p; ++r) {
    // The part for this rank is copied below; MPI moves the rest.
    const bool self = r == static_cast<std::size_t>(rank_);
    sd[r] = checked_int(so, "alltoallv");
    rd[r] = checked_int(ro, "alltoallv");
    sc[r] = self ? 0 : checked_int(send_counts[r], "alltoallv");
    rc[r] = self ? 0 : checked_int(recv_counts[r], "alltoallv");
    if (!self) {
      sent += send_counts[r];
      received += recv_counts[r];
    }
    so += send_counts[r];
    ro += recv_counts[r];
  }
  checked_int(so, "alltoallv");
  checked_int(ro, "alltoallv");
  const auto me = static_cast<std::size_t>(rank_);
  if (send_counts[me] != recv_counts[me]) throw std::logic_error("alltoallv: self counts differ");
  if (send_counts[me] > 0)
    std::memcpy(static_cast<char*>(recv) + std::size_t(rd[me]) * record,
                static_cast<const char*>(send) + std::size_t(sd[me]) * record, send_counts[me] * record);
  if (size_ == 1) return;
  Type type(record);
  Timer t(*this, sent * record, received * record);
  check(MPI_Alltoallv(send, sc.data(), sd.data(), type.t, recv, rc.data(), rd.data(), type.t, c_), "MPI_Alltoallv");
}

int exit_code_of(const std::exception_ptr& e, std::string& what) {
  try {
    std::rethrow_exception(e);
  } catch (const AgreedError& x) {
    what = x.what();
    return x.code();
  } catch (const std::bad_alloc&) {
    what = "out of memory";
    return kExitFailed;
  } catch (const std::exception& x) {
    what = x.what();
    return exit_status_of(x);  // sim/exit_status.hpp: the serial front end's table
  } catch (...) {
    what = "unknown error";
    return kExitFailed;
  }
}

}  // namespace slotsim::dist
