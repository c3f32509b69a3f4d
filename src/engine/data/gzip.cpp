#include "engine/core/bytes.h"
#include "engine/data/gzip.h"

#include "engine/core/error.h"
#include "engine/data/crc32.h"
#include "engine/data/inflate.h"

namespace distillery {
namespace {

constexpr uint8_t kFlagHeaderCrc = 0x02, kFlagExtra = 0x04, kFlagName = 0x08, kFlagComment = 0x10;
constexpr uint8_t kReservedFlags = 0xE0;
constexpr size_t kFixedHeader = 10, kTrailer = 8;


// Skips a zero-terminated header string starting at pos; returns the offset after it.
size_t skip_zero_terminated(const std::vector<uint8_t>& bytes, size_t pos, size_t end, const std::string& name,
                            const char* field) {
  while (pos < end && bytes[pos] != 0) ++pos;
  require(pos < end, name + ": truncated gzip header (" + field + " is not terminated)");
  return pos + 1;
}

}  // namespace

bool is_gzip(const std::vector<uint8_t>& bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& bytes, const std::string& name, int64_t max_bytes) {
  require(is_gzip(bytes), name + ": not gzip data (missing the 1f 8b signature)");
  require(bytes.size() >= kFixedHeader + kTrailer, name + ": truncated gzip file (" + std::to_string(bytes.size()) +
                                                       " bytes is shorter than a gzip header and trailer)");
  require(bytes[2] == 8, name + ": unsupported gzip compression method " + std::to_string(bytes[2]));
  const uint8_t flags = bytes[3];
  require((flags & kReservedFlags) == 0, name + ": corrupt gzip header (reserved flag bits set)");

  // The payload ends where the 8-byte trailer begins.
  const size_t payload_end = bytes.size() - kTrailer;
  size_t pos = kFixedHeader;
  if (flags & kFlagExtra) {
    require(pos + 2 <= payload_end, name + ": truncated gzip header (extra field)");
    size_t extra_len = bytes[pos] | size_t(bytes[pos + 1]) << 8;
    pos += 2;
    require(pos + extra_len <= payload_end, name + ": truncated gzip header (extra field)");
    pos += extra_len;
  }
  if (flags & kFlagName) pos = skip_zero_terminated(bytes, pos, payload_end, name, "file name");
  if (flags & kFlagComment) pos = skip_zero_terminated(bytes, pos, payload_end, name, "comment");
  if (flags & kFlagHeaderCrc) {
    require(pos + 2 <= payload_end, name + ": truncated gzip header (header CRC)");
    uint16_t stored = bytes[pos] | uint16_t(bytes[pos + 1]) << 8;
    require(stored == (crc32(bytes.data(), pos) & 0xFFFF), name + ": corrupt gzip header (header CRC mismatch)");
    pos += 2;
  }

  const uint32_t expected_crc = le32(&bytes[payload_end]);
  const uint32_t expected_size = le32(&bytes[payload_end + 4]);  // size mod 2^32
  require(int64_t(expected_size) <= max_inflated_size(payload_end - pos),
          name + ": truncated or corrupt gzip file (its trailer records " + std::to_string(expected_size) +
              " bytes, more than " + std::to_string(payload_end - pos) + " compressed bytes can hold)");
  require(int64_t(expected_size) <= max_bytes,
          name + ": gzip data claims to inflate to " + std::to_string(expected_size) + " bytes, over the limit of " +
              std::to_string(max_bytes) + " bytes");
  // Multi-member files (rare) inflate to a size other than the last member's
  // trailer and are rejected by the size check in inflate_raw.
  std::vector<uint8_t> out = inflate_raw(bytes.data() + pos, payload_end - pos, expected_size, name + " (gzip)");
  require(crc32(out.data(), out.size()) == expected_crc, name + ": gzip CRC-32 mismatch (the file is corrupt)");
  return out;
}

}  // namespace distillery
