// A one-line progress bar with a time estimate on long runs: drawn on stderr only when stderr is
// a terminal (quiet in logs and pipes), redrawn at most a few times a second.
#pragma once

#include <chrono>
#include <string>

namespace leachflow::app {

class Progress {
 public:
  Progress(long long total, bool enabled);
  // done: steps finished; label: e.g. the model date.
  void update(long long done, const std::string& label);
  void finish();  // clears the line

 private:
  long long total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

// True when stderr is a terminal.
bool stderr_is_terminal();

}  // namespace leachflow::app
