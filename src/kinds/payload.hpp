#pragma once
// The data of one add_* call other than a plain scalar, copied on the caller's thread and
// encoded on the writer thread. Each summary kind (text.cpp, histogram.cpp,
// image.cpp, ...) implements one.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace tblog {
class FileSystem;
}

namespace tblog::detail {

struct EncodeContext {
  std::string_view tag;           // already cleaned; empty for payloads without a tag
  std::string_view run_dir;       // the run's folder, for payloads that write files beside it
  FileSystem* file_system = nullptr;  // the writer's: files beside the event file go through it
  bool first_in_file = true;      // whether this tag's metadata must go with this value
  int png_compression_level = 1;
  std::function<void(const std::string&)> warn;  // one-off warnings, e.g. NaN in a histogram
};

class Payload {
 public:
  // What encode_value produces.
  enum class Output {
    summary_value,  // one serialized Summary.Value, wrapped into Event.summary by the writer
    event_fields,   // Event fields of its own after wall_time and step (e.g. graph_def = 4)
    none,           // no event: the work is done on the side (e.g. files in run_dir)
  };
  virtual ~Payload() = default;
  virtual Output output() const { return Output::summary_value; }
  // The memory this payload holds, counted against WriterOptions::max_queue_bytes while it is
  // queued. Kinds that copy the caller's data count it; the default covers small ones.
  virtual std::size_t memory_bytes() const { return kSmallPayloadBytes; }
  // Whether encode_value is slow enough (PNG, GIF) to run on an encoder thread when the writer
  // has some (WriterOptions::encoder_threads). Such a payload must touch nothing but its own
  // data and `out`: no files, no shared state.
  virtual bool encodes_slowly() const { return false; }
  static constexpr std::size_t kSmallPayloadBytes = 512;
  // summary_value: appends one serialized Summary.Value (tag, metadata when first_in_file,
  // and the value) to out. Throwing tblog::Error loses only this value (reported through
  // the error handler).
  virtual void encode_value(const EncodeContext& ctx, std::string& out) = 0;

  // What the writer counted for this payload while it is queued (memory_bytes() at enqueue).
  std::size_t queued_bytes = 0;
};

// Heap bytes of a container a payload owns, for memory_bytes().
template <typename Container>
std::size_t heap_bytes(const Container& c) {
  return c.capacity() * sizeof(typename Container::value_type);
}

}  // namespace tblog::detail
