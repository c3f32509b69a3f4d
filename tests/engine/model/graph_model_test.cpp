// Graph models: layers that name their inputs (model/layer_graph.h). Whole-graph
// gradients against finite differences, branches against the chain they
// repeat, the file form, and one clear error for each way a graph can be wrong.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.h"
#include "engine/io/model_json.h"
#include "engine/losses/losses.h"
#include "engine/model/model.h"
#include "engine/model_gradient_check.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// A residual add whose skip is read twice, a branch from the model input and
// a concatenation: every way the graph path routes a gradient.
std::vector<Json> residual_layers() {
  return {
      {{"type", "conv2d"}, {"name", "c1"}, {"filters", 3}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "tanh"}, {"name", "t1"}},
      {{"type", "conv2d"}, {"name", "c2"}, {"filters", 3}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "add"}, {"name", "sum"}, {"inputs", {"c2", "t1"}}},
      {{"type", "conv2d"}, {"name", "side"}, {"filters", 2}, {"kernel_size", 1}, {"inputs", {"input"}}},
      {{"type", "concatenate"}, {"name", "cat"}, {"inputs", {"sum", "side"}}},
      {{"type", "avgpool2d"}, {"pool_size", 2}},
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 4}},
  };
}

Tensor random_input(const Shape& shape, int batch, uint64_t seed) {
  Tensor x(shape.with_batch(batch));
  Rng rng(seed);
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1.0f, 1.0f);
  return x;
}

std::string error_of(const std::vector<Json>& layers, const Shape& input_shape = Shape{5, 5, 2}) {
  try {
    Rng rng(1);
    Model::from_layer_configs(layers, input_shape, rng);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// sole_reader: what BatchNorm folding and ReLU fusion in quantization rely on.
TEST(LayerGraph, SoleReaderIsTheOneOneInputLayerReadingAnOutput) {
  const LayerGraph graph = read_layer_graph(residual_layers());
  EXPECT_EQ(graph.sole_reader(0), 1);   // c1 -> t1 alone
  EXPECT_EQ(graph.sole_reader(1), -1);  // t1: read by c2 and by the add
  EXPECT_EQ(graph.sole_reader(2), -1);  // c2: its one reader, the add, reads t1 too
  EXPECT_EQ(graph.sole_reader(5), 6);   // cat -> avgpool
  EXPECT_EQ(graph.sole_reader(8), -1);  // the output: nothing reads it
  const LayerGraph twice = read_layer_graph({
      {{"type", "dense"}, {"name", "d"}, {"units", 3}},
      {{"type", "add"}, {"inputs", {"d", "d"}}},
  });
  EXPECT_EQ(twice.sole_reader(0), -1) << "read twice by one layer";
}

TEST(GraphModel, ReadsItsGraph) {
  Rng rng(1);
  Model m = Model::from_layer_configs(residual_layers(), Shape{5, 5, 2}, rng);
  EXPECT_FALSE(m.is_chain());
  EXPECT_EQ(m.graph().inputs[3], (std::vector<int>{2, 1}));
  EXPECT_EQ(m.graph().inputs[4], (std::vector<int>{LayerGraph::kModelInput}));
  EXPECT_EQ(m.graph().inputs[6], (std::vector<int>{5}));  // no "inputs": the layer before
  EXPECT_EQ(m.layer(5).output_shape(), (Shape{5, 5, 5}));
  EXPECT_EQ(m.graph().names[7], "flatten_7");
  EXPECT_EQ(m.num_outputs(), 4);
  // Measured without building, the same numbers.
  EXPECT_EQ(Model::measure(residual_layers(), Shape{5, 5, 2}).parameters, m.parameter_count());
}

TEST(GraphModel, BackwardMatchesFiniteDifferencesOfTheLoss) {
  Rng rng(2);
  Model m = Model::from_layer_configs(residual_layers(), Shape{5, 5, 2}, rng);
  const Tensor x = random_input(m.input_shape(), 3, 3);
  const int labels[3] = {0, 3, 1};
  // Every weight, including c1's, whose gradient arrives by three paths; twice,
  // so a backward that keeps the sums of the step before would show.
  EXPECT_EQ(test::expect_model_gradients_match(m, x, labels, 1, 2), m.parameter_count());
}

TEST(GraphModel, IdenticalBranchesEqualTheChainComputedTwice) {
  const std::vector<Json> chain{{{"type", "dense"}, {"units", 6}}, {{"type", "relu"}}, {{"type", "dense"}, {"units", 3}}};
  const std::vector<Json> graph{{{"type", "dense"}, {"units", 6}},
                                {{"type", "relu"}, {"name", "r"}},
                                {{"type", "dense"}, {"name", "left"}, {"units", 3}},
                                {{"type", "dense"}, {"name", "right"}, {"units", 3}, {"inputs", {"r"}}},
                                {{"type", "add"}, {"inputs", {"left", "right"}}}};
  Rng rng(3);
  Model once = Model::from_layer_configs(chain, Shape{5}, rng);
  Model twice = Model::from_layer_configs(graph, Shape{5}, rng);
  // The graph's weights: the chain's, with its last dense layer in both branches.
  const std::vector<float>& w = once.params().values;
  const int64_t first = 5 * 6 + 6;
  std::vector<float>& g = twice.params().values;
  std::copy(w.begin(), w.end(), g.begin());
  std::copy(w.begin() + first, w.end(), g.begin() + static_cast<int64_t>(w.size()));
  const Tensor x = random_input(Shape{5}, 4, 4);
  const Tensor a = once.predict_logits(x);
  const Tensor b = twice.predict_logits(x);
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(b[i], 2.0f * a[i]) << i;
}

TEST(GraphModel, SavesNamesAndInputsAndLoadsBackBitExactly) {
  Rng rng(5);
  Model m = Model::from_layer_configs(residual_layers(), Shape{5, 5, 2}, rng);
  m.class_names = {"a", "b", "c", "d"};
  const std::string text = save_model_json(m, {WeightsEncoding::kBase64, 2});
  const Json doc = Json::parse(text);
  EXPECT_EQ(doc["version"], kGraphModelFormatVersion);
  EXPECT_EQ(doc["layers"][3]["inputs"], Json({"c2", "t1"}));
  EXPECT_EQ(doc["layers"][4]["inputs"], Json({"input"}));
  EXPECT_EQ(doc["layers"][7]["name"], "flatten_7");
  Model again = load_model_json(text);
  EXPECT_FALSE(again.is_chain());
  EXPECT_EQ(again.params().values, m.params().values);
  EXPECT_EQ(save_model_json(again, {WeightsEncoding::kBase64, 2}), text);
  const Tensor x = random_input(m.input_shape(), 2, 6);
  const Tensor a = m.predict_logits(x);
  const Tensor b = again.clone().predict_logits(x);
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]);
}

TEST(GraphModel, AChainSavesAsBeforeGraphsExisted) {
  const std::vector<Json> named{{{"type", "dense"}, {"name", "d"}, {"units", 3}}, {{"type", "relu"}, {"inputs", {"d"}}},
                                {{"type", "dense"}, {"units", 2}}};
  Rng rng(6);
  Model m = Model::from_layer_configs(named, Shape{4}, rng);
  EXPECT_TRUE(m.is_chain());
  const Json doc = Json::parse(save_model_json(m));
  EXPECT_EQ(doc["version"], kFloatModelFormatVersion);
  for (const Json& layer : doc["layers"]) EXPECT_FALSE(layer.contains("inputs") || layer.contains("name")) << layer;
}

TEST(GraphModel, WrongGraphsGetOneClearError) {
  auto with = [](std::vector<Json> layers, int i, const char* key, Json value) {
    layers[static_cast<size_t>(i)][key] = std::move(value);
    return layers;
  };
  const std::vector<Json> base = residual_layers();
  EXPECT_EQ(error_of(with(base, 3, "inputs", {"c2", "nowhere"})),
            "layer 3 'sum' (add) reads \"nowhere\", which no layer is named");
  EXPECT_EQ(error_of(with(base, 0, "inputs", {"sum"})),
            "the layers form a cycle: c1 <- sum <- c2 <- t1 <- c1 (each name reads the next)");
  EXPECT_EQ(error_of(with(base, 3, "inputs", {"c2", "cat"})),
            "the layers form a cycle: sum <- cat <- sum (each name reads the next)");
  EXPECT_EQ(error_of(with(base, 5, "inputs", {"sum", "flatten_7"})),
            "the layers form a cycle: cat <- flatten_7 <- avgpool2d_6 <- cat (each name reads the next)");
  EXPECT_EQ(error_of(with(base, 3, "inputs", {"c2", "side"})),
            "layer 3 'sum' (add) reads \"side\", which is listed after it: list every layer after its inputs");
  EXPECT_EQ(error_of(with(base, 5, "inputs", {"sum", "sum"})),
            "layer 4 'side' (conv2d) feeds no later layer: a model has one output, its last layer");
  EXPECT_EQ(error_of(with(base, 4, "strides", 2)),
            "layer 5 (concatenate): concatenate joins along the last axis, so the others must agree, but input 0 is "
            "[5, 5, 3] and input 1 is [3, 3, 2]");
  EXPECT_EQ(error_of(with(base, 2, "filters", 4)),
            "layer 3 (add): add needs inputs of one shape, but input 0 is [5, 5, 4] and input 1 is [5, 5, 3]");
  EXPECT_EQ(error_of(with(base, 1, "name", "c1")), "layers 0 and 1 are both named \"c1\"");
  EXPECT_EQ(error_of(with(base, 1, "name", "input")), "layer 1: the name \"input\" is reserved for the model input");
  EXPECT_EQ(error_of(with(base, 3, "inputs", {"c2"})), "layer 3 (add): add joins two or more layers (named in its \"inputs\"), but is given 1");
  EXPECT_EQ(error_of(with(base, 2, "inputs", {"t1", "c1"})), "layer 2 (conv2d): conv2d takes one input, but is given 2");
  EXPECT_EQ(error_of({{{"type", "dense"}, {"units", 3}}, {{"type", "add"}}}, Shape{4}),
            "layer 1 (add): add joins two or more layers (named in its \"inputs\"), but is given 1");
  EXPECT_EQ(error_of(with(base, 3, "inputs", Json::array())),
            "layer 3 'sum': \"inputs\" must be a non-empty array of layer names");
}

}  // namespace
}  // namespace distillery
