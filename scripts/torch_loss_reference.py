#!/usr/bin/env python3
"""Reference numbers for graft's losses, computed with PyTorch.

For each case it records, in float64: the prediction, the target, the
loss's arguments (class weights, pos_weight, beta, label smoothing), the loss
PyTorch computes with the mean (or batchmean) reduction, and its gradient
with respect to the prediction (PyTorch differentiates neither weighted loss
with respect to its weights). losses/reference_test.go compares graft
against these numbers; no Go test runs PyTorch.

Usage: scripts/torch_loss_reference.py > losses/testdata/torch_reference.json

Non-finite numbers are written as the strings "NaN", "Inf" and "-Inf", which
JSON has no literal for.
"""

import json
import math
import sys

import torch
import torch.nn.functional as F


def grid(n, scale=1.0, shift=0.0):
    # Distinct values, a permutation of a grid, the same on every run.
    return [(((i * 37) % 101) / 10 - 5) * scale + shift for i in range(n)]


def tensor(values, shape, grad=False):
    t = torch.tensor(values, dtype=torch.float64).reshape(shape)
    return t.requires_grad_(grad)


def probabilities(shape, seed):
    rows = tensor(grid(shape[0] * shape[1], 0.4, seed), shape)
    return torch.softmax(rows, dim=1)


def encode(x):
    out = []
    for v in x.detach().reshape(-1).tolist():
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Inf" if v > 0 else "-Inf")
        else:
            out.append(v)
    return out


def case(name, loss, pred, target, fn, weight=None, **args):
    value = fn()
    # PyTorch differentiates neither cross-entropy with respect to its class
    # weights nor binary cross-entropy with respect to pos_weight: graft's
    # gradients with respect to them are checked by central differences.
    inputs = [pred]
    grads = torch.autograd.grad(value, inputs)
    entry = {
        "name": name,
        "loss": loss,
        "pred_shape": list(pred.shape),
        "pred": encode(pred),
        "target_shape": list(target.shape),
        "target": encode(target.double()),
        "target_int64": target.dtype == torch.int64,
        "want": encode(value)[0],
        "want_grad_pred": encode(grads[0]),
    }
    if weight is not None:
        entry["weight_shape"] = list(weight.shape)
        entry["weight"] = encode(weight)
    entry.update(args)
    return entry


def cases():
    out = []
    n, c = 5, 4
    logits = lambda: tensor(grid(n * c, 0.7), (n, c), grad=True)
    labels = torch.tensor([3, 0, 1, 3, 2])
    w = lambda: tensor([0.5, 2.0, 1.25, 0.75], (c,))

    z = logits()
    lp = F.log_softmax(z.detach(), dim=1).requires_grad_(True)
    out.append(case("nll", "nll", lp, labels, lambda: F.nll_loss(lp, labels)))
    # -Inf where a class is impossible, in rows whose label is another class.
    inf = lp.detach().clone()
    inf[0, 0] = -math.inf
    inf[2, 3] = -math.inf
    inf.requires_grad_(True)
    out.append(case("nll with -Inf off the labels", "nll", inf, labels, lambda: F.nll_loss(inf, labels)))

    for eps in [0.0, 0.1]:
        z = logits()
        out.append(case(f"cross entropy ids, smoothing {eps}", "ce", z, labels,
                        lambda: F.cross_entropy(z, labels, label_smoothing=eps), label_smoothing=eps))
        z, wt = logits(), w()
        out.append(case(f"cross entropy ids, weights, smoothing {eps}", "ce", z, labels,
                        lambda: F.cross_entropy(z, labels, weight=wt, label_smoothing=eps),
                        weight=wt, label_smoothing=eps))
        probs = probabilities((n, c), 0.3)
        z = logits()
        out.append(case(f"cross entropy probabilities, smoothing {eps}", "ce", z, probs,
                        lambda: F.cross_entropy(z, probs, label_smoothing=eps), label_smoothing=eps))
        z, wt = logits(), w()
        out.append(case(f"cross entropy probabilities, weights, smoothing {eps}", "ce", z, probs,
                        lambda: F.cross_entropy(z, probs, weight=wt, label_smoothing=eps),
                        weight=wt, label_smoothing=eps))
    z = logits()
    out.append(case("cross entropy ids, smoothing 1", "ce", z, labels,
                    lambda: F.cross_entropy(z, labels, label_smoothing=1.0), label_smoothing=1.0))

    probs = probabilities((n, c), -0.2)
    probs[1, 2] = 0.0  # a zero in the target adds 0, whatever the prediction
    probs[3, 0] = 0.0
    lp = F.log_softmax(logits().detach(), dim=1).requires_grad_(True)
    out.append(case("kl batchmean", "kl", lp, probs,
                    lambda: F.kl_div(lp, probs, reduction="batchmean")))
    target = probabilities((n, c), 0.5).log()
    lp = F.log_softmax(logits().detach(), dim=1).requires_grad_(True)
    out.append(case("kl batchmean log target", "kl_log_target", lp, target,
                    lambda: F.kl_div(lp, target, reduction="batchmean", log_target=True)))

    for beta in [0.0, 0.5, 1.0, 2.5]:
        p = tensor(grid(12, 0.6), (3, 4), grad=True)
        t = tensor(grid(12, 0.3, 0.1)[::-1], (3, 4))
        out.append(case(f"smooth l1 beta {beta}", "smooth_l1", p, t,
                        lambda: F.smooth_l1_loss(p, t, beta=beta), beta=beta))

    zs = grid(12, 2.0)
    zs[0], zs[5] = 40.0, -40.0
    t = tensor([1, 0, 1, 1, 0, 0, 0.25, 1, 0, 1, 0.5, 0], (3, 4))
    z = tensor(zs, (3, 4), grad=True)
    pw = tensor([3.0], ())
    out.append(case("bce with logits, one pos_weight", "bce_pos_weight", z, t,
                    lambda: F.binary_cross_entropy_with_logits(z, t, pos_weight=pw), weight=pw))
    z = tensor(zs, (3, 4), grad=True)
    pw = tensor([0.5, 1.0, 2.0, 4.0], (4,))
    out.append(case("bce with logits, pos_weight per column", "bce_pos_weight", z, t,
                    lambda: F.binary_cross_entropy_with_logits(z, t, pos_weight=pw), weight=pw))
    return out


def main():
    torch.set_default_dtype(torch.float64)
    json.dump({"torch": torch.__version__, "cases": cases()}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
