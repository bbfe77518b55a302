// Writes a logdir holding every kind of data tblog supports, as a small fake training run.
//   tblog_demo [LOGDIR]   (default: runs/demo)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "tblog/tblog.hpp"

int main(int argc, char** argv) {
  const std::string logdir = argc > 1 ? argv[1] : "runs/demo";
  try {
    tblog::SummaryWriter writer(logdir);
    std::mt19937 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);

    writer.add_text("about", "A **tblog** demo run: scalars, histograms, images and text.", 0);
    for (int step = 0; step < 200; ++step) {
      const double loss = 2.0 * std::exp(-step / 50.0) + 0.05 * normal(rng);
      writer.add_scalar("train/loss", loss, step);
      writer.add_scalar("train/accuracy", 1.0 - 0.9 * std::exp(-step / 40.0), step);
      writer.add_scalars("lr_schedule", {{"warmup", std::min(1.0, step / 20.0)},
                                         {"cosine", 0.5 * (1 + std::cos(M_PI * step / 200))}},
                         step);
      if (step % 20 == 0) {
        // Weights drifting and spreading as training goes on.
        std::vector<float> weights(5000);
        for (auto& w : weights) w = normal(rng) * (1.0f + step / 100.0f) + step / 100.0f;
        writer.add_histogram("weights/layer1", weights, step);

        // A 64x64 RGB gradient whose hue moves with the step (HWC, uint8).
        std::vector<std::uint8_t> rgb(64 * 64 * 3);
        for (int y = 0; y < 64; ++y) {
          for (int x = 0; x < 64; ++x) {
            rgb[(y * 64 + x) * 3 + 0] = static_cast<std::uint8_t>(x * 4);
            rgb[(y * 64 + x) * 3 + 1] = static_cast<std::uint8_t>(y * 4);
            rgb[(y * 64 + x) * 3 + 2] = static_cast<std::uint8_t>(step);
          }
        }
        writer.add_image("inputs/gradient", tblog::ImageView(rgb, tblog::ImageLayout::HWC, 64, 64, 3),
                         step);
      }
    }
    // A batch of 6 gray 28x28 float images, NCHW, shown as one grid.
    std::vector<float> batch(6 * 28 * 28);
    for (int n = 0; n < 6; ++n) {
      for (int i = 0; i < 28 * 28; ++i) {
        const int y = i / 28, x = i % 28;
        batch[n * 28 * 28 + i] = ((x / (n + 2) + y / (n + 2)) % 2) ? 1.0f : 0.0f;
      }
    }
    writer.add_images("inputs/batch",
                      tblog::ImageBatchView(batch, tblog::BatchLayout::NCHW, 6, 28, 28, 1), 0);
    // A histogram from buckets counted elsewhere.
    tblog::HistogramBuckets buckets;
    buckets.bucket_limits = {-1, 0, 1, 2};
    buckets.bucket_counts = {3, 10, 7, 1};
    buckets.min = -1.5;
    buckets.max = 1.8;
    buckets.num = 21;
    buckets.sum = 5;
    buckets.sum_squares = 17;
    writer.add_histogram_raw("activations/raw", buckets, 0);

    // The other dashboards: hparams, PR curves, audio, custom scalars, projector, video,
    // mesh, boxes, and a histogram in tensor form.
    writer.add_hparams({{"lr", 0.01}, {"batch_size", 32}, {"optimizer", "adam"}},
                       {{"hparam/accuracy", 0.91}});
    {
      std::vector<std::uint8_t> labels(2000);
      std::vector<float> predictions(2000);
      std::uniform_real_distribution<float> unit(0.0f, 1.0f);
      for (std::size_t i = 0; i < labels.size(); ++i) {
        labels[i] = i % 2;
        predictions[i] = std::clamp(0.3f * unit(rng) + (labels[i] ? 0.45f : 0.25f), 0.0f, 1.0f);
      }
      writer.add_pr_curve("eval/pr", labels, predictions, 0);
    }
    {
      std::vector<float> tone(8000);
      for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = 0.4f * std::sin(i * 2 * 3.14159265f * 440 / 8000);
      writer.add_audio("audio/a440", tblog::AudioView(tone), 8000, 0, "440 Hz");
    }
    tblog::CustomScalarLayout layout;
    layout.categories.push_back({"Training",
                                 {{"loss and accuracy", {"train/loss", "train/accuracy"}, {}}},
                                 false});
    writer.add_custom_scalars(layout);
    {
      const std::size_t points = 200, dims = 16;
      std::vector<float> embedding(points * dims);
      std::vector<std::string> classes;
      for (std::size_t i = 0; i < points; ++i) {
        classes.push_back("class " + std::to_string(i % 4));
        for (std::size_t d = 0; d < dims; ++d) embedding[i * dims + d] = normal(rng) + (d == i % 4 ? 4.0f : 0.0f);
      }
      writer.add_embedding(tblog::MatrixView(embedding, points, dims), classes, {}, "features", 0);
    }
    {
      const int frames = 12, size = 32;
      std::vector<std::uint8_t> video(frames * size * size * 3);
      for (int t = 0; t < frames; ++t) {
        for (int y = 0; y < size; ++y) {
          for (int x = 0; x < size; ++x) {
            std::uint8_t* px = &video[((t * size + y) * size + x) * 3];
            px[0] = static_cast<std::uint8_t>(x * 8);
            px[1] = static_cast<std::uint8_t>(std::abs(x - (t * size) / frames) < 3 ? 255 : 0);
            px[2] = static_cast<std::uint8_t>(y * 8);
          }
        }
      }
      writer.add_video("video/sweep", tblog::VideoView(video, 1, frames, size, size, 3), 6, 0);
    }
    writer.add_mesh("mesh/tetrahedron", {1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1},
                    {0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2},
                    {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0}, "{}", 0);
    {
      std::vector<std::uint8_t> gray(64 * 96, 90);
      writer.add_image_with_boxes("detections", tblog::ImageView(gray, tblog::ImageLayout::HW, 64, 96),
                                  {{10, 20, 40, 55}, {50, 12, 90, 40}}, {"cat 0.9", "dog 0.7"}, 0);
    }
    {
      std::vector<float> weights(1000);
      for (float& w : weights) w = normal(rng);
      tblog::HistogramOptions tensor_form;
      tensor_form.tensor_form = true;
      writer.add_histogram("weights/tensor_form", weights.data(), weights.size(), 0, tensor_form);
    }
    writer.close();
    std::printf("wrote %s\n", logdir.c_str());
  } catch (const tblog::Error& e) {
    std::fprintf(stderr, "tblog_demo: %s\n", e.what());
    return 1;
  }
  return 0;
}
