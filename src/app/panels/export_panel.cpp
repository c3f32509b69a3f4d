#include "app/panels/export_panel.h"

#include "app/actions.h"
#include "app/app.h"
#include "app/widgets/ui.h"

namespace distillery {

void ExportPanel::draw(App& app) {
  ui::section("Download models");
  ui::dim_text("Models are saved as Distillery model JSON: layers, weights, class names, preprocessing and where the "
               "model came from. The command-line tool and this app can load them again.");
  ImGui::Checkbox("compact weights (base64)", &compact);
  ui::tip("Store weights as base64 float32 bytes: about 3x smaller files, but not human-readable.");

  ui::section("Student");
  if (app.session.student) {
    const std::string name = student_file_name(app);
    ui::key_value("File name", name);
    ui::key_value("Parameters", ui::thousands(app.session.student->parameter_count()) + " (" +
                                    ui::thousands(app.session.student->nonzero_parameter_count()) + " non-zero)");
    if (ImGui::Button("Download student JSON"))
      app.run_action([&] { app.notices.success(app.platform.save_file(name, export_student_json(app, compact))); });
    ui::tip("Save the current student as a model file.");
    const bool open = ImGui::TreeNode("Provenance of the student");
    ui::tip("What the student's file will say about how it was made (teacher, T, alpha, pruning, accuracy).");
    if (open) {
      ImGui::TextUnformatted(app.session.student->provenance.dump(2).c_str());
      ImGui::TreePop();
    }
  } else {
    ui::dim_text("No student yet: distil one first.");
  }

  ui::section("Teacher");
  if (app.session.teacher) {
    const std::string name = teacher_file_name(app);
    ui::key_value("File name", name);
    if (ImGui::Button("Download teacher JSON"))
      app.run_action([&] { app.notices.success(app.platform.save_file(name, export_teacher_json(app, compact))); });
    ui::tip("Save the current teacher as a model file (useful when you trained it here).");
  } else {
    ui::dim_text("No teacher loaded.");
  }
}

}  // namespace distillery
