// leachflow command line: parse → load → call → save. Subcommands live in their own files.
#include <cstdio>

#include "kernels/exec/runtime.hpp"
#include "leachflow/version.hpp"

int main(int argc, char** argv) {
  leachflow::exec::runtime rt(argc, argv);
  std::printf("leachflow %s\n", leachflow::version);
  return 0;
}
