// The architecture editor drawn headlessly (an ImGui context, no window): its
// rows for graph tokens and its picture draw without ImGui stack mistakes.
#include <gtest/gtest.h>

#include "app/widgets/arch_editor.h"
#include "app/widgets/item_locator.h"
#include "headless_imgui.h"
#include "imgui.h"

namespace distillery {
namespace {

struct EditorFrames {
  testing::HeadlessImGuiContext context;

  // One frame of the editor in a window, for 28x28x1 images of 10 classes
  // unless told otherwise; the vertices drawn.
  int frame(ArchEditor& editor, float width = 600, ArchTarget target = {Shape{28, 28, 1}, 10}) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(width, 790));
    ImGui::Begin("editor");
    editor.draw("arch", {}, target);
    if (target.known()) {
      const ArchMeasure& m = editor.measure(target.input, target.classes);
      EXPECT_TRUE(m.ok) << m.error;
    }
    ImGui::End();
    ImGui::Render();
    return ImGui::GetDrawData()->TotalVtxCount;
  }
};

TEST(ArchEditorFrame, TheResNetPictureDrawsInItsFirstFrame) {
  EditorFrames frames;
  const std::string resnet = "conv:16:3,bn,res:16,res:32:2,res:64:2,gap";
  ArchEditor editor(resnet);
  const int unknown_input = frames.frame(editor, 600, ArchTarget{});  // nothing loaded yet: rows only
  const int with_picture = frames.frame(editor);  // the frame the input becomes known
  EXPECT_GT(with_picture, unknown_input + 2000) << "seven boxes, twenty chips and three arcs";
  EXPECT_EQ(editor.spec(), resnet);  // drawing changes nothing
  const auto picture = ui::remembered_item("arch picture");
  ASSERT_TRUE(picture.has_value());
  EXPECT_GT(picture->height, 3 * 3 * ImGui::GetTextLineHeight()) << "three blocks of three lines, at least";
  EXPECT_LT(picture->x, 100) << "under the rows in a narrow window";
  frames.frame(editor, 1270);
  const auto beside = ui::remembered_item("arch picture");
  ASSERT_TRUE(beside.has_value());
  EXPECT_GT(beside->x, 400) << "beside the rows in a wide one";
  EXPECT_LE(beside->x + beside->width, 1270 - ImGui::GetStyle().WindowPadding.x) << "and all of it in the window";
  EXPECT_LT(beside->y, picture->y) << "so it starts higher up";
  ArchEditor plain("dense:32");
  frames.frame(plain);
  EXPECT_LT(frames.frame(plain), with_picture);
}

}  // namespace
}  // namespace distillery
