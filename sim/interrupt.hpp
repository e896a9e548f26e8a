#pragma once
// SIGINT / SIGTERM for long headless runs. The first signal only sets a
// flag: the run finishes its current step, writes every requested output
// marked "interrupted" and exits 128 + signal. A second signal stops at once,
// but first removes the temporary files registered here, so neither signal
// leaves a half-written file behind.
//
// Rejected: doing the clean-up work (writing reports) inside the handler.
// Almost nothing is async-signal-safe; the handler touches only a
// sig_atomic_t, fixed-size path buffers, unlink(2), write(2) and _exit(2).
namespace slotsim {

// Installs the handlers (idempotent). Without this call signals keep their
// default action, as the library's tests expect.
void install_interrupt_handlers();
// The signal number received first, or 0.
int interrupt_signal();
inline bool interrupted() { return interrupt_signal() != 0; }
// Test hook: pretend `sig` arrived (0 clears).
void set_interrupt_for_test(int sig);

// Registers a temporary file for removal on a second signal; returns a slot
// (or -1 when all slots are taken, in which case the file is simply not
// protected). Paths longer than the slot buffer are not registered either.
int register_temp_file(const char* path);
void unregister_temp_file(int slot);

// Registers a child's process group (its pgid) to be killed (SIGKILL) by a
// second signal before slotsim exits, so no child outlives it
// (sim/io/child_process.cpp); returns a slot or -1 when all are taken.
int register_child_group(int pgid);
void unregister_child_group(int slot);

}  // namespace slotsim
