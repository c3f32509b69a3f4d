#pragma once
// What the App asks of the platform it runs on (browser or desktop window):
// file pickers, downloads and GPU textures. Keeps GL, GLFW and Emscripten out
// of the panels, so app logic can be tested without a window.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/name_table.h"
#include "engine/core/error.h"
#include "engine/data/file_entry.h"
#include "imgui.h"

namespace distillery {

// What a file picker or a drop is for; the chosen files come back through
// App::receive_files with the same purpose.
enum class UploadPurpose { kDataset, kDatasetFolder, kTeacher, kPredictImages, kUnlabeled, kAuto };
// The names the page's file pickers use; an unknown name is kAuto (the app decides).
inline const NameTable<UploadPurpose>& upload_purpose_names() {
  static const NameTable<UploadPurpose> table("upload purpose", {{UploadPurpose::kDataset, "dataset"},
                                                                 {UploadPurpose::kDatasetFolder, "dataset-folder"},
                                                                 {UploadPurpose::kTeacher, "teacher"},
                                                                 {UploadPurpose::kPredictImages, "predict"},
                                                                 {UploadPurpose::kUnlabeled, "unlabeled"},
                                                                 {UploadPurpose::kAuto, "auto"}});
  return table;
}

class PlatformServices {
 public:
  virtual ~PlatformServices() = default;
  // Whether pick_files opens a picker (the browser) or the panels should offer
  // a path field instead (the desktop window).
  virtual bool has_file_picker() const = 0;
  virtual void pick_files(UploadPurpose purpose) = 0;
  // Gives text to the user as a file: a browser download, or a file written
  // next to the desktop app. Returns a message saying where it went.
  virtual std::string save_file(const std::string& file_name, const std::string& text) = 0;
  // Desktop: reads a file, or a folder recursively, as FileEntry list (paths
  // relative to the folder's parent). Throws Error when unreadable.
  virtual std::vector<FileEntry> read_path(const std::string& path) {
    throw Error("reading paths is not available here: " + path);
  }
  // The demo dataset and teacher, when the platform has them.
  virtual bool has_demo() const { return false; }
  virtual void load_demo() {}
  // RGBA8 textures for thumbnails and mask pictures.
  virtual ImTextureID create_texture(const uint8_t* rgba, int width, int height) = 0;
  virtual void destroy_texture(ImTextureID texture) = 0;
};

// For tests and headless use: no pickers, saves into memory, fake textures.
class NullPlatform : public PlatformServices {
 public:
  bool has_file_picker() const override { return false; }
  void pick_files(UploadPurpose) override {}
  std::string save_file(const std::string& file_name, const std::string& text) override {
    last_file_name = file_name;
    last_text = text;
    return "saved " + file_name;
  }
  ImTextureID create_texture(const uint8_t*, int, int) override {
    ++textures_alive;
    return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(++next_texture));
  }
  void destroy_texture(ImTextureID) override { --textures_alive; }

  std::string last_file_name, last_text;
  int next_texture = 0;
  int textures_alive = 0;
};

}  // namespace distillery
