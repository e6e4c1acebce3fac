#!/usr/bin/env python3
"""PyTorch's column of issue 12's table, against bench's
BenchmarkMLP784TrainStepBatch, BenchmarkMLP784Inference and
BenchmarkDeep50TrainStep: the float32 784-256-128-10 MLP (ReLU, ReLU,
softmax cross-entropy) trained with Adam at batch 1, 64 and 256, its
forward pass to the class probabilities at batch 1 and 64, and the
50 x Dense(128) net (128-wide input, ReLU between layers, softmax
cross-entropy over 128 outputs) trained at batch 64. The MNIST epoch is
scripts/torch_mnist.py's.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 scripts/torch_mlp_bench.py
    python3 scripts/torch_mlp_bench.py --threads 1 --repeats 5

Prints one JSON line per row and thread count: the median and the fastest
of --repeats timings, each the mean time per step of a loop that runs for
about --seconds (after warm-up steps), as go test -bench reports a mean
per op. Each line names the BLAS library the process loaded. Needs torch
only; no test runs it.
"""

import argparse
import json
import os
import statistics
import time

import torch
from torch import nn


def blas_library():
    """The libblas.so* the process has mapped, to show which BLAS ran."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libblas.so"):
                return os.path.realpath(path)
    return "none"


def net(widths):
    layers = []
    for i in range(len(widths) - 1):
        dense = nn.Linear(widths[i], widths[i + 1])
        nn.init.xavier_uniform_(dense.weight)  # graft's Glorot-uniform weights, zero biases
        nn.init.zeros_(dense.bias)
        layers.append(dense)
        if i + 2 < len(widths):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train_step(widths, batch):
    model = net(widths)
    # Keras' defaults, as bench's Adam: lr 1e-3, betas 0.9 and 0.999, eps 1e-7.
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, widths[0])
    y = torch.randint(0, widths[-1], (batch,))

    def step():
        adam.zero_grad(set_to_none=False)
        loss_fn(model(x), y).backward()
        adam.step()
    return step


def inference(widths, batch):
    model = net(widths)
    x = torch.rand(batch, widths[0])

    def step():
        with torch.no_grad():
            torch.softmax(model(x), dim=1)
    return step


def mean_step(step, seconds):
    """The mean time of one step over a loop of about seconds."""
    for _ in range(5):
        step()
    n, start = 0, time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / n


MLP = [784, 256, 128, 10]
DEEP = [128] * 51
ROWS = [
    ("train step, batch 1", lambda: train_step(MLP, 1)),
    ("train step, batch 64", lambda: train_step(MLP, 64)),
    ("train step, batch 256", lambda: train_step(MLP, 256)),
    ("inference, batch 1", lambda: inference(MLP, 1)),
    ("inference, batch 64", lambda: inference(MLP, 64)),
    ("50 x Dense(128) train step, batch 64", lambda: train_step(DEEP, 64)),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    torch.manual_seed(1)
    for threads in args.threads:
        torch.set_num_threads(threads)
        for name, make in ROWS:
            step = make()
            times = [mean_step(step, args.seconds) for _ in range(args.repeats)]
            print(json.dumps({
                "framework": "pytorch", "torch": torch.__version__, "blas": blas_library(),
                "row": name, "threads": threads, "repeats": args.repeats,
                "median_us": round(statistics.median(times) * 1e6, 1),
                "fastest_us": round(min(times) * 1e6, 1),
            }), flush=True)


if __name__ == "__main__":
    main()
