#pragma once
// Small string helpers shared by the parsers (file names, CSV cells, the
// architecture grammar).
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace distillery {

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Without leading and trailing blanks (space, tab, CR, LF).
inline std::string_view trim_view(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}
inline std::string trim(const std::string& s) { return std::string(trim_view(s)); }

// The parts between separators; "a,,b," is {"a", "", "b", ""} and "" is {}.
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.push_back("");
  return parts;
}

}  // namespace distillery
