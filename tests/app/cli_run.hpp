// Runs the `leachflow` executable as users do and captures exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace leachflow::test {

struct CliRun {
  int code = -1;
  std::string out, err;
};

// args: shell-quoted by the caller. env: prepended assignments, e.g. "OMP_NUM_THREADS=1".
inline CliRun run_cli(const std::string& args, const std::string& env = "") {
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("leachflow-app-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".err");
  const std::string cmd = env + (env.empty() ? "" : " ") + "'" + LEACHFLOW_EXE + "' " + args + " 2>'" + err_file.string() + "'";
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(err_file);
  return r;
}

inline std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace leachflow::test
