#pragma once
// In-memory test data for the app tests: a small, easy two- or three-class
// image dataset as a CSV file (what a browser upload would hand over), a
// polling helper for jobs, and a studio (an app with its JS API) that saves
// and restores sessions as the page does.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/app_api.h"
#include "app/session_snapshot.h"
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

// A 24-bit BMP of one band image (what a user would drop to predict).
inline std::vector<uint8_t> band_bmp(int label, int classes, int size) {
  const int row = (size * 3 + 3) / 4 * 4;
  std::vector<uint8_t> b(54 + row * size, 0);
  auto put = [&](int at, uint32_t v, int n) {
    for (int i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  b[0] = 'B';
  b[1] = 'M';
  put(2, static_cast<uint32_t>(b.size()), 4);
  put(10, 54, 4);
  put(14, 40, 4);
  put(18, size, 4);
  put(22, size, 4);
  put(26, 1, 2);
  put(28, 24, 2);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const uint8_t v = x * classes / size == label ? 200 : 30;
      for (int c = 0; c < 3; ++c) b[54 + y * row + x * 3 + c] = v;
    }
  return b;
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

// This machine's runtime, threaded or the single-thread page's sliced mode.
inline RuntimeInfo runtime(bool threaded) {
  RuntimeInfo info = detect_runtime();
  info.threaded = threaded;
  return info;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// A saved session as the page keeps it: the snapshot text, the dataset's
// bytes, and what sessionSnapshot replied.
struct Saved {
  std::string snapshot;
  std::vector<uint8_t> dataset;
  nlohmann::json info;
};

// An app driven through its JS API, as the page drives it.
struct Studio {
  explicit Studio(bool threaded = false) : app(runtime(threaded), platform), api(app) {}
  void load_and_train_teacher() {
    for (auto& f : band_dataset_files(240)) api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
    ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 2}, {"seed", 5}})["value"]["ok"]);
  }
  // The snapshot, and the dataset's bytes whenever a dataset small enough to keep is loaded.
  Saved save() {
    Saved s;
    const nlohmann::json snapshot = api.call_json("sessionSnapshot", {});
    EXPECT_TRUE(snapshot["ok"]) << snapshot.dump();
    s.info = snapshot["value"];
    s.snapshot.assign(api.output().begin(), api.output().end());
    const nlohmann::json d = api.call_json("sessionDataset", {});
    if (app.session.dataset && dataset_fits_snapshot(*app.session.dataset)) {
      EXPECT_TRUE(d["ok"]) << d.dump();
    }
    if (d["ok"]) s.dataset = api.output();
    return s;
  }
  nlohmann::json restore(const Saved& s, bool with_dataset = true) {
    api.stage_file("session.json", std::vector<uint8_t>(s.snapshot.begin(), s.snapshot.end()));
    if (with_dataset && !s.dataset.empty()) api.stage_file("dataset.bin", s.dataset);
    return api.call_json("restoreSession", {{"resume", true}});
  }
  nlohmann::json wait(int job) {
    for (;;) {
      app.update();
      nlohmann::json st = api.call_json("jobStatus", {{"job", job}});
      if (!st["ok"] || st["value"]["done"]) return st;
    }
  }
  NullPlatform platform;
  App app;
  AppApi api;
};

}  // namespace distillery::testing
