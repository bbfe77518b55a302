#pragma once
// Interned tags. The caller's thread looks a tag up without locks or allocation (the hot
// path of add_scalar); a new tag is validated, cleaned and inserted under a mutex once.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tblog::detail {

struct TagEntry {
  std::string name;   // as the caller spelled it (the lookup key)
  std::string clean;  // as written to disk: cleaned as TensorFlow cleans summary names
  std::size_t hash = 0;
  std::string scalar_value_prefix;  // encoded `Summary.Value.tag` field, for the scalar fast path
};

// Longest tag accepted, in bytes.
constexpr std::size_t kMaxTagBytes = 4096;

// TensorFlow's rule: characters outside [A-Za-z0-9_./-] become '_' and leading '/' go.
// Valid UTF-8 letters are kept (Python's \w keeps them); invalid UTF-8 bytes become '_'.
std::string clean_tag(std::string_view tag);

class TagTable {
 public:
  TagTable();
  ~TagTable();
  TagTable(const TagTable&) = delete;
  TagTable& operator=(const TagTable&) = delete;

  // Lock-free; nullptr if the tag was never interned.
  const TagEntry* find(std::string_view name) const {
    const std::size_t h = std::hash<std::string_view>{}(name);
    const Slots* slots = slots_.load(std::memory_order_acquire);
    for (std::size_t i = h & slots->mask;; i = (i + 1) & slots->mask) {
      const TagEntry* e = slots->entries[i].load(std::memory_order_acquire);
      if (e == nullptr) return nullptr;
      if (e->hash == h && e->name == name) return e;
    }
  }

  // Validates (throws tblog::Error for an empty or over-long tag), cleans and inserts.
  // `warn` is told once when the tag had to be cleaned, after the table's lock is released.
  const TagEntry* intern(std::string_view name, const std::function<void(const std::string&)>& warn);

 private:
  struct Slots {
    explicit Slots(std::size_t capacity);
    std::size_t mask;
    std::unique_ptr<std::atomic<const TagEntry*>[]> entries;
  };
  void insert_slot(Slots& slots, const TagEntry* entry);

  std::atomic<Slots*> slots_;
  std::mutex mu_;  // serialises inserts
  std::size_t count_ = 0;
  std::vector<std::unique_ptr<TagEntry>> entries_;
  // Earlier, smaller slot arrays stay alive: a lock-free reader may still be probing one.
  std::vector<std::unique_ptr<Slots>> all_slots_;
};

}  // namespace tblog::detail
