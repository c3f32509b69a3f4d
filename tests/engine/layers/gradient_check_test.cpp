// The gradient checker itself: it passes a correct layer and catches a wrong
// input gradient, a wrong parameter gradient, and a backward() that overwrites
// instead of adding (so the per-layer checks can fail when they should).
#include <gtest/gtest.h>

#include "engine/gradient_check.h"

namespace distillery {
namespace {

enum class Bug { kNone, kInputGradient, kParamGradient, kOverwritesGrads };

// y = w * x^2 with one scalar parameter w, and an optional planted bug.
class SquareScale : public Layer {
 public:
  explicit SquareScale(Bug bug) : bug_(bug) {}
  std::string type() const override { return "square_scale"; }
  nlohmann::json config() const override { return {{"type", type()}}; }
  Shape build(const Shape& s) override { return input_shape_ = output_shape_ = s; }
  std::vector<ParamSpec> param_specs() const override { return {{"w", Shape{1}, true}}; }
  void bind(const std::vector<float*>& p, const std::vector<float*>& g) override {
    w_ = p[0];
    w_grad_ = g[0];
  }
  void forward(const Tensor& x, Tensor& y, bool) override {
    y.resize(x.shape());
    for (int64_t i = 0; i < x.size(); ++i) y[i] = *w_ * x[i] * x[i];
  }
  void backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor& dx) override {
    dx.resize(x.shape());
    double dw = 0.0;
    for (int64_t i = 0; i < x.size(); ++i) {
      dx[i] = dy[i] * 2.0f * *w_ * x[i] * (bug_ == Bug::kInputGradient && i == 3 ? 1.05f : 1.0f);
      dw += dy[i] * x[i] * x[i];
    }
    if (bug_ == Bug::kParamGradient) dw *= 0.9;
    if (bug_ == Bug::kOverwritesGrads) *w_grad_ = 0.0f;
    *w_grad_ += static_cast<float>(dw);
  }

 private:
  Bug bug_;
  float* w_ = nullptr;
  float* w_grad_ = nullptr;
};

TEST(GradientCheckLayerTest, PassesACorrectLayer) {
  SquareScale layer(Bug::kNone);
  EXPECT_TRUE(test::check_layer_gradients(layer, Shape{3, 2}));
}

TEST(GradientCheckLayerTest, CatchesPlantedBugs) {
  for (Bug bug : {Bug::kInputGradient, Bug::kParamGradient, Bug::kOverwritesGrads}) {
    SquareScale layer(bug);
    EXPECT_FALSE(test::check_layer_gradients(layer, Shape{3, 2})) << "bug " << static_cast<int>(bug);
  }
}

}  // namespace
}  // namespace distillery
