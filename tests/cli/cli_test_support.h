#pragma once
// Helpers for the CLI tests: run the real `distillery` executable, a
// temporary folder, and small generated datasets that are easy to separate
// (a bright horizontal band at the top, middle or bottom of the image).
#include <cstdint>
#include <string>
#include <vector>

namespace distillery::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  // Lines of stderr, without empty ones.
  std::vector<std::string> err_lines() const;
};

// Runs `distillery <args>` (args are passed to the shell as written).
RunResult run_cli(const std::string& args);

// A fresh folder under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

extern const char* const kBandClasses[3];  // "top", "middle", "bottom"

// Gray pixels of a band image of class `label` (0..2) with noise from seed.
std::vector<uint8_t> band_image(int label, int height, int width, uint32_t seed);

// CSV: label name, then height*width gray pixels; n rows cycling the classes.
void write_band_csv(const std::string& path, int n, uint32_t seed, int height = 8, int width = 8);
// A folder with one subfolder per class holding per_class PNGs (gray, or RGB when rgb).
void write_band_png_folder(const std::string& folder, int per_class, uint32_t seed, int size, bool rgb = false);
// One PNG file (channels 1 or 3).
void write_png(const std::string& path, const std::vector<uint8_t>& pixels, int height, int width, int channels);

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

// Trains a small dense model on a 300-row band CSV in dir; returns its path.
std::string train_quick_model(const TempDir& dir, const std::string& name = "teacher.json",
                              const std::string& arch = "dense:16");

}  // namespace distillery::testing
