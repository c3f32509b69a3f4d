#pragma once
// FileEntry: one uploaded or unpacked file, as a relative path and its bytes.
// The engine never opens files itself: the browser hands it uploads, the CLI
// reads the disk (src/native) and both pass FileEntry lists in.
#include <cstdint>
#include <string>
#include <vector>

namespace distillery {

struct FileEntry {
  std::string path;  // relative, '/'-separated, e.g. "cat/1.png"
  std::vector<uint8_t> bytes;
};

}  // namespace distillery
