// GoogleTest main for every leachflow test binary: holds the exec runtime for the whole run.
#include <gtest/gtest.h>

#include "kernels/exec/runtime.hpp"

int main(int argc, char** argv) {
  leachflow::exec::runtime rt(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
