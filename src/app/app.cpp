// App: frame layout and the routing of files and job outcomes. Sections:
//   - construction, update, files
//   - frame: header, navigation, banner, panel, status bar
#include "app/app.h"

#include <algorithm>
#include <chrono>

#include "app/actions.h"
#include "app/widgets/ui.h"
#include "engine/data/image.h"
#include "engine/model/arch_spec.h"

namespace distillery {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Each panel's place in the pipeline, its title and what it is for.
struct PanelInfo {
  const char* title;
  const char* tip;
};
const PanelInfo kPanels[] = {
    {"Data", "Upload a dataset and split it into train, validation and test."},
    {"Teacher", "Load the big model to learn from, or train one here."},
    {"Student", "Choose the small model's architecture."},
    {"Distil", "Train the student to imitate the teacher, and watch it learn."},
    {"Prune", "Remove weights from the student and fine-tune what is left."},
    {"Quantize", "Store the student's weights in 8 bits and run it on integer kernels: smaller and faster."},
    {"Evaluate", "Compare teacher, student and quantized model on images none was trained on."},
    {"Predict", "Try the models on single images."},
    {"Export", "Download the student, teacher or quantized model: Distillery JSON, TensorFlow.js or ONNX."},
};

}  // namespace

static_assert(sizeof(kPanels) / sizeof(kPanels[0]) == static_cast<size_t>(PanelId::kCount), "one row per panel");

const char* panel_title(PanelId id) { return kPanels[static_cast<int>(id)].title; }

std::optional<PanelId> panel_from_title(const std::string& title) {
  for (int i = 0; i < static_cast<int>(PanelId::kCount); ++i)
    if (title == kPanels[i].title) return static_cast<PanelId>(i);
  return std::nullopt;
}

// --- construction, update, files ---------------------------------------------------------------

App::App(RuntimeInfo info, PlatformServices& platform_services)
    : worker(info.threaded), runtime(std::move(info)), platform(platform_services) {
  start_time_ = now_seconds();
  fps_window_start_ = start_time_;
}

App::~App() = default;

double App::clock_seconds() const { return now_seconds() - start_time_; }

void App::update() {
  notices.set_clock(clock_seconds());
  if (auto outcome = worker.pump(session)) report_outcome(*outcome);
}

namespace {

// The success line of a finished job, by its kind.
std::string outcome_message(const JobOutcome& o) {
  const nlohmann::json& r = o.result;
  const std::string converted = r.contains("converted") ? " (" + r["converted"].get<std::string>() + ")" : "";
  switch (o.kind) {
    case JobKind::kLoadDataset:
      return ui::format("Dataset loaded: %d images, %d classes", r["count"].get<int>(),
                        static_cast<int>(r["classes"].size())) +
             converted;
    case JobKind::kLoadUnlabeled:
      return ui::format("%d unlabeled images loaded: distillation also learns from them", r["count"].get<int>()) +
             converted;
    case JobKind::kQuantize:
      return ui::format("%s finished in %.1f s: test accuracy %.2f %% (float %.2f %%), agreement %.1f %%, file %.1fx smaller",
                        o.title.c_str(), o.seconds, r["accuracy"].get<double>() * 100,
                        r["float_accuracy"].get<double>() * 100, r["agreement"].get<double>() * 100,
                        r["float_file_bytes"].get<double>() / std::max(1.0, r["file_bytes"].get<double>()));
    default: break;
  }
  std::string text = o.title + (o.stopped ? " stopped early" : " finished") + ui::format(" in %.1f s", o.seconds);
  if (r.contains("accuracy")) text += ui::format(": test accuracy %.2f %%", r["accuracy"].get<double>() * 100);
  if (r.contains("comparison")) text += ": " + r["comparison"].get<std::string>();
  return text;
}

}  // namespace

void App::report_outcome(const JobOutcome& o) {
  std::function<void()> next = std::move(after_job_success_);
  after_job_success_ = nullptr;
  if (!o.ok) {
    notices.error(o.title + " failed: " + o.error);
    return;
  }
  notices.success(outcome_message(o));
  // Show the result where it matters.
  if (o.kind == JobKind::kEvaluate) selected = PanelId::kEvaluate;
  if (next) next();
}

void App::receive_files(UploadPurpose purpose, std::vector<FileEntry> files) {
  if (files.empty()) return;
  // A drop jumps to the panel that shows what was dropped; pickers are already there.
  const bool dropped = purpose == UploadPurpose::kAuto;
  if (purpose == UploadPurpose::kAuto) {
    bool all_images = true;
    for (const auto& f : files) all_images = all_images && has_image_extension(f.path) && f.path.find('/') == std::string::npos;
    if (looks_like_model_upload(files)) purpose = UploadPurpose::kTeacher;
    else if (all_images && (session.student || session.teacher) && files.size() <= 12) purpose = UploadPurpose::kPredictImages;
    else purpose = UploadPurpose::kDataset;
  }
  run_action([&] {
    switch (purpose) {
      case UploadPurpose::kTeacher: {
        load_teacher_files(*this, files, teacher_panel.import_settings());
        notices.success("Teacher loaded from " + session.teacher_source + ": " + describe_arch(*session.teacher));
        if (dropped) selected = PanelId::kTeacher;
        break;
      }
      case UploadPurpose::kPredictImages:
        predict_panel.add_images(*this, files);
        selected = PanelId::kPredict;
        break;
      case UploadPurpose::kUnlabeled:
        start_unlabeled_upload(*this, std::move(files));
        break;
      default:
        start_dataset_upload(*this, std::move(files));
        if (dropped) selected = PanelId::kData;
        break;
    }
  });
}

void App::load_path(UploadPurpose purpose, const std::string& path) {
  run_action([&] { receive_files(purpose, platform.read_path(path)); });
}

// --- frame ---------------------------------------------------------------------------------------

void App::measure_frame_rate() {
  ++frames_;
  ++fps_frames_;
  const double now = now_seconds();
  if (now - fps_window_start_ >= 1.0) {
    fps_ = static_cast<float>(fps_frames_ / (now - fps_window_start_));
    fps_frames_ = 0;
    fps_window_start_ = now;
  }
}

void App::frame() {
  update();
  measure_frame_rate();
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  // No background: the front end clears to the same colour, and every
  // full-screen layer not drawn is fill rate saved (software GL in tests).
  ImGui::Begin("Distillery", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground);
  ImGui::PopStyleVar();
  const float font = ImGui::GetFontSize();
  const float header_h = font * 3.0f, status_h = font * 1.9f;
  draw_header(header_h);

  const float body_h = ImGui::GetContentRegionAvail().y - status_h;
  const float nav_w = std::clamp(viewport->WorkSize.x * 0.17f, font * 11.0f, font * 15.0f);
  ImGui::SetCursorPos(ImVec2(font * 0.6f, header_h + font * 0.4f));
  ImGui::BeginChild("nav", ImVec2(nav_w, body_h - font * 0.4f), true);
  draw_navigation();
  ImGui::EndChild();
  ImGui::SameLine(0, font * 0.6f);
  ImGui::BeginChild("panel", ImVec2(-font * 0.6f, body_h - font * 0.4f), true, ImGuiWindowFlags_NoBackground);
  restore_offer.draw();
  draw_banner();
  draw_selected_panel();
  ImGui::EndChild();
  draw_status_bar();
  ImGui::End();
}

void App::draw_header(float height) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetWindowPos();
  const float width = ImGui::GetWindowWidth();
  const float font = ImGui::GetFontSize();
  dl->AddRectFilled(p, ImVec2(p.x + width, p.y + height), IM_COL32(26, 29, 37, 255));
  dl->AddLine(ImVec2(p.x, p.y + height), ImVec2(p.x + width, p.y + height), IM_COL32(64, 196, 180, 90));

  // Title in the large font when the front end loaded one.
  ImFont* title_font = ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr;
  ImGui::SetCursorPos(ImVec2(font * 0.9f, height * 0.5f - font * 0.8f));
  if (title_font) ImGui::PushFont(title_font);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::color::kAccent), "Distillery");
  if (title_font) ImGui::PopFont();
  ImGui::SameLine();
  ImGui::SetCursorPosY(height * 0.5f - font * 0.55f);
  ui::dim_text("knowledge distillation & pruning studio");

  // Mode chip: threaded or single-thread, and why.
  const std::string chip = std::string(runtime.threaded ? "THREADED" : "SINGLE-THREAD") + (runtime.simd ? " + SIMD" : "") +
                           (runtime.web ? (runtime.threaded ? "  (pthreads build)" : "  (time-slice build)") : "  (native)");
  const ImU32 chip_color = runtime.threaded ? IM_COL32(58, 150, 90, 255) : IM_COL32(190, 130, 40, 255);
  const float chip_x = std::max(font * 30, width * 0.36f);
  const ImVec2 chip_size = ImGui::CalcTextSize(chip.c_str());
  const ImVec2 c0(p.x + chip_x, p.y + height * 0.5f - font * 0.75f);
  dl->AddRectFilled(c0, ImVec2(c0.x + chip_size.x + font, c0.y + font * 1.5f), chip_color, font * 0.75f);
  dl->AddText(ImVec2(c0.x + font * 0.5f, c0.y + font * 0.25f), IM_COL32(255, 255, 255, 255), chip.c_str());
  ImGui::SetCursorScreenPos(c0);
  ImGui::InvisibleButton("mode", ImVec2(chip_size.x + font, font * 1.5f));
  const std::string mode_tip =
      runtime.threaded
          ? ui::format("Training runs on its own thread, so the page stays smooth; the kernels use %d of %d cores "
                       "(one is left for drawing). In the browser this needs a cross-origin isolated page "
                       "(COOP/COEP headers).",
                       runtime.kernel_threads, runtime.hardware_threads)
          : std::string("Training runs in short slices between frames on the page's only thread. Serve the page "
                        "with COOP/COEP headers (scripts/serve.py) to get the threaded build.");
  ui::tip(mode_tip.c_str());
  // Right: the running job, kernel threads and the frame rate; the reason fills the space between.
  const std::string fps = ui::format("%d kernel thread%s   %.0f fps", runtime.kernel_threads,
                                     runtime.kernel_threads == 1 ? "" : "s", fps_);
  const float fps_w = ImGui::CalcTextSize(fps.c_str()).x;
  const bool busy = worker.busy();
  const float right_x = width - fps_w - font * (busy ? 17.0f : 2.0f);
  const float reason_x = chip_x + chip_size.x + font * 1.6f;
  dl->PushClipRect(ImVec2(p.x + reason_x, p.y), ImVec2(p.x + right_x, p.y + height), true);
  dl->AddText(ImVec2(p.x + reason_x, p.y + height * 0.5f - font * 0.5f), ui::color::kDim, runtime.reason.c_str());
  dl->PopClipRect();
  dl->AddText(ImVec2(p.x + width - fps_w - font, p.y + height * 0.5f - font * 0.5f), ui::color::kDim, fps.c_str());
  ImGui::SetCursorScreenPos(ImVec2(p.x + width - fps_w - font, p.y + height * 0.5f - font * 0.5f));
  ImGui::InvisibleButton("threads", ImVec2(fps_w, font));
  ui::tip("Threads the training kernels use (change it under Settings, left) and frames drawn per second.");
  if (auto progress = worker.progress()) {
    const float bar_w = font * 14;
    ImGui::SetCursorPos(ImVec2(width - fps_w - font * 2 - bar_w, height * 0.5f - font * 0.65f));
    const std::string overlay = progress->title + (worker.paused() ? " (paused)" : "");
    ImGui::ProgressBar(static_cast<float>(progress->fraction), ImVec2(bar_w, font * 1.3f), overlay.c_str());
    ui::tip("The running job; pause or stop it from its panel.");
  }
  ImGui::SetCursorPos(ImVec2(0, height));
}

void App::draw_navigation() {
  const float font = ImGui::GetFontSize();
  ui::dim_text("PIPELINE");
  for (int i = 0; i < static_cast<int>(PanelId::kCount); ++i) {
    const auto id = static_cast<PanelId>(i);
    bool done = false;
    switch (id) {
      case PanelId::kData: done = session.dataset != nullptr; break;
      case PanelId::kTeacher: done = session.teacher != nullptr; break;
      case PanelId::kStudent:
      case PanelId::kDistil: done = session.student != nullptr; break;
      case PanelId::kPrune: done = session.student && session.student_recipe.sparsity > 0; break;
      case PanelId::kQuantize: done = session.quantized.has_value(); break;
      case PanelId::kEvaluate: done = session.student_eval.has_value(); break;
      default: break;
    }
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const std::string label = ui::format("%d   %s", i + 1, kPanels[i].title);
    ImGui::SetCursorScreenPos(ImVec2(p.x + font * 1.1f, p.y));
    if (ImGui::Selectable(label.c_str(), selected == id, 0, ImVec2(0, font * 1.6f))) selected = id;
    ui::tip(kPanels[i].tip);
    ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(p.x + font * 0.45f, p.y + font * 0.58f), font * 0.28f,
                                                done ? ui::color::kSuccess : IM_COL32(90, 95, 108, 255));
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Spacing();
  ui::dim_text("SESSION");
  auto card = [&](const char* title, ImU32 color, const std::string& line1, const std::string& line2) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color), "%s", title);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(line1.c_str());
    if (!line2.empty()) ui::dim_text(line2.c_str());
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
  };
  if (session.dataset)
    card("Dataset", IM_COL32(200, 204, 214, 255), session.dataset_source,
         ui::format("%d images, %d classes", session.dataset->size(), session.dataset->num_classes()));
  else
    card("Dataset", IM_COL32(200, 204, 214, 255), "none", "");
  if (session.teacher) {
    std::string line2 = ui::short_count(static_cast<double>(session.teacher->parameter_count())) + " params";
    if (session.teacher_eval) line2 += ", " + ui::percent(session.teacher_eval->accuracy) + " test";
    card("Teacher", ui::color::kTeacher, describe_arch(*session.teacher), line2);
  } else {
    card("Teacher", ui::color::kTeacher, "none", "");
  }
  if (session.student) {
    std::string line2 = ui::short_count(static_cast<double>(session.student->nonzero_parameter_count())) + " non-zero params";
    if (session.student_eval) line2 += ", " + ui::percent(session.student_eval->accuracy) + " test";
    card("Student", ui::color::kAccent, session.student_recipe.arch + " (" + student_method_name(session.student_recipe.method) + ")", line2);
  } else {
    card("Student", ui::color::kAccent, "none yet", "");
  }
  if (session.quantized) {
    std::string line2 = ui::bytes(static_cast<double>(session.quantized->file_bytes)) + " file";
    if (session.quantized_eval) line2 += ", " + ui::percent(session.quantized_eval->report.accuracy) + " test";
    card("Quantized", ui::color::kQuantized,
         std::string(model_role_name(session.quantized->source)) + " " + quant_mode_name(session.quantized->model->mode()),
         line2);
  }
  draw_settings();
}

void App::draw_settings() {
  ImGui::Separator();
  ImGui::Spacing();
  ui::dim_text("SETTINGS");
  const int most = max_kernel_threads();
  int threads = runtime.kernel_threads;
  ImGui::BeginDisabled(most <= 1);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##threads", &threads, 1, std::max(most, 1), "kernel threads: %d"))
    set_kernel_threads(runtime, threads);
  ImGui::EndDisabled();
  ui::tip(most <= 1 ? "This build runs everything on one thread (the page is not cross-origin isolated)."
                    : "How many threads the training kernels use. The default leaves one core for drawing the page; "
                      "more can train faster but the page may stutter. Takes effect at once, even mid-training.");
  if (most > 1 && runtime.kernel_threads != most - 1) {
    if (ImGui::SmallButton("default")) set_kernel_threads(runtime, 0);
    ui::tip("Back to the default: all cores but one.");
  }
}

void App::draw_banner() {
  const Notice* banner = notices.banner();
  if (!banner) return;
  const float font = ImGui::GetFontSize();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.35f, 0.10f, 0.11f, 1.0f));
  const float wrap = ImGui::GetContentRegionAvail().x - font * 7;
  const float text_h = ImGui::CalcTextSize(banner->text.c_str(), nullptr, false, wrap).y;
  ImGui::BeginChild("banner", ImVec2(-1, text_h + font * 1.2f), false);
  ImGui::SetCursorPos(ImVec2(font * 0.6f, font * 0.6f));
  ImGui::PushTextWrapPos(wrap);
  ImGui::TextUnformatted(banner->text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::SameLine(ImGui::GetWindowWidth() - font * 5.5f);
  if (ImGui::Button("Dismiss")) notices.dismiss_banner();
  ui::tip("Hide this message; nothing you loaded or trained was lost.");
  ImGui::EndChild();
  ImGui::PopStyleColor();
  ImGui::Spacing();
}

void App::draw_selected_panel() {
  ImFont* title_font = ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr;
  if (title_font) ImGui::PushFont(title_font);
  ImGui::TextUnformatted(panel_title(selected));
  if (title_font) ImGui::PopFont();
  ImGui::SameLine();
  ui::dim_text(kPanels[static_cast<int>(selected)].tip);
  switch (selected) {
    case PanelId::kData: data_panel.draw(*this); break;
    case PanelId::kTeacher: teacher_panel.draw(*this); break;
    case PanelId::kStudent: student_panel.draw(*this); break;
    case PanelId::kDistil: distil_panel.draw(*this); break;
    case PanelId::kPrune: prune_panel.draw(*this); break;
    case PanelId::kQuantize: quantize_panel.draw(*this); break;
    case PanelId::kEvaluate: evaluate_panel.draw(*this); break;
    case PanelId::kPredict: predict_panel.draw(*this); break;
    case PanelId::kExport: export_panel.draw(*this); break;
    case PanelId::kCount: break;
  }
}

void App::draw_status_bar() {
  const float font = ImGui::GetFontSize();
  ImGui::SetCursorPos(ImVec2(font * 0.9f, ImGui::GetWindowHeight() - font * 1.5f));
  if (notices.all().empty()) {
    ui::dim_text("Ready.");
    return;
  }
  const Notice& last = notices.all().back();
  const ImU32 color = last.kind == Notice::Kind::kError     ? ui::color::kError
                      : last.kind == Notice::Kind::kSuccess ? ui::color::kSuccess
                                                            : ui::color::kDim;
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color), "%s", last.text.c_str());
  if (ImGui::IsItemHovered() && notices.all().size() > 1) {
    ImGui::BeginTooltip();
    const auto& all = notices.all();
    for (size_t i = all.size() > 12 ? all.size() - 12 : 0; i < all.size(); ++i)
      ImGui::Text("%6.1f s  %s", all[i].time, all[i].text.c_str());
    ImGui::EndTooltip();
  }
}

}  // namespace distillery
