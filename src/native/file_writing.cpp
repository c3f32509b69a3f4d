#include "native/file_writing.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/error.h"

namespace distillery {

void write_file_atomically(const std::string& path, const void* data, size_t size) {
  const std::string temporary = path + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw Error(path + ": cannot write (" + ec.message() + ")");
  }
}

}  // namespace distillery
