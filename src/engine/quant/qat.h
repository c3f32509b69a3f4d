#pragma once
// Quantization-aware fine-tuning (QAT): a few epochs of the one training loop
// (train/trainer.h) on a copy of the model in which the forward pass sees what
// the int8 model will compute, so the weights learn to live on the int8 grid.
//
//   TrainConfig config; config.epochs = 2; config.loss = LossKind::kHinton;
//   Model tuned = quantization_aware_finetune(model, data, all_indices(data.size()), config, &teacher);
//   QuantizedModel q = quantize_model(tuned, calibration, {QuantMode::Int8});
//
// The copy is the model with its BatchNorms folded (fold_batch_norm.h, as PTQ
// folds them) and a FakeQuantLayer (fake_quant.h) wherever the int8 forward
// quantizes an activation: the input, and the output of every layer that is
// not the last, does not keep its input's range (max pooling, flatten,
// dropout, an unfused ReLU) and has no ReLU fused after it (then after the
// ReLU). Every batch, before the forward pass, each Dense/Conv2D kernel is
// replaced by its per-channel int8 rounding (masked weights stay 0); after the
// backward pass the float kernel is put back and the optimiser steps it with
// the gradient taken at the rounded one: the straight-through estimator.
// Masks are the model's and the optimiser keeps them, so pruned weights stay 0.
// With a teacher the loss is the config's (kd, dkd, mse): distillation and
// quantization in one run.
//
// Returns the fine-tuned float model (folded, no fake-quant layers, the
// model's metadata); quantize_model then calibrates it afresh (the moving
// ranges the fake-quant layers tracked serve the training only). A graph
// model gets its fake-quant layers spliced between each quantized output and
// its readers. Throws Error for a config validate_train_config refuses, no
// epochs or no training samples.
#include <vector>

#include "engine/data/dataset.h"
#include "engine/model/model.h"
#include "engine/train/trainer.h"

namespace distillery {

Model quantization_aware_finetune(const Model& model, const Dataset& data, const std::vector<int>& train_indices,
                                  const TrainConfig& config, TeacherSignal teacher = {},
                                  TrainCallbacks callbacks = {});

// The fake-quantized copy QAT trains (exposed for tests): `model` (already
// folded) with FakeQuantLayers inserted as above, its weights and masks.
Model fake_quantized_copy(const Model& model);

// The straight-through step's two halves, on a model's Dense/Conv2D kernels:
// keep the float kernels in `latent` and write their int8 roundings, then
// write `latent` back. Gradients are untouched.
void swap_in_fake_quantized_kernels(Model& model, std::vector<float>& latent);
void restore_latent_kernels(Model& model, const std::vector<float>& latent);

}  // namespace distillery
