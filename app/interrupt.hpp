// Ctrl-C during a run: the first SIGINT/SIGTERM sets a flag that the time loop checks between
// steps, so the run stops cleanly (the NetCDF is closed as partial); a second one kills at once.
#pragma once

namespace leachflow::app {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  static bool requested();
  static int signal_number();  // the signal that asked to stop, 0 when none
};

}  // namespace leachflow::app
