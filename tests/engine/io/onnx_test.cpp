// ONNX import and export through the engine (the PyTorch checks are in
// tests/onnx): export -> import gives back the same logits, class names and
// preprocessing, including TF-style "same" padding with stride 2 (asymmetric
// pads) and the row order of the dense layer after a flatten; and each bad
// input ends in its one clear message: truncated bytes, a tensor shorter than
// it declares, an unsupported op, an output that is not the classifier,
// a depthwise convolution with a depth multiplier, a file of tiny records.
// (depthwise_conv2d and relu6 both ways: tests/engine/layers/depthwise_conv2d_test.cpp.)
#include <gtest/gtest.h>

#include "engine/io/onnx_export.h"
#include "engine/io/onnx_import.h"
#include "engine/io/onnx_model.h"
#include "engine/quant/quantized_model.h"
#include "engine/io/tfjs_test_util.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::expect_error;

// Every weight moved off its initial value, the batch-norm statistics too (variances kept positive),
// so a layout slip in any tensor shows in the logits.
void perturb_every_weight(Model& m, Rng& rng) {
  for (float& v : m.params().values) v += rng.uniform(-0.3f, 0.3f);
  for (int i = 0; i < m.num_layers(); ++i)
    for (int r : m.param_refs_of_layer(i))
      if (m.params().refs[r].spec.name == "moving_variance")
        for (int64_t k = 0; k < m.params().refs[r].size(); ++k) m.params().values[m.params().refs[r].offset + k] += 1.0f;
}

Model make_cnn(uint64_t seed = 3) {
  Rng rng(seed);
  Model m = Model::from_layer_configs({{{"type", "conv2d"}, {"filters", 4}, {"kernel_size", 3}, {"strides", 2},
                                        {"padding", "same"}},
                                       {{"type", "batch_norm"}},
                                       {{"type", "leaky_relu"}, {"alpha", 0.2}},
                                       {{"type", "maxpool2d"}, {"pool_size", 2}, {"padding", "same"}},
                                       {{"type", "avgpool2d"}, {"pool_size", 2}, {"strides", 1}},
                                       {{"type", "flatten"}},
                                       {{"type", "dense"}, {"units", 5}},
                                       {{"type", "tanh"}},
                                       {{"type", "dense"}, {"units", 3}}},
                                      Shape{9, 9, 2}, rng);
  perturb_every_weight(m, rng);
  m.class_names = {"cat", "dog", "owl"};
  m.preprocessing = {0.5f, 0.25f, 2.0f};
  m.name = "tiny-cnn";
  return m;
}

Tensor random_input(const Shape& shape, int n, uint64_t seed) {
  Rng rng(seed);
  Tensor x(shape.with_batch(n), 0.0f);
  for (int64_t i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1.0f, 1.0f);
  return x;
}

// Both models' logits on 4 random inputs agree within 1e-5 (float rounding of the layout changes).
void expect_logits_near(Model& a, Model& b, uint64_t seed) {
  const Tensor x = random_input(a.input_shape(), 4, seed);
  const Tensor la = a.predict_logits(x), lb = b.predict_logits(x);
  ASSERT_EQ(la.size(), lb.size());
  for (int64_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la.data()[i], lb.data()[i], 1e-5f) << i;
}

TEST(OnnxRoundTrip, ExportThenImportGivesTheSameLogitsAndMetadata) {
  Model original = make_cnn();
  const std::vector<uint8_t> bytes = export_onnx_model(original);
  Model back = import_onnx_model(bytes);
  EXPECT_EQ(back.input_shape(), original.input_shape());
  EXPECT_EQ(back.class_names, original.class_names);
  EXPECT_FLOAT_EQ(back.preprocessing.scale, 0.5f);
  EXPECT_FLOAT_EQ(back.preprocessing.mean, 0.25f);
  EXPECT_FLOAT_EQ(back.preprocessing.std, 2.0f);
  EXPECT_EQ(back.name, "tiny-cnn");
  EXPECT_TRUE(back.is_chain());  // a chain comes back as a chain, without graph keys
  expect_logits_near(original, back, 11);
}

TEST(OnnxRoundTrip, ExportWritesNchwInputSoftmaxOutputAndAsymmetricSamePads) {
  const OnnxModel onnx = decode_onnx_model(export_onnx_model(make_cnn()));
  EXPECT_EQ(onnx.onnx_opset(), 13);
  ASSERT_EQ(onnx.graph.inputs.size(), 1u);
  EXPECT_EQ(onnx.graph.inputs[0].dims, (std::vector<int64_t>{-1, 2, 9, 9}));
  EXPECT_EQ(onnx.graph.nodes.back().op_type, "Softmax");
  EXPECT_EQ(onnx.graph.outputs[0].dims, (std::vector<int64_t>{-1, 3}));
  const OnnxNode& conv = onnx.graph.nodes.front();
  ASSERT_EQ(conv.op_type, "Conv");
  EXPECT_EQ(conv.attribute("pads")->ints, (std::vector<int64_t>{1, 1, 1, 1}));  // 9 -> 5 with k 3, s 2
  ASSERT_NE(onnx.metadata_value("class_names"), nullptr);
  EXPECT_EQ(*onnx.metadata_value("class_names"), R"(["cat","dog","owl"])");
  EXPECT_TRUE(looks_like_onnx_model(export_onnx_model(make_cnn())));
  EXPECT_FALSE(looks_like_onnx_model({'{', '"'}));
}

TEST(OnnxRoundTrip, PrunedWeightsAreWrittenAsZeros) {
  Model m = make_cnn();
  ParamStore& params = m.params();
  const ParamRef& kernel = params.refs[static_cast<size_t>(m.param_refs_of_layer(0)[0])];  // conv2d kernel
  for (int64_t k = 0; k < kernel.size(); k += 2) params.masks[static_cast<size_t>(kernel.offset + k)] = 0.0f;
  const OnnxModel onnx = decode_onnx_model(export_onnx_model(m));
  int64_t zeros = 0;
  for (const OnnxTensor& t : onnx.graph.initializers)
    if (t.name == onnx.graph.nodes.front().inputs[1])
      for (float v : t.floats) zeros += v == 0.0f;
  EXPECT_EQ(zeros, (kernel.size() + 1) / 2);
}

// Branches joined by add and concatenate, features flattened on one branch
// and pooled on the other, two classifier heads added.
Model make_branching_graph(uint64_t seed = 5) {
  Rng rng(seed);
  auto layer = [](json config, const char* name, std::vector<std::string> inputs) {
    config["name"] = name;
    config["inputs"] = inputs;
    return config;
  };
  Model m = Model::from_layer_configs(
      {layer({{"type", "conv2d"}, {"filters", 4}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}}, "c1",
             {"input"}),
       layer({{"type", "batch_norm"}}, "b1", {"c1"}),
       layer({{"type", "relu"}}, "r1", {"b1"}),
       layer({{"type", "conv2d"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"}}, "c2", {"r1"}),
       layer({{"type", "conv2d"}, {"filters", 4}, {"kernel_size", 1}}, "c3", {"r1"}),
       layer({{"type", "add"}}, "a1", {"c2", "c3"}),
       layer({{"type", "concatenate"}}, "k1", {"a1", "r1"}),
       layer({{"type", "global_avg_pool2d"}}, "g1", {"k1"}),
       layer({{"type", "dense"}, {"units", 3}}, "d1", {"g1"}),
       layer({{"type", "flatten"}}, "f1", {"a1"}),
       layer({{"type", "dense"}, {"units", 3}}, "d2", {"f1"}),
       layer({{"type", "add"}}, "a2", {"d1", "d2"})},
      Shape{9, 9, 2}, rng);
  perturb_every_weight(m, rng);
  m.class_names = {"cat", "dog", "owl"};
  return m;
}

TEST(OnnxRoundTrip, ABranchingGraphComesBackAsTheSameGraph) {
  Model original = make_branching_graph();
  ASSERT_FALSE(original.is_chain());
  const std::vector<uint8_t> bytes = export_onnx_model(original);
  const OnnxModel onnx = decode_onnx_model(bytes);
  int adds = 0, concats = 0;
  for (const OnnxNode& n : onnx.graph.nodes) {
    adds += n.op_type == "Add";
    if (n.op_type == "Concat") {
      ++concats;
      EXPECT_EQ(n.attribute("axis")->i, 1);  // NCHW channels
      EXPECT_EQ(n.inputs.size(), 2u);
    }
  }
  EXPECT_EQ(adds, 2);
  EXPECT_EQ(concats, 1);

  Model back = import_onnx_model(bytes);
  ASSERT_FALSE(back.is_chain());
  ASSERT_EQ(back.num_layers(), original.num_layers());
  for (int i = 0; i < back.num_layers(); ++i) {
    EXPECT_EQ(back.layer(i).type(), original.layer(i).type()) << i;
    EXPECT_EQ(back.graph().inputs[i], original.graph().inputs[i]) << i;
  }
  EXPECT_EQ(back.parameter_count(), original.parameter_count());
  expect_logits_near(original, back, 12);
}

TEST(OnnxImport, BadJoinsAndDeadBranchesAreClearErrors) {
  const OnnxModel good = decode_onnx_model(export_onnx_model(make_branching_graph()));
  auto node_index = [&](const std::string& op, int nth) {
    for (size_t i = 0; i < good.graph.nodes.size(); ++i)
      if (good.graph.nodes[i].op_type == op && nth-- == 0) return i;
    ADD_FAILURE() << "no " << op;
    return size_t{0};
  };
  // An Add that reads the graph input (9x9x2) and the first conv's output (5x5x4).
  OnnxModel shapes = good;
  shapes.graph.nodes[node_index("Add", 0)].inputs[1] = "input";
  expect_error([&] { import_onnx_model(encode_onnx_model(shapes)); }, {"(Add):", "add"});
  // A Mul of two computed values.
  OnnxModel mul = good;
  mul.graph.nodes[node_index("Add", 0)].op_type = "Mul";
  expect_error([&] { import_onnx_model(encode_onnx_model(mul)); },
               {"(Mul) combines 2 computed values; only Add and Concat may join branches"});
  // A Concat along the height.
  OnnxModel height = good;
  height.graph.nodes[node_index("Concat", 0)].attributes[0].i = 2;
  expect_error([&] { import_onnx_model(encode_onnx_model(height)); },
               {"(Concat): a concatenation along axis 2 is not supported (only the channels, axis 1)"});
  // A branch whose output nothing reads: the second head's Add takes the first head twice.
  OnnxModel dead = good;
  OnnxNode& head_add = dead.graph.nodes[node_index("Add", 1)];
  head_add.inputs[1] = head_add.inputs[0];
  expect_error([&] { import_onnx_model(encode_onnx_model(dead)); },
               {"its output does not lead to the graph's output"});
}

TEST(OnnxRoundTrip, AQuantizedModelIsWrittenInQdqFormAndReadsBackAsItsReference) {
  Model float_model = make_cnn();
  const Tensor calibration = random_input(float_model.input_shape(), 32, 21);
  for (QuantMode mode : {QuantMode::Int8, QuantMode::Int8Weights, QuantMode::Float16}) {
    SCOPED_TRACE(quant_mode_name(mode));
    QuantizeOptions options;
    options.mode = mode;
    const QuantizedModel q = quantize_model(float_model, calibration, options);
    const OnnxModel onnx = decode_onnx_model(export_onnx_model(q));
    int int8_kernels = 0, halves = 0, quantize_nodes = 0;
    for (const OnnxTensor& t : onnx.graph.initializers) {
      int8_kernels += t.data_type == static_cast<int32_t>(OnnxDataType::kInt8) && t.dims.size() > 1;
      halves += t.data_type == static_cast<int32_t>(OnnxDataType::kFloat16);
    }
    for (const OnnxNode& n : onnx.graph.nodes) quantize_nodes += n.op_type == "QuantizeLinear";
    EXPECT_EQ(int8_kernels, mode == QuantMode::Float16 ? 0 : 3);  // conv2d and both denses
    EXPECT_EQ(halves > 0, mode == QuantMode::Float16);
    // Int8: the input and every layer's output but the last (9 layers, batch norm folded away: 8).
    EXPECT_EQ(quantize_nodes, mode == QuantMode::Int8 ? q.reference().num_layers() : 0);
    ASSERT_NE(onnx.metadata_value("quantization"), nullptr);
    EXPECT_EQ(*onnx.metadata_value("quantization"), quant_mode_name(mode));
    // Imported, the weights are the dequantized ones and the activations float: the reference model.
    Model back = import_onnx_model(export_onnx_model(q));
    Model reference = q.reference().clone();
    expect_logits_near(reference, back, 13);
  }
}

TEST(OnnxImport, OptionsOverrideTheMetadata) {
  OnnxImportOptions options;
  options.class_names = {"a", "b", "c"};
  options.input_scale = 1.0f;
  Model m = import_onnx_model(export_onnx_model(make_cnn()), options);
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FLOAT_EQ(m.preprocessing.scale, 1.0f);
  expect_error([] {
    OnnxImportOptions two;
    two.class_names = {"a", "b"};
    import_onnx_model(export_onnx_model(make_cnn()), two);
  }, {"2 class names were given but the model has 3 outputs"});
}

TEST(OnnxImport, TruncatedProtobufIsRefused) {
  std::vector<uint8_t> bytes = export_onnx_model(make_cnn());
  bytes.resize(bytes.size() / 2);
  expect_error([&] { import_onnx_model(bytes); }, {"not an ONNX model: the protobuf is truncated or corrupt"});
  expect_error([] { import_onnx_model({}); }, {"the ONNX file is empty"});
}

// A graph of a flat input, one Gemm and a Softmax, with the nodes and tensors given.
OnnxModel gemm_model(std::vector<int64_t> weight_dims, std::vector<float> weight) {
  OnnxModel m;
  m.ir_version = 7;
  m.opsets = {{"", 13}};
  OnnxTensor w{"fc.weight", std::move(weight_dims), static_cast<int32_t>(OnnxDataType::kFloat), std::move(weight), {}};
  m.graph.initializers.push_back(w);
  OnnxNode gemm;
  gemm.name = "/fc/Gemm";
  gemm.op_type = "Gemm";
  gemm.inputs = {"input", "fc.weight"};
  gemm.outputs = {"logits"};
  OnnxAttribute trans;
  trans.name = "transB";
  trans.type = OnnxAttributeType::kInt;
  trans.i = 1;
  gemm.attributes = {trans};
  m.graph.nodes.push_back(gemm);
  m.graph.inputs = {{"input", static_cast<int32_t>(OnnxDataType::kFloat), {-1, 4}}};
  m.graph.outputs = {{"logits", static_cast<int32_t>(OnnxDataType::kFloat), {-1, 2}}};
  return m;
}

TEST(OnnxImport, AHandBuiltGemmImports) {
  Model m = import_onnx_model(encode_onnx_model(gemm_model({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})));
  Tensor x(Shape{1, 4}, 1.0f);
  const Tensor logits = m.predict_logits(x);
  EXPECT_FLOAT_EQ(logits.data()[0], 10.0f);
  EXPECT_FLOAT_EQ(logits.data()[1], 26.0f);
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"class_0", "class_1"}));
}

TEST(OnnxImport, ATensorShorterThanItsDeclaredSizeIsRefusedBeforeAllocating) {
  // raw_data of 5 floats for a declared 2 x 4.
  expect_error([] { import_onnx_model(encode_onnx_model(gemm_model({2, 4}, {1, 2, 3, 4, 5}))); },
               {"initializer 'fc.weight' declares 8 FLOAT values (32 bytes) but holds 20 bytes"});
  // A declared size far beyond any limit fails on the dimension, not in malloc.
  expect_error([] { import_onnx_model(encode_onnx_model(gemm_model({1 << 20, 1 << 20}, {1}))); },
               {"initializer 'fc.weight' has dimension 1048576", "over the limit"});
}

TEST(OnnxImport, AnUnsupportedOpIsNamedWithItsNode) {
  OnnxModel m = gemm_model({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  m.graph.nodes[0].name = "/layer4/Conv_3";
  m.graph.nodes[0].op_type = "ConvTranspose";
  expect_error([&] { import_onnx_model(encode_onnx_model(m)); }, {"node '/layer4/Conv_3' (ConvTranspose) is not supported"});
}

TEST(OnnxImport, AnOutputThatIsNotTheClassifierIsRefused) {
  OnnxModel m = decode_onnx_model(export_onnx_model(make_cnn()));
  m.graph.outputs[0].name = m.graph.nodes[2].outputs[0];  // a hidden activation
  expect_error([&] { import_onnx_model(encode_onnx_model(m)); }, {"is not the end of its layers", "the output must be the classifier's scores"});
  OnnxModel features = decode_onnx_model(export_onnx_model(make_cnn()));
  features.graph.nodes.resize(3);  // conv, batch norm, activation: no classifier
  features.graph.outputs[0].name = features.graph.nodes.back().outputs[0];
  expect_error([&] { import_onnx_model(encode_onnx_model(features)); }, {"not one score per class"});
}

TEST(OnnxImport, ADepthwiseConvolutionWithADepthMultiplierIsRefusedClearly) {
  OnnxModel m = decode_onnx_model(export_onnx_model(make_cnn()));
  OnnxNode& conv = m.graph.nodes.front();
  for (OnnxAttribute& a : conv.attributes)
    if (a.name == "group") a.i = 2;
  for (OnnxTensor& t : m.graph.initializers)
    if (t.name == conv.inputs[1]) {
      t.dims[1] = 1;
      t.floats.resize(static_cast<size_t>(t.element_count()));
    }
  expect_error([&] { import_onnx_model(encode_onnx_model(m)); },
               {"a depthwise convolution with 4 outputs for 2 channels (depth multiplier 2) is not supported (only 1)"});
}

TEST(OnnxImport, AFileOfTinyRecordsFailsInThePrescanNotInMalloc) {
  // ModelProto.graph holding two million empty NodeProtos: 2 bytes each on
  // disk, a 60-byte (wasm32) or 100-byte (64-bit) struct each once decoded:
  // over the budget of twice the file plus 64 MB on both.
  const size_t nodes = 2000000;
  std::vector<uint8_t> graph;
  for (size_t k = 0; k < nodes; ++k) graph.insert(graph.end(), {0x0a, 0x00});
  std::vector<uint8_t> bytes = {0x08, 0x07, 0x3a};  // ir_version 7, graph (field 7, length-delimited)
  for (uint64_t n = graph.size(); ; n >>= 7) {
    bytes.push_back(static_cast<uint8_t>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  bytes.insert(bytes.end(), graph.begin(), graph.end());
  expect_error([&] { decode_onnx_model(bytes); }, {"too many small records"});
}

}  // namespace
}  // namespace distillery
