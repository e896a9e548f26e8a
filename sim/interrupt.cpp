#include "sim/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace slotsim {
namespace {

volatile std::sig_atomic_t g_signal = 0;

// Fixed slots, so the handler never allocates or locks. 16 is far more than
// the outputs one run writes at a time (one report file at a time today).
constexpr int kSlots = 16;
constexpr std::size_t kPathMax = 4096;
struct Slot {
  std::atomic<bool> claimed{false};  // owned by a writer
  std::atomic<bool> ready{false};    // path complete: the handler may unlink it
  char path[kPathMax];
};
Slot g_slots[kSlots];
// Child process groups to kill on the second signal; 0 = free.
std::atomic<int> g_groups[kSlots];
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the handler reads these");

void on_signal(int sig) {
  if (g_signal == 0) {
    g_signal = sig;
    return;
  }
  for (Slot& s : g_slots)
    if (s.ready.load()) ::unlink(s.path);
  for (std::atomic<int>& g : g_groups)
    if (const int pgid = g.load(); pgid > 0) ::kill(-pgid, SIGKILL);
  static const char msg[] = "slotsim: second signal, stopping now (temporary files removed)\n";
  [[maybe_unused]] const auto w = ::write(2, msg, sizeof msg - 1);
  ::_exit(128 + sig);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  // SA_RESTART: a signal arriving during a blocking write must not turn it
  // into a short write that the report code would see as a disk error.
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() { return g_signal; }
void set_interrupt_for_test(int sig) { g_signal = sig; }

int register_temp_file(const char* path) {
  const std::size_t len = std::strlen(path);
  if (len + 1 > kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    // Claim, fill, then publish, so the handler never sees a half-written path.
    if (g_slots[i].claimed.compare_exchange_strong(expected, true)) {
      std::memcpy(g_slots[i].path, path, len + 1);
      g_slots[i].ready.store(true);
      return i;
    }
  }
  return -1;
}

int register_child_group(int pgid) {
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_groups[i].compare_exchange_strong(expected, pgid)) return i;
  }
  return -1;
}

void unregister_child_group(int slot) {
  if (slot >= 0 && slot < kSlots) g_groups[slot].store(0);
}

void unregister_temp_file(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].ready.store(false);
  g_slots[slot].claimed.store(false);
}

}  // namespace slotsim
