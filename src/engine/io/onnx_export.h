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
#include <cstdint>
#include <vector>

#include "engine/model/model.h"

namespace distillery {

std::vector<uint8_t> export_onnx_model(const Model& model);

}  // namespace distillery
