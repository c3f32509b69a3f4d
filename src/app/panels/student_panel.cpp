// Student panel. Sections: architecture and its size, derive from teacher,
// the current student.
#include "app/panels/student_panel.h"

#include "app/app.h"
#include "app/widgets/charts.h"
#include "app/widgets/ui.h"
#include "engine/model/arch_spec.h"

namespace distillery {

namespace {
const std::vector<ArchPreset> kStudentPresets = {
    {"dense:32", "dense:32", "One small hidden layer: tiny and fast, the classic distillation student."},
    {"dense:64", "dense:64", "A slightly wider one-layer student."},
    {"tiny CNN", "conv:8:3,pool:2,conv:16:3,pool:2,dense:32", "A small CNN: few parameters, sees shapes like the teacher."},
    {"dense:128,64", "dense:128,dense:64", "Two hidden layers."},
    {"MobileNet-style", "conv:16:3,mbconv:16:2,mbconv:24:4:2,mbconv:32:4:2,mbconv:32:4,gap",
     "Inverted residual blocks with depthwise convolutions: 23 k parameters; distilled from the ResNet-8 teacher it "
     "gains about 1 point over the same student trained alone (docs/BENCHMARKS.md)."}};
}  // namespace

void StudentPanel::draw(App& app) {
  draw_architecture(app);
  draw_current(app);
}

void StudentPanel::draw_architecture(App& app) {
  ui::section("Student architecture");
  ui::dim_text("The student is the small model distillation trains. Make it much smaller than the teacher: the "
               "point is to keep most of the accuracy at a fraction of the size.");
  arch.draw("student_arch", kStudentPresets, arch_target(app.session.dataset.get(), app.session.teacher.get()));

  if (app.session.teacher) {
    const float font = ImGui::GetFontSize();
    ImGui::SetNextItemWidth(font * 10);
    ImGui::SliderFloat("width multiplier", &width_multiplier, 0.05f, 1.0f, "%.2f");
    ui::tip("Derive the student from the teacher's layers with every width (units, filters) multiplied by this.");
    ImGui::SameLine();
    if (ImGui::Button("Derive from teacher"))
      arch.set_spec(scale_arch_widths(describe_arch(*app.session.teacher), width_multiplier));
    ui::tip("Copy the teacher's architecture, thinner: a common way to pick a student.");
  }

  if (!app.session.dataset) {
    ui::dim_text("Load a dataset to see the student's size.");
    return;
  }
  const Dataset& d = *app.session.dataset;
  const ArchMeasure& m = arch.measure(d.sample_shape(), d.num_classes());
  if (!m.ok) {
    ui::error_text(m.error.c_str());
    return;
  }
  ui::key_value("Parameters", ui::thousands(m.params) + "  (" + ui::bytes(m.params * 4.0) + " as float32)");
  ui::key_value("FLOPs / image", ui::short_count(static_cast<double>(m.flops)));
  if (app.session.teacher) {
    const int64_t teacher_params = app.session.teacher->parameter_count();
    const double tp = static_cast<double>(teacher_params);
    ui::key_value("Compression", compression_summary(m.params, teacher_params));
    ui::fraction_bar(static_cast<float>(m.params / tp), ui::color::kAccent,
                     ui::format("student is %.1f %% of the teacher's size", 100.0 * m.params / tp).c_str(), -1);
    ui::tip("The bar is the student's parameter count as a share of the teacher's.");
  }
}

void StudentPanel::draw_current(App& app) {
  ui::section("Current student");
  if (!app.session.student) {
    ui::dim_text("No student yet: set the architecture above, then distil it in the Distil panel.");
    return;
  }
  const Model& s = *app.session.student;
  const StudentRecipe& r = app.session.student_recipe;
  ui::key_value("Architecture", r.arch.empty() ? describe_arch(s) : r.arch);
  std::string how = student_method_name(r.method);
  if (r.method == StudentMethod::kDistilled) how += ui::format(" (T = %.1f, alpha = %.2f)", r.temperature, r.alpha);
  if (r.sparsity > 0) how += ui::format(", pruned to %.0f %% sparsity", r.sparsity * 100);
  ui::key_value("Made by", how);
  ui::key_value("Parameters", ui::thousands(s.parameter_count()) + " (" + ui::thousands(s.nonzero_parameter_count()) +
                                  " non-zero)");
  if (app.session.student_eval) ui::key_value("Test accuracy", ui::percent(app.session.student_eval->accuracy));
}

}  // namespace distillery
