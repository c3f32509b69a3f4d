#pragma once
// Texture: a GPU image owned through PlatformServices (freed when dropped),
// made from uint8 gray or RGB pixels; and ImageGrid, many equal-sized images
// packed into one texture (dataset thumbnails, mask pictures).
#include <cstdint>
#include <vector>

#include "app/platform_services.h"

namespace distillery::ui {

class Texture {
 public:
  Texture() = default;
  // channels 1 (gray), 3 (RGB) or 4 (RGBA).
  Texture(PlatformServices& platform, const uint8_t* pixels, int width, int height, int channels);
  ~Texture() { reset(); }
  Texture(Texture&& other) noexcept { *this = std::move(other); }
  Texture& operator=(Texture&& other) noexcept;
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  void reset();
  bool valid() const { return id_ != nullptr; }
  ImTextureID id() const { return id_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  PlatformServices* platform_ = nullptr;
  ImTextureID id_ = nullptr;
  int width_ = 0, height_ = 0;
};

// Builds an RGBA grid of `count` images of cell_w x cell_h, `columns` wide.
class ImageGridBuilder {
 public:
  ImageGridBuilder(int count, int columns, int cell_width, int cell_height);
  // Copies one HWC image (channels 1 or 3) into cell i, resized to the cell.
  void put(int i, const uint8_t* pixels, int width, int height, int channels);
  // Writes RGBA for cell i directly (mask pictures and filters).
  uint8_t* cell_rgba(int i, int x, int y);
  Texture upload(PlatformServices& platform) const;
  int columns() const { return columns_; }
  int rows() const { return rows_; }
  int cell_width() const { return cell_w_; }
  int cell_height() const { return cell_h_; }

 private:
  int count_, columns_, rows_, cell_w_, cell_h_;
  std::vector<uint8_t> rgba_;
};

// Draws cell i of a grid texture at `size`.
void grid_image(const Texture& texture, int i, int columns, int rows, ImVec2 size);

}  // namespace distillery::ui
