"""Shared pieces of the ONNX interop tests: real Fashion-MNIST images, the
distillery CLI, small PyTorch models trained for a moment, and a PyTorch
rebuild of an ONNX graph from its initializers (the runtime check for
Distillery's exports: Debian ships no ONNX runtime)."""
import gzip
import json
import os
import struct
import subprocess
import zlib

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DISTILLERY = os.environ.get("DISTILLERY_BIN", os.path.join(ROOT, "build", "distillery"))
FASHION = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
TOLERANCE = 1e-4

torch.set_num_threads(1)  # two shared cores; the models are tiny


def read_idx(name):
    with gzip.open(os.path.join(FASHION, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion(split, count, offset=0):
    """(images uint8 [n, 28, 28], labels [n]) from the real IDX files."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(prefix + "-images-idx3-ubyte.gz")[offset:offset + count]
    labels = read_idx(prefix + "-labels-idx1-ubyte.gz")[offset:offset + count]
    return images.copy(), labels.astype(np.int64)


def write_idx(path, array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, array.ndim]))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.tobytes())


def write_png(path, pixels):
    """An 8-bit grayscale PNG."""
    h, w = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_pngs(folder, images):
    paths = []
    for i, image in enumerate(images):
        path = os.path.join(folder, "image%03d.png" % i)
        write_png(path, image)
        paths.append(path)
    return paths


def cli(*args, check=True):
    r = subprocess.run([DISTILLERY, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError("distillery %s failed (%d):\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def distillery_probabilities(model_json, png_paths):
    out = cli("predict", "--model", model_json, "--json", *png_paths).stdout
    return np.array([r["probabilities"] for r in json.loads(out)], dtype=np.float64)


def torch_input(images):
    """Pixels as the models read them: x = pixel / 255, NCHW."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


def train_briefly(model, images, labels, epochs=1, seed=0):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    x, y = torch_input(images), torch.from_numpy(labels)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            out = model(x[idx])
            loss = F.nll_loss(out, y[idx]) if isinstance(model[-1], torch.nn.LogSoftmax) else F.cross_entropy(
                out if not isinstance(model[-1], torch.nn.Softmax) else torch.log(out + 1e-12), y[idx])
            loss.backward()
            opt.step()
    return model.eval()


def torch_probabilities(model, images):
    with torch.no_grad():
        out = model(torch_input(images))
        last = model[-1] if isinstance(model, torch.nn.Sequential) else None
        if isinstance(last, torch.nn.Softmax):
            return out.double().numpy()
        if isinstance(last, torch.nn.LogSoftmax):
            return out.double().exp().numpy()
        return torch.softmax(out.double(), dim=1).numpy()


def export(model, path, opset=13):
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=opset, input_names=["input"],
                      output_names=["scores"], dynamic_axes={"input": {0: "batch"}, "scores": {0: "batch"}})


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_onnx_in_torch(path, x):
    """Runs Distillery's exported graph (its op set) with torch ops and the
    model's own initializers."""
    model = onnx.load(path)
    values = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    values[model.graph.input[0].name] = x
    for node in model.graph.node:
        a = attrs(node)
        ins = [values[n] for n in node.input if n]
        op = node.op_type
        if op == "Conv":
            t, l, b, r = a["pads"]
            y = F.conv2d(F.pad(ins[0], (l, r, t, b)), ins[1], ins[2] if len(ins) > 2 else None, stride=a["strides"],
                         groups=a.get("group", 1))
        elif op in ("MaxPool", "AveragePool"):
            t, l, b, r = a["pads"]
            k, s = a["kernel_shape"], a["strides"]
            if op == "MaxPool":
                y = F.max_pool2d(F.pad(ins[0], (l, r, t, b), value=float("-inf")), k, s)
            else:  # count_include_pad = 0: divide by the real pixels in each window
                ones = torch.ones_like(ins[0][:, :1])
                total = F.avg_pool2d(F.pad(ins[0], (l, r, t, b)), k, s)
                real = F.avg_pool2d(F.pad(ones, (l, r, t, b)), k, s)
                y = total / real
        elif op == "Gemm":
            assert a.get("transB", 0) == 1
            y = F.linear(ins[0], ins[1], ins[2] if len(ins) > 2 else None)
        elif op == "BatchNormalization":
            y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], training=False, eps=a.get("epsilon", 1e-5))
        elif op == "GlobalAveragePool":
            y = ins[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            y = torch.flatten(ins[0], 1)
        elif op == "DequantizeLinear":  # per tensor, or per channel along `axis` (the weights: axis 0)
            shape = [1] * ins[0].dim()
            if ins[1].numel() > 1:
                shape[a.get("axis", 1)] = -1
            y = (ins[0].float() - ins[2].float().reshape(shape)) * ins[1].reshape(shape)
        elif op == "QuantizeLinear":  # int8: round half to even, saturate
            y = torch.clamp(torch.round(ins[0] / ins[1]) + ins[2].float(), -128, 127).to(torch.int8)
        elif op == "Cast":
            assert a["to"] == onnx.TensorProto.FLOAT
            y = ins[0].float()
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "Concat":
            y = torch.cat(ins, dim=a["axis"])
        elif op == "Relu":
            y = F.relu(ins[0])
        elif op == "Clip":  # min and max as inputs (opset 11+)
            y = torch.clamp(ins[0], float(ins[1]), float(ins[2]))
        elif op == "LeakyRelu":
            y = F.leaky_relu(ins[0], a.get("alpha", 0.01))
        elif op == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif op == "Tanh":
            y = torch.tanh(ins[0])
        elif op == "Softmax":
            y = torch.softmax(ins[0], dim=a.get("axis", -1))
        else:
            raise AssertionError("op %s is not in the rebuild" % op)
        values[node.output[0]] = y
    return values[model.graph.output[0].name], model
