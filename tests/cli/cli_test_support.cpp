#include "cli_test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "engine/core/rng.h"

namespace distillery::testing {

namespace fs = std::filesystem;

const char* const kBandClasses[3] = {"top", "middle", "bottom"};

std::vector<std::string> RunResult::err_lines() const {
  std::vector<std::string> lines;
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

RunResult run_cli(const std::string& args) {
  static int counter = 0;
  const std::string base = (fs::temp_directory_path() / ("distillery_cli_" + std::to_string(getpid()) + "_" +
                                                         std::to_string(counter++)))
                               .string();
  const std::string command =
      std::string(DISTILLERY_CLI) + " " + args + " > " + base + ".out 2> " + base + ".err < /dev/null";
  const int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(base + ".out");
  r.err = read_text(base + ".err");
  fs::remove(base + ".out");
  fs::remove(base + ".err");
  return r;
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "distillery_cli_test_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::vector<uint8_t> band_image(int label, int height, int width, uint32_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> pixels;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const bool bright = y * 3 / height == label;
      pixels.push_back(static_cast<uint8_t>((bright ? 150 : 30) + rng.below(90)));
    }
  return pixels;
}

void write_band_csv(const std::string& path, int n, uint32_t seed, int height, int width) {
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    const int label = i % 3;
    out << kBandClasses[label];
    for (uint8_t p : band_image(label, height, width, seed * 100003u + i)) out << ',' << int(p);
    out << '\n';
  }
}

void write_png(const std::string& path, const std::vector<uint8_t>& pixels, int height, int width, int channels) {
  if (!stbi_write_png(path.c_str(), width, height, channels, pixels.data(), width * channels))
    throw std::runtime_error("cannot write " + path);
}

void write_band_png_folder(const std::string& folder, int per_class, uint32_t seed, int size, bool rgb) {
  for (int label = 0; label < 3; ++label) {
    const std::string dir = folder + "/" + kBandClasses[label];
    fs::create_directories(dir);
    for (int i = 0; i < per_class; ++i) {
      std::vector<uint8_t> gray = band_image(label, size, size, seed * 7919u + label * 1000u + i);
      if (!rgb) {
        write_png(dir + "/" + std::to_string(i) + ".png", gray, size, size, 1);
        continue;
      }
      std::vector<uint8_t> colour;
      for (uint8_t g : gray) colour.insert(colour.end(), {g, static_cast<uint8_t>(g / 2), static_cast<uint8_t>(255 - g)});
      write_png(dir + "/" + std::to_string(i) + ".png", colour, size, size, 3);
    }
  }
}

std::string train_quick_model(const TempDir& dir, const std::string& name, const std::string& arch) {
  const std::string data = dir.file("quick_train.csv");
  if (!fs::exists(data)) write_band_csv(data, 300, 1);
  const std::string out = dir.file(name);
  const RunResult r =
      run_cli("train --data " + data + " --arch " + arch + " --epochs 4 --lr 0.01 --seed 3 --out " + out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

}  // namespace distillery::testing
