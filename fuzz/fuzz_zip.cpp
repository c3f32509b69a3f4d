// Fuzz target: ZIP archives (unzip): central directory, ZIP64 records,
// hostile names, stored and deflated entries, CRC checks, size limits.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/zip.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    const std::vector<FileEntry> files = unzip(bytes, "fuzz.zip", fuzz::fuzz_limits());
    for (const FileEntry& file : files)
      if (file.path.empty() || file.path[0] == '/' || file.path.find("..") == 0) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
