#!/usr/bin/env python3
"""Writes a PyTorch model's state_dict as a safetensors file, for a manual
check of checkpoint.LoadWith against PyTorch (TestPyTorchStateDictGivesPyTorchsOutputs
in checkpoint/pytorch_test.go, which no test run needs torch for):

    /usr/bin/python3 scripts/torch_state_dict.py /tmp/torch_mlp.safetensors
    GRAFT_TORCH_STATE_DICT=/tmp/torch_mlp.safetensors go test -run PyTorchStateDict -v ./checkpoint

The model is nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8),
nn.Linear(8, 3)), seeded, with running statistics from a few batches in
training mode. The file's __metadata__ holds a fixed input and the model's
output on it in eval mode, as JSON, so the Go test needs nothing but the
file. The file is written by safetensors.torch.save_file when the safetensors
package is installed, and otherwise by hand: an 8-byte little-endian header
length, the JSON header padded with spaces to a multiple of 8, then each
tensor's little-endian bytes.
"""
import json
import math
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


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "torch_mlp.safetensors"
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 3))
    model.train()
    for _ in range(3):
        model(torch.randn(16, 4))
    model.eval()
    x = torch.tensor([[math.sin(0.7 * i + j) for j in range(4)] for i in range(5)], dtype=torch.float32)
    with torch.no_grad():
        y = model(x)
    metadata = {"format": "pt", "input": json.dumps(x.tolist()), "output": json.dumps(y.tolist())}
    tensors = {k: v.detach() for k, v in model.state_dict().items()}
    try:
        from safetensors.torch import save_file
        save_file(tensors, path, metadata=metadata)
    except ImportError:
        write_by_hand(tensors, metadata, path)
    print("wrote", path, "with", ", ".join(f"{k} {tuple(v.shape)}" for k, v in tensors.items()))


if __name__ == "__main__":
    main()
