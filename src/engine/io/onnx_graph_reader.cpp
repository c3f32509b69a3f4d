// The layers of an ONNX graph (see onnx_graph_reader.h).
//
// Sections:
//   1. The graph: values computed from the input and the layers that made them, constants, shape subgraphs
//   2. Op translation: ONNX node -> Distillery layer config + weights in its layout
#include "engine/io/onnx_graph_reader.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/layers/window_config.h"
#include "engine/model/layer_graph.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// ------------------------------------------------- 1. the graph


int64_t attr_int(const OnnxNode& node, const char* key, int64_t fallback) {
  const OnnxAttribute* a = node.attribute(key);
  return a ? a->i : fallback;
}
float attr_float(const OnnxNode& node, const char* key, float fallback) {
  const OnnxAttribute* a = node.attribute(key);
  return a ? a->f : fallback;
}
std::vector<int64_t> attr_ints(const OnnxNode& node, const char* key, std::vector<int64_t> fallback) {
  const OnnxAttribute* a = node.attribute(key);
  return a ? a->ints : fallback;
}
std::string attr_string(const OnnxNode& node, const char* key, const std::string& fallback) {
  const OnnxAttribute* a = node.attribute(key);
  return a ? a->s : fallback;
}


// A 2-D kernel_shape or strides attribute: two values in [1, kMaxWindowSide].
std::vector<int64_t> window_attr(const OnnxNode& node, const char* key, std::vector<int64_t> fallback) {
  const std::vector<int64_t> v = attr_ints(node, key, std::move(fallback));
  require(v.size() == 2 && v[0] >= 1 && v[1] >= 1 && v[0] <= kMaxWindowSide && v[1] <= kMaxWindowSide,
          node.label() + ": " + key + " " + onnx_dims_str(v) + " must be two sizes from 1 to " +
              std::to_string(kMaxWindowSide));
  return v;
}

class GraphReader {
 public:
  GraphReader(const OnnxGraph& graph, const Shape& input, const std::string& input_name, const Shape& flattened_from)
      : graph_(graph), input_name_(input_name) {
    for (const OnnxTensor& t : graph.initializers) constants_[t.name] = &t;
    values_[input_name] = Value{input, LayerGraph::kModelInput, {}};
    if (flattened_from.rank() == 3) {  // a flat input read as an image: Distillery flattens it itself
      read_from(input_name);
      plan({{"type", "flatten"}}, {}, "(input)");
      flattened_from_ = flattened_from;
      values_[input_name] = Value{shape_, source_, flattened_from_};
    }
  }

  void run() {
    for (const OnnxNode& node : graph_.nodes) step(node);
  }
  OnnxLayers finish(const std::string& output_name);

 private:
  // A value computed from the model input: its per-sample shape in
  // Distillery's layout, the planned layer that made it, and the image a
  // flatten made it from (until a dense layer mixes the features).
  struct Value {
    Shape shape;
    int layer = LayerGraph::kModelInput;
    Shape flattened_from;
  };

  void step(const OnnxNode& node);
  std::vector<std::string> computed_inputs(const OnnxNode& node) const {
    std::vector<std::string> names;
    for (const std::string& in : node.inputs)
      if (values_.count(in)) names.push_back(in);
    return names;
  }
  // The value the op being translated reads: shape_, source_ and flattened_from_ follow it.
  void read_from(const std::string& name) {
    const Value& v = values_.at(name);
    shape_ = v.shape;
    source_ = v.layer;
    flattened_from_ = v.flattened_from;
  }
  void record_output(const OnnxNode& node) {
    require(!node.outputs.empty(), node.label() + " has no output");
    values_[node.outputs[0]] = Value{shape_, source_, flattened_from_};
  }
  void plan(Json config, std::vector<std::vector<float>> params, const std::string& label);

  const OnnxTensor& constant(const OnnxNode& node, size_t input, const char* role) const;
  const OnnxTensor* optional_constant(const OnnxNode& node, size_t input, const char* role) const;
  bool shape_step(const OnnxNode& node);
  bool constant_step(const OnnxNode& node);

  // The ONNX (channel-major) index of Distillery's flat feature r: they differ
  // from a flatten of an image until the next dense layer mixes them.
  int64_t onnx_feature(int64_t r) const {
    if (flattened_from_.rank() != 3) return r;
    const int64_t h = flattened_from_[0], w = flattened_from_[1], c = flattened_from_[2];
    const int64_t ch = r % c, pixel = r / c;
    return ch * h * w + pixel;
  }

  void merge(const OnnxNode& node);
  void conv(const OnnxNode& node);
  void gemm(const OnnxNode& node, bool matmul);
  void bias_add(const OnnxNode& node);
  void pool(const OnnxNode& node, const char* type);
  void global_pool(const OnnxNode& node);
  void flatten(const OnnxNode& node);
  void reshape(const OnnxNode& node);
  void depthwise_conv(const OnnxTensor& w, const OnnxTensor* b, const std::vector<int64_t>& strides,
                      const Json& pad, const std::string& label);
  void batch_norm(const OnnxNode& node);
  void clip(const OnnxNode& node);
  void zero_pad(const OnnxNode& node);
  void softmax(const OnnxNode& node);
  Json padding(const OnnxNode& node, int64_t kh, int64_t kw, int64_t sh, int64_t sw);

  const OnnxGraph& graph_;
  std::string input_name_;
  std::map<std::string, Value> values_;
  std::vector<OnnxPlannedLayer> planned_;
  std::vector<std::vector<int>> sources_;  // per planned layer: the layers it reads
  // The value being translated (see read_from).
  Shape shape_;
  int source_ = LayerGraph::kModelInput;
  Shape flattened_from_;
  std::map<std::string, const OnnxTensor*> constants_;
  std::map<std::string, OnnxTensor> node_constants_;
  std::map<std::string, std::vector<int64_t>> shape_values_;
  std::string output_activation_ = "linear";
  bool ended_ = false;  // a softmax was read: nothing may follow it
};

void GraphReader::plan(Json config, std::vector<std::vector<float>> params, const std::string& label) {
  try {
    LayerPtr built = LayerRegistry::instance().create(config);
    shape_ = built->build(shape_);
    const std::vector<ParamSpec> specs = built->param_specs();
    require(specs.size() == params.size(), "internal: weights do not match the layer");
    for (size_t k = 0; k < specs.size(); ++k)
      require(specs[k].shape.size() == static_cast<int64_t>(params[k].size()),
              "weight '" + specs[k].name + "' has " + std::to_string(params[k].size()) + " values but the layer needs " +
                  specs[k].shape.str());
  } catch (const Error& e) {
    throw Error(label + ": " + e.what());
  }
  planned_.push_back({std::move(config), std::move(params), label});
  sources_.push_back({source_});
  source_ = static_cast<int>(planned_.size()) - 1;
}

// The layers, with graph keys unless they are a chain; the output must be the last layer's.
OnnxLayers GraphReader::finish(const std::string& output_name) {
  auto out = values_.find(output_name);
  require(out != values_.end(), "the graph's output '" + output_name + "' is not computed from its input '" +
                                    input_name_ + "'");
  const int last = static_cast<int>(planned_.size()) - 1;
  require(last >= 0 && out->second.layer == last,
          "the graph's output '" + output_name + "' is not the end of its layers (the last is " +
              (last >= 0 ? planned_.back().label : std::string("none")) + "): the output must be the classifier's scores");
  std::vector<int> readers(planned_.size(), 0);
  bool chain = true;
  for (int i = 0; i <= last; ++i) {
    chain = chain && sources_[i] == std::vector<int>{i - 1};
    for (int s : sources_[i])
      if (s >= 0) ++readers[static_cast<size_t>(s)];
  }
  for (int i = 0; i < last; ++i)
    require(readers[static_cast<size_t>(i)] > 0, planned_[i].label +
                                                     ": its output does not lead to the graph's output '" + output_name +
                                                     "' (Distillery imports graphs whose every layer feeds the classifier)");
  if (!chain) {
    auto name_of = [&](int i) {
      return i < 0 ? std::string(LayerGraph::kModelInputName)
                   : default_layer_name(planned_[i].config.at("type").get<std::string>(), i);
    };
    for (int i = 0; i <= last; ++i) {
      Json inputs = Json::array();
      for (int s : sources_[i]) inputs.push_back(name_of(s));
      planned_[i].config["name"] = name_of(i);
      planned_[i].config["inputs"] = std::move(inputs);
    }
  }
  return {std::move(planned_), out->second.shape, output_activation_};
}

const OnnxTensor* GraphReader::optional_constant(const OnnxNode& node, size_t input, const char* role) const {
  if (input >= node.inputs.size() || node.inputs[input].empty()) return nullptr;
  const std::string& name = node.inputs[input];
  auto it = constants_.find(name);
  if (it != constants_.end()) return it->second;
  auto nt = node_constants_.find(name);
  if (nt != node_constants_.end()) return &nt->second;
  throw Error(node.label() + ": its " + role + " '" + name +
              "' is computed in the graph, not a stored initializer; Distillery imports fixed weights");
}

const OnnxTensor& GraphReader::constant(const OnnxNode& node, size_t input, const char* role) const {
  const OnnxTensor* t = optional_constant(node, input, role);
  require(t != nullptr, node.label() + " has no " + role);
  require(!t->floats.empty() || t->element_count() == 0,
          node.label() + ": its " + role + " '" + t->name + "' is not a float tensor");
  return *t;
}

// The constant-folded shape arithmetic torch emits for x.view(x.size(0), -1):
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape. Evaluated on int vectors.
bool GraphReader::shape_step(const OnnxNode& node) {
  const std::string& op = node.op_type;
  auto values = [&](size_t k) -> std::vector<int64_t> {
    require(k < node.inputs.size(), node.label() + " lacks input " + std::to_string(k));
    const std::string& name = node.inputs[k];
    if (auto it = shape_values_.find(name); it != shape_values_.end()) return it->second;
    const OnnxTensor* t = nullptr;
    if (auto it = constants_.find(name); it != constants_.end()) t = it->second;
    if (auto it = node_constants_.find(name); it != node_constants_.end()) t = &it->second;
    require(t != nullptr && (t->floats.empty() || t->element_count() == 0),
            node.label() + " reads '" + name + "', which is neither a value computed from the input '" + input_name_ +
                "' nor a constant shape");
    return t->ints;
  };
  std::vector<int64_t> out;
  if (op == "Shape") {
    require(node.inputs.size() == 1 && values_.count(node.inputs[0]),
            node.label() + " takes the shape of a value not computed from the input");
    const Shape& shape = values_.at(node.inputs[0]).shape;
    out.push_back(1);  // the batch
    if (shape.rank() == 3)
      out.insert(out.end(), {shape[2], shape[0], shape[1]});
    else
      out.push_back(shape[0]);
  } else if (op == "Gather") {
    const std::vector<int64_t> data = values(0), index = values(1);
    require(attr_int(node, "axis", 0) == 0, node.label() + ": only axis 0 is supported on shapes");
    for (int64_t i : index) {
      const int64_t k = i < 0 ? i + static_cast<int64_t>(data.size()) : i;
      require(k >= 0 && k < static_cast<int64_t>(data.size()), node.label() + ": index " + std::to_string(i) +
                                                                   " is outside the shape " + onnx_dims_str(data));
      out.push_back(data[static_cast<size_t>(k)]);
    }
  } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Cast" || op == "Identity") {
    out = values(0);
  } else if (op == "Concat") {
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const std::vector<int64_t> part = values(k);
      out.insert(out.end(), part.begin(), part.end());
    }
  } else {
    return false;
  }
  require(out.size() <= 16, node.label() + " makes a shape of " + std::to_string(out.size()) +
                               " values: not the shape arithmetic of a flatten");
  require(!node.outputs.empty(), node.label() + " has no output");
  shape_values_[node.outputs[0]] = out;
  return true;
}

// Weights stored quantized (ONNX's QDQ form, float16 behind a Cast): evaluated
// once into float constants, the dequantized values the layers then take.
bool GraphReader::constant_step(const OnnxNode& node) {
  const std::string& op = node.op_type;
  if ((op != "DequantizeLinear" && op != "Cast") || node.inputs.empty() || node.outputs.empty()) return false;
  if (!constants_.count(node.inputs[0]) && !node_constants_.count(node.inputs[0])) return false;  // a shape's Cast
  const OnnxTensor* x = optional_constant(node, 0, "input");
  OnnxTensor out = *x;
  out.name = node.outputs[0];
  if (op == "Cast") {
    if (attr_int(node, "to", 0) != static_cast<int64_t>(OnnxDataType::kFloat) || x->floats.empty()) return false;
  } else {
    const OnnxTensor* scale = optional_constant(node, 1, "scale");
    const OnnxTensor* zero = optional_constant(node, 2, "zero point");
    const int64_t n = x->element_count();
    require(x->floats.empty() && static_cast<int64_t>(x->ints.size()) == n && scale && !scale->floats.empty(),
            node.label() + ": only an INT8 or UINT8 initializer with FLOAT scales is supported");
    const int64_t channels = static_cast<int64_t>(scale->floats.size());
    int64_t axis = attr_int(node, "axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(x->dims.size());
    int64_t inner = 1;  // elements per step along the axis
    if (channels > 1) {
      require(axis >= 0 && axis < static_cast<int64_t>(x->dims.size()) && x->dims[axis] == channels,
              node.label() + ": " + std::to_string(channels) + " scales do not fit axis " + std::to_string(axis) +
                  " of " + onnx_dims_str(x->dims));
      for (size_t d = static_cast<size_t>(axis) + 1; d < x->dims.size(); ++d) inner *= x->dims[d];
    }
    require(!zero || static_cast<int64_t>(zero->ints.size()) == channels,
            node.label() + ": the zero point must hold one value per scale");
    out.data_type = static_cast<int32_t>(OnnxDataType::kFloat);
    out.ints.clear();
    out.floats.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      const size_t c = static_cast<size_t>(channels > 1 ? (k / inner) % channels : 0);
      const int64_t z = zero ? zero->ints[c] : 0;
      out.floats[static_cast<size_t>(k)] = static_cast<float>(x->ints[static_cast<size_t>(k)] - z) * scale->floats[c];
    }
  }
  node_constants_[out.name] = std::move(out);
  return true;
}

// ------------------------------------------------- 2. op translation

void GraphReader::step(const OnnxNode& node) {
  const std::string& op = node.op_type;
  require(node.domain.empty() || node.domain == "ai.onnx",
          node.label() + " is from the operator domain '" + node.domain + "', which is not supported");
  if (op == "Constant") {
    const OnnxAttribute* value = node.attribute("value");
    require(value && value->tensors.size() == 1 && !node.outputs.empty(),
            node.label() + ": only a tensor 'value' is supported");
    OnnxTensor t = value->tensors[0];
    t.name = node.outputs[0];
    node_constants_[t.name] = std::move(t);
    return;
  }
  const std::vector<std::string> computed = computed_inputs(node);
  if (computed.empty() && constant_step(node)) return;
  if (computed.empty() || op == "Shape") {
    if (shape_step(node)) return;
    require(!computed.empty(), node.label() + " reads no value computed from the graph's input '" + input_name_ + "'");
  }
  if (computed.size() >= 2) {
    require(op == "Add" || op == "Concat", node.label() + " combines " + std::to_string(computed.size()) +
                                               " computed values; only Add and Concat may join branches");
    require(!ended_, node.label() + " follows the softmax: a softmax is supported only as the output");
    merge(node);
    return;
  }
  require(node.inputs[0] == computed[0] || op == "Add",
          node.label() + " reads the computed value '" + computed[0] + "' where Distillery expects a stored weight");
  read_from(computed[0]);
  require(!ended_, node.label() + " follows the softmax: a softmax is supported only as the output");
  using Handler = std::function<void(GraphReader&, const OnnxNode&)>;
  static const std::map<std::string, Handler> kOps = {
      {"Conv", [](GraphReader& c, const OnnxNode& n) { c.conv(n); }},
      {"Gemm", [](GraphReader& c, const OnnxNode& n) { c.gemm(n, false); }},
      {"MatMul", [](GraphReader& c, const OnnxNode& n) { c.gemm(n, true); }},
      {"Add", [](GraphReader& c, const OnnxNode& n) { c.bias_add(n); }},
      {"Relu", [](GraphReader& c, const OnnxNode& n) { c.plan({{"type", "relu"}}, {}, n.label()); }},
      {"Sigmoid", [](GraphReader& c, const OnnxNode& n) { c.plan({{"type", "sigmoid"}}, {}, n.label()); }},
      {"Tanh", [](GraphReader& c, const OnnxNode& n) { c.plan({{"type", "tanh"}}, {}, n.label()); }},
      {"LeakyRelu",
       [](GraphReader& c, const OnnxNode& n) {
         c.plan({{"type", "leaky_relu"}, {"alpha", attr_float(n, "alpha", 0.01f)}}, {}, n.label());
       }},
      {"Clip", [](GraphReader& c, const OnnxNode& n) { c.clip(n); }},
      {"MaxPool", [](GraphReader& c, const OnnxNode& n) { c.pool(n, "maxpool2d"); }},
      {"AveragePool", [](GraphReader& c, const OnnxNode& n) { c.pool(n, "avgpool2d"); }},
      {"GlobalAveragePool", [](GraphReader& c, const OnnxNode& n) { c.global_pool(n); }},
      {"Flatten", [](GraphReader& c, const OnnxNode& n) { c.flatten(n); }},
      {"Reshape", [](GraphReader& c, const OnnxNode& n) { c.reshape(n); }},
      {"BatchNormalization", [](GraphReader& c, const OnnxNode& n) { c.batch_norm(n); }},
      {"Pad", [](GraphReader& c, const OnnxNode& n) { c.zero_pad(n); }},
      {"Dropout", [](GraphReader&, const OnnxNode&) {}},  // inference: the identity
      // Activations rounded to an int8 grid and back (QDQ): read as the float model they stand for.
      {"QuantizeLinear", [](GraphReader&, const OnnxNode&) {}},
      {"DequantizeLinear", [](GraphReader&, const OnnxNode&) {}},
      {"Identity", [](GraphReader&, const OnnxNode&) {}},
      {"Softmax", [](GraphReader& c, const OnnxNode& n) { c.softmax(n); }},
      {"LogSoftmax", [](GraphReader& c, const OnnxNode& n) { c.softmax(n); }},
  };
  auto it = kOps.find(op);
  if (it == kOps.end())
    throw Error(node.label() + " is not supported (supported: Conv, Gemm, MatMul, Add of a bias, Relu, LeakyRelu, "
                               "Sigmoid, Tanh, Clip as ReLU or ReLU6, MaxPool, AveragePool, GlobalAveragePool, Flatten, "
                               "Reshape, BatchNormalization, Pad of zeros, Add and Concat of branches, Dropout, Identity, "
                               "QuantizeLinear/DequantizeLinear, Softmax, LogSoftmax)");
  it->second(*this, node);
  record_output(node);
}

// "valid", "same" when the pads are TensorFlow's, else explicit [[top, bottom], [left, right]] (PyTorch's).
Json GraphReader::padding(const OnnxNode& node, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
  const std::string auto_pad = attr_string(node, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") return "valid";
  if (auto_pad == "SAME_UPPER") return "same";  // TF's "same": the odd pixel at the end
  require(auto_pad == "NOTSET", node.label() + ": auto_pad " + auto_pad + " is not supported");
  const std::vector<int64_t> pads = attr_ints(node, "pads", {0, 0, 0, 0});
  require(pads.size() == 4, node.label() + ": pads " + onnx_dims_str(pads) + " must have 4 values");
  if (pads == std::vector<int64_t>{0, 0, 0, 0}) return "valid";
  const Padding tf = padding_pixels(Padding{Padding::Kind::kSame}, shape_, {static_cast<int>(kh), static_cast<int>(kw)},
                                    {static_cast<int>(sh), static_cast<int>(sw)});
  if (pads == std::vector<int64_t>{tf.top, tf.left, tf.bottom, tf.right}) return "same";
  for (int64_t p : pads)
    require(p >= 0 && p < std::max(kh, kw) && p <= kMaxWindowSide,
            node.label() + ": pads " + onnx_dims_str(pads) + " must be between 0 and the window's side");
  return padding_json(explicit_padding(static_cast<int>(pads[0]), static_cast<int>(pads[2]), static_cast<int>(pads[1]),
                                       static_cast<int>(pads[3])));
}

void GraphReader::conv(const OnnxNode& node) {
  require(shape_.rank() == 3, node.label() + " needs an image input, not " + shape_.str());
  const OnnxTensor& w = constant(node, 1, "weight");
  require(w.dims.size() == 4, node.label() + ": weight '" + w.name + "' must be 4-D (OIHW), not " + onnx_dims_str(w.dims));
  const int64_t out_c = w.dims[0], in_c = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  const int64_t group = attr_int(node, "group", 1);
  if (group != 1) {
    require(group == shape_[2] && in_c == 1,
            node.label() + ": grouped convolution (group = " + std::to_string(group) + " on " +
                std::to_string(shape_[2]) + " channels) is not supported (only group 1, or depthwise: one group per channel)");
    require(out_c == group, node.label() + ": a depthwise convolution with " + std::to_string(out_c) + " outputs for " +
                                std::to_string(group) + " channels (depth multiplier " +
                                std::to_string(out_c / std::max<int64_t>(group, 1)) + ") is not supported (only 1)");
  }
  require(in_c * group == shape_[2], node.label() + ": weight '" + w.name + "' takes " + std::to_string(in_c) +
                                 " channels but its input has " + std::to_string(shape_[2]));
  for (int64_t d : attr_ints(node, "dilations", {1, 1}))
    require(d == 1, node.label() + ": dilation " + std::to_string(d) + " is not supported (only 1)");
  require(kh >= 1 && kw >= 1 && kh <= kMaxWindowSide && kw <= kMaxWindowSide,
          node.label() + ": weight '" + w.name + "' has a kernel of " + onnx_dims_str(w.dims));
  const std::vector<int64_t> strides = window_attr(node, "strides", {1, 1});
  const Json pad = padding(node, kh, kw, strides[0], strides[1]);
  const OnnxTensor* b = optional_constant(node, 2, "bias");
  if (group != 1) {
    depthwise_conv(w, b, strides, pad, node.label());
    return;
  }
  std::vector<float> kernel(static_cast<size_t>(out_c * in_c * kh * kw));
  for (int64_t o = 0; o < out_c; ++o)
    for (int64_t i = 0; i < in_c; ++i)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          kernel[static_cast<size_t>(((y * kw + x) * in_c + i) * out_c + o)] =
              w.floats[static_cast<size_t>(((o * in_c + i) * kh + y) * kw + x)];
  std::vector<std::vector<float>> params{std::move(kernel)};
  if (b) params.push_back(b->floats);
  plan({{"type", "conv2d"},
        {"filters", out_c},
        {"kernel_size", {kh, kw}},
        {"strides", {strides[0], strides[1]}},
        {"padding", pad},
        {"use_bias", b != nullptr}},
       std::move(params), node.label());
}

// Conv with group == C and weight [C, 1, kh, kw]: kernel [kh, kw, C, 1].
void GraphReader::depthwise_conv(const OnnxTensor& w, const OnnxTensor* b, const std::vector<int64_t>& strides,
                                 const Json& pad, const std::string& label) {
  const int64_t c = w.dims[0], kh = w.dims[2], kw = w.dims[3];
  std::vector<float> kernel(static_cast<size_t>(c * kh * kw));
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        kernel[static_cast<size_t>((y * kw + x) * c + ch)] = w.floats[static_cast<size_t>((ch * kh + y) * kw + x)];
  std::vector<std::vector<float>> params{std::move(kernel)};
  if (b) params.push_back(b->floats);
  plan({{"type", "depthwise_conv2d"},
        {"kernel_size", {kh, kw}},
        {"strides", {strides[0], strides[1]}},
        {"padding", pad},
        {"use_bias", b != nullptr},
        {"depth_multiplier", 1}},
       std::move(params), label);
}

// Gemm (y = alpha * x B' + beta * C, torch's nn.Linear) or MatMul (x B) as a dense layer.
void GraphReader::gemm(const OnnxNode& node, bool matmul) {
  require(shape_.rank() == 1, node.label() + " needs a flat input, not an image " + shape_.str() + " (flatten first)");
  const OnnxTensor& w = constant(node, 1, "weight");
  require(w.dims.size() == 2, node.label() + ": weight '" + w.name + "' must be 2-D, not " + onnx_dims_str(w.dims));
  require(matmul || attr_int(node, "transA", 0) == 0, node.label() + ": transA = 1 is not supported");
  const bool trans_b = !matmul && attr_int(node, "transB", 0) != 0;
  const int64_t in = trans_b ? w.dims[1] : w.dims[0], out = trans_b ? w.dims[0] : w.dims[1];
  require(in == shape_[0], node.label() + ": weight '" + w.name + "' " + onnx_dims_str(w.dims) + " takes " +
                               std::to_string(in) + " inputs but the previous layer gives " + std::to_string(shape_[0]));
  const float alpha = matmul ? 1.0f : attr_float(node, "alpha", 1.0f);
  const float beta = matmul ? 1.0f : attr_float(node, "beta", 1.0f);
  std::vector<float> kernel(static_cast<size_t>(in * out));
  for (int64_t r = 0; r < in; ++r) {
    const int64_t j = onnx_feature(r);
    for (int64_t o = 0; o < out; ++o)
      kernel[static_cast<size_t>(r * out + o)] =
          alpha * w.floats[static_cast<size_t>(trans_b ? o * in + j : j * out + o)];
  }
  std::vector<std::vector<float>> params{std::move(kernel)};
  const OnnxTensor* c = matmul ? nullptr : optional_constant(node, 2, "bias");
  if (c) {
    require(c->element_count() == out, node.label() + ": bias '" + c->name + "' " + onnx_dims_str(c->dims) +
                                           " must hold one value per output (" + std::to_string(out) + ")");
    std::vector<float> bias = c->floats;
    for (float& v : bias) v *= beta;
    params.push_back(std::move(bias));
  }
  flattened_from_ = Shape{};
  plan({{"type", "dense"}, {"units", out}, {"use_bias", c != nullptr}}, std::move(params), node.label());
}

// MatMul + Add: the bias of the dense layer just planned.
void GraphReader::bias_add(const OnnxNode& node) {
  require(node.inputs.size() == 2, node.label() + " must have two inputs");
  const size_t other = values_.count(node.inputs[0]) ? 1 : 0;
  const bool last_is_biasless_dense = source_ >= 0 && source_ == static_cast<int>(planned_.size()) - 1 &&
                                      planned_.back().config["type"] == "dense" &&
                                      !planned_.back().config["use_bias"].get<bool>();
  require(last_is_biasless_dense, node.label() + ": an Add of a constant is supported only as the bias after a MatMul");
  const OnnxTensor& b = constant(node, other, "bias");
  require(b.element_count() == shape_[0], node.label() + ": bias '" + b.name + "' " + onnx_dims_str(b.dims) +
                                              " must hold one value per output (" + std::to_string(shape_[0]) + ")");
  OnnxPlannedLayer& dense = planned_.back();
  dense.config["use_bias"] = true;
  dense.params.push_back(b.floats);
}

// Add or Concat of computed values: an add or concatenate layer reading the layers that made them.
void GraphReader::merge(const OnnxNode& node) {
  require(computed_inputs(node).size() == node.inputs.size(),
          node.label() + " mixes computed values and constants; Distillery joins branches of computed values only");
  const bool concat = node.op_type == "Concat";
  std::vector<Shape> shapes;
  std::vector<int> sources;
  const Shape flattened_from = values_.at(node.inputs[0]).flattened_from;
  for (const std::string& in : node.inputs) {
    const Value& v = values_.at(in);
    shapes.push_back(v.shape);
    sources.push_back(v.layer);
    // Distillery's order of flattened features differs from ONNX's: two
    // flattens agree elementwise only when they flattened the same shape.
    require(v.flattened_from == flattened_from && (!concat || v.flattened_from.rank() == 0),
            node.label() + " joins '" + in + "', flattened from an image, with values in another order; "
                           "join the images before flattening");
  }
  if (concat) {
    const int64_t axis = attr_int(node, "axis", 1), rank = shapes[0].rank() + 1;  // ONNX counts the batch
    require(axis == 1 || axis == 1 - rank, node.label() + ": a concatenation along axis " + std::to_string(axis) +
                                               " is not supported (only the channels, axis 1)");
  }
  Json config = {{"type", concat ? "concatenate" : "add"}};
  try {
    LayerPtr built = LayerRegistry::instance().create(config);
    shape_ = built->build_inputs(shapes);
  } catch (const Error& e) {
    throw Error(node.label() + ": " + e.what());
  }
  planned_.push_back({std::move(config), {}, node.label()});
  sources_.push_back(std::move(sources));
  source_ = static_cast<int>(planned_.size()) - 1;
  flattened_from_ = flattened_from;
  record_output(node);
}

void GraphReader::pool(const OnnxNode& node, const char* type) {
  require(shape_.rank() == 3, node.label() + " needs an image input, not " + shape_.str());
  const std::vector<int64_t> k = window_attr(node, "kernel_shape", {});
  const std::vector<int64_t> strides = window_attr(node, "strides", {1, 1});
  require(attr_int(node, "ceil_mode", 0) == 0, node.label() + ": ceil_mode = 1 is not supported");
  for (int64_t d : attr_ints(node, "dilations", {1, 1}))
    require(d == 1, node.label() + ": dilation " + std::to_string(d) + " is not supported (only 1)");
  require(node.outputs.size() <= 1 || node.outputs[1].empty(), node.label() + ": the indices output is not supported");
  const Json pad = padding(node, k[0], k[1], strides[0], strides[1]);
  require(pad == "valid" || attr_int(node, "count_include_pad", 0) == 0,
          node.label() + ": count_include_pad = 1 with padding is not supported (Distillery averages real pixels)");
  plan({{"type", type}, {"pool_size", {k[0], k[1]}}, {"strides", {strides[0], strides[1]}}, {"padding", pad}}, {},
       node.label());
}

// [N, C, 1, 1] in ONNX, [C] in Distillery: the Flatten torch writes after it has nothing left to do.
void GraphReader::global_pool(const OnnxNode& node) {
  require(shape_.rank() == 3, node.label() + " needs an image input, not " + shape_.str());
  plan({{"type", "global_avg_pool2d"}}, {}, node.label());
}

void GraphReader::flatten(const OnnxNode& node) {
  require(attr_int(node, "axis", 1) == 1, node.label() + ": only axis 1 (keep the batch) is supported");
  if (shape_.rank() != 3) return;  // already flat
  flattened_from_ = shape_;
  plan({{"type", "flatten"}}, {}, node.label());
}

void GraphReader::reshape(const OnnxNode& node) {
  require(node.inputs.size() >= 2, node.label() + " has no shape input");
  std::vector<int64_t> target;
  if (auto it = shape_values_.find(node.inputs[1]); it != shape_values_.end()) {
    target = it->second;
  } else {
    const OnnxTensor* t = optional_constant(node, 1, "shape");
    require(t && t->floats.empty(), node.label() + ": its shape is not an INT64 constant");
    target = t->ints;
  }
  const int64_t total = shape_.size();
  const bool flat = target.size() == 2 && (target[1] == -1 || target[1] == total) &&
                    (target[0] == -1 || target[0] == 0 || target[0] == 1 || target[1] == total);
  require(flat, node.label() + ": a reshape to " + onnx_dims_str(target) + " is not supported (only to [batch, " +
                    std::to_string(total) + "], a flatten)");
  if (shape_.rank() != 3) return;
  flattened_from_ = shape_;
  plan({{"type", "flatten"}}, {}, node.label());
}

void GraphReader::batch_norm(const OnnxNode& node) {
  require(attr_int(node, "training_mode", 0) == 0, node.label() + ": training_mode = 1 is not supported");
  const int64_t channels = shape_[shape_.rank() - 1];
  std::vector<std::vector<float>> params;
  const char* roles[] = {"scale", "bias", "mean", "variance"};
  for (size_t k = 0; k < 4; ++k) {
    const OnnxTensor& t = constant(node, k + 1, roles[k]);
    require(t.element_count() == channels, node.label() + ": " + roles[k] + " '" + t.name + "' " + onnx_dims_str(t.dims) +
                                               " must hold one value per channel (" + std::to_string(channels) + ")");
    std::vector<float> values(static_cast<size_t>(channels));
    for (int64_t r = 0; r < channels; ++r)
      values[static_cast<size_t>(r)] = t.floats[static_cast<size_t>(shape_.rank() == 1 ? onnx_feature(r) : r)];
    params.push_back(std::move(values));
  }
  plan({{"type", "batch_norm"},
        {"momentum", attr_float(node, "momentum", 0.9f)},
        {"epsilon", attr_float(node, "epsilon", 1e-5f)},
        {"center", true},
        {"scale", true}},
       std::move(params), node.label());
}

// Clip to [0, inf) is a ReLU, to [0, 6] a ReLU6; opset 11+ gives the bounds as inputs, older opsets as attributes.
void GraphReader::clip(const OnnxNode& node) {
  float lo = attr_float(node, "min", -std::numeric_limits<float>::infinity());
  float hi = attr_float(node, "max", std::numeric_limits<float>::infinity());
  if (const OnnxTensor* t = optional_constant(node, 1, "min"); t && t->floats.size() == 1) lo = t->floats[0];
  if (const OnnxTensor* t = optional_constant(node, 2, "max"); t && t->floats.size() == 1) hi = t->floats[0];
  require(lo == 0.0f && (hi == 6.0f || (std::isinf(hi) && hi > 0.0f)),
          node.label() + ": a clip to [" + std::to_string(lo) + ", " + std::to_string(hi) +
              "] is not supported: Distillery has ReLU (a clip to [0, inf)) and ReLU6 (to [0, 6]) only");
  plan({{"type", hi == 6.0f ? "relu6" : "relu"}}, {}, node.label());
}

// torch writes nn.AvgPool2d as a Pad of zeros then AveragePool: that Pad is the identity.
void GraphReader::zero_pad(const OnnxNode& node) {
  std::vector<int64_t> pads = attr_ints(node, "pads", {});
  if (node.inputs.size() >= 2 && !node.inputs[1].empty()) {
    auto it = shape_values_.find(node.inputs[1]);
    const OnnxTensor* t = it == shape_values_.end() ? optional_constant(node, 1, "pads") : nullptr;
    require(it != shape_values_.end() || (t && t->floats.empty()), node.label() + ": its pads are not INT64 constants");
    pads = it != shape_values_.end() ? it->second : t->ints;
  }
  for (int64_t p : pads)
    require(p == 0, node.label() + ": a padding of " + onnx_dims_str(pads) +
                        " on its own is not supported (Distillery pads inside conv2d and pooling layers)");
}

void GraphReader::softmax(const OnnxNode& node) {
  require(shape_.rank() == 1, node.label() + ": a softmax over an image " + shape_.str() + " is not supported");
  const int64_t axis = attr_int(node, "axis", -1);
  require(axis == -1 || axis == 1, node.label() + ": axis " + std::to_string(axis) + " is not the class axis");
  output_activation_ = node.op_type == "Softmax" ? "softmax" : "log_softmax";
  ended_ = true;  // Distillery outputs logits; softmax is applied when predicting
}

}  // namespace

OnnxLayers read_onnx_layers(const OnnxGraph& graph, const Shape& input, const std::string& input_name,
                            const Shape& flattened_from, const std::string& output_name) {
  GraphReader reader(graph, input, input_name, flattened_from);
  reader.run();
  return reader.finish(output_name);
}

}  // namespace distillery
