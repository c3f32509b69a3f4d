#pragma once
// Which of the session's two models a method or panel means: the student (the
// default everywhere) or the teacher. The names are what the JS API takes
// (`{model: 'teacher'}`) and saved sessions record.
#include "engine/core/name_table.h"

namespace distillery {

enum class ModelRole { kStudent, kTeacher };
inline const NameTable<ModelRole>& model_role_names() {
  static const NameTable<ModelRole> table("model", {{ModelRole::kStudent, "student"}, {ModelRole::kTeacher, "teacher"}});
  return table;
}
inline const char* model_role_name(ModelRole role) { return model_role_names().name(role); }

}  // namespace distillery
