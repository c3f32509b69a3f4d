#pragma once
// Writing a ZIP archive in memory, for downloads that are several files (a
// TF.js model: model.json + weights.bin). Entries are stored uncompressed:
// float32 weights hardly deflate, and every unzip tool reads stored entries.
// The timestamp is fixed (1980-01-01), so the same files give the same bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/file_entry.h"

namespace distillery {

// Throws Error for an empty or duplicate name, or an archive beyond 4 GiB (no ZIP64).
std::vector<uint8_t> zip_store(const std::vector<FileEntry>& files);

// The entry names of a ZIP archive read from its central directory, without
// extracting anything; empty when the bytes are not a ZIP this can list (the
// full reader, unzip(), then reports why).
std::vector<std::string> zip_entry_names(const std::vector<uint8_t>& bytes);

}  // namespace distillery
