#pragma once
// Blob keys: what a blob reference carries so that ReadBlob alone finds the blob again (run,
// tag, step, index in the point), encoded as unpadded URL-safe base64 (usable in a URL as is).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tblog::data_server {

struct BlobKey {
  std::string run;
  std::string tag;
  std::int64_t step = 0;
  std::uint64_t index = 0;
};

std::string encode_blob_key(const BlobKey& key);
// Nothing when `text` is not a key this server made.
std::optional<BlobKey> decode_blob_key(std::string_view text);

}  // namespace tblog::data_server
