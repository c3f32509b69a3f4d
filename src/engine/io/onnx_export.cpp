// ONNX model export (see onnx_export.h).
//
// One table (kWriters) maps each Distillery layer type to the ONNX nodes it
// becomes; a writer reads only the layer's type(), config() and parameters.
#include "engine/io/onnx_export.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "engine/core/error.h"
#include "engine/io/onnx_model.h"
#include "engine/layers/window_config.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

constexpr int64_t kOpset = 13;
constexpr int64_t kIrVersion = 7;  // the IR of opset 13

OnnxAttribute attr(const std::string& name, OnnxAttributeType type) {
  OnnxAttribute a;
  a.name = name;
  a.type = type;
  return a;
}
OnnxAttribute int_attr(const std::string& name, int64_t v) {
  OnnxAttribute a = attr(name, OnnxAttributeType::kInt);
  a.i = v;
  return a;
}
OnnxAttribute float_attr(const std::string& name, float v) {
  OnnxAttribute a = attr(name, OnnxAttributeType::kFloat);
  a.f = v;
  return a;
}
OnnxAttribute ints_attr(const std::string& name, std::vector<int64_t> v) {
  OnnxAttribute a = attr(name, OnnxAttributeType::kInts);
  a.ints = std::move(v);
  return a;
}

// One layer as the writers see it: its config and its (masked) weights by name.
struct LayerView {
  int index = 0;
  std::string type;
  Json config;
  Shape input;   // Distillery per-sample shapes
  Shape output;
  std::map<std::string, std::vector<float>> params;
  const std::vector<float>& param(const std::string& name) const {
    auto it = params.find(name);
    require(it != params.end(), "layer " + std::to_string(index) + " (" + type + ") has no weight '" + name + "'");
    return it->second;
  }
};

class GraphWriter {
 public:
  GraphWriter(OnnxGraph& graph, const QuantizedModel* quantized) : graph_(graph), quantized_(quantized) {}

  std::string current = "input";
  Shape flattened_from;  // the image a flatten made flat, until the next dense layer
  // The values the layer being written reads, in its "inputs" order (current is the first).
  std::vector<std::string> sources;
  std::vector<Shape> source_flattened_from;

  // A node joining every source (Add, Concat), whose output becomes current.
  OnnxNode& join(const LayerView& layer, const std::string& op) {
    for (const Shape& f : source_flattened_from)
      require(f == source_flattened_from[0] && (op != "Concat" || f.rank() == 0),
              "ONNX export: layer " + std::to_string(layer.index) + " (" + layer.type +
                  ") joins features flattened from images in different orders");
    OnnxNode& n = node(layer, op);
    n.inputs = sources;
    return n;
  }

  // A node reading the current value (plus `extra` inputs), whose output becomes current.
  OnnxNode& node(const LayerView& layer, const std::string& op, std::vector<std::string> extra = {}) {
    OnnxNode n;
    const std::string scope = "/" + layer.type + "_" + std::to_string(layer.index);
    n.name = scope + "/" + op;
    n.op_type = op;
    n.inputs.push_back(current);
    for (std::string& e : extra) n.inputs.push_back(std::move(e));
    current = scope + "/" + op + "_output_0";
    n.outputs.push_back(current);
    graph_.nodes.push_back(std::move(n));
    return graph_.nodes.back();
  }
  std::string initializer(const LayerView& layer, const std::string& what, std::vector<int64_t> dims,
                          std::vector<float> values, OnnxDataType type = OnnxDataType::kFloat) {
    OnnxTensor t;
    t.name = layer.type + "_" + std::to_string(layer.index) + "." + what;
    t.dims = std::move(dims);
    t.data_type = static_cast<int32_t>(type);
    if (type == OnnxDataType::kInt8)
      t.ints.assign(values.begin(), values.end());
    else
      t.floats = std::move(values);  // float16: rounded by the encoder
    graph_.initializers.push_back(std::move(t));
    return graph_.initializers.back().name;
  }

  // A node computing a constant (DequantizeLinear, Cast of a weight); returns its output.
  std::string constant_node(const LayerView& layer, const std::string& what, const std::string& op,
                            std::vector<std::string> inputs, std::vector<OnnxAttribute> attributes) {
    OnnxNode n;
    n.name = "/" + layer.type + "_" + std::to_string(layer.index) + "/" + what + "/" + op;
    n.op_type = op;
    n.inputs = std::move(inputs);
    n.attributes = std::move(attributes);
    n.outputs = {layer.type + "_" + std::to_string(layer.index) + "." + what};
    graph_.nodes.push_back(std::move(n));
    return graph_.nodes.back().outputs[0];
  }

  // A layer's kernel or bias, in ONNX's layout with the output channels on axis 0: float32, or
  // as a quantized model stores it (see onnx_export.h).
  std::string weight(const LayerView& layer, const std::string& what, std::vector<int64_t> dims,
                     std::vector<float> values) {
    if (quantized_ == nullptr) return initializer(layer, what, std::move(dims), std::move(values));
    if (quantized_->mode() == QuantMode::Float16) {
      const std::string half =
          initializer(layer, what + "_float16", std::move(dims), std::move(values), OnnxDataType::kFloat16);
      OnnxAttribute to = attr("to", OnnxAttributeType::kInt);
      to.i = static_cast<int64_t>(OnnxDataType::kFloat);
      return constant_node(layer, what, "Cast", {half}, {to});
    }
    const LayerQuantization& q = quantized_->layers()[static_cast<size_t>(layer.index)];
    if (what != "weight" || !q.has_int8_kernel) return initializer(layer, what, std::move(dims), std::move(values));
    // The reference's weights are q * scale[channel] exactly, so dividing gives back the stored int8 values.
    const std::vector<float>& scales = q.kernel.scales;
    const int64_t channels = dims[0], per_channel = static_cast<int64_t>(values.size()) / channels;
    require(static_cast<int64_t>(scales.size()) == channels, "ONNX export: layer " + std::to_string(layer.index) +
                                                                 ": the int8 kernel's scales do not fit its channels");
    for (int64_t k = 0; k < static_cast<int64_t>(values.size()); ++k)
      values[static_cast<size_t>(k)] =
          std::clamp(std::nearbyint(values[static_cast<size_t>(k)] / scales[static_cast<size_t>(k / per_channel)]),
                     -127.0f, 127.0f);
    const std::string int8 = initializer(layer, what + "_int8", std::move(dims), std::move(values), OnnxDataType::kInt8);
    const std::string scale = initializer(layer, what + "_scale", {channels}, scales);
    const std::string zero = initializer(layer, what + "_zero_point", {channels},
                                         std::vector<float>(static_cast<size_t>(channels), 0.0f), OnnxDataType::kInt8);
    return constant_node(layer, what, "DequantizeLinear", {int8, scale, zero}, {int_attr("axis", 0)});
  }

  // Int8 mode: the current value rounded to the int8 grid of `q` and back, as Distillery's
  // integer forward holds it.
  void fake_quantize(const std::string& where, const ActivationQuant& q) {
    auto scalar = [&](const std::string& what, float v, OnnxDataType type) {
      OnnxTensor t;
      t.name = where + "." + what;
      t.data_type = static_cast<int32_t>(type);
      if (type == OnnxDataType::kInt8) t.ints = {static_cast<int64_t>(v)};
      else t.floats = {v};
      graph_.initializers.push_back(std::move(t));
      return graph_.initializers.back().name;
    };
    const std::string scale = scalar("scale", q.scale, OnnxDataType::kFloat);
    const std::string zero = scalar("zero_point", static_cast<float>(q.zero_point), OnnxDataType::kInt8);
    for (const char* op : {"QuantizeLinear", "DequantizeLinear"}) {
      OnnxNode n;
      n.name = "/" + where + "/" + op;
      n.op_type = op;
      n.inputs = {current, scale, zero};
      current = "/" + where + "/" + op + "_output_0";
      n.outputs = {current};
      graph_.nodes.push_back(std::move(n));
    }
  }
  bool int8_activations() const { return quantized_ != nullptr && quantized_->mode() == QuantMode::Int8; }
  // Distillery's flat index of ONNX's (channel-major) feature j.
  int64_t distillery_feature(int64_t j) const {
    if (flattened_from.rank() != 3) return j;
    const int64_t hw = int64_t(flattened_from[0]) * flattened_from[1], c = flattened_from[2];
    return (j % hw) * c + j / hw;
  }

 private:
  OnnxGraph& graph_;
  const QuantizedModel* quantized_;  // null for a float export
};

std::pair<int64_t, int64_t> json_pair(const Json& v) {
  if (v.is_number_integer()) return {v.get<int64_t>(), v.get<int64_t>()};
  return {v.at(0).get<int64_t>(), v.at(1).get<int64_t>()};
}

// ONNX's [top, left, bottom, right] pads: explicit ones as they are, TF's "same" with the odd pixel at the end.
std::vector<int64_t> pads_of(const LayerView& layer, std::pair<int64_t, int64_t> k, std::pair<int64_t, int64_t> s) {
  const Padding p = padding_pixels(read_padding(layer.config, layer.type), layer.input,
                                   {static_cast<int>(k.first), static_cast<int>(k.second)},
                                   {static_cast<int>(s.first), static_cast<int>(s.second)});
  return {p.top, p.left, p.bottom, p.right};
}

void write_conv2d(GraphWriter& g, const LayerView& l) {
  const auto k = json_pair(l.config.at("kernel_size"));
  const auto s = json_pair(l.config.value("strides", Json(1)));
  const int64_t in_c = l.input[2], out_c = l.output[2];
  const std::vector<float>& hwio = l.param("kernel");
  std::vector<float> oihw(hwio.size());
  for (int64_t o = 0; o < out_c; ++o)
    for (int64_t i = 0; i < in_c; ++i)
      for (int64_t y = 0; y < k.first; ++y)
        for (int64_t x = 0; x < k.second; ++x)
          oihw[static_cast<size_t>(((o * in_c + i) * k.first + y) * k.second + x)] =
              hwio[static_cast<size_t>(((y * k.second + x) * in_c + i) * out_c + o)];
  std::vector<std::string> inputs{g.weight(l, "weight", {out_c, in_c, k.first, k.second}, std::move(oihw))};
  if (l.params.count("bias")) inputs.push_back(g.weight(l, "bias", {out_c}, l.param("bias")));
  OnnxNode& n = g.node(l, "Conv", std::move(inputs));
  n.attributes = {ints_attr("kernel_shape", {k.first, k.second}), ints_attr("strides", {s.first, s.second}),
                  ints_attr("pads", pads_of(l, k, s)), ints_attr("dilations", {1, 1}), int_attr("group", 1)};
}

// One filter per channel: a Conv with group = C and weight [C, 1, kh, kw].
void write_depthwise_conv2d(GraphWriter& g, const LayerView& l) {
  const auto k = json_pair(l.config.at("kernel_size"));
  const auto s = json_pair(l.config.value("strides", Json(1)));
  const int64_t c = l.input[2];
  const std::vector<float>& hwc = l.param("depthwise_kernel");  // [kh, kw, C, 1]
  std::vector<float> c1hw(hwc.size());
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t y = 0; y < k.first; ++y)
      for (int64_t x = 0; x < k.second; ++x)
        c1hw[static_cast<size_t>((ch * k.first + y) * k.second + x)] = hwc[static_cast<size_t>((y * k.second + x) * c + ch)];
  std::vector<std::string> inputs{g.weight(l, "weight", {c, 1, k.first, k.second}, std::move(c1hw))};
  if (l.params.count("bias")) inputs.push_back(g.weight(l, "bias", {c}, l.param("bias")));
  OnnxNode& n = g.node(l, "Conv", std::move(inputs));
  n.attributes = {ints_attr("kernel_shape", {k.first, k.second}), ints_attr("strides", {s.first, s.second}),
                  ints_attr("pads", pads_of(l, k, s)), ints_attr("dilations", {1, 1}), int_attr("group", c)};
}

// Clip's bounds are inputs since opset 11: scalar initializers.
void write_relu6(GraphWriter& g, const LayerView& l) {
  std::vector<std::string> bounds{g.initializer(l, "min", {}, {0.0f}), g.initializer(l, "max", {}, {6.0f})};
  g.node(l, "Clip", std::move(bounds));
}

void write_dense(GraphWriter& g, const LayerView& l) {
  const int64_t in = l.input.size(), out = l.output[0];
  const std::vector<float>& kernel = l.param("kernel");  // [in, out], Distillery's feature order
  std::vector<float> weight(kernel.size());              // [out, in], ONNX's feature order
  for (int64_t o = 0; o < out; ++o)
    for (int64_t j = 0; j < in; ++j)
      weight[static_cast<size_t>(o * in + j)] = kernel[static_cast<size_t>(g.distillery_feature(j) * out + o)];
  std::vector<std::string> inputs{g.weight(l, "weight", {out, in}, std::move(weight))};
  if (l.params.count("bias")) inputs.push_back(g.weight(l, "bias", {out}, l.param("bias")));
  OnnxNode& n = g.node(l, "Gemm", std::move(inputs));
  n.attributes = {float_attr("alpha", 1.0f), float_attr("beta", 1.0f), int_attr("transB", 1)};
  g.flattened_from = Shape{};
}

void write_pool(GraphWriter& g, const LayerView& l, const char* op) {
  const auto k = json_pair(l.config.at("pool_size"));
  const auto s = json_pair(l.config.value("strides", l.config.at("pool_size")));
  OnnxNode& n = g.node(l, op);
  n.attributes = {ints_attr("kernel_shape", {k.first, k.second}), ints_attr("strides", {s.first, s.second}),
                  ints_attr("pads", pads_of(l, k, s))};
  if (std::string(op) == "AveragePool") n.attributes.push_back(int_attr("count_include_pad", 0));
}

void write_batch_norm(GraphWriter& g, const LayerView& l) {
  const int64_t c = l.input[l.input.rank() - 1];
  auto ordered = [&](const char* name, float fallback) {
    std::vector<float> v(static_cast<size_t>(c), fallback);
    if (l.params.count(name)) {
      const std::vector<float>& p = l.param(name);
      for (int64_t j = 0; j < c; ++j)
        v[static_cast<size_t>(j)] = p[static_cast<size_t>(l.input.rank() == 1 ? g.distillery_feature(j) : j)];
    }
    return v;
  };
  std::vector<std::string> inputs{g.initializer(l, "scale", {c}, ordered("gamma", 1.0f)),
                                  g.initializer(l, "bias", {c}, ordered("beta", 0.0f)),
                                  g.initializer(l, "running_mean", {c}, ordered("moving_mean", 0.0f)),
                                  g.initializer(l, "running_var", {c}, ordered("moving_variance", 1.0f))};
  OnnxNode& n = g.node(l, "BatchNormalization", std::move(inputs));
  n.attributes = {float_attr("epsilon", l.config.value("epsilon", 1e-3f)),
                  float_attr("momentum", l.config.value("momentum", 0.99f))};
}

using LayerWriterFn = std::function<void(GraphWriter&, const LayerView&)>;

// The one table: Distillery layer type -> its ONNX form.
const std::map<std::string, LayerWriterFn>& writers() {
  static const std::map<std::string, LayerWriterFn> kWriters = {
      {"conv2d", write_conv2d},
      {"depthwise_conv2d", write_depthwise_conv2d},
      {"dense", write_dense},
      {"maxpool2d", [](GraphWriter& g, const LayerView& l) { write_pool(g, l, "MaxPool"); }},
      {"avgpool2d", [](GraphWriter& g, const LayerView& l) { write_pool(g, l, "AveragePool"); }},
      {"batch_norm", write_batch_norm},
      {"flatten",
       [](GraphWriter& g, const LayerView& l) {
         if (l.input.rank() != 3) return;
         g.node(l, "Flatten").attributes = {int_attr("axis", 1)};
         g.flattened_from = l.input;
       }},
      {"global_avg_pool2d",
       [](GraphWriter& g, const LayerView& l) {
         g.node(l, "GlobalAveragePool");  // [N, C, 1, 1]: channel order is already Distillery's
         g.node(l, "Flatten").attributes = {int_attr("axis", 1)};
       }},
      {"relu", [](GraphWriter& g, const LayerView& l) { g.node(l, "Relu"); }},
      {"relu6", write_relu6},
      {"sigmoid", [](GraphWriter& g, const LayerView& l) { g.node(l, "Sigmoid"); }},
      {"tanh", [](GraphWriter& g, const LayerView& l) { g.node(l, "Tanh"); }},
      {"leaky_relu",
       [](GraphWriter& g, const LayerView& l) {
         g.node(l, "LeakyRelu").attributes = {float_attr("alpha", l.config.value("alpha", 0.3f))};
       }},
      {"dropout", [](GraphWriter&, const LayerView&) {}},  // the identity at inference
      {"add", [](GraphWriter& g, const LayerView& l) { g.join(l, "Add"); }},
      {"concatenate",  // Distillery's last axis is the channels: ONNX's axis 1 in NCHW
       [](GraphWriter& g, const LayerView& l) { g.join(l, "Concat").attributes = {int_attr("axis", 1)}; }},
  };
  return kWriters;
}

LayerView view_of(const Model& model, int i) {
  const Layer& layer = model.layer(i);
  LayerView v{i, layer.type(), layer.config(), layer.input_shape(), layer.output_shape(), {}};
  const ParamStore& store = model.params();
  for (int r : model.param_refs_of_layer(i)) {
    const ParamRef& ref = store.refs[static_cast<size_t>(r)];
    std::vector<float> values(store.values.begin() + ref.offset, store.values.begin() + ref.offset + ref.spec.shape.size());
    if (store.masks.size() == store.values.size())
      for (size_t k = 0; k < values.size(); ++k) values[k] *= store.masks[static_cast<size_t>(ref.offset) + k];
    v.params[ref.spec.name] = std::move(values);
  }
  return v;
}

OnnxValueInfo value_info(const std::string& name, const Shape& shape) {
  OnnxValueInfo v{name, static_cast<int32_t>(OnnxDataType::kFloat), {-1}};
  if (shape.rank() == 3)
    v.dims.insert(v.dims.end(), {shape[2], shape[0], shape[1]});  // NCHW
  else
    for (int d : shape.dims) v.dims.push_back(d);
  return v;
}

// Names come from files: invalid UTF-8 is written as U+FFFD rather than thrown.
std::string json_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string join_types(const Model& model) {
  std::string s;
  for (int i = 0; i < model.num_layers(); ++i) s += (i ? " > " : "") + model.layer(i).type();
  return s;
}

std::vector<uint8_t> export_model(const Model& model, const QuantizedModel* quantized) {
  require(model.num_layers() > 0, "ONNX export: the model has no layers");
  OnnxModel onnx;
  onnx.ir_version = kIrVersion;
  onnx.opsets = {{"", kOpset}};
  onnx.producer_name = "distillery";
  onnx.producer_version = "1";
  onnx.graph.name = model.name;
  GraphWriter g(onnx.graph, quantized);
  std::string input = "input";
  if (g.int8_activations()) {
    g.fake_quantize("input_quantization", quantized->activations()[0]);
    input = g.current;
  }
  // Per layer: the ONNX value it wrote last, and the image its features were flattened from.
  std::vector<std::string> outputs(static_cast<size_t>(model.num_layers()));
  std::vector<Shape> flattened(outputs.size());
  for (int i = 0; i < model.num_layers(); ++i) {
    const LayerView layer = view_of(model, i);
    auto it = writers().find(layer.type);
    require(it != writers().end(),
            "ONNX export: layer " + std::to_string(i) + " (" + layer.type + ") has no ONNX form yet");
    g.sources.clear();
    g.source_flattened_from.clear();
    for (int source : model.graph().inputs[static_cast<size_t>(i)]) {
      const bool model_input = source == LayerGraph::kModelInput;
      g.sources.push_back(model_input ? input : outputs[static_cast<size_t>(source)]);
      g.source_flattened_from.push_back(model_input ? Shape{} : flattened[static_cast<size_t>(source)]);
    }
    g.current = g.sources[0];
    g.flattened_from = g.source_flattened_from[0];
    it->second(g, layer);
    if (g.int8_activations() && i + 1 < model.num_layers())  // the last layer writes float logits
      g.fake_quantize(layer.type + "_" + std::to_string(i) + "_quantization",
                      quantized->activations()[static_cast<size_t>(i) + 1]);
    outputs[static_cast<size_t>(i)] = g.current;
    flattened[static_cast<size_t>(i)] = g.flattened_from;
  }
  OnnxNode softmax;
  softmax.name = "/Softmax";
  softmax.op_type = "Softmax";
  softmax.inputs = {g.current};
  softmax.outputs = {"probabilities"};
  softmax.attributes = {int_attr("axis", 1)};
  onnx.graph.nodes.push_back(std::move(softmax));
  onnx.graph.inputs = {value_info("input", model.input_shape())};
  onnx.graph.outputs = {value_info("probabilities", model.output_shape())};

  const Preprocessing& p = model.preprocessing;
  const std::string input_dims = model.input_shape().rank() == 3 ? "[batch, " + std::to_string(model.input_shape()[2]) +
                                                                       ", " + std::to_string(model.input_shape()[0]) +
                                                                       ", " + std::to_string(model.input_shape()[1]) + "]"
                                                                 : "[batch, " + model.input_shape().str() + "]";
  onnx.doc_string = "Distillery model '" + model.name + "' (" + join_types(model) + "), " +
                    std::to_string(model.parameter_count()) + " parameters. Input 'input' " + input_dims +
                    " float, NCHW, x = (pixel * " + std::to_string(p.scale) + " - " + std::to_string(p.mean) + ") / " +
                    std::to_string(p.std) + "; output 'probabilities' [batch, " +
                    std::to_string(model.num_outputs()) + "] softmax over the classes in metadata_props 'class_names'.";
  onnx.graph.doc_string = onnx.doc_string;
  onnx.metadata = {
      {"name", model.name},
      {"class_names", json_text(Json(model.class_names))},
      {"preprocessing", Json{{"scale", p.scale}, {"mean", p.mean}, {"std", p.std}, {"layout", "NCHW"},
                             {"formula", "x = (pixel * scale - mean) / std"}}
                            .dump()},
      {"provenance", model.provenance.is_null() ? "{}" : json_text(model.provenance)},
  };
  if (quantized) onnx.metadata.push_back({"quantization", quant_mode_name(quantized->mode())});
  return encode_onnx_model(onnx);
}

}  // namespace

std::vector<uint8_t> export_onnx_model(const Model& model) { return export_model(model, nullptr); }

std::vector<uint8_t> export_onnx_model(const QuantizedModel& model) { return export_model(model.reference(), &model); }

}  // namespace distillery
