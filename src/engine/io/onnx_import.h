#pragma once
// Importing an ONNX model (as written by torch.onnx.export, opsets 11-17)
// into a Distillery Model. Bytes in, Model out: no file access.
//
//   Model teacher = import_onnx_model(bytes, options);  // options as for TF.js
//
// Supported: chains, and graphs whose branches join in an Add or a Concat
// of the channels (ResNet- and Inception-style models, as graph models).
// Ops: Gemm, MatMul (+ Add of a bias), Conv (group 1, or one group per
// channel: depthwise), Add and Concat of computed values, Relu, LeakyRelu,
// Sigmoid, Tanh, Clip to [0, inf) as ReLU and to [0, 6] as ReLU6, MaxPool, AveragePool, GlobalAveragePool, Flatten and Reshape to
// [batch, features] (with the constant shape subgraphs torch emits: Shape,
// Gather, Unsqueeze, Squeeze, Concat, Cast, Constant), BatchNormalization,
// Dropout, Identity, and a final Softmax or LogSoftmax (read as logits).
// Layout: ONNX is NCHW with OIHW kernels, Distillery NHWC with HWIO: kernels
// are transposed once here, and the rows of the first dense layer after a
// flatten are permuted (PyTorch flattens channel-major, Distillery
// channel-last). Padding must be none or TensorFlow's "same" (the pads
// PyTorch writes for a stride-1 odd kernel with padding k // 2).
// Anything else is refused naming the node: node '/layer4/Conv_3'
// (ConvTranspose) is not supported.
// Class names and preprocessing: the options, else the model's
// metadata_props "class_names" (a JSON array) and "preprocessing" (a JSON
// object {scale, mean, std}) as Distillery's export writes them, else
// class_0, ... and x = pixel / 255.
#include <cstdint>
#include <vector>

#include "engine/io/tfjs_import.h"
#include "engine/model/model.h"

namespace distillery {

// The same choices as a TF.js import: --input-scale, --classes, --input-shape.
using OnnxImportOptions = TfjsImportOptions;

// Throws Error naming the problem (node and op type, tensor, metadata).
Model import_onnx_model(const std::vector<uint8_t>& bytes, const OnnxImportOptions& options = {});

}  // namespace distillery
