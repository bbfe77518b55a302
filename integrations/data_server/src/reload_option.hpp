#pragma once
// The --reload option: seconds between reloads (a positive number), or "once".
#include <cmath>
#include <cstdlib>
#include <string>

#include "tblog/error.hpp"

namespace tblog::data_server {

// 0 for "once". Throws tblog::Error naming the bad value.
inline double parse_reload(const std::string& text) {
  if (text == "once") return 0;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(seconds) ||
      seconds <= 0) {
    throw Error("--reload: '" + text + "' is neither a positive number of seconds nor 'once'");
  }
  return seconds;
}

}  // namespace tblog::data_server
