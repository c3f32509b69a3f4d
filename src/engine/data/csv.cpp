// CSV decoding. Sections:
//   1. lines and cells (delimiter detection, quotes, trimming)
//   2. numbers (pixel values and integer labels)
//   3. shape inference
//   4. decode_csv
#include "engine/core/text.h"
#include "engine/data/csv.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>

#include "engine/core/error.h"

namespace distillery {
namespace {

// --- 1. lines and cells -------------------------------------------------------------

constexpr int kMaxIntegerClasses = 10000;

// Splits one line into cells; surrounding quotes are removed (a doubled quote
// inside stays doubled, see unquote) and blanks trimmed.
void split_cells(std::string_view line, char delimiter, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size() && line[i] == '"') quoted = !quoted;
    if (i == line.size() || (line[i] == delimiter && !quoted)) {
      std::string_view cell = trim_view(line.substr(start, i - start));
      if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
      cells.push_back(cell);
      start = i + 1;
    }
  }
}

std::string unquote(std::string_view cell) {
  std::string s;
  for (size_t i = 0; i < cell.size(); ++i) {
    s += cell[i];
    if (cell[i] == '"' && i + 1 < cell.size() && cell[i + 1] == '"') ++i;
  }
  return s;
}

// The most frequent of ',', ';' and tab outside quotes in the first line.
char detect_delimiter(std::string_view line) {
  int counts[3] = {0, 0, 0};
  const char candidates[3] = {',', ';', '\t'};
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    for (int k = 0; k < 3 && !quoted; ++k) counts[k] += c == candidates[k];
  }
  int best = 0;
  for (int k = 1; k < 3; ++k)
    if (counts[k] > counts[best]) best = k;
  return candidates[best];
}

// --- 2. numbers -----------------------------------------------------------------------

// A non-negative decimal integer of plain digits.
bool parse_index(std::string_view s, int64_t& value) {
  if (s.empty() || s.size() > 12) return false;
  value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

// Any decimal number ("12", "12.0", "1e2"); fast path for plain digits.
bool parse_number(std::string_view s, double& value) {
  int64_t integer;
  if (parse_index(s, integer)) {
    value = double(integer);
    return true;
  }
  if (s.empty() || s.size() > 64) return false;
  char buffer[65];
  std::copy(s.begin(), s.end(), buffer);
  buffer[s.size()] = '\0';
  char* end = nullptr;
  value = std::strtod(buffer, &end);
  return end == buffer + s.size() && std::isfinite(value);
}

// --- 3. shape inference -------------------------------------------------------------------

int exact_sqrt(int64_t n) {
  int64_t r = std::llround(std::sqrt(double(n)));
  return r * r == n ? int(r) : 0;
}

Shape infer_shape(int64_t pixels, const CsvOptions& o, const std::string& name) {
  if (o.height > 0 && o.width > 0 && o.channels > 0 && int64_t(o.height) * o.width * o.channels == pixels)
    return Shape{o.height, o.width, o.channels};
  if (int side = exact_sqrt(pixels)) return Shape{side, side, 1};
  if (pixels % 3 == 0)
    if (int side = exact_sqrt(pixels / 3)) return Shape{side, side, 3};
  throw Error(name + ": cannot infer an image shape from " + std::to_string(pixels) +
              " pixel columns (not a square gray or RGB image); give the height, width and channels");
}

// --- 4. decode_csv ----------------------------------------------------------------------------

struct Line {
  std::string_view text;
  int number;  // 1-based, for messages
};

std::vector<Line> non_blank_lines(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  std::vector<Line> lines;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = trim_view(text.substr(start, end - start));
    if (!line.empty()) lines.push_back({line, number});
    start = end + 1;
  }
  return lines;
}

// A header has non-numeric pixel cells, or a word label above numeric labels.
bool has_header(const std::vector<Line>& lines, char delimiter, const std::string& name) {
  std::vector<std::string_view> cells;
  split_cells(lines[0].text, delimiter, cells);
  require(cells.size() >= 2, name + " line " + std::to_string(lines[0].number) +
                                 ": expected a label and pixel columns, found a single column");
  bool header = false;
  double number = 0;
  int64_t index = 0;
  for (size_t c = 1; c < cells.size() && !header; ++c) header = !parse_number(cells[c], number);
  if (!header && !parse_index(cells[0], index) && lines.size() > 1) {
    std::vector<std::string_view> second;
    split_cells(lines[1].text, delimiter, second);
    header = !second.empty() && parse_index(second[0], index);
  }
  return header;
}

// Integer labels are class indices; anything else names the classes.
void assign_labels(const std::vector<std::string>& label_cells, const std::string& name, Dataset& data) {
  const int64_t rows = int64_t(label_cells.size());
  bool integer_labels = true;
  int64_t max_label = 0, index = 0;
  for (const std::string& label : label_cells) {
    integer_labels = integer_labels && parse_index(label, index);
    if (integer_labels) max_label = std::max(max_label, index);
  }
  data.labels.resize(size_t(rows));
  if (integer_labels) {
    require(max_label < kMaxIntegerClasses, name + ": label " + std::to_string(max_label) +
                                                " is too large (class indices must be below " +
                                                std::to_string(kMaxIntegerClasses) + ")");
    for (int64_t r = 0; r < rows; ++r) {
      parse_index(label_cells[size_t(r)], index);
      data.labels[size_t(r)] = int(index);
    }
    for (int c = 0; c <= max_label; ++c) data.class_names.push_back(std::to_string(c));
  } else {
    std::map<std::string, int> class_index;
    for (const std::string& label : label_cells) class_index.emplace(label, 0);
    for (auto& [label, i] : class_index) {
      i = data.num_classes();
      data.class_names.push_back(label);
    }
    for (int64_t r = 0; r < rows; ++r) data.labels[size_t(r)] = class_index[label_cells[size_t(r)]];
  }
}

}  // namespace

Dataset decode_csv(const std::string& text, const CsvOptions& options, const std::string& name) {
  const std::vector<Line> lines = non_blank_lines(text);
  require(!lines.empty(), name + ": the CSV file is empty");
  const char delimiter = detect_delimiter(lines[0].text);

  std::vector<std::string_view> cells;
  const size_t first_row = has_header(lines, delimiter, name) ? 1 : 0;
  require(lines.size() > first_row, name + ": the CSV file has a header but no data rows");

  split_cells(lines[first_row].text, delimiter, cells);
  const size_t columns = cells.size();
  require(columns >= 2, name + " line " + std::to_string(lines[first_row].number) +
                            ": expected a label and pixel columns, found a single column");
  const int64_t pixel_count = int64_t(columns) - 1;
  const Shape shape = infer_shape(pixel_count, options, name);
  const int64_t rows = int64_t(lines.size() - first_row);
  require(rows * pixel_count <= options.limits.max_dataset_bytes,
          name + ": " + std::to_string(rows) + " images of " + std::to_string(pixel_count) +
              " pixels exceed the dataset limit of " + std::to_string(options.limits.max_dataset_bytes) + " bytes");

  Dataset data;
  data.height = shape[0];
  data.width = shape[1];
  data.channels = shape[2];
  data.pixels.resize(size_t(rows * pixel_count));
  std::vector<std::string> label_cells(static_cast<size_t>(rows));
  double number = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const Line& line = lines[first_row + size_t(r)];
    // Messages are built only on failure: this loop runs once per pixel.
    const auto where = [&] { return name + " line " + std::to_string(line.number); };
    split_cells(line.text, delimiter, cells);
    if (cells.size() != columns)
      throw Error(where() + ": expected " + std::to_string(columns) + " cells (a label and " +
                  std::to_string(pixel_count) + " pixels), found " + std::to_string(cells.size()));
    label_cells[size_t(r)] = unquote(cells[0]);
    if (label_cells[size_t(r)].empty()) throw Error(where() + ": empty label");
    uint8_t* out = data.pixels.data() + r * pixel_count;
    for (size_t c = 1; c < columns; ++c) {
      if (!parse_number(cells[c], number) || number < 0 || number > 255)
        throw Error(where() + ", column " + std::to_string(c + 1) + ": pixel value '" + std::string(cells[c]) +
                    "' is not a number from 0 to 255");
      out[c - 1] = uint8_t(std::lround(number));
    }
  }

  assign_labels(label_cells, name, data);
  return data;
}

}  // namespace distillery
