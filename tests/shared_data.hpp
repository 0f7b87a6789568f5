// Where the real test data lives (../shared/data beside the checkout), and a skip when absent.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace leachflow::test {

inline std::filesystem::path shared_data(const std::string& name) {
  return std::filesystem::path(LEACHFLOW_SHARED_DATA) / name;
}

}  // namespace leachflow::test

// Skips the current test with a clear message when a shared data file is absent.
#define LEACHFLOW_REQUIRE_SHARED_DATA(path)                                                 \
  do {                                                                                      \
    if (!std::filesystem::exists(path))                                                     \
      GTEST_SKIP() << "shared test data not found: " << (path)                              \
                   << " (expected ../shared/data beside the checkout; see its README)";     \
  } while (0)
