#!/usr/bin/env python3
"""Prints PyTorch's LSTM and GRU on small fixed configurations as JSON, for
TestLSTMAndGRUMatchPyTorch in layers/recurrent_test.go: the parameters (under
their state_dict keys), the input, the initial state, the outputs, the final
state, and the gradients of sum(r * out) + sum(rh * h_n) (+ sum(rc * c_n) for
the LSTM) with respect to the input, the initial state and every parameter.

    /usr/bin/python3 scripts/torch_rnn_reference.py > layers/testdata/rnn_torch.json

Every number fed to torch is a fixed function of its index, so the file is
the same on every run; the test reads them from the file and needs no torch.
"""
import json
import math
import sys

import torch


def values(n, a, b, scale=1.0):
    # Smooth, sign-changing, and different for every element.
    return [round(scale * math.sin(a * i + b), 6) for i in range(n)]


def tensor(shape, a, b, scale=1.0):
    n = math.prod(shape)
    return torch.tensor(values(n, a, b, scale), dtype=torch.float64).reshape(shape)


CASES = [
    dict(name="lstm batch 2 time 3 features 3 hidden 4, initial state", cell="lstm", batch=2, time=3, features=3, hidden=4, initial=True),
    dict(name="lstm batch 1 time 4 features 2 hidden 3, zero state", cell="lstm", batch=1, time=4, features=2, hidden=3, initial=False),
    dict(name="gru batch 2 time 3 features 3 hidden 4, initial state", cell="gru", batch=2, time=3, features=3, hidden=4, initial=True),
    dict(name="gru batch 3 time 2 features 1 hidden 2, zero state", cell="gru", batch=3, time=2, features=1, hidden=2, initial=False),
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def run(case):
    B, T, I, H = case["batch"], case["time"], case["features"], case["hidden"]
    lstm = case["cell"] == "lstm"
    module = (torch.nn.LSTM if lstm else torch.nn.GRU)(I, H, batch_first=True).double()
    params = {}
    with torch.no_grad():
        for k, (key, p) in enumerate(module.named_parameters()):
            p.copy_(tensor(p.shape, 0.37 + 0.11 * k, 0.3 * k, 0.6))
            params[key] = flat(p)
    x = tensor([B, T, I], 0.73, 0.2).requires_grad_(True)
    h0 = tensor([1, B, H], 1.1, 0.5, 0.8).requires_grad_(True) if case["initial"] else None
    c0 = tensor([1, B, H], 0.53, 0.9, 0.8).requires_grad_(True) if case["initial"] and lstm else None
    if lstm:
        out, (hn, cn) = module(x, (h0, c0)) if case["initial"] else module(x)
    else:
        out, hn = module(x, h0) if case["initial"] else module(x)
        cn = None
    r = tensor(out.shape, 1.7, 0.4)
    rh = tensor(hn.shape, 0.9, 1.3)
    loss = (out * r).sum() + (hn * rh).sum()
    if cn is not None:
        rc = tensor(cn.shape, 1.3, 0.7)
        loss = loss + (cn * rc).sum()
    loss.backward()
    res = dict(case, params=params, x=flat(x), out=flat(out), h_n=flat(hn), r=flat(r), r_h=flat(rh), dx=flat(x.grad),
               dparams={key: flat(p.grad) for key, p in module.named_parameters()})
    if case["initial"]:
        res.update(h0=flat(h0), dh0=flat(h0.grad))
    if cn is not None:
        res.update(c_n=flat(cn), r_c=flat(rc))
        if case["initial"]:
            res.update(c0=flat(c0), dc0=flat(c0.grad))
    return res


def main():
    # One case a line, so that a change shows up as the lines of its cases.
    cases = ",\n".join(json.dumps(run(c)) for c in CASES)
    sys.stdout.write('{"torch_version": %s, "cases": [\n%s\n]}\n' % (json.dumps(torch.__version__), cases))


if __name__ == "__main__":
    main()
