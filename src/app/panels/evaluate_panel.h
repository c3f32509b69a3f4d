#pragma once
// Evaluate panel: accuracy, per-class accuracy, the confusion matrix as a
// heat map, teacher-student agreement, and a table of parameters, non-zeros,
// bytes and ms/sample for teacher, student and the quantized model.
namespace distillery {

class App;
struct QuantizedEntry;
struct QuantizedEval;

struct EvaluatePanel {
  void draw(App& app);
  bool show_teacher_confusion = false;

 private:
  void draw_table(App& app);
  void draw_quantized_row(const QuantizedEntry& q, const QuantizedEval& e);
  void draw_per_class(App& app);
  void draw_confusion(App& app);
};

}  // namespace distillery
