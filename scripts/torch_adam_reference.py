#!/usr/bin/env python3
"""Reference trajectories of torch.optim.Adam and torch.optim.AdamW.

For each configuration it runs a few steps of PyTorch's optimizer on one
parameter with the gradients given below (set directly, not computed from
a loss, so each step can be followed), in float32 and float64, and records
the parameter after every step. optim/adam_torch_test.go checks that
graft's Adam with PyTorchEpsilon follows the same trajectories; no Go test
runs PyTorch.

Usage: /usr/bin/python3 scripts/torch_adam_reference.py > optim/testdata/adam_torch_reference.json
"""

import json
import sys

import torch

STEPS = 6
N = 9


def start(n):
    return [((i * 37) % 11) / 4 - 1.25 for i in range(n)]


def gradient(step, n):
    # Mixed signs and magnitudes from 1e-3 to 1, changing every step, and
    # one element whose gradient is always 0 (there v stays 0 and epsilon
    # alone keeps the step finite).
    out = []
    for i in range(n):
        if i == n - 1:
            out.append(0.0)
            continue
        sign = 1 if (i * 5 + step * 3) % 7 < 4 else -1
        out.append(sign * 10 ** -((i + step) % 4) * (1 + ((i * step) % 5) / 10))
    return out


CONFIGS = [
    dict(name="Adam", optimizer="Adam", lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    dict(name="Adam betas", optimizer="Adam", lr=0.01, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.0),
    dict(name="AdamW", optimizer="AdamW", lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
    dict(name="AdamW strong decay", optimizer="AdamW", lr=0.05, betas=(0.9, 0.95), eps=1e-6, weight_decay=0.5),
]


def run(config, dtype):
    p = torch.tensor(start(N), dtype=dtype, requires_grad=True)
    cls = getattr(torch.optim, config["optimizer"])
    opt = cls([p], lr=config["lr"], betas=config["betas"], eps=config["eps"],
              weight_decay=config["weight_decay"])
    grads, after = [], []
    for step in range(1, STEPS + 1):
        g = gradient(step, N)
        p.grad = torch.tensor(g, dtype=dtype)
        opt.step()
        grads.append(g)
        after.append(p.detach().tolist())
    out = dict(config)
    out.update(dtype=str(dtype).replace("torch.", ""), start=start(N), grads=grads, after=after)
    return out


def main():
    cases = [run(c, dt) for c in CONFIGS for dt in (torch.float32, torch.float64)]
    json.dump(dict(torch=torch.__version__, cases=cases), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
