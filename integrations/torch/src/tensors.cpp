// Tensors handed to tblog's image and histogram calls: copied to contiguous CPU memory in a
// pixel type tblog takes, then passed as views.
#include <ATen/ATen.h>

#include <sstream>

#include "tblog/error.hpp"
#include "tblog/torch.hpp"

namespace tblog::torch {
namespace {

std::string describe(std::string_view tag, const at::Tensor& t) {
  std::ostringstream out;
  out << "tensor for '" << tag << "'";
  if (!t.defined()) {
    out << " is undefined";
  } else {
    out << " (dtype " << t.scalar_type() << ", shape " << t.sizes() << ")";
  }
  return out.str();
}

// uint8 stays uint8; floating point becomes float32; anything else is an error.
at::Tensor pixels_on_cpu(std::string_view tag, const at::Tensor& t) {
  if (!t.defined()) throw Error(describe(tag, t));
  if (t.scalar_type() == at::kByte) return t.detach().to(at::kCPU).contiguous();
  if (at::isFloatingType(t.scalar_type())) {
    return t.detach().to(at::kCPU, at::kFloat).contiguous();
  }
  throw Error(describe(tag, t) + ": images need uint8 or floating-point pixels");
}

ImageBatchView batch_view(std::string_view tag, const at::Tensor& pixels, BatchLayout layout) {
  if (pixels.dim() == 3) layout = BatchLayout::NHW;
  if (pixels.dim() != 3 && pixels.dim() != 4) {
    throw Error(describe(tag, pixels) + ": an image batch must be 3-D (NHW) or 4-D (NCHW/NHWC)");
  }
  const auto size = [&](int i) { return pixels.size(i); };
  std::int64_t n = size(0), h = 0, w = 0, c = 1;
  switch (layout) {
    case BatchLayout::NHW: h = size(1); w = size(2); break;
    case BatchLayout::NCHW: c = size(1); h = size(2); w = size(3); break;
    case BatchLayout::NHWC: h = size(1); w = size(2); c = size(3); break;
  }
  const auto count = static_cast<std::size_t>(pixels.numel());
  if (pixels.scalar_type() == at::kByte) {
    return ImageBatchView(pixels.data_ptr<std::uint8_t>(), count, layout, n, h, w, c);
  }
  return ImageBatchView(pixels.data_ptr<float>(), count, layout, n, h, w, c);
}

}  // namespace

void write_image(ProgressWriter& writer, std::string_view tag, const at::Tensor& batch,
                 std::int64_t step, BatchLayout layout) {
  if (!writer.active()) return;  // other ranks write nothing: skip the copy too
  const at::Tensor pixels = pixels_on_cpu(tag, batch);
  writer.write_image(tag, batch_view(tag, pixels, layout), step);
}

void add_images(SummaryWriter& writer, std::string_view tag, const at::Tensor& batch,
                std::int64_t step, BatchLayout layout) {
  const at::Tensor pixels = pixels_on_cpu(tag, batch);
  writer.add_images(tag, batch_view(tag, pixels, layout), step);
}

void add_image(SummaryWriter& writer, std::string_view tag, const at::Tensor& image,
               std::int64_t step, ImageLayout layout) {
  const at::Tensor pixels = pixels_on_cpu(tag, image);
  if (pixels.dim() == 2) layout = ImageLayout::HW;
  if (pixels.dim() != 2 && pixels.dim() != 3) {
    throw Error(describe(tag, image) + ": an image must be 2-D (HW) or 3-D (CHW/HWC)");
  }
  std::int64_t h = 0, w = 0, c = 1;
  switch (layout) {
    case ImageLayout::HW: h = pixels.size(0); w = pixels.size(1); break;
    case ImageLayout::CHW: c = pixels.size(0); h = pixels.size(1); w = pixels.size(2); break;
    case ImageLayout::HWC: h = pixels.size(0); w = pixels.size(1); c = pixels.size(2); break;
  }
  const auto count = static_cast<std::size_t>(pixels.numel());
  if (pixels.scalar_type() == at::kByte) {
    writer.add_image(tag, ImageView(pixels.data_ptr<std::uint8_t>(), count, layout, h, w, c), step);
  } else {
    writer.add_image(tag, ImageView(pixels.data_ptr<float>(), count, layout, h, w, c), step);
  }
}

void add_histogram(SummaryWriter& writer, std::string_view tag, const at::Tensor& values,
                   std::int64_t step) {
  if (!values.defined()) throw Error(describe(tag, values));
  if (values.is_complex()) throw Error(describe(tag, values) + ": histograms need real values");
  if (values.scalar_type() == at::kFloat || values.scalar_type() == at::kHalf ||
      values.scalar_type() == at::kBFloat16) {
    const at::Tensor v = values.detach().to(at::kCPU, at::kFloat).contiguous();
    writer.add_histogram(tag, v.data_ptr<float>(), static_cast<std::size_t>(v.numel()), step);
  } else {
    // double, integers and bool: doubles hold them exactly enough
    const at::Tensor v = values.detach().to(at::kCPU, at::kDouble).contiguous();
    writer.add_histogram(tag, v.data_ptr<double>(), static_cast<std::size_t>(v.numel()), step);
  }
}

}  // namespace tblog::torch
