// Images with bounding boxes: the boxes (and their labels) drawn into the pixels, then
// written as add_image writes an image (legacy `image` field, PNG, plugin "images").
// A one-channel image becomes RGB so the boxes keep their colours. Each box gets a colour
// of a fixed cycle and a line about 1/200 of the image's smaller side thick (at least 1
// pixel); its label is drawn on a filled tab in the box's colour above the box (inside it,
// at the top, when there is no room above), in a built-in 3 x 5 pixel font scaled with the
// image. The font has digits, letters (lower case is drawn as upper case) and some
// punctuation; other characters are drawn as '?'. Boxes may reach past the image: what
// falls outside is not drawn.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "kinds/core_kinds.hpp"
#include "kinds/png_encoder.hpp"
#include "tblog/error.hpp"

namespace tblog::detail {
namespace {

struct Rgb {
  std::uint8_t r, g, b;
};
constexpr Rgb kBoxColors[] = {{230, 25, 75},  {60, 180, 75},  {0, 130, 200}, {255, 225, 25},
                              {245, 130, 48}, {145, 30, 180}, {70, 240, 240}, {240, 50, 230}};

// A glyph: 5 rows of 3 pixels, top row in the highest bits, leftmost pixel the highest bit.
constexpr std::uint16_t glyph(int r0, int r1, int r2, int r3, int r4) {
  return static_cast<std::uint16_t>((r0 << 12) | (r1 << 9) | (r2 << 6) | (r3 << 3) | r4);
}
constexpr int kGlyphWidth = 3, kGlyphHeight = 5;

std::uint16_t glyph_of(char ch) {
  // Rows written in octal: each digit is one row of three pixels.
  switch (ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch) {
    case '0': return glyph(07, 05, 05, 05, 07);
    case '1': return glyph(02, 06, 02, 02, 07);
    case '2': return glyph(07, 01, 07, 04, 07);
    case '3': return glyph(07, 01, 07, 01, 07);
    case '4': return glyph(05, 05, 07, 01, 01);
    case '5': return glyph(07, 04, 07, 01, 07);
    case '6': return glyph(07, 04, 07, 05, 07);
    case '7': return glyph(07, 01, 02, 02, 02);
    case '8': return glyph(07, 05, 07, 05, 07);
    case '9': return glyph(07, 05, 07, 01, 07);
    case 'A': return glyph(02, 05, 07, 05, 05);
    case 'B': return glyph(06, 05, 06, 05, 06);
    case 'C': return glyph(03, 04, 04, 04, 03);
    case 'D': return glyph(06, 05, 05, 05, 06);
    case 'E': return glyph(07, 04, 06, 04, 07);
    case 'F': return glyph(07, 04, 06, 04, 04);
    case 'G': return glyph(03, 04, 05, 05, 03);
    case 'H': return glyph(05, 05, 07, 05, 05);
    case 'I': return glyph(07, 02, 02, 02, 07);
    case 'J': return glyph(01, 01, 01, 05, 02);
    case 'K': return glyph(05, 05, 06, 05, 05);
    case 'L': return glyph(04, 04, 04, 04, 07);
    case 'M': return glyph(05, 07, 07, 05, 05);
    case 'N': return glyph(06, 05, 05, 05, 05);
    case 'O': return glyph(02, 05, 05, 05, 02);
    case 'P': return glyph(06, 05, 06, 04, 04);
    case 'Q': return glyph(02, 05, 05, 06, 03);
    case 'R': return glyph(06, 05, 06, 05, 05);
    case 'S': return glyph(03, 04, 02, 01, 06);
    case 'T': return glyph(07, 02, 02, 02, 02);
    case 'U': return glyph(05, 05, 05, 05, 07);
    case 'V': return glyph(05, 05, 05, 05, 02);
    case 'W': return glyph(05, 05, 07, 07, 05);
    case 'X': return glyph(05, 05, 02, 05, 05);
    case 'Y': return glyph(05, 05, 02, 02, 02);
    case 'Z': return glyph(07, 01, 02, 04, 07);
    case ' ': return 0;
    case '.': return glyph(0, 0, 0, 0, 02);
    case ',': return glyph(0, 0, 0, 02, 04);
    case ':': return glyph(0, 02, 0, 02, 0);
    case '-': return glyph(0, 0, 07, 0, 0);
    case '_': return glyph(0, 0, 0, 0, 07);
    case '+': return glyph(0, 02, 07, 02, 0);
    case '=': return glyph(0, 07, 0, 07, 0);
    case '/': return glyph(01, 01, 02, 04, 04);
    case '%': return glyph(05, 01, 02, 04, 05);
    case '#': return glyph(05, 07, 05, 07, 05);
    case '(': return glyph(02, 04, 04, 04, 02);
    case ')': return glyph(02, 01, 01, 01, 02);
    default: return glyph(07, 01, 02, 0, 02);  // '?'
  }
}

class Canvas {
 public:
  Canvas(Pixels p) : p_(std::move(p)) {
    if (p_.channels == 1) {  // gray -> RGB
      std::vector<std::uint8_t> rgb(p_.data.size() * 3);
      for (std::size_t i = 0; i < p_.data.size(); ++i) {
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = p_.data[i];
      }
      p_.data = std::move(rgb);
      p_.channels = 3;
    }
  }
  std::int64_t height() const { return p_.height; }
  std::int64_t width() const { return p_.width; }
  const Pixels& pixels() const { return p_; }

  // Fills [x0, x1) x [y0, y1), clipped to the image.
  void fill(std::int64_t x0, std::int64_t y0, std::int64_t x1, std::int64_t y1, Rgb c) {
    x0 = std::max<std::int64_t>(x0, 0);
    y0 = std::max<std::int64_t>(y0, 0);
    x1 = std::min(x1, p_.width);
    y1 = std::min(y1, p_.height);
    const auto ch = static_cast<std::size_t>(p_.channels);
    for (std::int64_t y = y0; y < y1; ++y) {
      std::uint8_t* px = p_.data.data() + (static_cast<std::size_t>(y * p_.width + x0)) * ch;
      for (std::int64_t x = x0; x < x1; ++x, px += ch) {
        px[0] = c.r;
        px[1] = c.g;
        px[2] = c.b;
        if (ch == 4) px[3] = 255;
      }
    }
  }

 private:
  Pixels p_;
};

class BoxesPayload final : public Payload {
 public:
  BoxesPayload(Pixels image, std::vector<BoundingBox> boxes, std::vector<std::string> labels)
      : canvas_(std::move(image)), boxes_(std::move(boxes)), labels_(std::move(labels)) {}
  bool encodes_slowly() const override { return true; }

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    const std::int64_t side = std::min(canvas_.height(), canvas_.width());
    const std::int64_t line = std::max<std::int64_t>(1, side / 200);
    const std::int64_t scale = std::max<std::int64_t>(1, side / 160);
    for (std::size_t i = 0; i < boxes_.size(); ++i) {
      const BoundingBox& b = boxes_[i];
      const Rgb color = kBoxColors[i % (sizeof kBoxColors / sizeof kBoxColors[0])];
      const auto x0 = static_cast<std::int64_t>(std::floor(clamp_coord(b.x_min, canvas_.width())));
      const auto y0 = static_cast<std::int64_t>(std::floor(clamp_coord(b.y_min, canvas_.height())));
      const auto x1 = static_cast<std::int64_t>(std::ceil(clamp_coord(b.x_max, canvas_.width())));
      const auto y1 = static_cast<std::int64_t>(std::ceil(clamp_coord(b.y_max, canvas_.height())));
      canvas_.fill(x0, y0, x1 + line, y0 + line, color);  // top
      canvas_.fill(x0, y1, x1 + line, y1 + line, color);  // bottom
      canvas_.fill(x0, y0, x0 + line, y1 + line, color);  // left
      canvas_.fill(x1, y0, x1 + line, y1 + line, color);  // right
      if (i < labels_.size() && !labels_[i].empty()) draw_label(labels_[i], x0, y0, scale, color);
    }
    const Pixels& p = canvas_.pixels();
    std::string png = encode_png(p.data.data(), static_cast<int>(p.height),
                                 static_cast<int>(p.width), static_cast<int>(p.channels),
                                 ctx.png_compression_level);
    append_image_value(ctx, p.height, p.width, static_cast<int>(p.channels), std::move(png), out);
  }

  std::size_t memory_bytes() const override {
    return sizeof(*this) + heap_bytes(canvas_.pixels().data) + heap_bytes(boxes_) +
           labels_.size() * 32;
  }
 private:
  // Keeps coordinates of far-away boxes within a range where the integer maths is safe.
  static double clamp_coord(double v, std::int64_t size) {
    return std::clamp(v, -1.0, static_cast<double>(size) + 1.0);
  }

  void draw_label(const std::string& label, std::int64_t x, std::int64_t y, std::int64_t scale,
                  Rgb color) {
    const std::int64_t pad = scale;
    const std::int64_t tab_h = kGlyphHeight * scale + 2 * pad;
    const std::int64_t tab_w = static_cast<std::int64_t>(label.size()) * (kGlyphWidth + 1) * scale + pad;
    const std::int64_t top = y - tab_h >= 0 ? y - tab_h : std::max<std::int64_t>(y, 0);
    const std::int64_t left = std::max<std::int64_t>(x, 0);
    canvas_.fill(left, top, left + tab_w, top + tab_h, color);
    // Dark text on light colours, light text on dark ones.
    const int luma = (299 * color.r + 587 * color.g + 114 * color.b) / 1000;
    const Rgb ink = luma > 140 ? Rgb{0, 0, 0} : Rgb{255, 255, 255};
    std::int64_t pen = left + pad;
    for (char ch : label) {
      const std::uint16_t g = glyph_of(ch);
      for (int row = 0; row < kGlyphHeight; ++row) {
        for (int col = 0; col < kGlyphWidth; ++col) {
          const int bit = (kGlyphHeight - 1 - row) * kGlyphWidth + (kGlyphWidth - 1 - col);
          if ((g >> bit) & 1) {
            const std::int64_t px = pen + col * scale, py = top + pad + row * scale;
            canvas_.fill(px, py, px + scale, py + scale, ink);
          }
        }
      }
      pen += (kGlyphWidth + 1) * scale;
      if (pen >= canvas_.width()) break;
    }
  }

  Canvas canvas_;
  std::vector<BoundingBox> boxes_;
  std::vector<std::string> labels_;
};

}  // namespace

std::unique_ptr<Payload> make_image_with_boxes_payload(const ImageView& image,
                                                       const std::vector<BoundingBox>& boxes,
                                                       const std::vector<std::string>& labels) {
  if (!labels.empty() && labels.size() != boxes.size()) {
    throw Error("add_image_with_boxes: labels has " + std::to_string(labels.size()) +
                " entries but boxes has " + std::to_string(boxes.size()) +
                "; give one label per box, or none");
  }
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const BoundingBox& b = boxes[i];
    const std::string what = "add_image_with_boxes: boxes[" + std::to_string(i) + "]";
    if (!std::isfinite(b.x_min) || !std::isfinite(b.y_min) || !std::isfinite(b.x_max) ||
        !std::isfinite(b.y_max)) {
      throw Error(what + " has a coordinate that is not finite");
    }
    if (b.x_min > b.x_max || b.y_min > b.y_max) {
      throw Error(what + " has x_min > x_max or y_min > y_max; corners are (x_min, y_min) and (x_max, y_max)");
    }
  }
  Pixels pixels = image_pixels(image, "add_image_with_boxes: image");
  return std::make_unique<BoxesPayload>(std::move(pixels), boxes, labels);
}

}  // namespace tblog::detail
