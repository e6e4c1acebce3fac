#!/usr/bin/env python3
"""Reference numbers for graft's pooling ops, computed with PyTorch.

For each configuration it records, in float64: the input x, the pooled
output y, the gradient of sum(w * y) with respect to x for fixed weights w,
and the Hessian-vector product of sum(w * y**2) with a fixed vector v (the
gradient of sum(v * grad) with respect to x), which exercises the second
derivative of the op. ops/pool_test.go compares graft against these numbers;
no Go test runs PyTorch.

Usage: scripts/torch_pool_reference.py > ops/testdata/pool_reference.json

Non-finite numbers are written as the strings "NaN", "Inf" and "-Inf", which
JSON has no literal for.
"""

import json
import math
import sys

import torch
import torch.nn.functional as F


def values(n):
    # Distinct values (no ties) for up to 101 elements: a permutation of a
    # grid of step 0.1, so max pooling is away from its kinks.
    return [((i * 37) % 101) / 10 - 5 for i in range(n)]


def weights(n):
    # The same weights as gradCheckWeights in ops/gradcheck_test.go.
    return [float((i * 7) % 5) - 1.5 for i in range(n)]


def direction(n):
    return [((i * 3) % 7) / 2 - 1.25 for i in range(n)]


def pool(case, x):
    spatial = len(case["shape"]) - 2
    k, s, p = case["kernel"], case["stride"], case["padding"]
    if case["op"] == "max":
        f = [F.max_pool1d, F.max_pool2d, F.max_pool3d][spatial - 1]
        return f(x, k, s, p, dilation=case["dilation"], ceil_mode=case["ceil"])
    if case["op"] == "avg":
        f = [F.avg_pool1d, F.avg_pool2d, F.avg_pool3d][spatial - 1]
        return f(x, k, s, p, ceil_mode=case["ceil"], count_include_pad=case["count_include_pad"])
    if case["op"] == "global":
        return x.mean(dim=tuple(range(2, 2 + spatial)))
    raise ValueError(case["op"])


def encode(vs):
    out = []
    for v in vs:
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Inf" if v > 0 else "-Inf")
        else:
            out.append(v)
    return out


def run(case):
    n = math.prod(case["shape"])
    data = case.get("x") or values(n)
    x = torch.tensor(data, dtype=torch.float64).reshape(case["shape"]).requires_grad_()
    y = pool(case, x)
    w = torch.tensor(weights(y.numel()), dtype=torch.float64).reshape(y.shape)
    (grad,) = torch.autograd.grad((w * y).sum(), x, retain_graph=True)
    out = dict(case)
    out.update(
        x=encode(data),
        y_shape=list(y.shape),
        y=encode(y.detach().flatten().tolist()),
        grad=encode(grad.flatten().tolist()),
        hvp=None,  # left out where y is not finite: inf·0 makes it meaningless
    )
    if torch.isfinite(y).all():
        (g2,) = torch.autograd.grad((w * y * y).sum(), x, create_graph=True)
        v = torch.tensor(direction(n), dtype=torch.float64).reshape(x.shape)
        (hvp,) = torch.autograd.grad((v * g2).sum(), x)
        out["hvp"] = encode(hvp.flatten().tolist())
    return out


def case(name, op, shape, kernel=None, stride=None, padding=0, dilation=1, ceil=False, count_include_pad=True, x=None):
    c = dict(name=name, op=op, shape=shape, kernel=kernel, stride=stride or kernel, padding=padding,
             dilation=dilation, ceil=ceil, count_include_pad=count_include_pad)
    if x is not None:
        c["x"] = x
    return c


CASES = [
    case("max 2-D k2 s2 (odd input, last row and column dropped)", "max", [1, 2, 5, 5], [2, 2]),
    case("max 2-D k3 s2 p1", "max", [1, 2, 5, 5], [3, 3], [2, 2], [1, 1]),
    case("max 2-D k3 s1 overlapping", "max", [2, 1, 4, 4], [3, 3], [1, 1]),
    case("max 2-D k2 s3 gaps", "max", [1, 1, 7, 7], [2, 2], [3, 3]),
    case("max 2-D k(2,3) s(1,2) p(1,1) d(2,1)", "max", [1, 1, 6, 7], [2, 3], [1, 2], [1, 1], [2, 1]),
    case("max 2-D k3 s2 p1 ceil", "max", [1, 1, 6, 6], [3, 3], [2, 2], [1, 1], ceil=True),
    case("max 1-D k3 s1 p1", "max", [2, 2, 6], [3], [1], [1]),
    case("max 1-D k2 s1 ties", "max", [1, 1, 6], [2], [1], x=[2, 2, 1, 2, 3, 3]),
    case("max 1-D k2 s1 p1 all -Inf", "max", [1, 1, 3], [2], [1], [1], x=[-math.inf] * 3),
    case("max 1-D k4 NaN", "max", [1, 1, 8], [4], x=[1, math.nan, 3, math.nan, 5, 6, math.nan, 2]),
    case("max 1-D k2 s1 p1 d3 window in padding only", "max", [1, 1, 2], [2], [1], [1], [3]),
    case("max 3-D k2 s1", "max", [1, 1, 3, 3, 3], [2, 2, 2], [1, 1, 1]),
    case("avg 2-D k3 s2 p1 count padding", "avg", [1, 2, 5, 5], [3, 3], [2, 2], [1, 1]),
    case("avg 2-D k3 s2 p1 exclude padding", "avg", [1, 2, 5, 5], [3, 3], [2, 2], [1, 1], count_include_pad=False),
    case("avg 2-D k2 s2 p1 ceil count padding", "avg", [1, 1, 5, 5], [2, 2], [2, 2], [1, 1], ceil=True),
    case("avg 2-D k2 s2 p1 ceil exclude padding", "avg", [1, 1, 5, 5], [2, 2], [2, 2], [1, 1], ceil=True,
         count_include_pad=False),
    case("avg 2-D k(3,2) s(1,3) overlapping and gaps", "avg", [2, 1, 4, 7], [3, 2], [1, 3]),
    case("avg 1-D k3 s2 p1 ceil", "avg", [1, 1, 4], [3], [2], [1], ceil=True),
    case("avg 1-D k5 s2 ceil (kernel past the input)", "avg", [1, 1, 4], [5], [2], ceil=True),
    case("avg 3-D k2 s(1,2,1) p1", "avg", [1, 1, 3, 4, 3], [2, 2, 2], [1, 2, 1], [1, 1, 1]),
    case("global avg 2-D", "global", [2, 3, 2, 2]),
]


def main():
    cases = [run(c) for c in CASES]
    # One case per line keeps the file readable and its diffs small.
    lines = ",\n".join(json.dumps(c) for c in cases)
    sys.stdout.write('{"torch": %s, "cases": [\n%s\n]}\n' % (json.dumps(torch.__version__), lines))


if __name__ == "__main__":
    main()
