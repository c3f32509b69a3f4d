"""Training speed of the ResNet-8 of `--arch conv:16:3,res:16,res:32:2,res:64:2,gap`
in PyTorch (Debian's python3-torch, CPU), for the ratio in docs/BENCHMARKS.md
("Graph models"). Same model, batch, optimiser and thread count as the CLI run
in bench/resnet_speed.sh; prints training samples/s per epoch.

    /usr/bin/python3 bench/resnet_torch.py --images PATH --labels PATH --samples 10000 --threads 2
"""
import argparse
import gzip
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def conv_bn(cin, cout, kernel, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1))


class Residual(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(conv_bn(cin, cout, 3, stride), nn.ReLU(), conv_bn(cout, cout, 3, 1))
        self.skip = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return torch.relu(self.main(x) + self.skip(x))


def resnet8(classes=10):
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), Residual(16, 16, 1), Residual(16, 32, 2),
                         Residual(32, 64, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.from_numpy(read_idx(args.images)[: args.samples].astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(read_idx(args.labels)[: args.samples].astype(np.int64))
    model = resnet8()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.002)
    loss_fn = nn.CrossEntropyLoss()
    print(f"torch {torch.__version__}, {args.threads} threads, {sum(p.numel() for p in model.parameters())} params")
    for epoch in range(args.epochs):
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x) - args.batch + 1, args.batch):
            idx = order[i: i + args.batch]
            optimiser.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimiser.step()
        seconds = time.perf_counter() - start
        seen = (len(x) // args.batch) * args.batch
        print(f"epoch {epoch + 1}: {seen / seconds:.0f} samples/s ({seconds:.1f} s), loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
