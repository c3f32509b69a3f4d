#pragma once
// Errors at input boundaries (bad files, bad shapes, bad settings) are thrown
// as distillery::Error with a message meant for the person who supplied the
// input. Programmer mistakes are assertions, not Errors.
#include <stdexcept>
#include <string>

namespace distillery {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws Error(message) unless condition holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

}  // namespace distillery
