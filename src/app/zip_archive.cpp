#include "app/zip_archive.h"

#include <limits>
#include <set>

#include "engine/core/bytes.h"
#include "engine/core/error.h"
#include "engine/data/crc32.h"

namespace distillery {

namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50, kCentralHeaderSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint16_t kVersion = 20;        // 2.0: what stored entries need
constexpr uint16_t kFlagUtf8 = 1 << 11;  // names are UTF-8
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;

void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}


// Version, flags, method, time, date, CRC and sizes: shared by both headers.
void put_entry_fields(std::vector<uint8_t>& out, uint32_t crc, uint32_t size, uint16_t name_length) {
  put16(out, kVersion);
  put16(out, kFlagUtf8);
  put16(out, 0);  // stored
  put16(out, 0);  // 00:00:00
  put16(out, kDosDate1980);
  put32(out, crc);
  put32(out, size);  // compressed
  put32(out, size);  // uncompressed
  put16(out, name_length);
  put16(out, 0);  // extra field length
}

}  // namespace

std::vector<uint8_t> zip_store(const std::vector<FileEntry>& files) {
  constexpr uint64_t kLimit = std::numeric_limits<uint32_t>::max();
  require(files.size() < 0xFFFF, "too many files for one ZIP archive");
  std::vector<uint8_t> out, central;
  std::set<std::string> names;
  for (const FileEntry& f : files) {
    require(!f.path.empty() && f.path.size() < 0xFFFF, "a file in the ZIP archive needs a name");
    require(names.insert(f.path).second, "the ZIP archive would hold '" + f.path + "' twice");
    require(out.size() + f.bytes.size() + f.path.size() + 30 < kLimit, "the ZIP archive would exceed 4 GiB");
    const uint32_t crc = crc32(f.bytes.data(), f.bytes.size());
    const uint32_t size = static_cast<uint32_t>(f.bytes.size());
    const uint32_t offset = static_cast<uint32_t>(out.size());
    const uint16_t name_length = static_cast<uint16_t>(f.path.size());

    put32(out, kLocalHeaderSig);
    put_entry_fields(out, crc, size, name_length);
    out.insert(out.end(), f.path.begin(), f.path.end());
    out.insert(out.end(), f.bytes.begin(), f.bytes.end());

    put32(central, kCentralHeaderSig);
    put16(central, kVersion);  // made by
    put_entry_fields(central, crc, size, name_length);
    put16(central, 0);  // comment length
    put16(central, 0);  // disk number
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central.insert(central.end(), f.path.begin(), f.path.end());
  }
  require(out.size() + central.size() < kLimit, "the ZIP archive would exceed 4 GiB");
  const uint32_t central_offset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, kEndSig);
  put16(out, 0);  // this disk
  put16(out, 0);  // disk with the central directory
  put16(out, static_cast<uint32_t>(files.size()));
  put16(out, static_cast<uint32_t>(files.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, central_offset);
  put16(out, 0);  // comment length
  return out;
}

std::vector<std::string> zip_entry_names(const std::vector<uint8_t>& bytes) {
  constexpr size_t kEndSize = 22, kCentralSize = 46;
  if (bytes.size() < kEndSize) return {};
  const size_t lowest = bytes.size() > kEndSize + 0xFFFF ? bytes.size() - kEndSize - 0xFFFF : 0;
  size_t end = bytes.size() - kEndSize + 1;
  bool found = false;
  while (!found && end-- > lowest) found = le32(&bytes[end]) == kEndSig;
  if (!found) return {};
  const uint8_t* e = &bytes[end];
  const size_t count = le16(e + 10), size = le32(e + 12), offset = le32(e + 16);
  if (offset > bytes.size() || size > bytes.size() - offset) return {};  // ZIP64 or corrupt
  std::vector<std::string> names;
  size_t at = offset;
  for (size_t i = 0; i < count; ++i) {
    if (at + kCentralSize > offset + size || le32(&bytes[at]) != kCentralHeaderSig) return {};
    const size_t name_length = le16(&bytes[at + 28]);
    const size_t record = kCentralSize + name_length + le16(&bytes[at + 30]) + le16(&bytes[at + 32]);
    if (at + record > offset + size) return {};
    names.emplace_back(reinterpret_cast<const char*>(&bytes[at + kCentralSize]), name_length);
    at += record;
  }
  return names;
}

}  // namespace distillery
