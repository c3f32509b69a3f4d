// The dataset codec of saved sessions (see dataset_bytes.h).
#include "app/dataset_bytes.h"

#include <cstring>

#include "engine/core/error.h"
#include "engine/data/data_limits.h"

namespace distillery {

namespace {

constexpr char kDatasetMagic[8] = {'D', 'S', 'T', 'L', 'D', 'A', 'T', 'A'};
constexpr uint32_t kDatasetVersion = 1;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Reads little-endian fields, refusing to read past the end.
class ByteReader {
 public:
  explicit ByteReader(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  uint32_t u32(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(bytes_[pos_ + i]) << (8 * i);
    pos_ += 4;
    return v;
  }
  const uint8_t* take(uint64_t n, const char* what) {
    need(n, what);
    const uint8_t* p = bytes_.data() + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint64_t left() const { return bytes_.size() - pos_; }

 private:
  void need(uint64_t n, const char* what) {
    require(n <= left(), std::string("saved dataset: cut short in the ") + what);
  }
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<uint8_t> encode_dataset_bytes(const Dataset& d) {
  std::vector<uint8_t> out(kDatasetMagic, kDatasetMagic + 8);
  put_u32(out, kDatasetVersion);
  for (int v : {d.height, d.width, d.channels, d.size(), d.num_classes()}) put_u32(out, static_cast<uint32_t>(v));
  for (const std::string& name : d.class_names) {
    put_u32(out, static_cast<uint32_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
  }
  out.reserve(out.size() + d.labels.size() * 4 + d.pixels.size());
  for (int label : d.labels) put_u32(out, static_cast<uint32_t>(label));
  out.insert(out.end(), d.pixels.begin(), d.pixels.end());
  return out;
}

Dataset decode_dataset_bytes(const std::vector<uint8_t>& bytes) {
  ByteReader in(bytes);
  require(std::memcmp(in.take(8, "header"), kDatasetMagic, 8) == 0, "saved dataset: not a saved Distillery dataset");
  require(in.u32("header") == kDatasetVersion, "saved dataset: unknown version");
  const DataLimits limits;
  Dataset d;
  const uint32_t height = in.u32("shape"), width = in.u32("shape"), channels = in.u32("shape");
  const uint32_t count = in.u32("shape"), classes = in.u32("shape");
  require(height >= 1 && width >= 1 && height <= uint32_t(limits.max_image_side) &&
              width <= uint32_t(limits.max_image_side) && (channels == 1 || channels == 3),
          "saved dataset: impossible image shape");
  require(classes >= 1 && classes <= count, "saved dataset: impossible class count");
  // Counts against the bytes present, before allocating anything they size.
  const uint64_t pixels = uint64_t(count) * height * width * channels;
  require(pixels <= uint64_t(limits.max_dataset_bytes), "saved dataset: over the dataset size limit");
  require(uint64_t(classes) * 4 + uint64_t(count) * 4 + pixels <= in.left(), "saved dataset: cut short");
  d.height = static_cast<int>(height);
  d.width = static_cast<int>(width);
  d.channels = static_cast<int>(channels);
  for (uint32_t k = 0; k < classes; ++k) {
    const uint32_t length = in.u32("class names");
    const uint8_t* name = in.take(length, "class names");
    d.class_names.emplace_back(reinterpret_cast<const char*>(name), length);
  }
  d.labels.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t label = in.u32("labels");
    require(label < classes, "saved dataset: a label beyond the classes");
    d.labels[i] = static_cast<int>(label);
  }
  const uint8_t* p = in.take(pixels, "pixels");
  d.pixels.assign(p, p + pixels);
  require(in.left() == 0, "saved dataset: bytes after the pixels");
  return d;
}

bool dataset_fits_snapshot(const Dataset& data) {
  return static_cast<int64_t>(data.pixels.size()) + 4 * static_cast<int64_t>(data.labels.size()) <=
         kMaxSavedDatasetBytes;
}

}  // namespace distillery
