#pragma once
// Writing files so that a failure never leaves half a file behind: write a
// temporary next to the target, then rename it over the target.
#include <cstddef>
#include <string>

namespace distillery {

// Throws Error("PATH: cannot write (reason)") on failure.
void write_file_atomically(const std::string& path, const void* data, size_t size);

}  // namespace distillery
