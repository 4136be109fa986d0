// SIGINT/SIGTERM/SIGHUP: the first signal sets a flag that long loops poll, so the
// stack unwinds normally (every thread joined, every OutputFile's temporary removed);
// a second one removes the registered temporary paths from the handler itself, with
// async-signal-safe calls only (unlink, rmdir, _exit), for a process stuck elsewhere.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "core/core.h"

namespace parla {
namespace {

std::atomic<int> g_signal{0};  // the first signal received, 0 for none
static_assert(std::atomic<int>::is_always_lock_free);

// A fixed table, so the handler needs no allocation or lock. A slot is Free, being
// Written (the handler skips it) or Ready.
enum SlotState : int { kFree, kWriting, kReady };
struct TempSlot {
  std::atomic<int> state{kFree};
  char path[4096];
};
constexpr int kTempSlots = 32;
TempSlot g_temp[kTempSlots];

void remove_registered_paths() {
  for (auto& slot : g_temp) {
    if (slot.state.load() == kReady) ::unlink(slot.path);
  }
  for (auto& slot : g_temp) {  // directories once their files are gone
    if (slot.state.load() == kReady) ::rmdir(slot.path);
  }
}

extern "C" void on_interrupt(int signo) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, signo)) return;  // first: unwind normally
  remove_registered_paths();
  ::_exit(128 + signo);
}

}  // namespace

Interrupted::Interrupted(int signal_number)
    : Error(std::string("interrupted by ") + (signal_number == SIGINT ? "SIGINT" :
                                              signal_number == SIGTERM ? "SIGTERM" : "a signal") +
            "; nothing was written", ErrorCode::interrupted),
      signal_number_(signal_number) {}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signo, &action, nullptr);
}

int interrupt_signal() { return g_signal.load(std::memory_order_relaxed); }

void check_interrupted() {
  if (int signo = interrupt_signal()) throw Interrupted(signo);
}

int register_temp_path(const std::filesystem::path& path) {
  const std::string& text = path.native();
  if (text.size() >= sizeof(TempSlot::path)) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    int expected = kFree;
    if (!g_temp[i].state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(g_temp[i].path, text.c_str(), text.size() + 1);
    g_temp[i].state.store(kReady);
    return i;
  }
  return -1;  // full: the path is still removed by normal unwinding
}

void unregister_temp_path(int slot) {
  if (slot >= 0 && slot < kTempSlots) g_temp[slot].state.store(kFree);
}

}  // namespace parla
