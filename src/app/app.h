#pragma once
// App: all UI state in one object. It owns the session (data and models),
// the training worker, one struct per panel, and the notices. The platform
// front end calls frame() between ImGui::NewFrame() and ImGui::Render();
// the JS API calls the same actions the panels call (see actions.h).
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/notices.h"
#include "app/panels/data_panel.h"
#include "app/panels/distil_panel.h"
#include "app/panels/evaluate_panel.h"
#include "app/panels/export_panel.h"
#include "app/panels/predict_panel.h"
#include "app/panels/prune_panel.h"
#include "app/panels/quantize_panel.h"
#include "app/panels/student_panel.h"
#include "app/panels/teacher_panel.h"
#include "app/platform_services.h"
#include "app/restore_offer.h"
#include "app/runtime_info.h"
#include "app/session.h"
#include "app/training_worker.h"
#include "engine/data/file_entry.h"

namespace distillery {

enum class PanelId { kData, kTeacher, kStudent, kDistil, kPrune, kQuantize, kEvaluate, kPredict, kExport, kCount };

class App {
 public:
  App(RuntimeInfo runtime, PlatformServices& platform);
  ~App();

  // One UI frame. Also advances the worker (update()).
  void frame();
  // Advances the worker and applies a finished job; the JS API calls it when
  // polling so results land even when no frame is drawn.
  void update();
  // Files from a picker or a drop. kAuto decides from the files: a model
  // .json becomes the teacher, loose images are predicted (when a model is
  // loaded), anything else is a dataset.
  void receive_files(UploadPurpose purpose, std::vector<FileEntry> files);
  // Desktop: reads a path through the platform, then receive_files.
  void load_path(UploadPurpose purpose, const std::string& path);
  // Runs fn once the current job succeeds (dropped if it fails).
  void after_job_success(std::function<void()> fn) { after_job_success_ = std::move(fn); }
  // Runs an action; an Error becomes a notice instead of escaping.
  template <typename F>
  void run_action(F&& action) {
    try {
      action();
    } catch (const std::exception& e) {
      notices.error(e.what());
    }
  }

  Session session;
  TrainingWorker worker;
  RuntimeInfo runtime;
  PlatformServices& platform;
  Notices notices;
  RestoreOffer restore_offer;  // after a reload: "Restore your session from HH:MM?"

  DataPanel data_panel;
  TeacherPanel teacher_panel;
  StudentPanel student_panel;
  DistilPanel distil_panel;
  PrunePanel prune_panel;
  QuantizePanel quantize_panel;
  EvaluatePanel evaluate_panel;
  PredictPanel predict_panel;
  ExportPanel export_panel;
  PanelId selected = PanelId::kDistil;

  double clock_seconds() const;
  // Frames per second over the last second, measured by frame().
  float frames_per_second() const { return fps_; }
  int frames_drawn() const { return frames_; }

 private:
  void draw_header(float height);
  void draw_navigation();
  void draw_settings();
  void draw_banner();
  void draw_selected_panel();
  void draw_status_bar();
  void measure_frame_rate();
  void report_outcome(const JobOutcome& outcome);

  std::function<void()> after_job_success_;
  double start_time_ = 0;
  float fps_ = 0;
  int frames_ = 0;
  int fps_frames_ = 0;
  double fps_window_start_ = 0;
};

const char* panel_title(PanelId id);
// The panel of that title (the name the JS API, saved sessions and the desktop's --panel use), if any.
std::optional<PanelId> panel_from_title(const std::string& title);

}  // namespace distillery
