#include "app/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace leachflow::app {

namespace {
std::string clock_text(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}
}  // namespace

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(long long total, bool enabled)
    : total_(total > 0 ? total : 1), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(long long done, const std::string& label) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  drawn_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = static_cast<double>(done) / static_cast<double>(total_);
  constexpr int width = 30;
  const int filled = static_cast<int>(frac * width);
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '.');
  const std::string eta = done > 0 ? clock_text(elapsed / frac - elapsed) : "?";
  std::fprintf(stderr, "\r[%s] %3.0f%% step %lld/%lld %s  elapsed %s  left %s  ", bar.c_str(), frac * 100.0, done, total_,
               label.c_str(), clock_text(elapsed).c_str(), eta.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(stderr, "\r%100s\r", "");
  std::fflush(stderr);
}

}  // namespace leachflow::app
