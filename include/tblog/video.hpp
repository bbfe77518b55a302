#pragma once
// Arguments of SummaryWriter::add_video.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tblog {

// add_video: uint8 frames N x T x H x W x C (N videos of T frames; C 1, 3 or 4).
struct VideoView {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;  // number of elements in data, checked against the shape
  std::int64_t count = 1;
  std::int64_t frames = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 3;

  VideoView() = default;
  VideoView(const std::uint8_t* d, std::size_t n, std::int64_t count_, std::int64_t t,
            std::int64_t h, std::int64_t w, std::int64_t c)
      : data(d), size(n), count(count_), frames(t), height(h), width(w), channels(c) {}
  VideoView(const std::vector<std::uint8_t>& v, std::int64_t count_, std::int64_t t,
            std::int64_t h, std::int64_t w, std::int64_t c)
      : VideoView(v.data(), v.size(), count_, t, h, w, c) {}
  VideoView(const std::vector<std::uint8_t>&&, std::int64_t, std::int64_t, std::int64_t,
            std::int64_t, std::int64_t) = delete;  // would dangle
};

}  // namespace tblog
