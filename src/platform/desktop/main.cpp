// distillery-desktop: the studio in a native GLFW + OpenGL 3 window.
//
//   distillery-desktop [--demo DIR] [--data PATH] [--teacher MODEL.json]
//                      [--panel NAME] [--distill] [--size WxH]
//                      [--screenshot OUT.png [--frames N]]
//
// --screenshot renders until any started job has finished (and at least N
// frames, default 30), writes the window as PNG and exits: the Xvfb test.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>

#include "app/actions.h"
#include "app/app.h"
#include "app/frontend/glfw_frontend.h"
#include "engine/core/name_table.h"
#include "platform/desktop/desktop_platform.h"
#include "platform/desktop/screenshot.h"

namespace {

struct Args {
  std::string demo_dir, data, teacher, panel, screenshot, save_dir = ".";
  bool distill = false;
  int frames = 30;
  int width = 1400, height = 900;
};

void usage() {
  std::fprintf(stderr,
               "usage: distillery-desktop [--demo DIR] [--data PATH] [--teacher MODEL.json] [--panel NAME]\n"
               "                          [--distill] [--size WxH] [--save-dir DIR] [--screenshot OUT.png [--frames N]]\n");
}

enum class Flag { kDemo, kData, kTeacher, kPanel, kDistill, kSize, kSaveDir, kScreenshot, kFrames };

const distillery::NameTable<Flag>& flag_names() {
  static const distillery::NameTable<Flag> table("flag", {{Flag::kDemo, "--demo"},
                                                          {Flag::kData, "--data"},
                                                          {Flag::kTeacher, "--teacher"},
                                                          {Flag::kPanel, "--panel"},
                                                          {Flag::kDistill, "--distill"},
                                                          {Flag::kSize, "--size"},
                                                          {Flag::kSaveDir, "--save-dir"},
                                                          {Flag::kScreenshot, "--screenshot"},
                                                          {Flag::kFrames, "--frames"}});
  return table;
}

// False for an unknown flag, a missing value or a --size that is not WxH: main prints the usage.
bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    if (!flag_names().contains(argv[i])) return false;
    const Flag flag = flag_names().parse(argv[i]);
    if (flag == Flag::kDistill) {
      a.distill = true;
      continue;
    }
    if (i + 1 >= argc) return false;  // every other flag takes a value
    const std::string value = argv[++i];
    switch (flag) {
      case Flag::kDemo: a.demo_dir = value; break;
      case Flag::kData: a.data = value; break;
      case Flag::kTeacher: a.teacher = value; break;
      case Flag::kPanel: a.panel = value; break;
      case Flag::kSaveDir: a.save_dir = value; break;
      case Flag::kScreenshot: a.screenshot = value; break;
      case Flag::kFrames: a.frames = std::atoi(value.c_str()); break;
      case Flag::kSize:
        if (std::sscanf(value.c_str(), "%dx%d", &a.width, &a.height) != 2) return false;
        break;
      case Flag::kDistill: break;
    }
  }
  return true;
}

// The demo assets of the web build, if they were made (scripts/make-demo-assets.sh).
std::string find_demo_dir(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::absolute(argv0, ec).parent_path();
  for (const fs::path& candidate : {exe / "../build-web/site/assets/demo", exe / "../../build-web/site/assets/demo",
                                    fs::path("build-web/site/assets/demo")}) {
    if (fs::exists(candidate / "teacher.json", ec)) return fs::canonical(candidate, ec).string();
  }
  return "";
}

std::vector<uint8_t> read_font() {
  for (const char* path : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"}) {
    try {
      auto files = distillery::read_path_entries(path);
      return std::move(files[0].bytes);
    } catch (const std::exception&) {
    }
  }
  return {};
}

void drop_callback(GLFWwindow* window, int count, const char** paths) {
  auto* app = static_cast<distillery::App*>(glfwGetWindowUserPointer(window));
  std::vector<distillery::FileEntry> files;
  app->run_action([&] {
    for (int i = 0; i < count; ++i)
      for (auto& f : distillery::read_path_entries(paths[i])) files.push_back(std::move(f));
  });
  app->receive_files(distillery::UploadPurpose::kAuto, std::move(files));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace distillery;
  Args args;
  if (!parse_args(argc, argv, args)) {
    usage();
    return 2;
  }
  if (args.demo_dir.empty()) args.demo_dir = find_demo_dir(argv[0]);

  GlfwFrontend frontend;
  if (!frontend.init("Distillery", args.width, args.height)) return 1;
  float scale_x = 1, scale_y = 1;
  glfwGetWindowContentScale(frontend.window(), &scale_x, &scale_y);
  frontend.set_scales(scale_x, 1.0f);
  frontend.set_font(read_font());

  DesktopPlatform platform(args.save_dir, args.demo_dir);
  RuntimeInfo runtime = detect_runtime();
  share_cores_with_ui(runtime);
  App app(runtime, platform);
  platform.attach(&app);
  glfwSetWindowUserPointer(frontend.window(), &app);
  glfwSetDropCallback(frontend.window(), drop_callback);

  // Start-up loads: the data first (a job), then the teacher that fits it.
  const std::string teacher = !args.teacher.empty() ? args.teacher
                              : (!args.demo_dir.empty() && args.data.empty()) ? args.demo_dir + "/teacher.json"
                                                                              : "";
  const std::string data = !args.data.empty() ? args.data
                           : !args.demo_dir.empty() ? args.demo_dir + "/fashion-demo-images-idx3-ubyte.gz"
                                                    : "";
  if (!data.empty()) app.load_path(UploadPurpose::kDataset, data);
  if (!teacher.empty()) {
    app.after_job_success([&app, teacher, distill = args.distill] {
      app.load_path(UploadPurpose::kTeacher, teacher);
      if (distill) app.run_action([&app] {
        DistillOptions options = app.distil_panel.options;
        options.train.arch = app.student_panel.arch.spec();
        options.train.epochs = 2;
        start_distillation(app, options);
      });
    });
  }
  if (const auto panel = panel_from_title(args.panel)) app.selected = *panel;

  // Screenshots show the app, not a tooltip under wherever the pointer happens to be.
  if (!args.screenshot.empty()) ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NoMouse;
  bool capture = false;
  bool captured = false;
  frontend.after_render = [&] {
    if (!capture || captured) return;
    std::vector<uint8_t> rgba;
    int w = 0, h = 0;
    captured = frontend.read_pixels(rgba, w, h) && write_png(args.screenshot, rgba, w, h);
    if (!captured) std::fprintf(stderr, "distillery-desktop: could not write %s\n", args.screenshot.c_str());
  };
  int frames = 0;
  while (!frontend.should_close()) {
    frontend.frame(app);
    ++frames;
    if (args.screenshot.empty()) continue;
    if (captured) break;
    // Capture on the next frame once work is done (jobs, and the teacher that follows the data).
    const bool settled = !app.worker.busy() && frames >= args.frames;
    if (settled) capture = true;
    if (frames > 200000) break;
  }
  frontend.shutdown();
  if (!args.screenshot.empty()) {
    if (!captured) return 1;
    std::printf("wrote %s\n", args.screenshot.c_str());
  }
  return 0;
}
