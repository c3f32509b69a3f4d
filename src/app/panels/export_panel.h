#pragma once
// Export panel: download the student (and the teacher) as model JSON, with a
// file name that says what it is.
namespace distillery {

class App;

struct ExportPanel {
  void draw(App& app);
  bool compact = false;  // base64 float32 weights instead of number arrays
};

}  // namespace distillery
