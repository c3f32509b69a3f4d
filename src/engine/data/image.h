#pragma once
// Image decoding (PNG, JPEG, BMP, GIF through stb_image) and the pixel
// operations datasets need: gray <-> RGB conversion and resizing.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/data_limits.h"

namespace distillery {

struct Image {
  int height = 0;
  int width = 0;
  int channels = 0;  // 1 = gray, 3 = RGB
  std::vector<uint8_t> pixels;  // HWC
};

// What the header says, without decoding the pixels.
struct ImageInfo {
  int height = 0;
  int width = 0;
  int channels = 0;  // as stored: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette images report 3 or 4)
};

// True for the file extensions decode_image handles (.png .jpg .jpeg .bmp .gif, any case).
bool has_image_extension(const std::string& path);

// Reads the header and checks the dimensions against the limits. Throws
// Error naming `name` when the bytes are no supported image or too large.
ImageInfo read_image_info(const std::vector<uint8_t>& bytes, const std::string& name = "image",
                          const DataLimits& limits = {});

// Decodes to target_channels (1 or 3; alpha is dropped) and resizes to
// target_height x target_width. A target of 0 keeps the image's own size, or
// for channels its own colour mode (gray stays gray, anything else is RGB).
Image decode_image(const std::vector<uint8_t>& bytes, int target_height = 0, int target_width = 0,
                   int target_channels = 0, const std::string& name = "image", const DataLimits& limits = {});

// Pixel operations on HWC uint8 buffers.
// gray -> RGB repeats the value; RGB -> gray uses stb_image's luma weights (77, 150, 29) / 256.
void convert_channels(const uint8_t* in, int pixel_count, int in_channels, uint8_t* out, int out_channels);
void resize_pixels(const uint8_t* in, int in_height, int in_width, uint8_t* out, int out_height, int out_width,
                   int channels);

}  // namespace distillery
