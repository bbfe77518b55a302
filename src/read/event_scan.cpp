#include "read/event_scan.hpp"

#include <cstring>

#include "format/tensor_elements.hpp"
#include "format/wire_reader.hpp"

namespace tblog::detail {
namespace {

using wire::kFixed32;
using wire::kFixed64;
using wire::kLengthDelimited;
using wire::kVarint;

// Walks a message without sub-messages (Image, Audio, HistogramProto, SourceMetadata),
// checking that it is well-formed. HistogramProto's bucket_limit and bucket (6, 7) are
// packed doubles, so they must hold whole 8-byte elements.
bool check_flat(std::string_view bytes, const char*& error, bool is_histogram = false) {
  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    if (is_histogram && (field == 6 || field == 7) && type == kLengthDelimited) {
      if (r.bytes().size() % 8 != 0) r.fail("packed doubles are not whole elements");
    } else {
      r.skip(type, field);
    }
  }
  error = r.error();
  return r.ok();
}

// A packed repeated field's element count, checking the bytes hold whole elements.
bool packed_count(wire::Reader& r, std::uint32_t type, std::size_t fixed_size, std::uint64_t& count,
                  std::string_view& packed) {
  if (type == kLengthDelimited) {
    packed = r.bytes();
    if (!r.ok()) return false;
    if (fixed_size != 0) {
      if (packed.size() % fixed_size != 0) return r.fail("packed field is not whole elements");
      count += packed.size() / fixed_size;
    } else {
      wire::Reader inner(packed);
      while (!inner.at_end() && inner.ok()) {
        inner.varint();
        ++count;
      }
      if (!inner.ok()) return r.fail(inner.error());
    }
    return true;
  }
  return false;
}

struct TensorScan {
  int dtype = 0;
  std::uint64_t num_elements = 1;  // product of the shape's dims
  std::string_view content;
};

bool scan_shape(std::string_view bytes, TensorScan& t, const char*& error) {
  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    if (field == 2 && type == kLengthDelimited) {
      wire::Reader dim(r.bytes());
      std::int64_t size = 0;
      std::uint32_t f, ty;
      while (dim.next_field(f, ty)) {
        if (f == 1 && ty == kVarint) {
          size = static_cast<std::int64_t>(dim.varint());
        } else {
          dim.skip(ty, f);
        }
      }
      if (!dim.ok()) return error = dim.error(), false;
      t.num_elements *= size < 0 ? 0 : static_cast<std::uint64_t>(size);
    } else {
      r.skip(type, field);
    }
  }
  error = r.error();
  return r.ok();
}

bool scan_tensor(std::string_view bytes, ScannedValue& out, const char*& error) {
  TensorScan t;
  // Typed fields are collected by field number; which one counts depends on dtype, which
  // may come after them.
  struct Typed {
    std::uint64_t count = 0;
    double first = 0;
    bool have = false;
    void note(double v) {
      if (!have) first = v, have = true;
      ++count;
    }
  } floats, doubles, ints, bools, halves;

  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    std::string_view packed;
    switch (field) {
      case 1:
        if (type != kVarint) break;
        t.dtype = static_cast<int>(r.varint());
        continue;
      case 2:
        if (type != kLengthDelimited) break;
        if (!scan_shape(r.bytes(), t, error)) return false;
        continue;
      case 4:
        if (type != kLengthDelimited) break;
        t.content = r.bytes();
        continue;
      case 5: {  // float_val
        std::uint64_t n = 0;
        if (packed_count(r, type, 4, n, packed)) {
          if (n > 0) {
            float f;
            std::memcpy(&f, packed.data(), 4);
            if (!floats.have) floats.first = f, floats.have = true;
          }
          floats.count += n;
        } else if (type == kFixed32) {
          floats.note(r.as_float());
        } else {
          break;
        }
        continue;
      }
      case 6: {  // double_val
        std::uint64_t n = 0;
        if (packed_count(r, type, 8, n, packed)) {
          if (n > 0) {
            double d;
            std::memcpy(&d, packed.data(), 8);
            if (!doubles.have) doubles.first = d, doubles.have = true;
          }
          doubles.count += n;
        } else if (type == kFixed64) {
          doubles.note(r.as_double());
        } else {
          break;
        }
        continue;
      }
      case 7:    // int_val
      case 10:   // int64_val
      case 11:   // bool_val
      case 13: {  // half_val
        Typed& dst = field == 11 ? bools : field == 13 ? halves : ints;
        std::uint64_t n = 0;
        if (packed_count(r, type, 0, n, packed)) {
          if (n > 0 && !dst.have) {
            wire::Reader first(packed);
            const auto v = first.varint();
            dst.first = field == 7 ? static_cast<double>(static_cast<std::int32_t>(v))
                        : field == 10 ? static_cast<double>(static_cast<std::int64_t>(v))
                                      : static_cast<double>(v);
            dst.have = true;
          }
          dst.count += n;
        } else if (type == kVarint) {
          const auto v = r.varint();
          dst.note(field == 7 ? static_cast<double>(static_cast<std::int32_t>(v))
                              : static_cast<double>(static_cast<std::int64_t>(v)));
        } else {
          break;
        }
        continue;
      }
      default:
        break;
    }
    r.skip(type, field);
  }
  if (!r.ok()) return error = r.error(), false;

  out.tensor_dtype = t.dtype;
  out.tensor_is_number = false;
  if (t.num_elements != 1) return true;
  const std::size_t size = dtype_size(t.dtype);
  if (size == 0) return true;  // strings and unknown types are not numbers
  if (!t.content.empty()) {
    if (t.content.size() != size) return true;
    out.tensor_number = load_element(t.content.data(), t.dtype);
    out.tensor_is_number = true;
    return true;
  }
  const Typed* typed = nullptr;
  switch (t.dtype) {
    case kDtFloat:
      typed = &floats;
      break;
    case kDtDouble:
      typed = &doubles;
      break;
    case kDtBool:
      typed = &bools;
      break;
    case kDtHalf:
    case kDtBfloat16:
      typed = &halves;
      break;
    default:
      typed = &ints;
      break;
  }
  if (typed->count > 1) return true;
  // No value at all means zero, as in TensorFlow.
  double v = typed->have ? typed->first : 0.0;
  if (t.dtype == kDtHalf) v = half_to_double(static_cast<std::uint16_t>(v));
  if (t.dtype == kDtBfloat16) v = bfloat16_to_double(static_cast<std::uint16_t>(v));
  if (t.dtype == kDtBool) v = v != 0 ? 1.0 : 0.0;
  out.tensor_number = v;
  out.tensor_is_number = true;
  return true;
}

bool scan_metadata(std::string_view bytes, ScannedValue& out, const char*& error) {
  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    if (field == 1 && type == kLengthDelimited) {  // plugin_data
      wire::Reader plugin(r.bytes());
      std::uint32_t f, ty;
      while (plugin.next_field(f, ty)) {
        if (f == 1 && ty == kLengthDelimited) {
          out.plugin_name = plugin.bytes();
        } else {
          plugin.skip(ty, f);
        }
      }
      if (!plugin.ok()) return error = plugin.error(), false;
    } else {
      r.skip(type, field);
    }
  }
  error = r.error();
  return r.ok();
}

bool scan_value(std::string_view bytes, ScannedValue& out, const char*& error) {
  out = ScannedValue();
  std::string_view node_name;
  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    switch (field) {
      case 1:
        if (type != kLengthDelimited) break;
        out.tag = r.bytes();
        continue;
      case 2:
        if (type != kFixed32) break;
        out.kind = SummaryValue::Kind::simple_value;
        out.simple_value = r.as_float();
        continue;
      case 3:  // obsolete old-style histogram: bytes, no kind of its own
        if (type != kLengthDelimited) break;
        r.bytes();
        out.kind = SummaryValue::Kind::none;
        continue;
      case 4:
      case 5:
      case 6: {
        if (type != kLengthDelimited) break;
        if (!check_flat(r.bytes(), error, field == 5)) return false;
        out.kind = field == 4   ? SummaryValue::Kind::image
                   : field == 5 ? SummaryValue::Kind::histogram
                                : SummaryValue::Kind::audio;
        continue;
      }
      case 7:
        if (type != kLengthDelimited) break;
        node_name = r.bytes();
        continue;
      case 8:
        if (type != kLengthDelimited) break;
        out.kind = SummaryValue::Kind::tensor;
        if (!scan_tensor(r.bytes(), out, error)) return false;
        continue;
      case 9:
        if (type != kLengthDelimited) break;
        out.has_metadata = true;
        if (!scan_metadata(r.bytes(), out, error)) return false;
        continue;
      default:
        break;
    }
    r.skip(type, field);
  }
  if (!r.ok()) return error = r.error(), false;
  // TensorBoard falls back to node_name for tensors written by old TensorFlow versions.
  if (out.tag.empty()) out.tag = node_name;
  return true;
}

// The encoding of one plain scalar as every common writer produces it (TensorBoard's,
// PyTorch's, tensorboardX's and tblog's own): wall_time, step, then a summary holding one
// value {tag, simple_value}, fields in number order and lengths under 128. Matching it
// byte by byte is several times faster than the general walk below, which gives the same
// result; any other layout falls through to that walk.
bool scan_plain_scalar(std::string_view record, ScannedEvent& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(record.data());
  const unsigned char* const end = p + record.size();
  if (end - p < 9 || p[0] != 0x09) return false;  // wall_time: field 1, fixed64
  double wall_time;
  std::memcpy(&wall_time, p + 1, 8);
  p += 9;
  std::uint64_t step = 0;
  if (p < end && *p == 0x10) {  // step: field 2, varint
    ++p;
    for (int shift = 0;; shift += 7) {
      if (p == end || shift > 63) return false;
      const unsigned char b = *p++;
      step |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) break;
    }
  }
  // summary (field 5) spanning the rest, holding one value (field 1) spanning the rest of
  // the summary, holding a tag (field 1) and a simple_value (field 2, fixed32).
  // A length byte below 0x80 is a whole varint; the comparisons need nothing more.
  if (end - p < 4 || p[0] != 0x2A || p[1] >= 0x80 || p[1] != end - p - 2 || p[2] != 0x0A ||
      p[3] >= 0x80 || p[3] != end - p - 4) {
    return false;
  }
  p += 4;
  if (end - p < 7 || p[0] != 0x0A || p[1] >= 0x80 || p[1] != end - p - 7) return false;
  const std::size_t tag_size = p[1];
  const char* tag = reinterpret_cast<const char*>(p + 2);
  p += 2 + tag_size;
  if (p[0] != 0x15) return false;
  float value;
  std::memcpy(&value, p + 1, 4);

  out.wall_time = wall_time;
  out.step = static_cast<std::int64_t>(step);
  out.what = Event::What::summary;
  out.session_status = 0;
  out.run_metadata_tag = {};
  out.values.resize(1);
  ScannedValue& v = out.values[0];
  v = ScannedValue();
  v.tag = std::string_view(tag, tag_size);
  v.kind = SummaryValue::Kind::simple_value;
  v.simple_value = value;
  return true;
}

}  // namespace

const char* scan_event(std::string_view record, ScannedEvent& out) {
  if (scan_plain_scalar(record, out)) return nullptr;
  out.wall_time = 0;
  out.step = 0;
  out.what = Event::What::none;
  out.session_status = 0;
  out.run_metadata_tag = {};
  out.values.clear();
  const char* error = nullptr;

  wire::Reader r(record);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    switch (field) {
      case 1:
        if (type != kFixed64) break;
        out.wall_time = r.as_double();
        continue;
      case 2:
        if (type != kVarint) break;
        out.step = static_cast<std::int64_t>(r.varint());
        continue;
      case 3:
      case 4:
      case 9:
        if (type != kLengthDelimited) break;
        r.bytes();
        out.values.clear();
        out.what = field == 3   ? Event::What::file_version
                   : field == 4 ? Event::What::graph_def
                                : Event::What::other;
        continue;
      case 5: {
        if (type != kLengthDelimited) break;
        // Repeated occurrences of a message field merge, so values accumulate.
        if (out.what != Event::What::summary) out.values.clear();
        out.what = Event::What::summary;
        wire::Reader summary(r.bytes());
        std::uint32_t f, ty;
        while (summary.next_field(f, ty)) {
          if (f == 1 && ty == kLengthDelimited) {
            out.values.emplace_back();
            if (!scan_value(summary.bytes(), out.values.back(), error)) return error;
          } else {
            summary.skip(ty, f);
          }
        }
        if (!summary.ok()) return summary.error();
        continue;
      }
      case 7: {
        if (type != kLengthDelimited) break;
        out.what = Event::What::session_log;
        out.values.clear();
        wire::Reader log(r.bytes());
        std::uint32_t f, ty;
        while (log.next_field(f, ty)) {
          if (f == 1 && ty == kVarint) {
            out.session_status = static_cast<int>(log.varint());
          } else {
            log.skip(ty, f);
          }
        }
        if (!log.ok()) return log.error();
        continue;
      }
      case 8: {
        if (type != kLengthDelimited) break;
        out.what = Event::What::tagged_run_metadata;
        out.values.clear();
        wire::Reader meta(r.bytes());
        std::uint32_t f, ty;
        while (meta.next_field(f, ty)) {
          if (f == 1 && ty == kLengthDelimited) {
            out.run_metadata_tag = meta.bytes();
          } else {
            meta.skip(ty, f);
          }
        }
        if (!meta.ok()) return meta.error();
        continue;
      }
      case 10:
        if (type != kLengthDelimited) break;
        if (!check_flat(r.bytes(), error)) return error;
        continue;
      default:
        break;
    }
    r.skip(type, field);
  }
  return r.ok() ? nullptr : r.error();
}

}  // namespace tblog::detail
