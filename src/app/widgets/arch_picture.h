#pragma once
// ArchPicture: the architecture editor's drawing of a spec, computed without
// ImGui so it can be tested: one box per layer or block (with its output
// shape and weights), and inside a block (res, mbconv) its layers as chips in
// a row with the skip connection as an arc over them, from the block's input
// to its add. The arc is an identity, or a 1x1 projection when the block
// changes the shape. Drawing it (arch_editor.cpp) is a loop over the boxes.
//
// Everything is read from the layer graph the engine builds for the spec, so
// the picture shows what will be trained, not what the text seems to say.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/shape.h"

namespace distillery {

struct ArchRect {
  float x = 0, y = 0, w = 0, h = 0;
  float right() const { return x + w; }
  float bottom() const { return y + h; }
};

// One layer inside a block; `add` is the block's addition (drawn as a circled +).
struct ArchChip {
  std::string label;
  ArchRect rect;
  bool add = false;
};

struct ArchSkip {
  enum class Kind { kNone, kIdentity, kProjection };
  Kind kind = Kind::kNone;
  std::string label;    // "identity", "conv 1x1 /2, bn", or why a block has none
  float x0 = 0, x1 = 0; // leaves the block's input at x0, joins the add at x1
  float y_top = 0;      // the arc's height, where its label sits
  float y_base = 0;     // the chips' top edge, where the arc starts and ends
};

struct ArchPictureBox {
  enum class Kind { kInput, kLayer, kBlock };
  Kind kind = Kind::kLayer;
  std::string title;   // "conv:16:3", "res:32:2", "input", "output dense:10"
  std::string shape;   // its output, "14x14x32"
  int64_t params = 0;  // the weights of its layers (batch-norm statistics included)
  ArchRect rect;
  std::vector<ArchChip> chips;  // blocks only: the main path, the add, what follows it
  ArchSkip skip;
};

struct ArchPictureMetrics {
  float line = 16;    // a text line's height
  float pad = 4;      // inside boxes and chips
  float gap = 12;     // between chips, and between boxes (where the arrow goes)
  float min_width = 0;
  std::function<float(const std::string&)> text_width = [](const std::string& s) { return 7.0f * s.size(); };
};

struct ArchPicture {
  bool ok = false;
  std::string error;  // when the spec does not build (the editor's measure line says it too)
  std::vector<ArchPictureBox> boxes;
  float width = 0, height = 0;
  int skip_count(ArchSkip::Kind kind) const;
};

// The picture of the model parse_arch_spec builds from `spec` for this input and class count.
ArchPicture arch_picture(const std::string& spec, const Shape& input, int num_classes, const ArchPictureMetrics& metrics);

// "14x14x32" for [14, 14, 32], "64" for [64].
std::string shape_text(const Shape& shape);
// "9,344 params", or "" for none: a box's right-hand text after its shape.
std::string arch_params_text(int64_t params);

}  // namespace distillery
