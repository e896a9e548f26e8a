#pragma once
// The distributed layer's one door to MPI: a communicator with the few
// collectives slotsim uses, each timed and its bytes counted (the per-rank
// report's "comm" columns), and the rule for errors: a failure on any rank
// becomes the same AgreedError on every rank (agree()), so no rank is ever
// left waiting in a collective the others have abandoned.
//
// MPI runs on the thread that called MPI_Init_thread (FUNNELED): OpenMP
// parallel regions inside a rank never call in here.
//
// Counts: MPI counts are int. Records move as a contiguous datatype of
// their own size, so a message may hold up to 2^31 - 1 records (not bytes);
// a larger one is refused with a one-line error rather than truncated.
// Messages a rank sends to itself are copied without MPI.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace slotsim::dist {

// What this rank's calls moved and how long it spent in them (wall time,
// waiting for other ranks included: that is the cost of communicating).
struct CommStats {
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  double seconds = 0;
  std::uint64_t calls = 0;
};

// The same error on every rank: exit code (exit_code_of's, below) and the
// one line rank 0 prints.
class AgreedError : public std::runtime_error {
 public:
  AgreedError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Comm {
 public:
  explicit Comm(MPI_Comm c = MPI_COMM_WORLD);
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  MPI_Comm get() const { return c_; }
  const CommStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  // For transfers made outside these wrappers (nonblocking broadcasts).
  void account(std::uint64_t sent, std::uint64_t received, double seconds) {
    stats_.bytes_sent += sent;
    stats_.bytes_received += received;
    stats_.seconds += seconds;
    ++stats_.calls;
  }

  // Reductions over every rank.
  bool all(bool ok);
  std::uint64_t sum(std::uint64_t v);
  std::uint64_t max(std::uint64_t v);
  std::int64_t min(std::int64_t v);
  double min(double v);
  double max(double v);
  double sum(double v);  // reports only: the order of a floating-point sum is MPI's
  // Element-wise, in place over every rank: minimum of doubles (exact,
  // so the order does not matter), sum of counts.
  void min_each(double* v, int n);
  void sum_each(std::uint64_t* v, int n);
  void barrier();

  // One value from every rank, in rank order.
  template <class T>
  std::vector<T> allgather(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<T> out(static_cast<std::size_t>(size_));
    Timer t(*this, sizeof(T), sizeof(T) * out.size());
    check(MPI_Allgather(&v, sizeof(T), MPI_BYTE, out.data(), sizeof(T), MPI_BYTE, c_), "MPI_Allgather");
    return out;
  }
  // Every rank's n_r records, concatenated in rank order on every rank;
  // counts (optional) gets each rank's n_r.
  template <class T>
  std::vector<T> allgatherv(const T* local, std::size_t n, std::vector<std::size_t>* counts = nullptr) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::vector<std::size_t> c = allgather<std::size_t>(n);
    std::vector<int> ic(c.size()), displ(c.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < c.size(); ++r) {
      displ[r] = checked_int(total, "allgatherv");
      ic[r] = checked_int(c[r], "allgatherv");
      total += c[r];
    }
    checked_int(total, "allgatherv");
    std::vector<T> out(total);
    {
      Type type(sizeof(T));
      Timer t(*this, n * sizeof(T) * (c.size() - 1), (total - n) * sizeof(T));
      check(MPI_Allgatherv(local, static_cast<int>(n), type.t, out.data(), ic.data(), displ.data(), type.t, c_),
            "MPI_Allgatherv");
    }
    if (counts) *counts = c;
    return out;
  }

  template <class T>
  void bcast(T* p, std::size_t n, int from) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_ == 1 || n == 0) return;
    Type type(sizeof(T));
    Timer t(*this, rank_ == from ? n * sizeof(T) : 0, rank_ == from ? 0 : n * sizeof(T));
    check(MPI_Bcast(p, checked_int(n, "bcast"), type.t, from, c_), "MPI_Bcast");
  }
  template <class T>
  void bcast(T& v, int from) {
    bcast(&v, 1, from);
  }
  void bcast(std::string& s, int from);

  // Point to point, for the pipelines that carry a running value from rank
  // r - 1 to rank r (the state hash, the ordered sums).
  template <class T>
  void send(const T* p, std::size_t n, int to, int tag) {
    static_assert(std::is_trivially_copyable_v<T>);
    Type type(sizeof(T));
    Timer t(*this, n * sizeof(T), 0);
    check(MPI_Send(p, checked_int(n, "send"), type.t, to, tag, c_), "MPI_Send");
  }
  template <class T>
  void recv(T* p, std::size_t n, int from, int tag) {
    static_assert(std::is_trivially_copyable_v<T>);
    Type type(sizeof(T));
    Timer t(*this, 0, n * sizeof(T));
    check(MPI_Recv(p, checked_int(n, "recv"), type.t, from, tag, c_, MPI_STATUS_IGNORE), "MPI_Recv");
  }

  // send[counts[0] + ... + counts[d-1] ...] goes to rank d (counts has one
  // entry per rank, in records). Returns what every rank sent here,
  // concatenated in rank order; recv_counts gets how many came from each.
  // Both sides' counts are exchanged first (one MPI_Alltoall of counts).
  template <class T>
  std::vector<T> alltoallv(const T* send, const std::vector<std::size_t>& counts,
                           std::vector<std::size_t>* recv_counts = nullptr) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<std::size_t> rc = exchange_counts(counts);
    std::vector<T> out(total_of(rc));
    alltoallv_into(send, counts, out.data(), rc);
    if (recv_counts) *recv_counts = std::move(rc);
    return out;
  }
  // The same with both sides' counts known (recv_counts from
  // exchange_counts, or fixed by the decomposition), into `recv`.
  template <class T>
  void alltoallv_into(const T* send, const std::vector<std::size_t>& send_counts, T* recv,
                      const std::vector<std::size_t>& recv_counts) {
    static_assert(std::is_trivially_copyable_v<T>);
    alltoallv_bytes(send, send_counts, recv, recv_counts, sizeof(T));
  }
  // Each rank's counts to every rank, transposed: returns how many each rank
  // will send here.
  std::vector<std::size_t> exchange_counts(const std::vector<std::size_t>& counts);

 private:
  // Times one MPI call and counts its bytes.
  class Timer {
   public:
    Timer(Comm& c, std::uint64_t sent, std::uint64_t received) : c_(c), t0_(std::chrono::steady_clock::now()) {
      c_.stats_.bytes_sent += sent;
      c_.stats_.bytes_received += received;
      ++c_.stats_.calls;
    }
    ~Timer() {
      c_.stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    }

   private:
    Comm& c_;
    std::chrono::steady_clock::time_point t0_;
  };
  // A committed contiguous datatype of `bytes` bytes, freed at scope end.
  struct Type {
    explicit Type(std::size_t bytes);
    ~Type();
    Type(const Type&) = delete;
    Type& operator=(const Type&) = delete;
    MPI_Datatype t = MPI_DATATYPE_NULL;
  };
  static void check(int rc, const char* what);
  static int checked_int(std::size_t n, const char* what);
  static std::size_t total_of(const std::vector<std::size_t>& v);
  void alltoallv_bytes(const void* send, const std::vector<std::size_t>& send_counts, void* recv,
                       const std::vector<std::size_t>& recv_counts, std::size_t record);

  MPI_Comm c_;
  int rank_ = 0, size_ = 1;
  CommStats stats_;
};

// The exit code of an exception from the one table (sim/exit_status.hpp,
// which the serial front end's run_guarded applies too): 2 for bad input
// (std::invalid_argument, a bad --ic or snapshot file), 1 otherwise (a
// failed output: io::OutputError); an AgreedError keeps its code. `what`
// gets the one line to print.
int exit_code_of(const std::exception_ptr& e, std::string& what);

// Runs body() on every rank. If it throws on any rank, every rank throws
// the same AgreedError: the lowest failing rank's message and exit code
// (an AgreedError thrown inside keeps its own). One MPI_Allreduce when
// nothing failed. Every rank must call it at the same point.
template <class F>
void agree(Comm& comm, F&& body) {
  std::exception_ptr err;
  try {
    body();
  } catch (...) {
    err = std::current_exception();
  }
  const std::int64_t first = comm.min(static_cast<std::int64_t>(err ? comm.rank() : comm.size()));
  if (first == comm.size()) return;
  std::string what;
  int code = err ? exit_code_of(err, what) : 0;
  comm.bcast(what, static_cast<int>(first));
  comm.bcast(code, static_cast<int>(first));
  throw AgreedError(code, what);
}

}  // namespace slotsim::dist
