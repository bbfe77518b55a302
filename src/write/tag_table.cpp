#include "write/tag_table.hpp"

#include "tblog/error.hpp"
#include "format/utf8.hpp"
#include "format/wire_writer.hpp"

namespace tblog::detail {
namespace {

bool is_tag_ascii(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '/' || c == '.';
}

}  // namespace

std::string clean_tag(std::string_view tag) {
  std::string out;
  out.reserve(tag.size());
  for (std::size_t i = 0; i < tag.size();) {
    const unsigned char c = static_cast<unsigned char>(tag[i]);
    if (c < 0x80) {
      out.push_back(is_tag_ascii(c) ? static_cast<char>(c) : '_');
      ++i;
    } else if (const std::size_t n = utf8_sequence_length(tag, i)) {
      out.append(tag.substr(i, n));
      i += n;
    } else {
      out.push_back('_');
      ++i;
    }
  }
  const std::size_t first = out.find_first_not_of('/');
  return first == std::string::npos ? std::string() : out.substr(first);
}

TagTable::Slots::Slots(std::size_t capacity)
    : mask(capacity - 1), entries(new std::atomic<const TagEntry*>[capacity]) {
  for (std::size_t i = 0; i < capacity; ++i) entries[i].store(nullptr, std::memory_order_relaxed);
}

TagTable::TagTable() {
  all_slots_.push_back(std::make_unique<Slots>(64));
  slots_.store(all_slots_.back().get(), std::memory_order_release);
}

TagTable::~TagTable() = default;

void TagTable::insert_slot(Slots& slots, const TagEntry* entry) {
  std::size_t i = entry->hash & slots.mask;
  while (slots.entries[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & slots.mask;
  slots.entries[i].store(entry, std::memory_order_release);
}

const TagEntry* TagTable::intern(std::string_view name,
                                 const std::function<void(const std::string&)>& warn) {
  if (name.empty()) throw Error("tag is empty");
  if (name.size() > kMaxTagBytes) {
    throw Error("tag is " + std::to_string(name.size()) + " bytes long; the limit is " +
                std::to_string(kMaxTagBytes));
  }
  std::string warning;
  const TagEntry* interned;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (const TagEntry* existing = find(name)) return existing;

    auto entry = std::make_unique<TagEntry>();
    entry->name = std::string(name);
    entry->clean = clean_tag(name);
    if (entry->clean.empty()) {
      throw Error("tag '" + std::string(name) + "' has no character TensorBoard accepts");
    }
    entry->hash = std::hash<std::string_view>{}(name);
    wire::append_bytes(entry->scalar_value_prefix, 1, entry->clean);
    if (entry->clean != entry->name && warn) {
      warning = "tag '" + entry->name + "' is not a valid TensorBoard tag; writing it as '" +
                entry->clean + "'";
    }

    entries_.reserve(entries_.size() + 1);  // no throw once the entry is in a slot
    Slots* slots = slots_.load(std::memory_order_relaxed);
    if ((count_ + 1) * 2 > slots->mask + 1) {
      // Grow into a new array and publish it; readers on the old one still find every entry.
      auto bigger = std::make_unique<Slots>((slots->mask + 1) * 2);
      for (const auto& e : entries_) insert_slot(*bigger, e.get());
      all_slots_.push_back(std::move(bigger));
      slots = all_slots_.back().get();
      insert_slot(*slots, entry.get());
      slots_.store(slots, std::memory_order_release);
    } else {
      insert_slot(*slots, entry.get());
    }
    ++count_;
    entries_.push_back(std::move(entry));
    interned = entries_.back().get();
  }
  // User code runs outside the lock: a handler that adds a tag of its own must not deadlock.
  if (!warning.empty()) warn(warning);
  return interned;
}

}  // namespace tblog::detail
