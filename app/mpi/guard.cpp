#include <cstdio>
#include <string>

#include "app/mpi/commands.hpp"
#include "sim/message.hpp"

namespace slotsim::app::mpi {

// The status of either kind comes from the one table (sim/exit_status.hpp,
// through dist::exit_code_of, which also made an AgreedError's code): the
// same statuses as the serial run_guarded, for the same exceptions.

int run_guarded_mpi(dist::Comm& comm, const char* cmd, const std::function<int()>& body) {
  try {
    return body();
  } catch (const dist::AgreedError& e) {
    if (comm.root()) std::fprintf(stderr, "slotsim-mpi %s: error: %s\n", cmd, one_line(e.what()).c_str());
    return e.code();
  } catch (...) {
    // Seen by this rank alone: the others may be waiting for it in a
    // collective call, so the job ends here.
    std::string what;
    const int code = dist::exit_code_of(std::current_exception(), what);
    std::fprintf(stderr, "slotsim-mpi %s: error on rank %d: %s (ending every rank)\n", cmd, comm.rank(),
                 one_line(what).c_str());
    std::fflush(stderr);
    MPI_Abort(comm.get(), code);
    return code;
  }
}

}  // namespace slotsim::app::mpi
