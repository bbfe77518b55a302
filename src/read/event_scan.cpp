#include "read/event_scan.hpp"

#include <cstring>

#include "format/tensor_elements.hpp"
#include "format/utf8.hpp"
#include "format/wire_reader.hpp"

namespace tblog::detail {
namespace {

using wire::kFixed32;
using wire::kFixed64;
using wire::kLengthDelimited;
using wire::kVarint;

// Whether `s` is well-formed UTF-8, as protobuf requires of proto3 `string` fields (it
// rejects the message otherwise). Tags are short and nearly always ASCII, so that is
// checked first a word at a time (the last word overlapping), with no loop per byte.
inline bool is_utf8(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t high = 0;
  if (n >= 8) {
    std::uint64_t w;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      high |= w;
    }
    std::memcpy(&w, p + n - 8, 8);
    high |= w;
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    high = a | b;
  } else {
    for (std::size_t i = 0; i < n; ++i) high |= static_cast<unsigned char>(p[i]);
  }
  return (high & 0x8080808080808080ull) == 0 || first_invalid_utf8(s) == n;
}

// A `string` field's bytes; fails the reader when they are not UTF-8.
std::string_view string_field(wire::Reader& r) {
  const std::string_view bytes = r.bytes();
  if (r.ok() && !is_utf8(bytes)) r.fail("string field is not valid UTF-8");
  return bytes;
}

// Walks a message without sub-messages (Image, Audio, HistogramProto, SourceMetadata),
// checking that it is well-formed. HistogramProto's bucket_limit and bucket (6, 7) are
// packed doubles, so they must hold whole 8-byte elements. string_field (when not 0) is the
// one `string` field: Audio.content_type (5), SourceMetadata.writer (1).
bool check_flat(std::string_view bytes, const char*& error, bool is_histogram = false,
                std::uint32_t string_field_number = 0) {
  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    if (is_histogram && (field == 6 || field == 7) && type == kLengthDelimited) {
      if (r.bytes().size() % 8 != 0) r.fail("packed doubles are not whole elements");
    } else if (field == string_field_number && type == kLengthDelimited) {
      string_field(r);
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

// What a Value's tensor holds so far. Protobuf merges repeated occurrences of a message
// field, so a tensor given twice is one tensor: scalars from the last occurrence, dims and
// typed values from all of them.
struct TensorScan {
  int dtype = 0;
  std::uint64_t num_elements = 1;  // product of the shape's dims (wrapping, as TensorValue's)
  std::string_view content;
  struct Typed {
    std::uint64_t count = 0;
    double first = 0;
    bool have = false;
    void note(double v) {
      if (!have) first = v, have = true;
      ++count;
    }
  } floats, doubles, bools;
  // int_val, int64_val and half_val (as TensorValue::int_val holds them: in that order, so
  // the first value is int_val's if any, then int64_val's, then half_val's).
  struct Ints {
    std::uint64_t count = 0;
    std::int64_t first = 0;
    bool have = false;
    void note(std::int64_t v) {
      if (!have) first = v, have = true;
      ++count;
    }
  } ints[3];
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
        } else if (f == 2 && ty == kLengthDelimited) {
          string_field(dim);  // Dim.name
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

// A varint element of int_val (7) or half_val (13), both int32, or int64_val (10), as
// protobuf stores it.
std::int64_t int_element(std::uint32_t field, std::uint64_t v) {
  return field == 10 ? static_cast<std::int64_t>(v) : static_cast<std::int32_t>(v);
}

// Adds one occurrence of a TensorProto to t.
bool scan_tensor(std::string_view bytes, TensorScan& t, const char*& error) {
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
          if (n > 0 && !t.floats.have) {
            float f;
            std::memcpy(&f, packed.data(), 4);
            t.floats.first = f, t.floats.have = true;
          }
          t.floats.count += n;
        } else if (type == kFixed32) {
          t.floats.note(r.as_float());
        } else {
          break;
        }
        continue;
      }
      case 6: {  // double_val
        std::uint64_t n = 0;
        if (packed_count(r, type, 8, n, packed)) {
          if (n > 0 && !t.doubles.have) {
            double d;
            std::memcpy(&d, packed.data(), 8);
            t.doubles.first = d, t.doubles.have = true;
          }
          t.doubles.count += n;
        } else if (type == kFixed64) {
          t.doubles.note(r.as_double());
        } else {
          break;
        }
        continue;
      }
      case 11: {  // bool_val
        std::uint64_t n = 0;
        if (packed_count(r, type, 0, n, packed)) {
          if (n > 0 && !t.bools.have) {
            wire::Reader first(packed);
            t.bools.first = first.varint() != 0 ? 1.0 : 0.0, t.bools.have = true;
          }
          t.bools.count += n;
        } else if (type == kVarint) {
          t.bools.note(r.varint() != 0 ? 1.0 : 0.0);
        } else {
          break;
        }
        continue;
      }
      case 7:     // int_val
      case 10:    // int64_val
      case 13: {  // half_val
        TensorScan::Ints& dst = t.ints[field == 7 ? 0 : field == 10 ? 1 : 2];
        std::uint64_t n = 0;
        if (packed_count(r, type, 0, n, packed)) {
          if (n > 0 && !dst.have) {
            wire::Reader first(packed);
            dst.first = int_element(field, first.varint()), dst.have = true;
          }
          dst.count += n;
        } else if (type == kVarint) {
          dst.note(int_element(field, r.varint()));
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
  error = r.error();
  return r.ok();
}

// Whether the tensor is one number and which, by TensorValue::as_doubles's rules.
void finish_tensor(const TensorScan& t, ScannedValue& out) {
  out.tensor_dtype = t.dtype;
  out.tensor_is_number = false;
  if (t.num_elements != 1) return;
  const std::size_t size = dtype_size(t.dtype);
  if (size == 0) return;  // strings and unknown types are not numbers
  if (!t.content.empty()) {
    if (t.content.size() != size) return;
    out.tensor_number = load_element(t.content.data(), t.dtype);
    out.tensor_is_number = true;
    return;
  }
  const TensorScan::Typed* typed = nullptr;
  switch (t.dtype) {
    case kDtFloat:
      typed = &t.floats;
      break;
    case kDtDouble:
      typed = &t.doubles;
      break;
    case kDtBool:
      typed = &t.bools;
      break;
    default:
      break;
  }
  double v = 0;  // no value at all means zero, as in TensorFlow
  if (typed != nullptr) {
    if (typed->count > 1) return;
    if (typed->have) v = typed->first;
  } else {
    const std::uint64_t count = t.ints[0].count + t.ints[1].count + t.ints[2].count;
    if (count > 1) return;
    std::int64_t first = 0;
    for (const TensorScan::Ints& ints : t.ints) {
      if (ints.have) {
        first = ints.first;
        break;
      }
    }
    v = t.dtype == kDtHalf       ? half_to_double(static_cast<std::uint16_t>(first))
        : t.dtype == kDtBfloat16 ? bfloat16_to_double(static_cast<std::uint16_t>(first))
                                 : static_cast<double>(first);
  }
  out.tensor_number = v;
  out.tensor_is_number = true;
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
          out.plugin_name = string_field(plugin);
        } else {
          plugin.skip(ty, f);
        }
      }
      if (!plugin.ok()) return error = plugin.error(), false;
    } else if ((field == 2 || field == 3) && type == kLengthDelimited) {
      string_field(r);  // display_name, summary_description
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
  TensorScan tensor;  // merged over the tensor's occurrences; another kind clears it
  wire::Reader r(bytes);
  std::uint32_t field, type;
  while (r.next_field(field, type)) {
    switch (field) {
      case 1:
        if (type != kLengthDelimited) break;
        out.tag = string_field(r);
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
        if (!check_flat(r.bytes(), error, field == 5, field == 6 ? 5 : 0)) return false;
        out.kind = field == 4   ? SummaryValue::Kind::image
                   : field == 5 ? SummaryValue::Kind::histogram
                                : SummaryValue::Kind::audio;
        continue;
      }
      case 7:
        if (type != kLengthDelimited) break;
        node_name = string_field(r);
        continue;
      case 8:
        if (type != kLengthDelimited) break;
        if (out.kind != SummaryValue::Kind::tensor) tensor = TensorScan();
        out.kind = SummaryValue::Kind::tensor;
        if (!scan_tensor(r.bytes(), tensor, error)) return false;
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
  if (out.kind == SummaryValue::Kind::tensor) finish_tensor(tensor, out);
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
  if (p[0] != 0x15 || !is_utf8(std::string_view(tag, tag_size))) return false;
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

  // Event.what is a oneof: a member that follows another starts afresh (protobuf clears the
  // old case), while repeats of the same message member merge.
  const auto switch_to = [&out](Event::What what) {
    if (out.what == what) return;
    out.what = what;
    out.values.clear();
    out.session_status = 0;
    out.run_metadata_tag = {};
  };
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
        if (field == 3) {
          string_field(r);  // file_version
        } else {
          r.bytes();
        }
        switch_to(Event::What::none);  // a string or bytes member replaces, never merges
        switch_to(field == 3   ? Event::What::file_version
                  : field == 4 ? Event::What::graph_def
                               : Event::What::other);
        continue;
      case 5: {
        if (type != kLengthDelimited) break;
        // Repeated occurrences of a message field merge, so values accumulate.
        switch_to(Event::What::summary);
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
        switch_to(Event::What::session_log);
        wire::Reader log(r.bytes());
        std::uint32_t f, ty;
        while (log.next_field(f, ty)) {
          if (f == 1 && ty == kVarint) {
            out.session_status = static_cast<int>(log.varint());
          } else if ((f == 2 || f == 3) && ty == kLengthDelimited) {
            string_field(log);  // checkpoint_path, msg
          } else {
            log.skip(ty, f);
          }
        }
        if (!log.ok()) return log.error();
        continue;
      }
      case 8: {
        if (type != kLengthDelimited) break;
        switch_to(Event::What::tagged_run_metadata);
        wire::Reader meta(r.bytes());
        std::uint32_t f, ty;
        while (meta.next_field(f, ty)) {
          if (f == 1 && ty == kLengthDelimited) {
            out.run_metadata_tag = string_field(meta);
          } else {
            meta.skip(ty, f);
          }
        }
        if (!meta.ok()) return meta.error();
        continue;
      }
      case 10:
        if (type != kLengthDelimited) break;
        if (!check_flat(r.bytes(), error, false, 1)) return error;  // SourceMetadata
        continue;
      default:
        break;
    }
    r.skip(type, field);
  }
  return r.ok() ? nullptr : r.error();
}

}  // namespace tblog::detail
