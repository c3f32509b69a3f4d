"""ONNX interop against the real PyTorch (Debian's python3-torch 1.13 and
python3-onnx 1.12), on real Fashion-MNIST images:

- models built and briefly trained in PyTorch, exported by torch.onnx.export,
  imported by `distillery convert`, give PyTorch's probabilities within 1e-4
  (`distillery predict` on PNG files against torch's forward);
- Distillery models exported by `distillery convert --out x.onnx` pass
  onnx.checker and give Distillery's probabilities within 1e-4 when the graph
  is rebuilt in torch from its initializers;
- the README's round trip: PyTorch teacher -> ONNX -> distillery distill ->
  ONNX student -> PyTorch;
- bad inputs end in one clear line naming the problem.

Run: /usr/bin/python3 -m unittest discover -s tests/onnx -v
(DISTILLERY_BIN points at the CLI; default build/distillery)."""
import json
import os
import tempfile
import unittest

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from onnx_support import (CLASSES, TOLERANCE, attrs, cli, distillery_probabilities, export, fashion, run_onnx_in_torch,
                          torch_input, torch_probabilities, train_briefly, write_idx, write_pngs)


class View(nn.Module):
    """x.view(x.size(0), -1): torch writes Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""

    def forward(self, x):
        return x.view(x.size(0), -1)


def mlp():
    return nn.Sequential(View(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))


def cnn():
    # Conv -> BN is folded into the conv by torch's export; Conv -> ReLU -> BN keeps a BatchNormalization.
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(16), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(16 * 7 * 7, 10), nn.Softmax(dim=1))


def cnn_flat_batchnorm():
    # BatchNorm1d right after the flatten (its statistics follow the channel-major rows), LogSoftmax, LeakyReLU.
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.LeakyReLU(0.1), nn.MaxPool2d(2), nn.Flatten(),
                         nn.BatchNorm1d(6 * 12 * 12), nn.Linear(6 * 12 * 12, 10), nn.LogSoftmax(dim=1))


class MatMulAdd(nn.Module):
    """x @ W + b: torch writes MatMul then Add, not Gemm."""

    def __init__(self, inputs, outputs):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(inputs, outputs) * 0.1)
        self.bias = nn.Parameter(torch.zeros(outputs))

    def forward(self, x):
        return x @ self.weight + self.bias


class ClampRelu(nn.Module):
    def forward(self, x):
        return torch.clamp(x, min=0.0)  # Clip with only a lower bound of 0: a ReLU


def cnn_global_pool_matmul():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), ClampRelu(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), MatMulAdd(16, 10))


def mobile_block():
    # MobileNet's pieces: depthwise convs (groups = channels; the BatchNorm after one is folded into it by
    # torch's export), ReLU6 (Clip [0, 6]), a strided valid depthwise conv, a 1x1 pointwise conv, global pooling.
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU6(), nn.Conv2d(16, 16, 3, padding=1, groups=16),
                         nn.BatchNorm2d(16), nn.ReLU6(), nn.MaxPool2d(2), nn.Conv2d(16, 16, 3, stride=2, groups=16),
                         nn.ReLU6(), nn.Conv2d(16, 32, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(32, 10))


class BasicBlock(nn.Module):
    """torchvision's ResNet block: 3x3 convs with padding 1 (symmetric, also at stride 2), BatchNorm, the
    identity or a strided 1x1 projection, the Add."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class Branches(nn.Module):
    """An Inception-style pair of branches joined by a channel Concat."""

    def __init__(self, cin):
        super().__init__()
        self.narrow = nn.Conv2d(cin, 8, 1)
        self.wide = nn.Sequential(nn.Conv2d(cin, 8, 3, padding=1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.narrow(x), self.wide(x)], dim=1)


def resnet():
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         BasicBlock(16, 16), BasicBlock(16, 32, stride=2), Branches(32), nn.MaxPool2d(3, 2, 1),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


class OnnxInterop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="distillery-onnx-")
        cls.dir = cls.tmp.name
        cls.train_images, cls.train_labels = fashion("train", 3000)
        cls.test_images, cls.test_labels = fashion("test", 100)
        cls.pngs = write_pngs(cls.dir, cls.test_images)
        torch.manual_seed(0)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def import_and_compare(self, model, name, opset=13, extra=(), min_accuracy=0.6, epochs=1):
        model = train_briefly(model, self.train_images, self.train_labels, epochs)
        onnx_path, json_path = self.path(name + ".onnx"), self.path(name + ".json")
        export(model, onnx_path, opset)
        cli("convert", "--in", onnx_path, "--out", json_path, "--classes", ",".join(CLASSES), *extra)
        ours = distillery_probabilities(json_path, self.pngs)
        theirs = torch_probabilities(model, self.test_images)
        diff = float(np.abs(ours - theirs).max())
        print("\n%s (opset %d): max |p_distillery - p_torch| = %.3g over %d images" % (name, opset, diff, len(ours)))
        self.assertLess(diff, TOLERANCE)
        # The model is a real classifier, not a near-uniform one that would match anything.
        self.assertGreater(float((theirs.argmax(1) == self.test_labels).mean()), min_accuracy)
        with open(json_path) as f:
            doc = json.load(f)
        self.assertEqual(doc["class_names"], CLASSES)
        return model, json_path, doc

    def test_mlp_matches_pytorch(self):
        self.import_and_compare(mlp(), "mlp")

    def test_clip_global_average_pool_and_matmul_add_match_pytorch(self):
        model, _, doc = self.import_and_compare(cnn_global_pool_matmul(), "cnn_gap", min_accuracy=0.3,
                                               epochs=4)
        self.assertEqual([layer["type"] for layer in doc["layers"]][-2:], ["global_avg_pool2d", "dense"])
        # And out again: a model with gap exports as GlobalAveragePool and rebuilds in torch alike.
        self.export_and_rebuild(self.path("cnn_gap.json"), self.path("cnn_gap_again.onnx"))
        ops = [n.op_type for n in onnx.load(self.path("cnn_gap_again.onnx")).graph.node]
        self.assertIn("GlobalAveragePool", ops)

    def test_cnn_at_opset_17_matches_pytorch(self):
        self.import_and_compare(cnn(), "cnn17", opset=17)

    def test_cnn_with_max_and_average_pooling_and_batchnorm_matches_pytorch(self):
        _, _, doc = self.import_and_compare(cnn(), "cnn")
        types = [layer["type"] for layer in doc["layers"]]
        self.assertIn("batch_norm", types)
        self.assertIn("maxpool2d", types)
        self.assertIn("avgpool2d", types)

    def test_flat_batchnorm_leaky_relu_and_log_softmax_at_opset_11_match_pytorch(self):
        self.import_and_compare(cnn_flat_batchnorm(), "cnn_flat_bn", opset=11)

    def test_float16_initializers_are_dequantized(self):
        model = train_briefly(mlp(), self.train_images, self.train_labels)
        export(model, self.path("mlp32.onnx"))
        half = onnx.load(self.path("mlp32.onnx"))
        for i, t in enumerate(half.graph.initializer):
            if t.data_type == onnx.TensorProto.FLOAT:
                half.graph.initializer[i].CopyFrom(
                    numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
        onnx.save(half, self.path("mlp16.onnx"))
        cli("convert", "--in", self.path("mlp16.onnx"), "--out", self.path("mlp16.json"))
        ours = distillery_probabilities(self.path("mlp16.json"), self.pngs)
        # torch with the same float16-rounded weights, computed in float32
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
        diff = float(np.abs(ours - torch_probabilities(model, self.test_images)).max())
        print("\nmlp with float16 weights: max |p_distillery - p_torch(same rounded weights)| = %.3g" % diff)
        self.assertLess(diff, TOLERANCE)

    def test_depthwise_convolution_and_relu6_match_pytorch_both_ways(self):
        model, json_path, doc = self.import_and_compare(mobile_block(), "mobile", min_accuracy=0.3, epochs=5)
        types = [layer["type"] for layer in doc["layers"]]
        self.assertEqual(types.count("depthwise_conv2d"), 2, types)
        self.assertIn("relu6", types)
        # And out again: Conv with group = C, Clip [0, 6]; checked, and rebuilt in torch alike.
        self.export_and_rebuild(json_path, self.path("mobile_again.onnx"))
        nodes = onnx.load(self.path("mobile_again.onnx")).graph.node
        groups = [attrs(n).get("group", 1) for n in nodes if n.op_type == "Conv"]
        self.assertEqual(groups, [1, 16, 16, 1])
        self.assertIn("Clip", [n.op_type for n in nodes])

    def test_resnet_with_add_concat_and_stride_2_padding_matches_pytorch_both_ways(self):
        torch.manual_seed(1)
        model, json_path, doc = self.import_and_compare(resnet(), "resnet", epochs=4, min_accuracy=0.5)
        types = [layer["type"] for layer in doc["layers"]]
        self.assertEqual(types.count("add"), 2, types)
        self.assertEqual(types.count("concatenate"), 1, types)
        # PyTorch's symmetric padding at stride 2 (28 -> 14, and the 3x3 max pool 14 -> 7) kept as it is.
        explicit = [layer["padding"] for layer in doc["layers"] if isinstance(layer.get("padding"), list)]
        self.assertIn([[1, 1], [1, 1]], explicit)
        # Out again as an ONNX graph with the Adds and the Concat, rebuilt in torch.
        self.export_and_rebuild(json_path, self.path("resnet_again.onnx"))
        ops = [n.op_type for n in onnx.load(self.path("resnet_again.onnx")).graph.node]
        self.assertEqual((ops.count("Add"), ops.count("Concat")), (2, 1), ops)
        # Not to TF.js: its max pool (pads [[1, 1], [1, 1]], not TF's "same") reads the Concat, which can be negative,
        # and a ZeroPadding2D in front would let a zero win the max at the edges.
        r = cli("convert", "--in", json_path, "--out", self.path("resnet_tfjs"), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("(maxpool2d): explicit padding [[1,1],[1,1]] goes to TensorFlow.js as a ZeroPadding2D", r.stderr)
        self.assertIn("(concatenate)) can be", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_a_torchvision_style_resnet_with_stride_2_padding_goes_on_to_tfjs(self):
        # torchvision's stem and a downsampling BasicBlock: MaxPool2d(3, 2, 1) over a ReLU's output and a stride-2
        # 3x3 conv with padding=1, neither TF's "same". TF.js gets each as a ZeroPadding2D before a "valid" layer
        # (exact for the max pool: its input is never negative); tests/tfjs checks that form in the real TF.js.
        torch.manual_seed(2)
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                              nn.MaxPool2d(3, 2, 1), BasicBlock(16, 32, stride=2), nn.AdaptiveAvgPool2d(1),
                              nn.Flatten(), nn.Linear(32, 10))
        _, json_path, _ = self.import_and_compare(model, "torchvision_stem")
        tfjs_dir = self.path("torchvision_stem_tfjs")
        cli("convert", "--in", json_path, "--out", tfjs_dir)
        with open(os.path.join(tfjs_dir, "model.json")) as f:
            layers = json.load(f)["modelTopology"]["config"]["layers"]
        pads = {l["name"]: l["config"]["padding"] for l in layers if l["class_name"] == "ZeroPadding2D"}
        self.assertEqual(sorted(pads.values()), [[[1, 1], [1, 1]]] * 2)
        padded = [(l["class_name"], l["config"]["strides"], l["config"]["padding"]) for l in layers
                  if l["inbound_nodes"] and l["inbound_nodes"][0][0][0] in pads]
        self.assertEqual(sorted(padded), [("Conv2D", [2, 2], "valid"), ("MaxPooling2D", [2, 2], "valid")])
        # Back from TF.js: the same pads and the same probabilities.
        back = self.path("torchvision_stem_back.json")
        cli("convert", "--in", tfjs_dir, "--out", back)
        diff = float(np.abs(distillery_probabilities(back, self.pngs) - distillery_probabilities(json_path, self.pngs)).max())
        self.assertLess(diff, TOLERANCE)

    def test_quantized_student_exports_in_qdq_form_and_runs_as_distillerys_int8_kernels(self):
        float_json, int8_json = self.train_and_quantize("cnn", "conv:8:3,pool:2,conv:16:3,pool:2,dense:32", 2)
        float_onnx, int8_onnx = self.path("cnn_float.onnx"), self.path("cnn_int8.onnx")
        cli("convert", "--in", float_json, "--out", float_onnx)
        cli("convert", "--in", int8_json, "--out", int8_onnx)
        model = onnx.load(int8_onnx)
        onnx.checker.check_model(model)
        int8 = [t.name for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8 and len(t.dims) > 1]
        self.assertEqual(len(int8), 4, int8)  # the two convs, the hidden dense and the classifier
        ops = [n.op_type for n in model.graph.node]
        self.assertGreater(ops.count("QuantizeLinear"), 3, ops)
        def weight_bytes(m):
            return sum(len(t.raw_data) for t in m.graph.initializer)
        float_bytes, int8_bytes = weight_bytes(onnx.load(float_onnx)), weight_bytes(model)
        print("\nint8 ONNX: weights %d bytes (file %d), float32 ONNX: weights %d bytes (file %d): %.2fx smaller"
              % (int8_bytes, os.path.getsize(int8_onnx), float_bytes, os.path.getsize(float_onnx),
                 float_bytes / int8_bytes))
        self.assertGreater(float_bytes / int8_bytes, 3.5)
        # torch running the QDQ graph computes what Distillery's int8 kernels compute.
        ours, diff, agree = self.torch_against_int8_kernels(int8_json, int8_onnx, "int8 QDQ")
        # Integer arithmetic on one side, float on the other: equal up to a rounding tie flipping one step.
        self.assertLess(diff, 1e-3)
        self.assertEqual(agree, 1.0)
        # And back in: the QDQ graph imports as the float model it stands for (weights dequantized).
        back_json = self.path("cnn_int8_back.json")
        cli("convert", "--in", int8_onnx, "--out", back_json)
        back = distillery_probabilities(back_json, self.pngs)
        self.assertGreater(float((back.argmax(1) == ours.argmax(1)).mean()), 0.95)

    def test_quantized_resnet_graph_exports_in_qdq_form_and_runs_as_distillerys_int8_kernels(self):
        # A graph: identity and projection residual blocks (adds), global average pooling.
        _, int8_json = self.train_and_quantize("res", "conv:8:3,res:8,res:16:2,gap", 1)
        int8_onnx = self.path("res_int8.onnx")
        cli("convert", "--in", int8_json, "--out", int8_onnx)
        model = onnx.load(int8_onnx)
        onnx.checker.check_model(model)
        ops = [n.op_type for n in model.graph.node]
        self.assertEqual(ops.count("Add"), 2, ops)
        self.assertNotIn("BatchNormalization", ops)  # every BatchNorm folded into its conv
        _, diff, agree = self.torch_against_int8_kernels(int8_json, int8_onnx, "\nint8 ResNet QDQ")
        # The adds round once in Distillery and dequantize-add-quantize in QDQ: equal up to a flipped tie.
        self.assertLess(diff, 2e-3)
        self.assertGreaterEqual(agree, 0.99)

    def test_grouped_convolution_is_refused_clearly(self):
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3, groups=2), nn.Conv2d(8, 4, 1),
                              nn.Flatten(), nn.Linear(4 * 24 * 24, 10)).eval()
        export(model, self.path("grouped.onnx"))
        r = cli("convert", "--in", self.path("grouped.onnx"), "--out", self.path("grouped.json"), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("(Conv): grouped convolution (group = 2 on 8 channels) is not supported", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def train_and_quantize(self, name, arch, epochs):
        """A model of `arch` trained on the fixture's images, and its int8 PTQ: the two file paths."""
        idx = self.path("train-images-idx3-ubyte")
        write_idx(idx, self.train_images)
        write_idx(self.path("train-labels-idx1-ubyte"), self.train_labels)
        float_json, int8_json = self.path(name + "_float.json"), self.path(name + "_int8.json")
        cli("train", "--data", idx, "--arch", arch, "--epochs", str(epochs), "--threads", "1", "--out", float_json)
        cli("quantize", "--model", float_json, "--data", idx, "--mode", "int8", "--calibration", "300",
            "--out", int8_json)
        return float_json, int8_json

    def torch_against_int8_kernels(self, int8_json, int8_onnx, what):
        """Distillery's int8 probabilities, and their max difference and top-1 agreement with torch running the QDQ graph."""
        ours = distillery_probabilities(int8_json, self.pngs)
        with torch.no_grad():
            rebuilt, _ = run_onnx_in_torch(int8_onnx, torch_input(self.test_images))
        rebuilt = rebuilt.double().numpy()
        diff = float(np.abs(rebuilt - ours).max())
        agree = float((rebuilt.argmax(1) == ours.argmax(1)).mean())
        print("%s in torch vs Distillery's int8 kernels: max |dp| = %.3g, top-1 agreement %.2f" % (what, diff, agree))
        return ours, diff, agree

    def export_and_rebuild(self, json_path, onnx_path):
        cli("convert", "--in", json_path, "--out", onnx_path)
        model = onnx.load(onnx_path)
        onnx.checker.check_model(model)
        ours = distillery_probabilities(json_path, self.pngs)
        with torch.no_grad():
            rebuilt, model = run_onnx_in_torch(onnx_path, torch_input(self.test_images))
        diff = float(np.abs(rebuilt.double().numpy() - ours).max())
        print("\n%s: max |p_torch(rebuilt from ONNX) - p_distillery| = %.3g" % (os.path.basename(onnx_path), diff))
        self.assertLess(diff, TOLERANCE)
        meta = {p.key: p.value for p in model.metadata_props}
        return rebuilt.numpy(), meta

    def test_the_round_trip_pytorch_teacher_distilled_student_back_in_pytorch(self):
        teacher, teacher_json, _ = self.import_and_compare(cnn(), "teacher")
        idx = self.path("train-images-idx3-ubyte")
        write_idx(idx, self.train_images)
        write_idx(self.path("train-labels-idx1-ubyte"), self.train_labels)
        student_json = self.path("student.json")
        # Stride-2 "same" conv and pooling: asymmetric pads in the ONNX graph.
        cli("distill", "--teacher", teacher_json, "--data", idx, "--arch", "conv:8:3:s2,pool:3:s2:same,dense:32",
            "--epochs", "3", "--lr", "0.003", "--threads", "1", "--out", student_json)
        probabilities, meta = self.export_and_rebuild(student_json, self.path("student.onnx"))
        self.assertEqual(json.loads(meta["class_names"]), CLASSES)
        self.assertAlmostEqual(json.loads(meta["preprocessing"])["scale"], 1 / 255, places=6)
        accuracy = float((probabilities.argmax(1) == self.test_labels).mean())
        print("student in PyTorch: accuracy %.2f on %d test images" % (accuracy, len(self.test_labels)))
        self.assertGreater(accuracy, 0.5)  # chance is 0.1; 3 epochs on 3,000 images
        # And back again: the exported student imports with its names and preprocessing.
        cli("convert", "--in", self.path("student.onnx"), "--out", self.path("student_again.json"))
        again = distillery_probabilities(self.path("student_again.json"), self.pngs)
        self.assertLess(float(np.abs(again - probabilities).max()), TOLERANCE)

    def expect_one_line_error(self, onnx_path, *parts, convert_args=()):
        r = cli("convert", "--in", onnx_path, "--out", self.path("bad.json"), *convert_args, check=False)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        for part in parts:
            self.assertIn(part, r.stderr)
        self.assertFalse(os.path.exists(self.path("bad.json")))

    def test_bad_inputs_each_end_in_one_clear_line(self):
        model = mlp().eval()
        good = self.path("good.onnx")
        export(model, good)
        with open(good, "rb") as f:
            data = f.read()
        with open(self.path("truncated.onnx"), "wb") as f:
            f.write(data[:len(data) // 2])
        self.expect_one_line_error(self.path("truncated.onnx"), "truncated or corrupt")

        short = onnx.load(good)
        short.graph.initializer[0].raw_data = short.graph.initializer[0].raw_data[:100]
        onnx.save(short, self.path("short.onnx"))
        self.expect_one_line_error(self.path("short.onnx"), "initializer '%s' declares" % short.graph.initializer[0].name,
                                   "but holds 100 bytes")

        deconv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ConvTranspose2d(4, 4, 3), nn.Flatten(), nn.Linear(4 * 28 * 28, 10))
        export(deconv.eval(), self.path("deconv.onnx"))
        self.expect_one_line_error(self.path("deconv.onnx"), "node '/1/ConvTranspose' (ConvTranspose) is not supported")

        # PyTorch's AvgPool2d counts the padding into its averages by default (torch writes a Pad of zeros
        # before the AveragePool); Distillery averages real pixels.
        padded_avg = nn.Sequential(nn.Conv2d(1, 4, 3), nn.AvgPool2d(3, 2, padding=1), nn.Flatten(),
                                   nn.Linear(4 * 13 * 13, 10))
        export(padded_avg.eval(), self.path("padded_avg.onnx"))
        self.expect_one_line_error(self.path("padded_avg.onnx"), "node '/1/Pad' (Pad): a padding of [0, 0, 1, 1, 0, 0, 1, 1] on its own is not supported")

        features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
        export(features.eval(), self.path("features.onnx"))
        self.expect_one_line_error(self.path("features.onnx"), "not one score per class")

        wrong = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 30 * 30, 10)).eval()
        torch.onnx.export(wrong, torch.zeros(1, 3, 32, 32), self.path("rgb32.onnx"), opset_version=13)
        self.expect_one_line_error(self.path("rgb32.onnx"), "the model takes images [32, 32, 3], not [28, 28, 1]",
                                   convert_args=("--input-shape", "28,28,1"))


if __name__ == "__main__":
    unittest.main()
