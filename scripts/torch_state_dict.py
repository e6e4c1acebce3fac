#!/usr/bin/env python3
"""Writes two PyTorch models' state_dicts as safetensors files, for a manual
check of checkpoint.LoadWith against PyTorch (TestPyTorchStateDictGivesPyTorchsOutputs
in checkpoint/pytorch_test.go, which no test run needs torch for):

    /usr/bin/python3 scripts/torch_state_dict.py /tmp/torch
    GRAFT_TORCH_STATE_DICTS=/tmp/torch go test -run PyTorchStateDict -v ./checkpoint

mlp.safetensors holds nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
nn.BatchNorm1d(8), nn.Linear(8, 3)), with running statistics from a few
batches in training mode; cnn.safetensors holds nn.Sequential(nn.Conv2d(2,
3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(48, 2)). Both are
seeded. Each file's __metadata__ holds a fixed input and the model's output
on it in eval mode, as JSON, so the Go test needs nothing but the files. The file is written by safetensors.torch.save_file when the safetensors
package is installed, and otherwise by hand: an 8-byte little-endian header
length, the JSON header padded with spaces to a multiple of 8, then each
tensor's little-endian bytes.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn


def write_by_hand(tensors, metadata, path):
    dtypes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    header = {"__metadata__": metadata}
    data = bytearray()
    for name, t in tensors.items():
        raw = t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


def save(model, x, path):
    model.eval()
    with torch.no_grad():
        y = model(x)
    metadata = {"format": "pt", "input": json.dumps(x.flatten().tolist()),
                "input_shape": json.dumps(list(x.shape)), "output": json.dumps(y.flatten().tolist())}
    tensors = {k: v.detach() for k, v in model.state_dict().items()}
    try:
        from safetensors.torch import save_file
        save_file(tensors, path, metadata=metadata)
    except ImportError:
        write_by_hand(tensors, metadata, path)
    print("wrote", path, "with", ", ".join(f"{k} {tuple(v.shape)}" for k, v in tensors.items()))


def fixed(*shape):
    n = math.prod(shape)
    return torch.tensor([math.sin(0.7 * i + 0.3) for i in range(n)], dtype=torch.float32).reshape(shape)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 3))
    mlp.train()
    for _ in range(3):
        mlp(torch.randn(16, 4))
    save(mlp, fixed(5, 4), os.path.join(out, "mlp.safetensors"))
    cnn = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(48, 2))
    save(cnn, fixed(2, 2, 4, 4), os.path.join(out, "cnn.safetensors"))


if __name__ == "__main__":
    main()
