// Audio: TensorBoard's tensor form, a DT_STRING tensor of shape [1, 2] holding (WAV bytes,
// label) under plugin "audio" with AudioPluginData{encoding: WAV}. (PyTorch writes the
// legacy `audio` field, which TensorBoard converts into this same form with an empty label.)
// The WAV is 16-bit PCM; samples become round(clamp(x, -1, 1) * 32767).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "format/utf8.hpp"
#include "kinds/dashboard_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/plugins.pb.h"
#include "tblog/summary.pb.h"
#include "kinds/summary_value.hpp"

namespace tblog::detail {
namespace {

constexpr std::size_t kWavHeaderBytes = 44;
constexpr std::int64_t kMaxChannels = 65535;  // a WAV header stores 16 bits

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

class AudioPayload final : public Payload {
 public:
  AudioPayload(std::vector<std::int16_t> samples, int channels, std::uint32_t rate,
               std::string label)
      : samples_(std::move(samples)), channels_(channels), rate_(rate), label_(std::move(label)) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    pb::AudioPluginData data;  // content version 0
    data.set_encoding(pb::AudioPluginData::WAV);
    pb::Summary::Value value = start_value(ctx, kAudio, data.SerializeAsString());
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(pb::DT_STRING);
    tensor->mutable_tensor_shape()->add_dim()->set_size(1);
    tensor->mutable_tensor_shape()->add_dim()->set_size(2);
    tensor->add_string_val(encode_wav(samples_.data(), samples_.size() / channels_, channels_, rate_));
    tensor->add_string_val(label_);
    value.AppendToString(&out);
  }

  std::size_t memory_bytes() const override {
    return sizeof(*this) + heap_bytes(samples_) + heap_bytes(label_);
  }
 private:
  std::vector<std::int16_t> samples_;
  int channels_;
  std::uint32_t rate_;
  std::string label_;
};

}  // namespace

std::string encode_wav(const std::int16_t* samples, std::size_t frames, int channels,
                       std::uint32_t sample_rate) {
  const std::size_t data_bytes = frames * static_cast<std::size_t>(channels) * 2;
  std::string out;
  out.reserve(kWavHeaderBytes + data_bytes);
  out.append("RIFF");
  put_u32(out, static_cast<std::uint32_t>(36 + data_bytes));
  out.append("WAVEfmt ");
  put_u32(out, 16);  // size of the fmt chunk
  put_u16(out, 1);   // PCM
  put_u16(out, static_cast<std::uint16_t>(channels));
  put_u32(out, sample_rate);
  put_u32(out, sample_rate * static_cast<std::uint32_t>(channels) * 2);  // bytes per second
  put_u16(out, static_cast<std::uint16_t>(channels * 2));                // bytes per frame
  put_u16(out, 16);                                                      // bits per sample
  out.append("data");
  put_u32(out, static_cast<std::uint32_t>(data_bytes));
  const std::size_t n = frames * static_cast<std::size_t>(channels);
  for (std::size_t i = 0; i < n; ++i) put_u16(out, static_cast<std::uint16_t>(samples[i]));
  return out;
}

std::unique_ptr<Payload> make_audio_payload(const AudioView& audio, double sample_rate,
                                            std::string_view label, std::size_t* clamped) {
  if (audio.channels < 1 || audio.channels > kMaxChannels) {
    throw Error("add_audio: audio.channels " + std::to_string(audio.channels) +
                " is outside 1.." + std::to_string(kMaxChannels));
  }
  if (audio.size == 0) throw Error("add_audio: audio.size is 0; a clip needs samples");
  if (audio.samples == nullptr) throw Error("add_audio: audio.samples is null");
  const auto channels = static_cast<std::size_t>(audio.channels);
  if (audio.size % channels != 0) {
    throw Error("add_audio: audio.size " + std::to_string(audio.size) +
                " is not a multiple of audio.channels " + std::to_string(channels) +
                " (samples are interleaved frames)");
  }
  const double rate = std::round(sample_rate);
  if (!(rate >= 1.0 && rate <= static_cast<double>(std::numeric_limits<std::uint32_t>::max()))) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%g", sample_rate);
    throw Error(std::string("add_audio: sample_rate ") + buf +
                " is not a positive rate in frames per second");
  }
  if ((kWavHeaderBytes - 8) + audio.size * 2 > std::numeric_limits<std::uint32_t>::max()) {
    throw Error("add_audio: audio.size " + std::to_string(audio.size) +
                " samples do not fit in one WAV file (4 GiB)");
  }
  // TensorBoard decodes the label as UTF-8 (Markdown under the clip), as add_text's text.
  const std::size_t bad = first_invalid_utf8(label);
  if (bad != label.size()) {
    throw Error("add_audio: label is not valid UTF-8: byte " + std::to_string(bad) + " of " +
                std::to_string(label.size()) + " starts no valid character");
  }
  std::vector<std::int16_t> samples(audio.size);
  std::size_t outside = 0;
  for (std::size_t i = 0; i < audio.size; ++i) {
    float x = audio.samples[i];
    if (!std::isfinite(x)) {
      throw Error("add_audio: audio.samples[" + std::to_string(i) + "] is " +
                  (std::isnan(x) ? std::string("NaN") : std::string("infinite")) +
                  "; samples must be finite, in [-1, 1]");
    }
    if (x > 1.0f || x < -1.0f) {
      ++outside;
      x = std::clamp(x, -1.0f, 1.0f);
    }
    samples[i] = static_cast<std::int16_t>(std::lround(x * 32767.0f));
  }
  if (clamped != nullptr) *clamped = outside;
  return std::make_unique<AudioPayload>(std::move(samples), static_cast<int>(channels),
                                        static_cast<std::uint32_t>(rate), std::string(label));
}

}  // namespace tblog::detail
