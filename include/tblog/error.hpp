#pragma once
// The one exception type tblog throws.
#include <stdexcept>
#include <string>

namespace tblog {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tblog
