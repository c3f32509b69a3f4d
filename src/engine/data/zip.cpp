// ZIP reading. Sections:
//   1. little-endian readers
//   2. end of central directory (plain and ZIP64)
//   3. entry names: normalising, rejecting hostile ones, skipping clutter
//   4. unzip: walk the central directory, extract each entry
#include "engine/core/bytes.h"
#include "engine/data/zip.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/data/crc32.h"
#include "engine/data/inflate.h"

namespace distillery {
namespace {

// --- 1. little-endian readers --------------------------------------------------

constexpr uint32_t kLocalHeaderSig = 0x04034b50, kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50, kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22, kZip64LocatorSize = 20, kZip64EndSize = 56, kCentralSize = 46, kLocalSize = 30;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kMethodStored = 0, kMethodDeflated = 8;


// --- 2. end of central directory -------------------------------------------------

struct CentralDirectory {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t entries = 0;
};

CentralDirectory find_central_directory(const std::vector<uint8_t>& bytes, const std::string& name) {
  require(bytes.size() >= kEndSize, name + ": not a ZIP archive (too short)");
  // The end record sits in the last 22 bytes plus a comment of up to 65535 bytes.
  const size_t lowest = bytes.size() > kEndSize + 0xFFFF ? bytes.size() - kEndSize - 0xFFFF : 0;
  size_t end = bytes.size() - kEndSize + 1;
  bool found = false;
  while (end-- > lowest) {
    if (le32(&bytes[end]) == kEndSig) {
      found = true;
      break;
    }
  }
  require(found, name + ": not a ZIP archive or truncated (no end of central directory record)");
  const uint8_t* e = &bytes[end];
  require(le16(e + 4) == 0 && le16(e + 6) == 0, name + ": multi-part (split) ZIP archives are not supported");
  CentralDirectory cd{le32(e + 16), le32(e + 12), le16(e + 10)};

  const bool zip64 = cd.entries == 0xFFFF || cd.size == 0xFFFFFFFF || cd.offset == 0xFFFFFFFF;
  if (zip64 && end >= kZip64LocatorSize && le32(&bytes[end - kZip64LocatorSize]) == kZip64LocatorSig) {
    uint64_t record = le64(&bytes[end - kZip64LocatorSize + 8]);
    // (size checked first: for a file shorter than the record, size - 56 wraps around)
    require(bytes.size() >= kZip64EndSize && record <= bytes.size() - kZip64EndSize &&
                le32(&bytes[record]) == kZip64EndSig,
            name + ": corrupt ZIP64 end of central directory");
    const uint8_t* z = &bytes[record];
    cd = CentralDirectory{le64(z + 48), le64(z + 40), le64(z + 32)};
  }
  require(cd.offset <= bytes.size() && cd.size <= bytes.size() - cd.offset,
          name + ": corrupt or truncated ZIP archive (central directory lies outside the file)");
  return cd;
}

// --- 3. entry names ----------------------------------------------------------------

// Splits on '/', after turning Windows separators into '/'.
std::vector<std::string> split_path(std::string path) {
  std::replace(path.begin(), path.end(), '\\', '/');
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Throws on names that try to escape the archive's folder.
void reject_hostile_name(const std::string& raw, const std::string& archive) {
  const bool absolute = !raw.empty() && (raw[0] == '/' || raw[0] == '\\');
  const bool drive = raw.size() >= 2 && raw[1] == ':';
  require(!absolute && !drive, archive + ": entry '" + raw + "' has an absolute path");
  for (const std::string& part : split_path(raw))
    require(part != "..", archive + ": entry '" + raw + "' has a '..' path component");
}

// Directories, macOS resource forks and hidden files carry no data for us.
bool is_clutter(const std::vector<std::string>& parts) {
  if (parts.empty() || parts.back().empty()) return true;  // "folder/" is a directory entry
  if (parts[0] == "__MACOSX") return true;
  for (const std::string& part : parts)
    if (!part.empty() && part[0] == '.' && part != ".") return true;
  return false;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string path;
  for (const std::string& part : parts) {
    if (part.empty() || part == ".") continue;  // "a//b" and "./a" name the same file as "a/b"
    if (!path.empty()) path += '/';
    path += part;
  }
  return path;
}

// --- 4. unzip ------------------------------------------------------------------------

struct EntryRecord {
  std::string path;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
};

// Replaces 0xFFFFFFFF sizes/offsets with the values in the ZIP64 extra field (id 1).
void apply_zip64_extra(const uint8_t* extra, size_t len, EntryRecord& r, const std::string& what) {
  size_t pos = 0;
  while (pos + 4 <= len) {
    const uint16_t id = le16(extra + pos), size = le16(extra + pos + 2);
    const uint8_t* field = extra + pos + 4;
    require(pos + 4 + size <= len, what + ": corrupt extra field");
    if (id == 1) {
      size_t at = 0;
      for (uint64_t* value : {&r.uncompressed, &r.compressed, &r.local_offset}) {
        if (*value != 0xFFFFFFFF) continue;
        require(at + 8 <= size, what + ": corrupt ZIP64 extra field");
        *value = le64(field + at);
        at += 8;
      }
    }
    pos += 4 + size;
  }
}

}  // namespace

bool is_zip(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && (le32(bytes.data()) == kLocalHeaderSig || le32(bytes.data()) == kEndSig);
}

std::vector<FileEntry> unzip(const std::vector<uint8_t>& bytes, const std::string& name, const DataLimits& limits) {
  const CentralDirectory cd = find_central_directory(bytes, name);
  require(cd.entries <= uint64_t(limits.max_files), name + ": archive lists " + std::to_string(cd.entries) +
                                                        " entries, over the limit of " +
                                                        std::to_string(limits.max_files));

  // Pass 1: read and check the directory, so limits hold before any inflating.
  std::vector<EntryRecord> records;
  uint64_t total = 0;
  size_t pos = cd.offset;
  const size_t cd_end = cd.offset + cd.size;
  for (uint64_t i = 0; i < cd.entries; ++i) {
    require(pos + kCentralSize <= cd_end && le32(&bytes[pos]) == kCentralHeaderSig,
            name + ": corrupt central directory (entry " + std::to_string(i + 1) + ")");
    const uint8_t* h = &bytes[pos];
    const size_t name_len = le16(h + 28), extra_len = le16(h + 30), comment_len = le16(h + 32);
    require(pos + kCentralSize + name_len + extra_len + comment_len <= cd_end,
            name + ": corrupt central directory (entry " + std::to_string(i + 1) + ")");
    EntryRecord r;
    const std::string raw(reinterpret_cast<const char*>(h + kCentralSize), name_len);
    const std::string what = name + ": entry '" + raw + "'";
    r.flags = le16(h + 8);
    r.method = le16(h + 10);
    r.crc = le32(h + 16);
    r.compressed = le32(h + 20);
    r.uncompressed = le32(h + 24);
    r.local_offset = le32(h + 42);
    apply_zip64_extra(h + kCentralSize + name_len, extra_len, r, what);
    pos += kCentralSize + name_len + extra_len + comment_len;

    reject_hostile_name(raw, name);
    const std::vector<std::string> parts = split_path(raw);
    if (is_clutter(parts)) continue;
    r.path = join_path(parts);
    require(!(r.flags & kFlagEncrypted), what + " is encrypted (password-protected archives are not supported)");
    require(r.method == kMethodStored || r.method == kMethodDeflated,
            what + " uses compression method " + std::to_string(r.method) +
                " (only stored and deflated entries are supported)");
    require(r.method != kMethodStored || r.compressed == r.uncompressed,
            what + ": stored entry with different compressed and uncompressed sizes");
    total += r.uncompressed;
    require(r.uncompressed <= uint64_t(limits.max_inflated_bytes) && total <= uint64_t(limits.max_inflated_bytes),
            name + ": archive inflates to more than the limit of " + std::to_string(limits.max_inflated_bytes) +
                " bytes (at entry '" + raw + "')");
    records.push_back(std::move(r));
  }

  // Pass 2: locate each entry's data behind its local header, extract and check it.
  std::vector<FileEntry> files;
  files.reserve(records.size());
  for (const EntryRecord& r : records) {
    const std::string what = name + ": entry '" + r.path + "'";
    require(r.local_offset <= bytes.size() - kLocalSize && le32(&bytes[r.local_offset]) == kLocalHeaderSig,
            what + ": corrupt or truncated archive (bad local header)");
    const uint8_t* h = &bytes[r.local_offset];
    const uint64_t data_start = r.local_offset + kLocalSize + le16(h + 26) + le16(h + 28);
    require(data_start <= bytes.size() && r.compressed <= bytes.size() - data_start,
            what + ": truncated archive (entry data runs past the end of the file)");
    const uint8_t* data = bytes.data() + data_start;
    FileEntry file{r.path, {}};
    if (r.method == kMethodStored)
      file.bytes.assign(data, data + r.compressed);
    else
      file.bytes = inflate_raw(data, r.compressed, r.uncompressed, what);
    require(crc32(file.bytes.data(), file.bytes.size()) == r.crc, what + ": CRC-32 mismatch (the archive is corrupt)");
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace distillery
