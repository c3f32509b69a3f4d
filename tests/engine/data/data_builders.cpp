#include "engine/data/data_builders.h"

#include <cstdlib>

#include "engine/data/crc32.h"

// The only stb_image_write implementation: tests encode images, the engine never does.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC  // private to this file, so another test may define its own
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace distillery::test {
namespace {

void append_to(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  auto* p = static_cast<uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

void put16(Bytes& out, uint32_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}
void put32(Bytes& out, uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}
void put32_be(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

}  // namespace

Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes encode_png(int width, int height, int channels, const Bytes& pixels) {
  Bytes out;
  stbi_write_png_to_func(append_to, &out, width, height, channels, pixels.data(), width * channels);
  return out;
}

Bytes encode_bmp(int width, int height, int channels, const Bytes& pixels) {
  Bytes out;
  stbi_write_bmp_to_func(append_to, &out, width, height, channels, pixels.data());
  return out;
}

Bytes solid_png(int width, int height, const std::vector<uint8_t>& colour) {
  const int channels = int(colour.size());
  Bytes pixels;
  for (int i = 0; i < width * height; ++i) pixels.insert(pixels.end(), colour.begin(), colour.end());
  return encode_png(width, height, channels, pixels);
}

Bytes raw_deflate(const Bytes& data) {
  // stb_image_write emits no deflate block at all for empty input (not a
  // valid stream); this is the standard one: a final fixed block with only
  // the end-of-block code.
  if (data.empty()) return {0x03, 0x00};
  int length = 0;
  unsigned char* zlib = stbi_zlib_compress(const_cast<unsigned char*>(data.data()), int(data.size()), &length, 8);
  // Drop the 2-byte zlib header and the 4-byte Adler-32 trailer.
  Bytes out(zlib + 2, zlib + length - 4);
  STBIW_FREE(zlib);
  return out;
}

Bytes gzip(const Bytes& data, const GzipFields& fields) {
  uint8_t flags = 0;
  if (fields.header_crc) flags |= 0x02;
  if (!fields.extra.empty()) flags |= 0x04;
  if (!fields.name.empty()) flags |= 0x08;
  if (!fields.comment.empty()) flags |= 0x10;
  Bytes out = {0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3};
  if (!fields.extra.empty()) {
    put16(out, uint32_t(fields.extra.size()));
    out.insert(out.end(), fields.extra.begin(), fields.extra.end());
  }
  for (const std::string* text : {&fields.name, &fields.comment}) {
    if (text->empty()) continue;
    out.insert(out.end(), text->begin(), text->end());
    out.push_back(0);
  }
  if (fields.header_crc) put16(out, crc32(out.data(), out.size()) & 0xFFFF);
  const Bytes deflated = raw_deflate(data);
  out.insert(out.end(), deflated.begin(), deflated.end());
  put32(out, crc32(data.data(), data.size()));
  put32(out, uint32_t(data.size()));
  return out;
}

ZipBuilder& ZipBuilder::add(const std::string& path, const Bytes& data, bool deflate, uint16_t flags) {
  entries_.push_back({path, deflate ? raw_deflate(data) : data, crc32(data.data(), data.size()), uint32_t(data.size()),
                      uint16_t(deflate ? 8 : 0), flags});
  return *this;
}

ZipBuilder& ZipBuilder::add_with_method(const std::string& path, const Bytes& data, uint16_t method) {
  entries_.push_back({path, data, crc32(data.data(), data.size()), uint32_t(data.size()), method, 0});
  return *this;
}

ZipBuilder& ZipBuilder::add_directory(const std::string& path) { return add(path, {}); }

Bytes ZipBuilder::build() const {
  Bytes out, central;
  for (const Entry& e : entries_) {
    const uint32_t offset = uint32_t(out.size());
    // Local file header.
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, e.flags);
    put16(out, e.method);
    put32(out, 0);  // time and date
    put32(out, e.crc);
    put32(out, uint32_t(e.payload.size()));
    put32(out, e.size);
    put16(out, uint32_t(e.path.size()));
    put16(out, 0);
    out.insert(out.end(), e.path.begin(), e.path.end());
    out.insert(out.end(), e.payload.begin(), e.payload.end());
    // Central directory header.
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, e.flags);
    put16(central, e.method);
    put32(central, 0);
    put32(central, e.crc);
    put32(central, uint32_t(e.payload.size()));
    put32(central, e.size);
    put16(central, uint32_t(e.path.size()));
    put32(central, 0);  // extra and comment lengths
    put32(central, 0);  // disk number and internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central.insert(central.end(), e.path.begin(), e.path.end());
  }
  const uint32_t central_offset = uint32_t(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, 0x06054b50);
  put32(out, 0);  // disk numbers
  put16(out, uint32_t(entries_.size()));
  put16(out, uint32_t(entries_.size()));
  put32(out, uint32_t(central.size()));
  put32(out, central_offset);
  put16(out, 0);
  return out;
}

Bytes idx_images(int count, int height, int width, const Bytes& pixels) {
  Bytes out;
  put32_be(out, 0x00000803);
  put32_be(out, uint32_t(count));
  put32_be(out, uint32_t(height));
  put32_be(out, uint32_t(width));
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

Bytes idx_labels(const Bytes& labels) {
  Bytes out;
  put32_be(out, 0x00000801);
  put32_be(out, uint32_t(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

}  // namespace distillery::test
