#include "app/widgets/texture.h"

#include <algorithm>

namespace distillery::ui {

Texture::Texture(PlatformServices& platform, const uint8_t* pixels, int width, int height, int channels)
    : platform_(&platform), width_(width), height_(height) {
  std::vector<uint8_t> rgba(static_cast<size_t>(width) * height * 4);
  for (int i = 0; i < width * height; ++i) {
    const uint8_t* p = pixels + static_cast<size_t>(i) * channels;
    uint8_t* q = rgba.data() + static_cast<size_t>(i) * 4;
    q[0] = p[0];
    q[1] = channels >= 3 ? p[1] : p[0];
    q[2] = channels >= 3 ? p[2] : p[0];
    q[3] = channels == 4 ? p[3] : 255;
  }
  id_ = platform.create_texture(rgba.data(), width, height);
}

Texture& Texture::operator=(Texture&& other) noexcept {
  if (this != &other) {
    reset();
    platform_ = other.platform_;
    id_ = other.id_;
    width_ = other.width_;
    height_ = other.height_;
    other.id_ = nullptr;
  }
  return *this;
}

void Texture::reset() {
  if (id_ && platform_) platform_->destroy_texture(id_);
  id_ = nullptr;
}

ImageGridBuilder::ImageGridBuilder(int count, int columns, int cell_width, int cell_height)
    : count_(std::max(1, count)), columns_(std::max(1, std::min(columns, std::max(1, count)))),
      rows_((count_ + columns_ - 1) / columns_), cell_w_(cell_width), cell_h_(cell_height),
      rgba_(static_cast<size_t>(columns_ * cell_w_) * rows_ * cell_h_ * 4, 0) {}

uint8_t* ImageGridBuilder::cell_rgba(int i, int x, int y) {
  const int gx = (i % columns_) * cell_w_ + x;
  const int gy = (i / columns_) * cell_h_ + y;
  return rgba_.data() + (static_cast<size_t>(gy) * columns_ * cell_w_ + gx) * 4;
}

void ImageGridBuilder::put(int i, const uint8_t* pixels, int width, int height, int channels) {
  for (int y = 0; y < cell_h_; ++y) {
    for (int x = 0; x < cell_w_; ++x) {
      // Nearest neighbour: thumbnails stay sharp, and cells are small.
      const int sx = std::min(width - 1, x * width / cell_w_);
      const int sy = std::min(height - 1, y * height / cell_h_);
      const uint8_t* p = pixels + (static_cast<size_t>(sy) * width + sx) * channels;
      uint8_t* q = cell_rgba(i, x, y);
      q[0] = p[0];
      q[1] = channels >= 3 ? p[1] : p[0];
      q[2] = channels >= 3 ? p[2] : p[0];
      q[3] = 255;
    }
  }
}

Texture ImageGridBuilder::upload(PlatformServices& platform) const {
  return Texture(platform, rgba_.data(), columns_ * cell_w_, rows_ * cell_h_, 4);
}

void grid_image(const Texture& texture, int i, int columns, int rows, ImVec2 size) {
  if (!texture.valid()) {
    ImGui::Dummy(size);
    return;
  }
  const float u0 = static_cast<float>(i % columns) / columns, v0 = static_cast<float>(i / columns) / rows;
  ImGui::Image(texture.id(), size, ImVec2(u0, v0), ImVec2(u0 + 1.0f / columns, v0 + 1.0f / rows));
}

}  // namespace distillery::ui
