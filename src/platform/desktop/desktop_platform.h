#pragma once
// DesktopPlatform: PlatformServices for the native window. Files come from
// paths (typed in the panels, given on the command line, or dropped on the
// window); "downloads" are written to a folder; textures are OpenGL.
#include <string>
#include <vector>

#include "app/platform_services.h"

namespace distillery {

class App;

// Reads a file, or every file under a folder (paths relative to the folder's
// parent, '/'-separated, so a folder upload looks as it does in the browser).
std::vector<FileEntry> read_path_entries(const std::string& path);

class DesktopPlatform : public PlatformServices {
 public:
  DesktopPlatform(std::string save_dir, std::string demo_dir) : save_dir_(std::move(save_dir)), demo_dir_(std::move(demo_dir)) {}
  void attach(App* app) { app_ = app; }

  bool has_file_picker() const override { return false; }
  void pick_files(UploadPurpose) override {}
  std::string save_file(const std::string& file_name, const std::string& text) override;
  std::vector<FileEntry> read_path(const std::string& path) override { return read_path_entries(path); }
  bool has_demo() const override { return !demo_dir_.empty(); }
  void load_demo() override;
  ImTextureID create_texture(const uint8_t* rgba, int width, int height) override;
  void destroy_texture(ImTextureID texture) override;

 private:
  std::string save_dir_;
  std::string demo_dir_;
  App* app_ = nullptr;
};

}  // namespace distillery
