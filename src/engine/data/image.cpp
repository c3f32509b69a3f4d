#include "engine/core/bytes.h"
#include "engine/data/image.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>

#include <distillery_stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include "engine/core/error.h"
#include "engine/data/stb_guards.h"

namespace distillery {
namespace {

std::string failure_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? std::string(" (") + reason + ")" : "";
}


// The format from the file's signature, and the dimensions where the header
// holds them at a fixed place. stb_image itself refuses very large images
// with a vague reason, so the limit check comes from here first.
struct Signature {
  const char* format = nullptr;  // nullptr: not an image format we read
  int64_t width = 0, height = 0;  // 0: not known without parsing
};

Signature read_signature(const std::vector<uint8_t>& b) {
  Signature s;
  const size_t n = b.size();
  if (n >= 24 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
    s = {"PNG", be32(&b[16]), be32(&b[20])};
  } else if (n >= 2 && b[0] == 0xFF && b[1] == 0xD8) {
    s.format = "JPEG";
  } else if (n >= 10 && std::memcmp(b.data(), "GIF8", 4) == 0) {
    s = {"GIF", le16(&b[6]), le16(&b[8])};
  } else if (n >= 2 && b[0] == 'B' && b[1] == 'M') {
    s.format = "BMP";
    if (n >= 26 && le16(&b[14]) >= 40) {  // BITMAPINFOHEADER or later: int32 width, height (negative = top-down)
      const int32_t w = int32_t(le32(&b[18])), h = int32_t(le32(&b[22]));
      s.width = w < 0 ? -int64_t(w) : w;
      s.height = h < 0 ? -int64_t(h) : h;
    }
  }
  return s;
}

void check_dimensions(int64_t width, int64_t height, const std::string& name, const DataLimits& limits) {
  require(width <= limits.max_image_side && height <= limits.max_image_side &&
              width * height <= limits.max_image_pixels,
          name + ": image of " + std::to_string(width) + "x" + std::to_string(height) +
              " pixels is over the limit (" + std::to_string(limits.max_image_side) + " per side, " +
              std::to_string(limits.max_image_pixels) + " pixels)");
}

}  // namespace

bool has_image_extension(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return false;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp" || ext == "gif";
}

ImageInfo read_image_info(const std::vector<uint8_t>& bytes, const std::string& name, const DataLimits& limits) {
  require(!bytes.empty(), name + ": the image file is empty");
  require(bytes.size() < INT_MAX, name + ": the image file is over 2 GB");
  const Signature signature = read_signature(bytes);
  require(signature.format != nullptr, name + ": not a supported image (PNG, JPEG, BMP or GIF)");
  check_dimensions(signature.width, signature.height, name, limits);
  const char* jpeg_problem = std::strcmp(signature.format, "JPEG") == 0 ? jpeg_huffman_problem(bytes) : nullptr;
  require(jpeg_problem == nullptr, name + ": corrupt JPEG (" + (jpeg_problem ? jpeg_problem : "") + ")");
  const char* png_problem = std::strcmp(signature.format, "PNG") == 0 ? png_chunk_problem(bytes) : nullptr;
  require(png_problem == nullptr,
          name + ": cannot decode the image (corrupt PNG: " + (png_problem ? png_problem : "") + ")");
  ImageInfo info;
  // stb_image's reason names whichever format it tried last, so it is left out here.
  require(stbi_info_from_memory(bytes.data(), int(bytes.size()), &info.width, &info.height, &info.channels) == 1,
          name + ": corrupt or unsupported " + signature.format + " header");
  require(info.width > 0 && info.height > 0, name + ": the image has no pixels");
  check_dimensions(info.width, info.height, name, limits);
  return info;
}

Image decode_image(const std::vector<uint8_t>& bytes, int target_height, int target_width, int target_channels,
                   const std::string& name, const DataLimits& limits) {
  // The target often comes from a model file, so it is checked like input.
  require(target_channels == 0 || target_channels == 1 || target_channels == 3,
          name + ": images can be brought to 1 (gray) or 3 (RGB) channels, not " + std::to_string(target_channels));
  require(target_height >= 0 && target_width >= 0 && int64_t(target_height) * target_width <= limits.max_image_pixels,
          name + ": cannot resize to " + std::to_string(target_height) + "x" + std::to_string(target_width));
  const ImageInfo info = read_image_info(bytes, name, limits);
  const int channels = target_channels ? target_channels : (info.channels <= 2 ? 1 : 3);
  int width = 0, height = 0, stored_channels = 0;
  // stb_image converts to the requested channel count while decoding.
  std::unique_ptr<stbi_uc, void (*)(void*)> decoded(
      stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &stored_channels, channels),
      stbi_image_free);
  require(decoded != nullptr, name + ": cannot decode the image" + failure_reason());

  Image image;
  image.height = target_height ? target_height : height;
  image.width = target_width ? target_width : width;
  image.channels = channels;
  image.pixels.resize(size_t(image.height) * image.width * channels);
  if (image.height == height && image.width == width)
    std::memcpy(image.pixels.data(), decoded.get(), image.pixels.size());
  else
    resize_pixels(decoded.get(), height, width, image.pixels.data(), image.height, image.width, channels);
  return image;
}

void convert_channels(const uint8_t* in, int pixel_count, int in_channels, uint8_t* out, int out_channels) {
  assert((in_channels == 1 || in_channels == 3) && (out_channels == 1 || out_channels == 3));
  if (in_channels == out_channels) {
    std::memcpy(out, in, size_t(pixel_count) * in_channels);
  } else if (in_channels == 1) {
    for (int i = 0; i < pixel_count; ++i) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = in[i];
  } else {
    for (int i = 0; i < pixel_count; ++i)
      out[i] = uint8_t((in[3 * i] * 77 + in[3 * i + 1] * 150 + in[3 * i + 2] * 29) >> 8);
  }
}

void resize_pixels(const uint8_t* in, int in_height, int in_width, uint8_t* out, int out_height, int out_width,
                   int channels) {
  assert(in_height > 0 && in_width > 0 && out_height > 0 && out_width > 0);
  if (in_height == out_height && in_width == out_width) {
    std::memcpy(out, in, size_t(in_height) * in_width * channels);
    return;
  }
  const int ok = stbir_resize_uint8(in, in_width, in_height, 0, out, out_width, out_height, 0, channels);
  if (!ok) throw Error("out of memory while resizing an image");
}

}  // namespace distillery
