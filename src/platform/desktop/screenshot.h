#pragma once
// PNG writing for the desktop window's --screenshot option.
#include <cstdint>
#include <string>
#include <vector>

namespace distillery {

bool write_png(const std::string& path, const std::vector<uint8_t>& rgba, int width, int height);

}  // namespace distillery
