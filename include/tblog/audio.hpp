#pragma once
// Arguments of SummaryWriter::add_audio.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tblog {

// add_audio: interleaved samples in [-1, 1] (frame f, channel c at [f * channels + c]).
struct AudioView {
  const float* samples = nullptr;
  std::size_t size = 0;  // number of samples (frames x channels)
  std::int64_t channels = 1;

  AudioView() = default;
  AudioView(const float* s, std::size_t n, std::int64_t c = 1) : samples(s), size(n), channels(c) {}
  AudioView(const std::vector<float>& v, std::int64_t c = 1)
      : samples(v.data()), size(v.size()), channels(c) {}
  AudioView(const std::vector<float>&&, std::int64_t = 1) = delete;  // would dangle
};

}  // namespace tblog
