#pragma once
// Exporting a Distillery model to ONNX (opset 13, IR 7), for ONNX Runtime,
// PyTorch (rebuilt from the initializers) and anything else that reads ONNX.
// Bytes out: no file access.
//
//   std::vector<uint8_t> bytes = export_onnx_model(student);
//
// The graph takes "input" [batch, C, H, W] (NCHW), already preprocessed as
// x = (pixel * scale - mean) / std, and ends in a Softmax: "probabilities"
// [batch, classes]. Kernels are written OIHW, dense weights [out, in] for
// Gemm(transB = 1) with the rows after a flatten in ONNX's channel-major
// order; "same" padding becomes explicit (possibly asymmetric) pads. Pruned
// weights are written as zeros. metadata_props holds "class_names" (a JSON
// list), "preprocessing" (a JSON object), "name" and "provenance", which
// import_onnx_model reads back. Dropout is left out (inference graph).
// Throws Error for a layer type with no ONNX form.
//
// A quantized model is written in ONNX's QDQ form, which ONNX Runtime runs
// on its int8 kernels: int8 kernels (per output channel, zero point 0) as
// INT8 initializers behind DequantizeLinear(axis = 0), and in the int8 mode
// a QuantizeLinear + DequantizeLinear pair (the calibrated scale and zero
// point) on the input and after every layer but the last, where Distillery's
// integer forward holds int8 activations. float16 weights are FLOAT16
// initializers behind a Cast. Biases stay float32 (their dequantized int32).
#include <cstdint>
#include <vector>

#include "engine/model/model.h"
#include "engine/quant/quantized_model.h"

namespace distillery {

std::vector<uint8_t> export_onnx_model(const Model& model);
std::vector<uint8_t> export_onnx_model(const QuantizedModel& model);

}  // namespace distillery
