#include "app/interrupt.hpp"

#include <csignal>

namespace leachflow::app {

namespace {
volatile std::sig_atomic_t stop_signal = 0;
void (*previous_int)(int) = SIG_DFL;
void (*previous_term)(int) = SIG_DFL;

extern "C" void on_signal(int sig) {
  if (stop_signal != 0) {  // second Ctrl-C: the user means it
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  stop_signal = sig;
}
}  // namespace

InterruptGuard::InterruptGuard() {
  stop_signal = 0;
  previous_int = std::signal(SIGINT, on_signal);
  previous_term = std::signal(SIGTERM, on_signal);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
}

bool InterruptGuard::requested() { return stop_signal != 0; }
int InterruptGuard::signal_number() { return static_cast<int>(stop_signal); }

}  // namespace leachflow::app
