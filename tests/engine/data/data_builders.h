#pragma once
// In-memory builders for dataset test inputs (engine tests touch no disk):
// PNG/BMP encoding, raw deflate, gzip, ZIP archives and IDX files.
#include <cstdint>
#include <string>
#include <vector>

namespace distillery::test {

using Bytes = std::vector<uint8_t>;

Bytes to_bytes(const std::string& text);

// Images (pixels HWC, channels 1..4).
Bytes encode_png(int width, int height, int channels, const Bytes& pixels);
Bytes encode_bmp(int width, int height, int channels, const Bytes& pixels);
// A PNG of one colour: gray when rgb has one value, else RGB.
Bytes solid_png(int width, int height, const std::vector<uint8_t>& colour);

// Raw deflate (no zlib header or trailer), as in gzip members and ZIP entries.
Bytes raw_deflate(const Bytes& data);

struct GzipFields {
  std::string name;     // FNAME when non-empty
  std::string comment;  // FCOMMENT when non-empty
  Bytes extra;          // FEXTRA when non-empty
  bool header_crc = false;
};
Bytes gzip(const Bytes& data, const GzipFields& fields = {});

// A ZIP archive built entry by entry.
class ZipBuilder {
 public:
  // method 0 stores the bytes, 8 deflates them; any other method is written
  // as-is (stored payload) to test rejection. flags go into both headers.
  ZipBuilder& add(const std::string& path, const Bytes& data, bool deflate = false, uint16_t flags = 0);
  ZipBuilder& add_with_method(const std::string& path, const Bytes& data, uint16_t method);
  ZipBuilder& add_directory(const std::string& path);
  Bytes build() const;

 private:
  struct Entry {
    std::string path;
    Bytes payload;
    uint32_t crc;
    uint32_t size;
    uint16_t method;
    uint16_t flags;
  };
  std::vector<Entry> entries_;
};

// IDX files: images uint8 [n, h, w] and labels uint8 [n].
Bytes idx_images(int count, int height, int width, const Bytes& pixels);
Bytes idx_labels(const Bytes& labels);

}  // namespace distillery::test
