#include "platform/desktop/desktop_platform.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "app/app.h"
#include "app/frontend/glfw_frontend.h"
#include "engine/core/error.h"
#include "engine/data/idx.h"

namespace distillery {

namespace fs = std::filesystem;

namespace {
std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  require(in.good(), path.string() + ": cannot open the file");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

std::vector<FileEntry> read_path_entries(const std::string& path_text) {
  const fs::path path(path_text);
  std::error_code ec;
  require(fs::exists(path, ec), path_text + ": no such file or folder");
  std::vector<FileEntry> files;
  if (fs::is_directory(path, ec)) {
    const fs::path base = path.has_filename() ? path.parent_path() : path.parent_path().parent_path();
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
      if (!entry.is_regular_file()) continue;
      files.push_back({fs::relative(entry.path(), base).generic_string(), read_bytes(entry.path())});
    }
    std::sort(files.begin(), files.end(), [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
    require(!files.empty(), path_text + ": the folder has no files");
  } else {
    files.push_back({path.filename().string(), read_bytes(path)});
    // IDX images need their labels file, found beside them by the standard name.
    const std::string name = path.filename().string();
    if (is_idx_images_name(name)) {
      const std::string labels = idx_labels_name_for(name);
      for (const std::string& candidate : {labels, labels + ".gz"}) {
        const fs::path beside = path.parent_path() / candidate;
        if (fs::exists(beside, ec)) {
          files.push_back({candidate, read_bytes(beside)});
          break;
        }
      }
    }
  }
  return files;
}

std::string DesktopPlatform::save_file(const std::string& file_name, const std::string& text) {
  const fs::path target = fs::path(save_dir_) / file_name;
  std::ofstream out(target, std::ios::binary);
  require(out.good(), target.string() + ": cannot write the file");
  out << text;
  require(out.good(), target.string() + ": writing failed");
  return "Saved " + fs::absolute(target).string();
}

void DesktopPlatform::load_demo() {
  if (!app_) return;
  const fs::path dir(demo_dir_);
  app_->run_action([&] {
    // The dataset first (a job), then the teacher that fits it.
    const std::vector<FileEntry> teacher = read_path_entries((dir / "teacher.json").string());
    app_->receive_files(UploadPurpose::kDataset, read_path_entries((dir / "fashion-demo-images-idx3-ubyte.gz").string()));
    app_->after_job_success([app = app_, teacher] { app->receive_files(UploadPurpose::kTeacher, teacher); });
  });
}

ImTextureID DesktopPlatform::create_texture(const uint8_t* rgba, int width, int height) {
  return GlfwFrontend::create_texture(rgba, width, height);
}

void DesktopPlatform::destroy_texture(ImTextureID texture) { GlfwFrontend::destroy_texture(texture); }

}  // namespace distillery
