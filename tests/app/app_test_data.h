#pragma once
// In-memory test data for the app tests: a small, easy two- or three-class
// image dataset as a CSV file (what a browser upload would hand over), and a
// polling helper for jobs.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_api.h"
#include "engine/core/rng.h"
#include "engine/data/file_entry.h"

namespace distillery::testing {

// `count` images of size x size as one CSV upload (label, then pixels);
// class k has a bright vertical band in its own part of the image, plus
// noise. Learnable to ~100 % by a small MLP.
inline std::vector<FileEntry> band_dataset_files(int count, int classes = 3, int size = 12, uint64_t seed = 7) {
  Rng rng(seed);
  std::string csv;
  for (int i = 0; i < count; ++i) {
    const int label = i % classes;
    csv += std::to_string(label);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        const bool band = x * classes / size == label;
        csv += "," + std::to_string((band ? 170 : 20) + static_cast<int>(rng.below(60)));
      }
    csv += "\n";
  }
  return {{"bands.csv", std::vector<uint8_t>(csv.begin(), csv.end())}};
}

// Calls a method that starts a job and polls jobStatus until it ends,
// pumping the app like frames would. Returns the final jobStatus value.
template <typename App>
nlohmann::json run_job(App& app, AppApi& api, const std::string& method, const nlohmann::json& args = nlohmann::json::object()) {
  nlohmann::json reply = api.call_json(method, args);
  if (!reply["ok"].get<bool>()) return reply;
  const int job = reply["value"]["job"].get<int>();
  for (int i = 0; i < 2000000; ++i) {
    app.update();
    nlohmann::json status = api.call_json("jobStatus", {{"job", job}});
    if (!status["ok"].get<bool>() || status["value"]["done"].get<bool>()) return status;
  }
  return {{"ok", false}, {"error", "timed out"}};
}

}  // namespace distillery::testing
