#pragma once
// ZIP archive reading from memory: the central directory is trusted for the
// list of entries and their sizes; each entry is stored (method 0) or
// deflated (method 8) and checked against its CRC-32.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/data_limits.h"
#include "engine/data/file_entry.h"

namespace distillery {

// True when the bytes start like a ZIP archive (a local header or an empty archive).
bool is_zip(const std::vector<uint8_t>& bytes);

// Extracts every file of the archive named `name` (used in messages).
// Skipped: directories, anything under __MACOSX/, and dotfiles or dot folders
// (.DS_Store, .git/...). Entry names are never used as paths on disk, but names
// with ".." components or absolute paths are rejected as a sign of a hostile
// archive. limits.max_files bounds the number of entries, and
// limits.max_inflated_bytes the total extracted size, checked before inflating.
std::vector<FileEntry> unzip(const std::vector<uint8_t>& bytes, const std::string& name = "archive.zip",
                             const DataLimits& limits = {});

}  // namespace distillery
