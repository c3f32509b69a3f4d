// Fuzz target: image decoding through our wrapper (read_image_info, then
// decode_image with stb_image): PNG, JPEG, BMP, GIF. Byte 0 picks the target
// size and colour mode (0 = keep the image's own), the rest is the file.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/image.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const int target_side = (mode & 0x0F) == 0 ? 0 : (mode & 0x0F) * 3;
  const int target_channels = (mode >> 4) % 3 == 0 ? 0 : ((mode >> 4) % 3 == 1 ? 1 : 3);
  const std::vector<uint8_t> bytes(data + 1, data + size);
  try {
    const ImageInfo info = read_image_info(bytes, "fuzz-image", fuzz::fuzz_limits());
    const Image image = decode_image(bytes, target_side, target_side, target_channels, "fuzz-image", fuzz::fuzz_limits());
    if (image.pixels.size() != size_t(image.height) * image.width * image.channels) __builtin_trap();
    if (!target_side && (image.height != info.height || image.width != info.width)) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
