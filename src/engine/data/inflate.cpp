#include "engine/data/inflate.h"

#include <climits>
#include <cstring>

#include <distillery_stb/stb_image.h>

#include "engine/core/error.h"

namespace distillery {

int64_t max_inflated_size(size_t compressed_size) { return int64_t(compressed_size) * 1032 + 64; }

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t expected_size, const std::string& what) {
  require(size < INT_MAX && expected_size < INT_MAX, what + ": compressed data over 2 GB is not supported");
  require(int64_t(expected_size) <= max_inflated_size(size),
          what + ": corrupt or truncated (" + std::to_string(size) + " compressed bytes cannot inflate to the recorded " +
              std::to_string(expected_size) + " bytes)");
  // stb_image 2.27 reports "unexpected end" when the last Huffman code sits in
  // the final 16 bits of the input, which happens for valid streams that end
  // the buffer. A few zero bytes of padding let it read past the end; a truly
  // truncated stream still fails (zeros decode to an invalid stored block) or
  // gives the wrong size below.
  std::vector<uint8_t> padded(size + 8, 0);
  if (size) std::memcpy(padded.data(), data, size);
  std::vector<uint8_t> out(expected_size ? expected_size : 1);
  int produced = stbi_zlib_decode_noheader_buffer(reinterpret_cast<char*>(out.data()), static_cast<int>(out.size()),
                                                  reinterpret_cast<const char*>(padded.data()),
                                                  static_cast<int>(padded.size()));
  if (produced < 0) {
    const char* reason = stbi_failure_reason();
    if (reason && std::strcmp(reason, "output buffer limit") == 0)
      throw Error(what + ": data inflates to more than the recorded " + std::to_string(expected_size) + " bytes");
    throw Error(what + ": corrupt or truncated compressed data" + (reason ? std::string(" (") + reason + ")" : ""));
  }
  require(static_cast<size_t>(produced) == expected_size,
          what + ": data inflates to " + std::to_string(produced) + " bytes but " + std::to_string(expected_size) +
              " were recorded (corrupt or truncated)");
  out.resize(expected_size);
  return out;
}

}  // namespace distillery
