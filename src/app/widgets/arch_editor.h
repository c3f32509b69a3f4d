#pragma once
// ArchEditor: edits a layer spec ("conv:8:3,pool:2,dense:32") as text or as
// a list of rows with +/- fields, with presets, and measures it live: the
// parameter count and FLOPs of the model it builds on the current data.
#include <optional>
#include <string>
#include <vector>

#include "app/widgets/arch_picture.h"
#include "engine/core/shape.h"

namespace distillery {

struct Dataset;
class Model;

// One token of a spec in editable form. Tokens with options the rows cannot
// show (a conv's strides, activations) stay as raw text, and so does any token
// its row would not write back exactly as typed. The engine reads and writes
// the tokens (engine/model/arch_spec.h, arch_blocks.h); this is only their
// form on screen.
struct ArchRow {
  enum class Kind {
    kDense, kConv, kMaxPool, kAvgPool, kDropout,
    kResidual,          // res:FILTERS[:STRIDE]
    kInvertedResidual,  // mbconv:FILTERS:EXPANSION[:STRIDE]
    kDepthwise,         // dwconv:KERNEL[:STRIDE]
    kBatchNorm, kGlobalPool, kRaw
  };
  Kind kind = Kind::kDense;
  int width = 32;     // units, filters, or the pool size
  int kernel = 3;     // conv, dwconv: the square kernel's side
  float rate = 0.2f;  // dropout
  int stride = 1;     // res, mbconv, dwconv
  int expansion = 4;  // mbconv
  std::string raw;
};

std::vector<ArchRow> parse_arch_rows(const std::string& spec);
std::string arch_rows_to_spec(const std::vector<ArchRow>& rows);
// The teacher's spec with every dense/conv width multiplied by m (at least 1).
std::string scale_arch_widths(const std::string& spec, float multiplier);

struct ArchMeasure {
  bool ok = false;
  std::string error;
  int64_t params = 0;
  int64_t flops = 0;
  int layers = 0;
};
// Measures the spec on an input shape and class count without building it:
// no weights are allocated, so a huge spec typed in costs nothing.
ArchMeasure measure_arch(const std::string& spec, const Shape& input, int num_classes);

// "9.2x fewer parameters than the teacher (235,146)", or "54.1x more ..."
// when the student is the larger one.
std::string compression_summary(int64_t student_params, int64_t teacher_params);

struct ArchPreset {
  const char* name;
  const char* spec;
  const char* tip;
};

// What a spec is built for: the samples' shape and the class count. Unknown
// (classes 0) until a dataset or a teacher is loaded.
struct ArchTarget {
  Shape input;
  int classes = 0;
  bool known() const { return classes > 0; }
};
// The dataset's shape and classes; the teacher's when no dataset is loaded
// (either may be null).
ArchTarget arch_target(const Dataset* dataset, const Model* teacher);

class ArchEditor {
 public:
  explicit ArchEditor(std::string spec) { set_spec(std::move(spec)); }
  // Draws the editor for `target`; returns true when the spec changed this
  // frame. The size and the picture are of the spec as edited this frame.
  bool draw(const char* id, const std::vector<ArchPreset>& presets, const ArchTarget& target);
  const std::string& spec() const { return spec_; }
  void set_spec(std::string spec);
  // Cached measurement for (input, classes); recomputed when anything changes.
  const ArchMeasure& measure(const Shape& input, int num_classes);

 private:
  bool draw_presets(const std::vector<ArchPreset>& presets);
  bool draw_text();
  bool draw_rows();
  bool draw_add_buttons();
  bool draw_rows_and_buttons();
  void update_picture(const ArchTarget& target);
  void draw_picture();

  std::string id_;    // draw()'s id: names the spec field and the picture for browser tests
  std::string spec_;
  std::string text_;  // the text field (may be mid-edit)
  std::vector<ArchRow> rows_;
  ArchMeasure measure_;
  std::string measured_spec_;
  Shape measured_input_;
  int measured_classes_ = -1;
  ArchPicture picture_;
  std::string picture_key_;  // what picture_ was laid out for
};

}  // namespace distillery
