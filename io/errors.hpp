// Input errors: one line naming the file, the place, what is wrong and how to fix it.
// Thrown by io/ and model/ on bad input; app/ prints what() and exits with code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace leachflow::io {

class InputError : public std::runtime_error {
 public:
  // file: the path the user gave; where: a place in it ("band 1", "line 12", "feature 7",
  // or empty); problem: what is wrong; fix: what to do about it.
  InputError(std::string file, std::string where, std::string problem, std::string fix);
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace leachflow::io
