#!/usr/bin/env python3
"""Prints PyTorch's convolutions on a few small configurations as JSON, for
TestConvMatchesPyTorch in ops/conv_test.go: the inputs, the output, and the gradients of
sum(r * y) with respect to the input, the weight and the bias.

    /usr/bin/python3 scripts/torch_conv_reference.py > ops/testdata/conv_torch.json

The inputs are fixed functions of the element index, so the file is the same
on every run; the test reads the inputs from the file and needs no torch.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F


def values(n, a, b):
    # Smooth, sign-changing, and different for every element.
    return [round(math.sin(a * i + b), 6) for i in range(n)]


def tensor(shape, a, b):
    n = math.prod(shape)
    return torch.tensor(values(n, a, b), dtype=torch.float64).reshape(shape).requires_grad_(True)


CASES = [
    dict(name="conv2d stride 2 padding 1 bias", op="conv", x=[2, 3, 5, 5], w=[4, 3, 3, 3],
         stride=[2, 2], padding=[1, 1], dilation=[1, 1], groups=1),
    dict(name="conv2d same even kernel dilation 1 groups 2", op="conv", x=[1, 4, 5, 6], w=[4, 2, 2, 2],
         stride=[1, 1], padding="same", dilation=[1, 1], groups=2),
    dict(name="conv2d same dilation 2", op="conv", x=[1, 2, 5, 5], w=[3, 2, 2, 3],
         stride=[1, 1], padding="same", dilation=[2, 2], groups=1),
    dict(name="conv2d depthwise multiplier 2 stride (2, 1)", op="conv", x=[2, 3, 5, 5], w=[6, 1, 3, 3],
         stride=[2, 1], padding=[0, 1], dilation=[1, 1], groups=3),
    dict(name="conv1d stride 2 dilation 2 padding 3", op="conv", x=[2, 2, 9], w=[3, 2, 4],
         stride=[2], padding=[3], dilation=[2], groups=1),
    dict(name="conv3d stride (1, 2, 1) padding (1, 0, 1)", op="conv", x=[1, 2, 4, 4, 4], w=[2, 2, 2, 3, 3],
         stride=[1, 2, 1], padding=[1, 0, 1], dilation=[1, 1, 1], groups=1),
    dict(name="conv_transpose2d stride 2 padding 1 output padding 1", op="conv_transpose", x=[2, 4, 3, 3], w=[4, 3, 3, 3],
         stride=[2, 2], padding=[1, 1], output_padding=[1, 1], dilation=[1, 1], groups=1),
    dict(name="conv_transpose2d groups 2 dilation 2 output padding 1", op="conv_transpose", x=[1, 4, 3, 3], w=[4, 1, 2, 2],
         stride=[1, 1], padding=[0, 0], output_padding=[1, 1], dilation=[2, 2], groups=2),
    dict(name="conv_transpose1d stride 3 padding 1 output padding 2", op="conv_transpose", x=[1, 2, 5], w=[2, 3, 3],
         stride=[3], padding=[1], output_padding=[2], dilation=[1], groups=1),
]


def run(case):
    x = tensor(case["x"], 0.37, 0.1)
    w = tensor(case["w"], 0.91, 0.7)
    out_channels = case["w"][0] if case["op"] == "conv" else case["w"][1] * case["groups"]
    b = tensor([out_channels], 1.3, 0.2)
    spatial = len(case["x"]) - 2
    if case["op"] == "conv":
        conv = [F.conv1d, F.conv2d, F.conv3d][spatial - 1]
        padding = case["padding"] if case["padding"] == "same" else tuple(case["padding"])
        y = conv(x, w, b, stride=tuple(case["stride"]), padding=padding,
                 dilation=tuple(case["dilation"]), groups=case["groups"])
    else:
        conv = [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][spatial - 1]
        y = conv(x, w, b, stride=tuple(case["stride"]), padding=tuple(case["padding"]),
                 output_padding=tuple(case["output_padding"]), groups=case["groups"],
                 dilation=tuple(case["dilation"]))
    r = torch.tensor(values(y.numel(), 1.7, 0.4), dtype=torch.float64).reshape(y.shape)
    (y * r).sum().backward()
    flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
    return dict(case, x_data=flat(x), w_data=flat(w), b_data=flat(b), y_shape=list(y.shape), y=flat(y),
                r=flat(r), dx=flat(x.grad), dw=flat(w.grad), db=flat(b.grad))


def main():
    # One case a line, so that a change shows up as the lines of its cases.
    cases = ",\n".join(json.dumps(run(c)) for c in CASES)
    sys.stdout.write('{"torch_version": %s, "cases": [\n%s\n]}\n' % (json.dumps(torch.__version__), cases))


if __name__ == "__main__":
    main()
